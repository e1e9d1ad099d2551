"""What the checks drive and read: one hospital of the treatment province talking to its node
(1101 → 2201 → 2204 → 2206 / 2207 → 2208), and the node under test's own answers about what it
holds — QuerySettlement, 5203 QueryMessage, and reconciliation totals (3201 as the hospital in
the treatment role; ReconcileService as the operator in the insured role). Nothing here calls
AdminService: a province team's node need not serve it.

In the treatment role the node under test is the hospital's node and the persons are insured
elsewhere in the network; in the insured role the hospital is in another (simulated) province
and its visits reach the node under test through the hub.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import grpc

from scripts import connect
from scripts.clients.his import His, Line
from scripts.conformance.persons import Person
from scripts.conformance.registry import INSURED, TREATMENT, Evidence, show
from services.pb.settlenet.v1 import (
    common_pb2,
    correction_pb2,
    correction_pb2_grpc,
    hospital_reconcile_pb2,
    hospital_reconcile_pb2_grpc,
    reconcile_pb2,
    reconcile_pb2_grpc,
    treatment_pb2,
)
from services.rpc.status import describe_rpc_error
from services.values import clock

T = TypeVar("T")
TOTAL_FIELDS = ("count", "medfee_sumamt", "fund_pay_sumamt", "acct_pay")
FINAL_STATES = ("done", "burned", "corrected")


class SetupError(Exception):
    """The run cannot start in this role (no usable person, no institution, no endpoint)."""


@dataclass(frozen=True)
class Visit:
    """An open visit: registered (2201) with its fee lines uploaded (2204)."""

    mdtrt_id: str
    person: Person
    total: int


@dataclass
class Options:
    deadline: float = 3.0
    """Seconds within which the node must answer (the deadline checks)."""
    timeout: float = 30.0
    """Seconds every other call may take."""


@dataclass
class Context:
    """One role's run against the node under test: its channels, hospital, person and lines."""

    doc: dict[str, Any]
    node: str
    role: str
    treat: str
    candidates: list[Person]
    options: Options = field(default_factory=Options)
    institution: dict[str, Any] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    person: Person | None = None
    probe: list[str] = field(default_factory=list)
    """What choosing a person found (shown when no person is usable)."""
    trace: Evidence | None = None
    """The running check's evidence: every call of the visit path leaves a line in it (the
    request's key fields, then the answer's or the refusal)."""
    _channels: list[grpc.aio.Channel] = field(default_factory=list)
    _scratch: Visit | None = None

    def _sent(self, infno: str, fields: dict[str, Any]) -> None:
        if self.trace is not None:
            self.trace.add(f"request {infno}", fields)

    def _got(self, infno: str, fields: Any) -> None:
        if self.trace is not None:
            self.trace.add(f"answer {infno}", fields)

    async def _call(self, infno: str, sent: dict[str, Any], call: Awaitable[T]) -> T:
        """Await ``call`` with its request and its answer (or refusal) traced."""
        self._sent(infno, sent)
        try:
            res = await call
        except grpc.RpcError as exc:
            self._got(infno, describe_rpc_error(exc).replace("\n", "; "))
            raise
        setl = getattr(res, "setlinfo", None)
        self._got(infno, brief(setl) if isinstance(setl, common_pb2.SetlInfo) else "ok")
        return res

    # ---- opening ------------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the channels and choose a person whose visit the network settles."""
        provinces = self.doc["provinces"]
        t = provinces[self.treat]
        inst = [x for x in t.get("institutions", []) if x.get("cross_province")]
        if not inst:
            raise SetupError(f"province {self.treat} lists no cross-province institution")
        self.institution = max(inst, key=lambda x: str(x.get("medins_lv", "")))
        self.lines = sample_lines(t.get("catalogue") or {})
        self.hospital_channel = self._keep(connect.hospitals(self.doc, self.treat))
        self.his = His(
            self.hospital_channel,
            self.institution["fixmedins_code"],
            self.institution["admdvs"],
            timeout=self.options.timeout,
        )
        self.corrections = correction_pb2_grpc.CorrectionServiceStub(self.hospital_channel)
        self.hospital_reconcile = hospital_reconcile_pb2_grpc.HospitalReconcileServiceStub(
            self.hospital_channel
        )
        endpoint = str(provinces[self.node]["endpoint"])
        self.node_channel = self._keep(connect.channel(self.doc, endpoint))
        if self.role == INSURED:
            self.reconcile = reconcile_pb2_grpc.ReconcileServiceStub(
                self._keep(connect.operator(self.doc, endpoint))
            )
        await self._choose_person()

    def _keep(self, channel: grpc.aio.Channel) -> grpc.aio.Channel:
        self._channels.append(channel)
        return channel

    async def close(self) -> None:
        if self._scratch is not None:
            await self.cleanup(self._scratch, Evidence())
        for ch in self._channels:
            await ch.close()

    async def _choose_person(self) -> None:
        """The first candidate whose visit the network pre-settles: 1101 (its psn_no and
        insutype must agree), 2201, 2204, 2206; the probe visit is then cancelled."""
        for p in self.candidates:
            ev = Evidence()
            try:
                info = await self.his.query_person(p.insuplc_admdvs, p.certno)
                if info.baseinfo.psn_no != p.psn_no:
                    self.probe.append(
                        f"{p.psn_no}: 1101 of its certno answers psn_no {info.baseinfo.psn_no}"
                    )
                    continue
                if p.insutype not in [i.insutype for i in info.insuinfo]:
                    self.probe.append(f"{p.psn_no}: 1101 lists no insutype {p.insutype}")
                    continue
                visit = await self.open_visit(p)
                try:
                    await self.pre_settle(visit)
                finally:
                    await self.cleanup(visit, ev)
            except grpc.RpcError as exc:
                self.probe.append(f"{p.psn_no}: {describe_rpc_error(exc).splitlines()[0]}")
                continue
            self.person = p
            return
        tried = "; ".join(self.probe) or "no candidates"
        raise SetupError(f"no person's visit could be pre-settled ({tried})")

    # ---- the hospital's side ------------------------------------------------------------------

    @property
    def insured_province(self) -> str:
        assert self.person is not None
        return self.person.province

    async def open_visit(self, person: Person | None = None) -> Visit:
        """2201 and 2204 for ``person`` (default: the chosen one)."""
        p = person or self.person
        assert p is not None
        now = clock.now()
        mdtrt_id = await self._call(
            "2201",
            {"psn_no": p.psn_no, "insutype": p.insutype, "insuplc_admdvs": p.insuplc_admdvs},
            self.his.register(
                p.insuplc_admdvs,
                p.psn_no,
                p.insutype,
                clock.format_time(now - timedelta(minutes=30)),
            ),
        )
        total = sum(x.amount() for x in self.lines)
        await self._call(
            "2204",
            {"mdtrt_id": mdtrt_id, "lines": len(self.lines), "total_fen": total},
            self.his.upload(
                p.insuplc_admdvs,
                mdtrt_id,
                p.psn_no,
                self.lines,
                clock.format_time(now - timedelta(minutes=20)),
            ),
        )
        return Visit(mdtrt_id, p, total)

    async def scratch_visit(self) -> Visit:
        """An open visit for refusals: kept for the run, never settled (a check that finds it
        settled cleans it up and drops it)."""
        if self._scratch is None:
            self._scratch = await self.open_visit()
        return self._scratch

    async def spoil_scratch(self, ev: Evidence) -> None:
        if self._scratch is not None:
            await self.cleanup(self._scratch, ev)
            self._scratch = None

    def settle_request(
        self, infno: str, visit: Visit, msgid: str | None = None, **kw: Any
    ) -> treatment_pb2.SettleRequest:
        p = visit.person
        req = self.his.settle_request(
            infno,
            p.insuplc_admdvs,
            visit.mdtrt_id,
            p.psn_no,
            p.insutype,
            kw.pop("medfee_sumamt", visit.total),
            msgid=msgid,
            **kw,
        )
        return req

    async def pre_settle(
        self, visit: Visit, msgid: str | None = None, *, within: float | None = None
    ) -> treatment_pb2.SettleResponse:
        req = self.settle_request("2206", visit, msgid)
        res: treatment_pb2.SettleResponse = await self._call(
            "2206",
            settle_fields(req),
            self.his.stub.PreSettle(req, timeout=within or self.options.timeout),
        )
        return res

    async def send_settle(
        self, request: treatment_pb2.SettleRequest, *, within: float | None = None
    ) -> treatment_pb2.SettleResponse:
        res: treatment_pb2.SettleResponse = await self._call(
            request.header.infno or "2207",
            settle_fields(request),
            self.his.stub.Settle(request, timeout=within or self.options.timeout),
        )
        return res

    async def settle(
        self, visit: Visit, msgid: str | None = None, *, within: float | None = None
    ) -> treatment_pb2.SettleResponse:
        return await self.send_settle(self.settle_request("2207", visit, msgid), within=within)

    async def revoke(
        self,
        visit: Visit,
        setl_id: str,
        msgid: str | None = None,
        *,
        within: float | None = None,
    ) -> treatment_pb2.RevokeSettlementResponse:
        p = visit.person
        req = treatment_pb2.RevokeSettlementRequest(
            header=self.his.header("2208", p.insuplc_admdvs, msgid),
            setl_id=setl_id,
            mdtrt_id=visit.mdtrt_id,
            psn_no=p.psn_no,
        )
        res: treatment_pb2.RevokeSettlementResponse = await self._call(
            "2208",
            {"msgid": req.header.msgid, "setl_id": setl_id, "mdtrt_id": visit.mdtrt_id},
            self.his.stub.RevokeSettlement(req, timeout=within or self.options.timeout),
        )
        return res

    # ---- what the node says it holds ----------------------------------------------------------

    async def settlements(self, visit: Visit) -> list[common_pb2.SetlInfo]:
        """QuerySettlement at the treatment node: the visit's settlements and revocation
        records."""
        res = await self.his.stub.QuerySettlement(
            treatment_pb2.QuerySettlementRequest(
                header=self.his.header("5203", visit.person.insuplc_admdvs),
                mdtrt_id=visit.mdtrt_id,
            ),
            timeout=self.options.timeout,
        )
        return list(res.setlinfo)

    async def status(
        self, msgid: str, *, within: float | None = None
    ) -> correction_pb2.MessageStatus:
        """5203 QueryMessage of ``msgid`` as the node under test answers it (in the insured
        role: the insured node's answer, which the treatment node follows through the hub)."""
        assert self.person is not None
        res: correction_pb2.MessageStatus = await self.corrections.QueryMessage(
            correction_pb2.MessageStatusQuery(
                header=self.his.header("5203", self.person.insuplc_admdvs),
                omsgid=msgid,
                follow=self.role == INSURED,
            ),
            timeout=within or self.options.timeout,
        )
        return res.insured if self.role == INSURED else res

    async def totals(self) -> dict[str, int]:
        """The node under test's reconciliation totals for this pair of provinces: count,
        medfee_sumamt, fund_pay_sumamt, acct_pay (3201 as the hospital in the treatment role,
        ReconcileService as the operator in the insured role)."""
        if self.role == TREATMENT:
            res = await self.hospital_reconcile.Totals(
                hospital_reconcile_pb2.HospitalTotalsRequest(
                    header=self.his.header("3201", ""), counterpart=self.insured_province
                ),
                timeout=self.options.timeout,
            )
            return {k: int(getattr(res, k)) for k in TOTAL_FIELDS}
        rows = await self.reconcile.Totals(
            reconcile_pb2.ReconcileQuery(role="insured", counterpart=self.treat),
            timeout=self.options.timeout,
        )
        return {k: sum(int(getattr(r, k)) for r in rows.rows) for k in TOTAL_FIELDS}

    async def observe(self, visit: Visit, ev: Evidence, when: str) -> dict[str, Any]:
        """Totals and the visit's standing settlements, recorded as evidence."""
        totals = await self.totals()
        standing = [s.setl_id for s in await self.settlements(visit)]
        seen = {"totals": totals, "settlements": standing}
        ev.answer(f"{when}: reconciliation totals and QuerySettlement", seen)
        return seen

    # ---- leaving things as they were ----------------------------------------------------------

    async def wait_final(self, msgid: str, ev: Evidence, *, seconds: float = 10.0) -> str:
        """Ask 5203 until ``msgid``'s outcome is known (a call the deadline cut short may still
        take effect); its last state."""
        state = ""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while loop.time() < end:
            try:
                state = (await self.status(msgid)).state
            except grpc.RpcError as exc:
                state = describe_rpc_error(exc).splitlines()[0]
            if state in FINAL_STATES:
                break
            await asyncio.sleep(0.2)
        ev.note(f"5203 {msgid}: {state}")
        return state

    async def cleanup(self, visit: Visit, ev: Evidence) -> None:
        """Revoke every settlement of ``visit`` still standing and cancel the visit (2202), so
        the person's accumulators and the books are as before; failures are only noted."""
        trace, self.trace = self.trace, None  # cleaning up is not evidence
        try:
            records = await self.settlements(visit)
            revoked = {r.init_setl_id for r in records if r.refd_setl_flag == "1"}
            for r in records:
                if r.refd_setl_flag != "1" and r.setl_id not in revoked:
                    await self.revoke(visit, r.setl_id)
            await self.his.cancel_registration(
                visit.person.insuplc_admdvs, visit.mdtrt_id, visit.person.psn_no
            )
        except grpc.RpcError as exc:
            ev.note(f"cleanup of visit {visit.mdtrt_id}: {describe_rpc_error(exc)}")
        finally:
            self.trace = trace


def sample_lines(catalogue: dict[str, Any]) -> list[Line]:
    """Fee lines of every kind from the treatment province's catalogue in network.json: class
    A, class B (pre-self-pay), class C (full self-pay) and a code outside the catalogue."""
    lines: list[Line] = []
    a, b, c = (catalogue.get(k) or [] for k in ("class_a", "class_b", "class_c"))
    outside = catalogue.get("outside_catalogue") or []
    if a:
        lines += [Line(a[0]["med_list_codg"], "2", 1449)]
    if len(a) > 1:
        lines += [Line(a[1]["med_list_codg"], "1", 3312)]
    if b:
        lines += [Line(b[0]["med_list_codg"], "1", 4554)]
    if c:
        lines += [Line(c[0]["med_list_codg"], "1", 402)]
    if outside:
        lines += [Line(str(outside[0]), "1", 1500)]
    if not lines:
        raise SetupError("network.json lists no catalogue codes for the treatment province")
    return lines


def settle_fields(req: treatment_pb2.SettleRequest) -> dict[str, Any]:
    """A 2206/2207 request's key fields, for evidence."""
    h = req.header
    return {
        "infno": h.infno,
        "msgid": h.msgid,
        "fixmedins_code": h.fixmedins_code,
        "mdtrt_id": req.mdtrt_id,
        "psn_no": req.psn_no,
        "medfee_sumamt": req.medfee_sumamt,
        "acct_used_flag": req.acct_used_flag,
    }


def brief(s: common_pb2.SetlInfo) -> dict[str, Any]:
    """A setlinfo's ids and main amounts, for evidence."""
    return {
        "setl_id": s.setl_id,
        "refd_setl_flag": s.refd_setl_flag,
        "medfee_sumamt": s.medfee_sumamt,
        "fund_pay_sumamt": s.fund_pay_sumamt,
        "acct_pay": s.acct_pay,
        "psn_cash_pay": s.psn_cash_pay,
    }


def rpc_error(exc: BaseException) -> str:
    """An exception as evidence: a gRPC status with its details, or its type and text."""
    if isinstance(exc, grpc.RpcError):
        return describe_rpc_error(exc)
    return f"{type(exc).__name__}: {show(exc)}"
