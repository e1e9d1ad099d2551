"""Running scenarios over real gRPC: reset the nodes, load the scenario's documents through
AdminService, drive each visit (2201 → 2204 → 2206 → 2207) as a hospital would, revoke, read
the person's state, and compare every answer with the hand-computed expectation."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import yaml

from scripts import connect
from scripts.clients.his import His, Line
from scripts.scenario.report import ScenarioResult, StepResult
from scripts.scenario.schema import ScenarioError, provinces_needed, read
from services.pb.settlenet.v1 import admin_pb2, admin_pb2_grpc, common_pb2
from services.rpc.status import details_of
from services.values import certno, clock

AMOUNT_FIELDS = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "cvlserv_pay",
    "maf_pay",
    "fund_pay_sumamt",
    "psn_part_amt",
    "acct_pay",
    "acct_mulaid_pay",
    "psn_cash_pay",
    "balc",
    "pool_prop_selfpay",
    "ratio_reduction",
)


def _region(doc: dict[str, Any], code: str) -> str:
    regions = doc["provinces"][code]["regions"]
    return str(next(iter(regions)))


def _institution(doc: dict[str, Any], code: str, step: dict[str, Any]) -> dict[str, Any]:
    insts = doc["provinces"][code]["institutions"]
    if "fixmedins_code" in step:
        found = [i for i in insts if i["fixmedins_code"] == step["fixmedins_code"]]
    else:
        level = str(step.get("level", "3"))
        found = [i for i in insts if i["medins_lv"] == level and i["cross_province"]]
    if not found:
        raise ScenarioError("", "level", f"no such institution in province {code}")
    return dict(found[0])


def _persons(sc: dict[str, Any], region: str, seed: str) -> list[dict[str, Any]]:
    """The scenario's persons with psn_no, certno and name filled in (deterministic, so a rerun
    against a running network replaces the same persons)."""
    out: list[dict[str, Any]] = []
    raw = sc.get("persons") or [{}]
    for i, given in enumerate(raw):
        p = dict(given)
        h = int(hashlib.sha256(f"{seed}/{i}".encode()).hexdigest(), 16)
        p.setdefault("psn_no", f"{region}9{h % 10**13:013d}")
        retired = str(p.get("psn_type", "11")) in ("12", "16")
        born = date(1955 if retired else 1980, 1, 1) + timedelta(days=(h >> 8) % 3650)
        p.setdefault("certno", certno.make(region, born, h % 997, female=bool(h % 2)))
        p.setdefault("psn_name", f"场景{i + 1}")
        p.setdefault("insutype", "310")
        p.setdefault("psn_type", "11")
        p.setdefault("insuplc_admdvs", region)
        out.append(p)
    for p in out:
        if "mulaid" in p:
            p["mulaid_psn_no"] = out[int(p.pop("mulaid"))]["psn_no"]
    return out


def _scalar(value: Any) -> Any:
    return list(value) if hasattr(value, "__iter__") and not isinstance(value, str) else value


def _compare(prefix: str, expected: dict[str, Any], message: Any, diffs: list[str]) -> None:
    for key, want in expected.items():
        if not hasattr(message, key) or key == "header":
            diffs.append(f"{prefix}.{key}: no such field")
            continue
        got = _scalar(getattr(message, key))
        if isinstance(want, (int, float)) and not isinstance(want, bool) and isinstance(got, str):
            want = str(want)
        if got != want:
            diffs.append(f"{prefix}.{key}: expected {want!r}, got {got!r}")


def _check_setl(expect: dict[str, Any], s: common_pb2.SetlInfo, diffs: list[str]) -> None:
    _compare("split", expect.get("split", {}), s, diffs)
    details = {d.fund_pay_type: d for d in s.setldetail}
    for fund, want in (expect.get("setldetail") or {}).items():
        d = details.get(str(fund))
        if d is None:
            diffs.append(
                f"setldetail[{fund}]: expected a row, got none "
                f"(rows: {', '.join(details) or 'none'})"
            )
            continue
        _compare(
            f"setldetail[{fund}]",
            want if isinstance(want, dict) else {"fund_payamt": want},
            d,
            diffs,
        )
    for fund in details:
        if "setldetail" in expect and str(fund) not in {str(k) for k in expect["setldetail"]}:
            diffs.append(f"setldetail[{fund}]: unexpected row paying {details[fund].fund_payamt}")
    if "steps" in expect:
        got = [x.step for x in s.setl_proc_info]
        if got != list(expect["steps"]):
            diffs.append(f"setl_proc_info steps: expected {expect['steps']}, got {got}")
    for name, words in (expect.get("explains") or {}).items():
        descs = [x.desc for x in s.setl_proc_info if x.step == name]
        if not any(str(words) in d for d in descs):
            diffs.append(
                f"setl_proc_info[{name}].desc: expected it to contain {str(words)!r}, got "
                + (repr(descs[0]) if descs else "no such step")
            )
    # The identities of DESIGN.md hold whatever the scenario expects.
    parts = s.fulamt_ownpay_amt + s.overlmt_selfpay + s.preselfpay_amt + s.inscp_scp_amt
    if parts != s.medfee_sumamt:
        diffs.append(
            f"identity: fulamt+overlmt+preselfpay+inscp = {parts} ≠ medfee_sumamt {s.medfee_sumamt}"
        )
    if s.fund_pay_sumamt + s.acct_pay + s.psn_cash_pay != s.medfee_sumamt:
        diffs.append("identity: fund_pay_sumamt + acct_pay + psn_cash_pay ≠ medfee_sumamt")
    if sum(d.fund_payamt for d in s.setldetail) != s.fund_pay_sumamt:
        diffs.append("identity: Σ setldetail.fund_payamt ≠ fund_pay_sumamt")


def _error_diffs(expect: dict[str, Any] | None, exc: grpc.RpcError | None, where: str) -> list[str]:
    if exc is None:
        return [f"error: expected {expect}, but {where} succeeded"] if expect else []
    violations, reason = details_of(exc)
    got = {
        "code": exc.code().name,
        "field": violations[0][0] if violations else "",
        "reason": reason,
    }
    if not expect:
        return [
            f"{where}: unexpected {got['code']}: {exc.details()}"
            + (f" (field {got['field']})" if got["field"] else "")
        ]
    return [
        f"error.{k}: expected {v!r}, got {got.get(k)!r}"
        for k, v in expect.items()
        if got.get(k) != v
    ]


def _setl_view(s: common_pb2.SetlInfo) -> dict[str, Any]:
    view = {k: getattr(s, k) for k in AMOUNT_FIELDS}
    view["setldetail"] = {d.fund_pay_type: d.fund_payamt for d in s.setldetail}
    view["steps"] = [(x.step, x.amount) for x in s.setl_proc_info]
    return view


class Runner:
    """Runs scenarios against the network described by ``doc`` (a network.json document)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.channels: dict[str, grpc.aio.Channel] = {}
        self.admins: dict[str, grpc.aio.Channel] = {}
        """AdminService channels (the admin certificate on a secure network)."""
        self.hises: dict[str, His] = {}
        """One HIS per institution, as in a hospital: one msgid sequence per sender."""

    def _channel(self, code: str) -> grpc.aio.Channel:
        if code not in self.doc["provinces"]:
            raise ScenarioError(
                "",
                "province",
                f"{code} is not in the network ({', '.join(sorted(self.doc['provinces']))})",
            )
        if code not in self.channels:
            self.channels[code] = connect.hospitals(self.doc, code)
        return self.channels[code]

    def _admin(self, code: str) -> grpc.aio.Channel:
        self._channel(code)  # the same check of the code
        if code not in self.admins:
            self.admins[code] = connect.admin(self.doc, code)
        return self.admins[code]

    async def close(self) -> None:
        """Put every node used back on its data files, then close the channels."""
        for ch in self.admins.values():
            try:
                await admin_pb2_grpc.AdminServiceStub(ch).ResetData(
                    admin_pb2.ResetDataRequest(policy=True, catalogue=True), timeout=10
                )
            except grpc.RpcError:
                pass  # the node is gone; nothing to put back
            await ch.close()
        for ch in self.channels.values():
            await ch.close()

    async def run_file(self, path: Path) -> list[ScenarioResult]:
        try:
            scenarios = read(path)
        except ScenarioError as exc:
            return [ScenarioResult(str(path), "(unreadable)", error=str(exc))]
        results = []
        for sc in scenarios:
            result = ScenarioResult(str(path), str(sc["name"]))
            try:
                await self.run(sc, result, seed=f"{path.name}/{sc['name']}")
            except ScenarioError as exc:
                result.error = str(exc).lstrip(": ")
            except grpc.RpcError as exc:
                violations, _ = details_of(exc)
                result.error = f"setting up: {exc.code().name}: {exc.details()}" + "".join(
                    f" [{f}: {d}]" for f, d in violations
                )
            results.append(result)
        return results

    async def run(self, sc: dict[str, Any], result: ScenarioResult, *, seed: str) -> None:
        treat, insured = str(sc.get("treatment", "11")), str(sc.get("insured", "13"))
        region = _region(self.doc, insured)
        t_admin = admin_pb2_grpc.AdminServiceStub(self._admin(treat))
        i_admin = admin_pb2_grpc.AdminServiceStub(self._admin(insured))
        for stub in {treat: t_admin, insured: i_admin}.values():
            await stub.ResetData(
                admin_pb2.ResetDataRequest(policy=True, catalogue=True), timeout=30
            )
        name = f"scenario {sc['name']}"
        if sc.get("catalogue"):
            await t_admin.LoadCatalogue(
                admin_pb2.LoadDocumentRequest(
                    yaml=_dump({"entries": sc["catalogue"]}), source_name=f"{name}: catalogue"
                ),
                timeout=30,
            )
        if sc.get("policy"):
            await i_admin.LoadPolicy(
                admin_pb2.LoadDocumentRequest(
                    yaml=_dump({"schemes": {region: sc["policy"]}}), source_name=f"{name}: policy"
                ),
                timeout=30,
            )
        persons = _persons(sc, region, seed)
        await i_admin.LoadPersons(
            admin_pb2.LoadDocumentRequest(
                yaml=_dump({"persons": persons}), source_name=f"{name}: persons"
            ),
            timeout=30,
        )

        visits: dict[str, tuple[His, str, dict[str, Any], str]] = {}
        for j, step in enumerate(sc["steps"]):
            if "visit" in step:
                out = await self._visit(treat, region, persons, step, visits)
            elif "revoke" in step:
                out = await self._revoke(region, step, visits)
            else:
                out = await self._state(i_admin, persons, step["state"], j)
            result.steps.append(out)

    async def _visit(
        self,
        treat: str,
        region: str,
        persons: list[dict[str, Any]],
        step: dict[str, Any],
        visits: dict[str, Any],
    ) -> StepResult:
        label = str(step["visit"])
        res = StepResult(f"visit {label}")
        expect = step.get("expect") or {}
        inst = _institution(self.doc, treat, step)
        his = self.hises.get(inst["fixmedins_code"])
        if his is None:
            his = self.hises[inst["fixmedins_code"]] = His(
                self._channel(treat), inst["fixmedins_code"], inst["admdvs"]
            )
        p = persons[int(step.get("person", 0))]
        day = str(step["date"])
        med_type = str(step.get("med_type", "11"))
        lines = [
            Line(str(x["code"]), str(x.get("cnt", "1")), int(x["pric"])) for x in step["lines"]
        ]
        where = "2201"
        _reach(day)
        try:
            mdtrt_id = await his.register(
                region,
                p["psn_no"],
                p["insutype"],
                f"{day} 09:00:00",
                med_type=med_type,
                diag=tuple(step.get("diag") or ("J06.900",)),
                opsp_dise_code=str(step.get("opsp_dise_code", "")),
                refl_flag=str(step.get("refl_flag", "")),
            )
            where = "2204"
            results: list[Any] = []
            for fee_day, group in _by_fee_date(step["lines"], lines, day):
                uploaded = await his.upload(
                    region,
                    mdtrt_id,
                    p["psn_no"],
                    group,
                    f"{fee_day} 09:20:00",
                    first_sn=len(results) + 1,
                )
                results += uploaded.result
            for n, want in enumerate(expect.get("lines") or []):
                if n >= len(results):
                    res.diffs.append(f"lines[{n}]: expected a line, got none")
                    continue
                _compare(f"lines[{n}]", want, results[n], res.diffs)
            total = sum(x.amount() for x in lines)
            acct = bool(step.get("acct_used", True))
            where = "2206"
            pre = await his.pre_settle(
                region,
                mdtrt_id,
                p["psn_no"],
                p["insutype"],
                total,
                med_type=med_type,
                acct_used=acct,
            )
            where = "2207"
            done = await his.settle(
                region,
                mdtrt_id,
                p["psn_no"],
                p["insutype"],
                total,
                med_type=med_type,
                acct_used=acct,
            )
        except grpc.RpcError as exc:
            res.diffs += [
                f"{d} (at {where})" for d in _error_diffs(expect.get("error"), exc, where)
            ]
            return res
        res.diffs += _error_diffs(expect.get("error"), None, "2207")
        s = done.setlinfo
        if _setl_view(pre.setlinfo) != _setl_view(s):
            res.diffs.append(
                "2206 pre-settlement differs from the 2207 settlement that followed it"
            )
        _check_setl(expect, s, res.diffs)
        res.got = _setl_view(s)
        visits[label] = (his, mdtrt_id, p, s.setl_id)
        return res

    async def _revoke(
        self, region: str, step: dict[str, Any], visits: dict[str, Any]
    ) -> StepResult:
        label = str(step["revoke"])
        res = StepResult(f"revoke {label}")
        expect = step.get("expect") or {}
        if label not in visits:
            res.diffs.append(f"revoke: visit {label!r} did not settle")
            return res
        his, mdtrt_id, p, setl_id = visits[label]
        try:
            done = await his.revoke(region, setl_id, mdtrt_id, p["psn_no"])
        except grpc.RpcError as exc:
            res.diffs += _error_diffs(expect.get("error"), exc, "2208")
            return res
        res.diffs += _error_diffs(expect.get("error"), None, "2208")
        _check_setl(expect, done.setlinfo, res.diffs)
        res.got = _setl_view(done.setlinfo)
        return res

    async def _state(
        self,
        admin: admin_pb2_grpc.AdminServiceStub,
        persons: list[dict[str, Any]],
        want: dict[str, Any],
        j: int,
    ) -> StepResult:
        p = persons[int(want.get("person", 0))]
        res = StepResult(f"state of person {want.get('person', 0)} (step {j + 1})")
        st = await admin.GetPersonState(
            admin_pb2.PersonStateRequest(psn_no=p["psn_no"]), timeout=30
        )
        if "balc" in want and st.balc != want["balc"]:
            res.diffs.append(f"state.balc: expected {want['balc']}, got {st.balc}")
        rows = {f"{a.period} {a.kind}": a.amount for a in st.accumulators}
        for key, amount in (want.get("accumulators") or {}).items():
            if rows.get(key, 0) != amount:
                res.diffs.append(
                    f"state.accumulators[{key}]: expected {amount}, got {rows.get(key, 0)}"
                )
        res.got = {"balc": st.balc, "accumulators": rows}
        return res


def _by_fee_date(
    raw: list[dict[str, Any]], lines: list[Line], day: str
) -> list[tuple[str, list[Line]]]:
    """Lines grouped by fee date (a line's ``date``, else the visit's), in order: one 2204
    upload per run of the same date."""
    groups: list[tuple[str, list[Line]]] = []
    for spec, line in zip(raw, lines, strict=True):
        fee_day = str(spec.get("date", day))
        if groups and groups[-1][0] == fee_day:
            groups[-1][1].append(line)
        else:
            groups.append((fee_day, [line]))
    return groups


def _dump(doc: Any) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


async def run_in_process(paths: list[Path], data_dir: Path) -> list[ScenarioResult]:
    """Start a network in this process, run the scenarios over gRPC, stop it."""
    from scripts import network

    net = await network.start(data_dir, provinces_needed(paths), secure=True)
    try:
        return await run_against(net.describe(), paths)
    finally:
        await net.stop()


def _reach(day: str) -> None:
    """A visit on a day after the network's today moves this process's clock to that morning: a
    node refuses a visit later than its today + 1 day, and an in-process network's nodes share
    this clock. An outside network's nodes must be started with ``SETTLENET_CLOCK`` on or after
    the scenarios' last visit day."""
    morning = datetime.fromisoformat(f"{day} 08:00:00").replace(tzinfo=clock.CST)
    if morning.date() > clock.now().date():
        clock.travel_to(morning)


async def run_against(doc: dict[str, Any], paths: list[Path]) -> list[ScenarioResult]:
    runner = Runner(doc)
    offset_s = clock.offset_s()
    try:
        results: list[ScenarioResult] = []
        for path in paths:
            results += await runner.run_file(path)
        return results
    finally:
        await runner.close()
        if clock.offset_s() != offset_s:  # a visit moved the clock: give it back
            clock.travel_to(datetime.now(clock.CST) + timedelta(seconds=offset_s))
