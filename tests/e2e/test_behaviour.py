"""Programmable behaviour against real processes: `settlenet up --behaviour 13=FILE` (Hebei,
the insured place, and Beijing, the place of treatment, each its own process, mutual TLS), the
rules changed at runtime with `settlenet behave`, each action seen by a hospital over gRPC and
over HTTP: an answer with a status, reason and message (infcode/err_msg over HTTP), a delay,
an answer dropped before or after the node's work (after: the retry with the same msgid gets the
first settlement, exactly once), overridden answer fields, every-Nth and seeded fractions that
pick exactly the calls they should, match counts, the calls record, a refused rules file that
changes nothing, clearing; and BehaviourService refused to a hospital and to another province.

One network for the module; each test puts its own rules in force (a new file replaces the
rules and their counts).
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from scripts import connect, launcher
from scripts.clients import http_his
from scripts.clients.his import His, Line
from services.pb.settlenet.v1 import behaviour_pb2, behaviour_pb2_grpc, treatment_pb2
from services.rpc.status import details_of

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "behaviour"
CLI = [sys.executable, "-m", "scripts.cli"]
TREAT, INSURED, REGION = "11", "13", "130100"
VISIT_TIME, FEE_TIME = "2026-10-15 09:00:00", "2026-10-15 09:10:00"
START_RULES = """\
rules:
  - name: from-the-start
    match: {psn_no: "13019999999999999999"}
    delay: 1
"""
VISITS = iter(range(1, 10_000))


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("behave") / "net"
    start = data.parent / "start.yaml"
    start.write_text(START_RULES, encoding="utf-8")
    try:
        up, doc = launcher.start_network(
            data,
            ["--provinces", f"{TREAT},{INSURED}", "--behaviour", f"{INSURED}={start}"],
            timeout=120,
        )
    except launcher.LaunchError as exc:
        pytest.fail(str(exc))
    try:
        doc["_target"] = str(data / "network.json")
        doc["_dir"] = str(data.parent)
        yield doc
    finally:
        up.stop(timeout=30)


def behave(doc: dict[str, Any], node: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "behave", "--target", doc["_target"], "--node", node, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def put(doc: dict[str, Any], node: str, rules: str | Path) -> dict[str, Any]:
    """Put ``rules`` (YAML text, or a file) in force on ``node`` with `settlenet behave FILE`."""
    if isinstance(rules, str):
        path = Path(doc["_dir"]) / f"rules-{node}-{next(VISITS)}.yaml"
        path.write_text(rules, encoding="utf-8")
        rules = path
    out = behave(doc, node, str(rules), "--json")
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


def show(doc: dict[str, Any], node: str) -> dict[str, int]:
    out = behave(doc, node, "--show", "--json")
    assert out.returncode == 0, out.stderr
    return {r["name"]: int(r["matches"]) for r in json.loads(out.stdout)["rules"]}


def calls(doc: dict[str, Any], node: str, limit: int) -> list[dict[str, Any]]:
    out = behave(doc, node, "--calls", "--jsonl", "--limit", str(limit))
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def person(doc: dict[str, Any], index: int) -> dict[str, Any]:
    return dict(doc["provinces"][INSURED]["persons"][index])


def his_of(doc: dict[str, Any], channel: grpc.aio.Channel, timeout: float = 10.0) -> His:
    inst = next(
        i
        for i in doc["provinces"][TREAT]["institutions"]
        if i["medins_lv"] == "3" and i["cross_province"]
    )
    return His(channel, inst["fixmedins_code"], inst["admdvs"], timeout=timeout)


async def visit(doc: dict[str, Any], his: His, p: dict[str, Any]) -> tuple[str, int]:
    """2201 (an outpatient number of its own) and 2204 of one line; (mdtrt_id, total fen)."""
    registered = await his.stub.RegisterVisit(
        treatment_pb2.RegisterVisitRequest(
            header=his.header("2201", REGION),
            psn_no=p["psn_no"],
            insutype=p["insutype"],
            begntime=VISIT_TIME,
            mdtrt_cert_type="02",
            mdtrt_cert_no=p["certno"],
            ipt_otp_no=f"OPB{next(VISITS):06d}",
            med_type="11",
            dept_code="A03",
            dept_name="内科",
        ),
        timeout=10,
    )
    code = doc["provinces"][TREAT]["catalogue"]["class_a"][0]["med_list_codg"]
    await his.upload(REGION, registered.mdtrt_id, p["psn_no"], [Line(code, "1", 2500)], FEE_TIME)
    return registered.mdtrt_id, 2500


def run(coro: Any) -> Any:
    return asyncio.run(coro)


# ---- loading, showing, refusing -------------------------------------------------------------


def test_up_loads_a_nodes_rules_file_and_show_lists_them(net: dict[str, Any]) -> None:
    assert show(net, INSURED) == {"from-the-start": 0}
    assert show(net, TREAT) == {}
    human = behave(net, INSURED, "--show")
    assert "from-the-start" in human.stdout and "first match acts" in human.stdout


def test_a_bad_rules_file_is_refused_naming_the_rule_and_field_and_changes_nothing(
    net: dict[str, Any],
) -> None:
    put(net, TREAT, "rules:\n  - name: kept\n    match: {infno: 5203}\n    delay: 1\n")
    bad = Path(net["_dir"]) / "bad.yaml"
    bad.write_text(
        "rules:\n  - name: fine\n    delay: 5\n"
        "  - name: cash\n    match: {infno: 2207}\n    override: {setlinfo.psn_cashpay: 0}\n",
        encoding="utf-8",
    )
    out = behave(net, TREAT, str(bad))
    assert out.returncode == 1
    assert "INVALID_ARGUMENT" in out.stderr
    assert "yaml.rules[1].override.setlinfo.psn_cashpay" in out.stderr
    assert "rule 'cash'" in out.stderr
    assert show(net, TREAT) == {"kept": 0}
    both = behave(net, TREAT, str(bad), "--clear")
    assert both.returncode == 2 and "one of FILE" in both.stderr


def test_a_province_started_with_a_bad_rules_file_says_so_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - name: r\n    drop: sometimes\n", encoding="utf-8")
    out = subprocess.run(
        [
            *CLI,
            "province",
            "--code",
            INSURED,
            "--hub",
            "127.0.0.1:9",
            "--db",
            f"sqlite:///{tmp_path / 'p.db'}",
            "--insecure",
            "--no-http",
            "--behaviour",
            str(bad),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "yaml.rules[0].drop" in out.stderr and "rule 'r'" in out.stderr


def test_behaviour_service_is_refused_to_a_hospital_and_to_another_province(
    net: dict[str, Any],
) -> None:
    endpoint = net["provinces"][INSURED]["endpoint"]
    hospital = next(a for a in connect.accounts(net, INSURED) if a.kind == "institution").code

    async def ask(who: str) -> grpc.StatusCode:
        async with connect.as_identity(net, who, endpoint) as channel:
            stub = behaviour_pb2_grpc.BehaviourServiceStub(channel)
            try:
                await stub.GetBehaviour(behaviour_pb2.GetBehaviourRequest(), timeout=10)
            except grpc.aio.AioRpcError as exc:
                return exc.code()
            try:
                await stub.SetBehaviour(behaviour_pb2.SetBehaviourRequest(), timeout=10)
            except grpc.aio.AioRpcError as exc:  # pragma: no cover - a half-open door
                return exc.code()
            return grpc.StatusCode.OK

    assert run(ask(hospital)) in (
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.UNAUTHENTICATED,
    )
    assert run(ask(f"province-{TREAT}")) == grpc.StatusCode.PERMISSION_DENIED
    assert run(ask("hub")) == grpc.StatusCode.PERMISSION_DENIED
    assert show(net, INSURED) == {"from-the-start": 0}  # the refused SetBehaviour did nothing
    assert run(ask("admin")) == grpc.StatusCode.OK  # the admin may (and cleared them)
    assert show(net, INSURED) == {}


# ---- answer -------------------------------------------------------------------------------


def test_a_suspended_person_is_answered_with_the_status_reason_and_message(
    net: dict[str, Any],
) -> None:
    put(net, INSURED, EXAMPLES / "suspended-person.yaml")
    p = person(net, 1)
    assert p["psn_no"] == "13010000000000000002"
    other = person(net, 0)

    async def go() -> None:
        async with connect.hospitals(net, TREAT) as channel:
            his = his_of(net, channel)
            with pytest.raises(grpc.aio.AioRpcError) as query:
                await his.query_person(REGION, p["certno"])
            assert query.value.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert "suspended (psn_insu_stas 2)" in (query.value.details() or "")
            violations, reason = details_of(query.value)
            assert reason == "INSURANCE_SUSPENDED" and violations[0][0] == "certno"
            await his.query_person(REGION, other["certno"])  # someone else: as usual
            mdtrt_id, total = await visit(net, his, p)
            with pytest.raises(grpc.aio.AioRpcError) as settle:
                await his.settle(REGION, mdtrt_id, p["psn_no"], p["insutype"], total)
            assert settle.value.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert details_of(settle.value)[1] == "INSURANCE_SUSPENDED"

    run(go())
    assert show(net, INSURED) == {"suspended-query": 1, "suspended-settle": 1}

    async def over_http() -> dict[str, Any]:
        url = str(net["provinces"][TREAT]["http"])
        async with http_his.client_for(net, url) as client:
            his = http_his.HttpHis(url, http_his.institution_of(net, TREAT), client=client)
            await his.sign_in()
            with pytest.raises(http_his.CallError) as refused:
                await his.query_person(p["certno"], insuplc_admdvs=REGION)
            return dict(refused.value.answer)

    answer = run(over_http())
    assert answer["infcode"] == -1 and "suspended (psn_insu_stas 2)" in answer["err_msg"]
    assert show(net, INSURED)["suspended-query"] == 2


def test_an_answer_over_http_carries_the_rules_infcode_and_err_msg(net: dict[str, Any]) -> None:
    put(
        net,
        TREAT,
        "rules:\n"
        "  - name: maintenance\n"
        "    match: {infno: 1101}\n"
        "    answer:\n"
        "      status: UNAVAILABLE\n"
        "      reason: NODE_UNAVAILABLE\n"
        "      message: 系统维护中\n"
        "      infcode: -3\n"
        "      err_msg: '[1101] 系统维护中, 请稍后再试'\n",
    )
    p = person(net, 2)

    async def go() -> tuple[dict[str, Any], grpc.aio.AioRpcError]:
        url = str(net["provinces"][TREAT]["http"])
        async with http_his.client_for(net, url) as client:
            his = http_his.HttpHis(url, http_his.institution_of(net, TREAT), client=client)
            await his.sign_in()
            with pytest.raises(http_his.CallError) as refused:
                await his.query_person(p["certno"], insuplc_admdvs=REGION)
        async with connect.hospitals(net, TREAT) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as grpc_refused:
                await his_of(net, channel).query_person(REGION, p["certno"])
        return dict(refused.value.answer), grpc_refused.value

    answer, err = run(go())
    assert refused_status(answer) == (200, -3, "[1101] 系统维护中, 请稍后再试")
    assert err.code() == grpc.StatusCode.UNAVAILABLE and err.details() == "系统维护中"
    assert details_of(err)[1] == "NODE_UNAVAILABLE"
    assert show(net, TREAT) == {"maintenance": 2}
    put(net, TREAT, "")


def refused_status(answer: dict[str, Any]) -> tuple[int, int, str]:
    return 200, int(answer["infcode"]), str(answer["err_msg"])


# ---- delay -------------------------------------------------------------------------------


def test_a_slow_insured_place_delays_every_insured_call(net: dict[str, Any]) -> None:
    put(net, INSURED, EXAMPLES / "slow-insured.yaml")
    p = person(net, 2)

    async def go() -> float:
        async with connect.hospitals(net, TREAT) as channel:
            his = his_of(net, channel)
            started = time.perf_counter()
            await his.query_person(REGION, p["certno"])
            return time.perf_counter() - started

    assert run(go()) >= 0.8
    assert show(net, INSURED) == {"slow-insured": 1}
    (served,) = calls(net, INSURED, 1)
    assert (served["rpc"], served["infno"], served["rule"], served["status"]) == (
        "InsuredService/QueryPerson",
        "1101",
        "slow-insured",
        "OK",
    )
    assert served["latency_ms"] >= 800 and served["action"] == "delay 800 ms before"

    put(
        net,
        INSURED,
        "rules:\n  - name: slow-answer\n    match: {rpc: InsuredService/QueryPerson}\n"
        "    delay: {ms: 300, at: after}\n",
    )
    assert run(go()) >= 0.3
    (served,) = calls(net, INSURED, 1)
    assert served["rule"] == "slow-answer" and served["action"] == "delay 300 ms after"
    assert served["latency_ms"] >= 300 and served["status"] == "OK"
    put(net, INSURED, "")


# ---- drop --------------------------------------------------------------------------------


def test_an_answer_dropped_after_the_work_is_settled_once_and_a_retry_gets_it(
    net: dict[str, Any],
) -> None:
    p = person(net, 3)
    put(
        net,
        TREAT,
        "rules:\n"
        "  - name: lost-answer\n"
        f"    match: {{rpc: TreatmentService/Settle, psn_no: '{p['psn_no']}', times: 1}}\n"
        "    drop: after\n",
    )

    async def go() -> None:
        async with connect.hospitals(net, TREAT) as channel:
            his = his_of(net, channel)
            mdtrt_id, total = await visit(net, his, p)
            request = his.settle_request(
                "2207", REGION, mdtrt_id, p["psn_no"], p["insutype"], total
            )
            with pytest.raises(grpc.aio.AioRpcError) as lost:
                await his.stub.Settle(request, timeout=1.5)
            assert lost.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            again = await his.stub.Settle(request, timeout=10)  # the same msgid
            assert again.setlinfo.setl_id and again.setlinfo.medfee_sumamt == total
            with pytest.raises(grpc.aio.AioRpcError) as twice:
                await his.settle(REGION, mdtrt_id, p["psn_no"], p["insutype"], total)
            assert details_of(twice.value)[1] == "VISIT_ALREADY_SETTLED"

    run(go())
    assert show(net, TREAT) == {"lost-answer": 1}
    settles = [
        c
        for c in calls(net, TREAT, 20)
        if c["rpc"] == "TreatmentService/Settle" and c["psn_no"] == p["psn_no"]
    ]
    assert [(c["status"], c["rule"]) for c in settles] == [
        ("DROPPED", "lost-answer"),
        ("OK", ""),
        ("FAILED_PRECONDITION", ""),
    ]
    assert settles[0]["msgid"] == settles[1]["msgid"] != settles[2]["msgid"]
    put(net, TREAT, "")


def test_an_answer_dropped_before_the_work_leaves_the_visit_unsettled(
    net: dict[str, Any],
) -> None:
    p = person(net, 4)
    put(
        net,
        TREAT,
        "rules:\n"
        "  - name: lost-request\n"
        f"    match: {{infno: 2207, psn_no: '{p['psn_no']}', times: 1}}\n"
        "    drop: before\n",
    )

    async def go() -> None:
        async with connect.hospitals(net, TREAT) as channel:
            his = his_of(net, channel)
            mdtrt_id, total = await visit(net, his, p)
            request = his.settle_request(
                "2207", REGION, mdtrt_id, p["psn_no"], p["insutype"], total
            )
            with pytest.raises(grpc.aio.AioRpcError) as lost:
                await his.stub.Settle(request, timeout=1.5)
            assert lost.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            # Nothing was done: a new msgid settles the visit.
            done = await his.settle(REGION, mdtrt_id, p["psn_no"], p["insutype"], total)
            assert done.setlinfo.setl_id

    run(go())
    assert show(net, TREAT) == {"lost-request": 1}

    # Over HTTP the answer is held (10 s, then 504): a HIS with a shorter timeout sees it pass.
    put(net, TREAT, "rules:\n  - name: lost-1101\n    match: {infno: 1101}\n    drop: before\n")

    async def over_http() -> None:
        url = str(net["provinces"][TREAT]["http"])
        async with http_his.client_for(net, url) as client:
            inst = http_his.institution_of(net, TREAT)
            his = http_his.HttpHis(url, inst, client=client, timeout=1.5)
            await his.sign_in()
            with pytest.raises(httpx.ReadTimeout):
                await his.query_person(p["certno"], insuplc_admdvs=REGION)

    run(over_http())
    assert show(net, TREAT) == {"lost-1101": 1}
    put(net, TREAT, "")


# ---- override ------------------------------------------------------------------------------


def test_an_override_changes_the_answer_on_both_transports_and_nothing_else(
    net: dict[str, Any],
) -> None:
    p = person(net, 5)
    put(
        net,
        TREAT,
        "rules:\n"
        "  - name: rich-cash\n"
        "    match:\n"
        "      infno: 2207\n"
        f"      psn_no: '{p['psn_no']}'\n"
        "      amount_fen: {min: 2500, max: 47142}  # the HTTP visit's 471.42 yuan, in fen\n"
        "    override:\n"
        "      setlinfo.psn_cash_pay: 123456\n"
        "      setlinfo.setl_time: '2000-01-01 00:00:00'\n",
    )

    async def go() -> tuple[Any, Any]:
        async with connect.hospitals(net, TREAT) as channel:
            his = his_of(net, channel)
            mdtrt_id, total = await visit(net, his, p)
            done = await his.settle(REGION, mdtrt_id, p["psn_no"], p["insutype"], total)
            asked = await his.stub.QuerySettlement(
                treatment_pb2.QuerySettlementRequest(
                    header=his.header("5203", REGION),
                    setl_id=done.setlinfo.setl_id,
                    mdtrt_id=mdtrt_id,
                ),
                timeout=10,
            )
            return done, asked

    done, asked = run(go())
    assert done.setlinfo.psn_cash_pay == 123456 and done.setlinfo.setl_time == "2000-01-01 00:00:00"
    (own,) = asked.setlinfo  # the node's own record is as it was
    assert own.setl_id == done.setlinfo.setl_id
    assert own.psn_cash_pay != 123456 and own.setl_time != "2000-01-01 00:00:00"

    shown: dict[str, Any] = {}
    index = next(
        i for i, q in enumerate(net["provinces"][INSURED]["persons"]) if q["psn_no"] == p["psn_no"]
    )
    run(
        http_his.visit(
            net,
            TREAT,
            INSURED,
            lambda infno, body: shown.setdefault(infno, body),
            keep=True,
            person_index=index,
        )
    )
    assert shown["2207"]["infcode"] == 0
    assert shown["2207"]["output"]["setlinfo"]["psn_cash_pay"] == Decimal("1234.56")
    assert show(net, TREAT) == {"rich-cash": 2}
    put(net, TREAT, "")


# ---- sampling ------------------------------------------------------------------------------


def test_every_nth_and_a_seeded_fraction_pick_exactly_the_calls_they_should(
    net: dict[str, Any],
) -> None:
    p = person(net, 2)

    async def outcomes(n: int) -> list[str]:
        out = []
        async with connect.hospitals(net, TREAT) as channel:
            his = his_of(net, channel)
            for _ in range(n):
                try:
                    await his.query_person(REGION, p["certno"])
                    out.append("OK")
                except grpc.aio.AioRpcError as exc:
                    out.append(exc.code().name)
        return out

    put(
        net,
        TREAT,
        "rules:\n  - name: third\n    match: {infno: 1101, every: 3}\n"
        "    answer: {status: RESOURCE_EXHAUSTED}\n",
    )
    assert run(outcomes(7)) == ["OK", "OK", "RESOURCE_EXHAUSTED"] * 2 + ["OK"]
    assert show(net, TREAT) == {"third": 2}

    put(
        net,
        TREAT,
        "rules:\n  - name: some\n    match: {infno: 1101, fraction: 0.3, seed: 11}\n"
        "    answer: {status: ABORTED, message: sampled}\n",
    )
    draws = random.Random(11)
    expected = ["ABORTED" if draws.random() < 0.3 else "OK" for _ in range(20)]
    assert run(outcomes(20)) == expected
    assert show(net, TREAT) == {"some": expected.count("ABORTED")}
    put(net, TREAT, "")


# ---- the calls record, clearing -------------------------------------------------------------


def test_the_calls_record_lists_each_call_with_id_numbers_masked(net: dict[str, Any]) -> None:
    put(net, INSURED, "")
    p = person(net, 2)

    async def go() -> None:
        async with connect.hospitals(net, TREAT) as channel:
            await his_of(net, channel).query_person(REGION, p["certno"])

    run(go())
    (treated,) = calls(net, TREAT, 1)
    (insured,) = calls(net, INSURED, 1)
    assert (treated["transport"], treated["rpc"], treated["infno"]) == (
        "grpc",
        "TreatmentService/QueryPerson",
        "1101",
    )
    assert insured["rpc"] == "InsuredService/QueryPerson" and insured["status"] == "OK"
    for c in (treated, insured):
        assert c["certno"] == p["certno"][:6] + "*" * 8 + p["certno"][-4:]
        assert p["certno"] not in json.dumps(c)
        assert c["msgid"] and c["fixmedins_code"] and c["time"]
    human = behave(net, TREAT, "--calls", "--limit", "3")
    assert human.returncode == 0 and "served (the node keeps the newest 10,000)" in human.stdout
    assert p["certno"] not in human.stdout


def test_clear_drops_every_rule(net: dict[str, Any]) -> None:
    put(net, TREAT, EXAMPLES / "dropped-answers.yaml")
    assert show(net, TREAT) == {"lost-settlement-answers": 0}
    out = behave(net, TREAT, "--clear")
    assert out.returncode == 0 and "no behaviour rules" in out.stdout
    assert show(net, TREAT) == {}
    called = subprocess.run(
        [
            *CLI,
            "call",
            "--target",
            net["_target"],
            "--node",
            TREAT,
            "BehaviourService/GetBehaviour",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert called.returncode == 0, called.stderr
