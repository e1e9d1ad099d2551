"""The commands as a new user runs them: ``settlenet up`` in real processes, a visit driven only
by network.json and gRPC reflection, a clean stop on SIGTERM; and ``settlenet demo``."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from scripts import launcher, visit

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "scripts.cli"]


@pytest.fixture
def running(tmp_path: Path):
    data = tmp_path / "net"
    try:
        up, _doc = launcher.start_network(data, ["--provinces", "11,13,44"], timeout=90)
    except launcher.LaunchError as exc:
        pytest.fail(str(exc))
    try:
        yield data / "network.json", up
    finally:
        if up.alive():
            up.stop(timeout=30)


def _credentials(doc: dict) -> grpc.ChannelCredentials:
    """The network's CA and the access certificate, read from the files network.json names, as
    any gRPC client would (no settlenet code)."""
    security = doc["security"]
    access = security["certificates"]["access"]
    return grpc.ssl_channel_credentials(
        root_certificates=Path(security["ca"]).read_bytes(),
        private_key=Path(access["key"]).read_bytes(),
        certificate_chain=Path(access["cert"]).read_bytes(),
    )


def _x_tif(paasid: str, token: str) -> list[tuple[str, str]]:
    """The national gateway's headers, computed from the spec by hand."""
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex
    digest = hashlib.sha256((timestamp + token + nonce + timestamp).encode()).hexdigest()
    return [
        ("x-tif-paasid", paasid),
        ("x-tif-timestamp", timestamp),
        ("x-tif-nonce", nonce),
        ("x-tif-signature", digest),
    ]


def _reflect(doc: dict, endpoint: str, service: str) -> descriptor_pool.DescriptorPool:
    """Build a descriptor pool from the server's reflection only (no settlenet stubs)."""
    pool = descriptor_pool.DescriptorPool()
    with grpc.secure_channel(endpoint, _credentials(doc)) as ch:
        stub = reflection_pb2_grpc.ServerReflectionStub(ch)
        answers = list(
            stub.ServerReflectionInfo(
                iter(
                    [
                        reflection_pb2.ServerReflectionRequest(list_services=""),
                        reflection_pb2.ServerReflectionRequest(file_containing_symbol=service),
                    ]
                )
            )
        )
    names = {s.name for s in answers[0].list_services_response.service}
    assert service in names
    protos = [
        descriptor_pb2.FileDescriptorProto.FromString(raw)
        for raw in answers[1].file_descriptor_response.file_descriptor_proto
    ]
    added: set[str] = set()
    while len(added) < len(protos):
        for fd in protos:
            if fd.name not in added and all(d in added for d in fd.dependency):
                pool.Add(fd)
                added.add(fd.name)
    return pool


def test_up_runs_a_network_a_reflection_client_can_drive(running) -> None:
    target, proc = running
    doc = json.loads(target.read_text())
    assert set(doc["provinces"]) == {"11", "13", "44"}
    bj, hb = doc["provinces"]["11"], doc["provinces"]["13"]
    assert hb["persons"] and bj["institutions"] and bj["catalogue"]["class_b"]

    # A generic client: only network.json and reflection, no generated stubs.
    pool = _reflect(doc, bj["endpoint"], "settlenet.v1.TreatmentService")
    svc = pool.FindServiceByName("settlenet.v1.TreatmentService")
    assert {m.name for m in svc.methods} >= {
        "QueryPerson",
        "RegisterVisit",
        "UploadFeeDetails",
        "PreSettle",
        "Settle",
        "RevokeSettlement",
    }
    query_cls = message_factory.GetMessageClass(svc.methods_by_name["QueryPerson"].input_type)
    info_cls = message_factory.GetMessageClass(svc.methods_by_name["QueryPerson"].output_type)
    inst = bj["institutions"][0]
    person = hb["persons"][1]
    msgid = inst["fixmedins_code"] + time.strftime("%Y%m%d%H%M%S") + "0001"
    req = query_cls(certno=person["certno"])
    req.header.infno, req.header.msgid = "1101", msgid
    req.header.mdtrtarea_admvs, req.header.insuplc_admdvs = inst["admdvs"], "130100"
    req.header.fixmedins_code, req.header.opter_type, req.header.opter = (
        inst["fixmedins_code"],
        "1",
        "OP1",
    )
    req.header.inf_time = time.strftime("%Y-%m-%d %H:%M:%S")
    account = next(
        a for a in doc["security"]["accounts"]["11"] if a["code"] == inst["fixmedins_code"]
    )
    with grpc.secure_channel(bj["endpoint"], _credentials(doc)) as ch:
        call = ch.unary_unary(
            "/settlenet.v1.TreatmentService/QueryPerson",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=info_cls.FromString,
        )
        headers = _x_tif(account["paasid"], account["token"])
        answer = call(req, timeout=10, metadata=headers)
        # The same signature again (same nonce) is a replay: refused, nothing answered.
        with pytest.raises(grpc.RpcError) as replayed:
            call(req, timeout=10, metadata=headers)
        assert replayed.value.code() == grpc.StatusCode.UNAUTHENTICATED
        # Without credentials the node does not answer at all.
        with pytest.raises(grpc.RpcError) as unsigned:
            call(req, timeout=10)
        assert unsigned.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert answer.baseinfo.psn_no == person["psn_no"]

    # The whole path with the visit command, against the running processes.
    out = subprocess.run(
        [*CLI, "visit", "--target", str(target), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    transcript = json.loads(out.stdout)
    assert [s["infno"] for s in transcript["steps"]] == [
        "1101",
        "2201",
        "2204",
        "2206",
        "2207",
        "2208",
    ]
    for step in transcript["steps"]:
        if "setlinfo" in step:
            assert visit.identities(step["setlinfo"]) == []

    # Reconciliation across the running processes: every node agrees with the hub.
    rec = subprocess.run(
        [*CLI, "reconcile", "--target", str(target), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rec.returncode == 0, rec.stdout + rec.stderr
    report = json.loads(rec.stdout)
    assert report["differences"] == 0 and report["hub_totals"][0]["count"] == 2

    # Monthly clearing: this month has not ended on the hub's clock, so it is refused, naming the
    # month's end (clearing a finished month, twice, is tested in-process with a moved clock).
    month = time.strftime("%Y-%m")
    early = subprocess.run(
        [*CLI, "clear", "--target", str(target), "--month", month],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert early.returncode == 1, early.stdout + early.stderr
    assert "MONTH_NOT_ENDED" in early.stderr and f"the month ends on {month}-" in early.stderr

    # Advance funds: every insured province has one, drawn by the settlement and its reversal.
    adv = subprocess.run(
        [*CLI, "advance", "--target", str(target), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert adv.returncode == 0, adv.stderr
    levels = {a["province"]: a["level"] for a in json.loads(adv.stdout)["advances"]}
    assert levels == {"11": "green", "13": "green", "44": "green"}

    # The filing flow through the command line: a filing at Hebei reaches the national registry.
    psn_no = doc["provinces"]["13"]["persons"][1]["psn_no"]
    made = subprocess.run(
        [
            *CLI,
            "filing",
            "--target",
            str(target),
            "--channel",
            "app",
            "--json",
            "create",
            psn_no,
            "--category",
            "retiree_relocated",
            "--dest",
            "110000",
            "--begndate",
            "2026-11-01",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    filing_id = json.loads(made.stdout)["filing_id"]
    for _ in range(50):
        reg = subprocess.run(
            [*CLI, "filing", "--target", str(target), "--json", "registry", "--psn-no", psn_no],
            capture_output=True,
            text=True,
            timeout=60,
        )
        entries = json.loads(reg.stdout).get("entries", [])
        if entries:
            break
        time.sleep(0.1)
    assert [(e["event"]["infno"], e["event"]["filing"]["filing_id"]) for e in entries] == [
        ("2501", filing_id)
    ]

    assert proc.stop(timeout=30) == 0
    assert "stopped" in proc.log.read_text()


def test_demo_tells_the_whole_story_and_its_splits_add_up() -> None:
    started = time.monotonic()
    out = subprocess.run([*CLI, "demo", "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    steps = {s["key"]: s for s in json.loads(out.stdout)["steps"]}
    assert list(steps) == [
        "network",
        "filing",
        "registry",
        "query",
        "classify",
        "split",
        "compare",
        "chronic",
        "revoke",
        "money",
    ]
    filing_id = steps["filing"]["filing"]["filing_id"]
    assert steps["filing"]["filing"]["channel"] == "app"
    assert [e["infno"] for e in steps["registry"]["entries"]] == ["2501"]
    assert [f["filing_id"] for f in steps["query"]["person"]["fileinfo"]] == [filing_id]
    assert steps["classify"]["filing_status"] == "filed"
    splits = [
        steps["split"]["setlinfo"],
        steps["compare"]["temporary"],
        steps["compare"]["unfiled"],
        steps["chronic"]["setlinfo"],
        steps["revoke"]["next_presettle"],
    ]
    for s in splits:
        assert visit.identities(s) == []
        parts = [int(s[k]) for k in ("fund_pay_sumamt", "acct_pay", "psn_cash_pay")]
        assert sum(parts) == int(s["medfee_sumamt"]) and min(parts) >= 0
    # The long-term filer keeps the home ratio; the referred neighbour (temporary referral
    # filing) loses Hebei's temporary_referral 10 points; the unfiled one its unfiled_other 20.
    compare = steps["compare"]
    filed, temporary, unfiled = compare["filed"], compare["temporary"], compare["unfiled"]
    assert [s["ratio_reduction"] for s in (filed, temporary, unfiled)] == ["0.00", "0.10", "0.20"]
    assert [s["filing_category"] for s in (filed, temporary, unfiled)] == [
        "retiree_relocated",
        "referral",
        "none",
    ]
    assert int(unfiled["hifp_pay"]) < int(temporary["hifp_pay"]) < int(filed["hifp_pay"])
    referral_id = compare["temporary_filing"]["filing_id"]
    assert temporary["filing_id"] == referral_id
    [why] = [x["desc"] for x in temporary["setl_proc_info"] if x["step"] == "filing"]
    assert referral_id in why and "(temporary_referral): ratio lowered by 10 points" in why
    assert steps["chronic"]["setlinfo"]["opsp_dise_code"] == "M01600"
    assert [e["infno"] for e in steps["revoke"]["entries"]] == ["2501", "2502"]
    assert steps["revoke"]["next_presettle"]["ratio_reduction"] == "0.20"
    owed = steps["money"]["pairs"]["13->11"]
    assert owed["fund_pay_sumamt"] == sum(int(s["fund_pay_sumamt"]) for s in splits[:4])
    human = subprocess.run(
        [*CLI, "demo", "--lang", "zh"], capture_output=True, text=True, timeout=120
    )
    assert human.returncode == 0 and "全国备案库" in human.stdout and "恒等式成立" in human.stdout
    assert "转诊备案" in human.stdout and "temporary_referral" in human.stdout
    assert time.monotonic() - started < 120  # two runs; each is well under 30 s


def _call(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "call", "--target", str(target), *args], capture_output=True, text=True, timeout=60
    )


def test_settlenet_call_speaks_as_every_role(running) -> None:
    target, _proc = running
    doc = json.loads(target.read_text())
    person = doc["provinces"]["13"]["persons"][1]
    desk = next(a["code"] for a in doc["security"]["accounts"]["13"] if a["kind"] == "desk")
    as_hospital = _call(
        target,
        "--as",
        "H11010100001",
        "TreatmentService/QueryPerson",
        json.dumps({"header": {"insuplc_admdvs": "130100"}, "certno": person["certno"]}),
    )
    assert as_hospital.returncode == 0, as_hospital.stderr
    assert json.loads(as_hospital.stdout)["baseinfo"]["psn_no"] == person["psn_no"]
    as_desk = _call(
        target, "--as", desk, "FilingService/QueryFilings", json.dumps({"psn_no": person["psn_no"]})
    )
    assert as_desk.returncode == 0, as_desk.stderr
    as_operator = _call(target, "HubService/ListNodes")
    assert as_operator.returncode == 0 and '"13"' in as_operator.stdout
    as_node = _call(target, "--as", "13", "AdvanceService/QueryAdvances", '{"province": "13"}')
    assert as_node.returncode == 0, as_node.stderr
    as_hub = _call(
        target, "--as", "hub", "--node", "13", "ReconcileService/Totals", '{"role": "insured"}'
    )
    assert as_hub.returncode == 0, as_hub.stderr
    # AdminService is not served without `up --admin`; the access certificate alone is nobody.
    as_admin = _call(
        target,
        "--as",
        "admin",
        "--node",
        "13",
        "AdminService/GetPersonState",
        json.dumps({"psn_no": person["psn_no"]}),
    )
    assert as_admin.returncode == 1 and "UNIMPLEMENTED" in as_admin.stderr
    as_nobody = _call(target, "--as", "access", "HubService/ListNodes")
    assert as_nobody.returncode == 1 and "PERMISSION_DENIED" in as_nobody.stderr
    other_desk = _call(target, "--as", desk, "--node", "11", "FilingService/QueryFilings", "{}")
    assert other_desk.returncode == 1
