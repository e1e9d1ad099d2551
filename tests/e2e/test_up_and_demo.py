"""The commands as a new user runs them: ``settlenet up`` in real processes, a visit driven only
by network.json and gRPC reflection, a clean stop on SIGTERM; and ``settlenet demo``."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from scripts import visit

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "scripts.cli"]


@pytest.fixture
def running(tmp_path: Path):
    data = tmp_path / "net"
    proc = subprocess.Popen([*CLI, "up", "--data", str(data), "--provinces", "11,13,44"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    target = data / "network.json"
    deadline = time.monotonic() + 90
    while not target.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"settlenet up did not write network.json: {proc.communicate()[1]}")
        time.sleep(0.1)
    try:
        yield target, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


def _reflect(endpoint: str, service: str) -> descriptor_pool.DescriptorPool:
    """Build a descriptor pool from the server's reflection only (no settlenet stubs)."""
    pool = descriptor_pool.DescriptorPool()
    with grpc.insecure_channel(endpoint) as ch:
        stub = reflection_pb2_grpc.ServerReflectionStub(ch)
        answers = list(stub.ServerReflectionInfo(iter([
            reflection_pb2.ServerReflectionRequest(list_services=""),
            reflection_pb2.ServerReflectionRequest(file_containing_symbol=service)])))
    names = {s.name for s in answers[0].list_services_response.service}
    assert service in names
    protos = [descriptor_pb2.FileDescriptorProto.FromString(raw)
              for raw in answers[1].file_descriptor_response.file_descriptor_proto]
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
    pool = _reflect(bj["endpoint"], "settlenet.v1.TreatmentService")
    svc = pool.FindServiceByName("settlenet.v1.TreatmentService")
    assert {m.name for m in svc.methods} >= {"QueryPerson", "RegisterVisit", "UploadFeeDetails",
                                               "PreSettle", "Settle", "RevokeSettlement"}
    query_cls = message_factory.GetMessageClass(svc.methods_by_name["QueryPerson"].input_type)
    info_cls = message_factory.GetMessageClass(svc.methods_by_name["QueryPerson"].output_type)
    inst = bj["institutions"][0]
    person = hb["persons"][1]
    msgid = inst["fixmedins_code"] + time.strftime("%Y%m%d%H%M%S") + "0001"
    req = query_cls(certno=person["certno"])
    req.header.infno, req.header.msgid = "1101", msgid
    req.header.mdtrtarea_admvs, req.header.insuplc_admdvs = inst["admdvs"], "130100"
    req.header.fixmedins_code, req.header.opter_type, req.header.opter = \
        inst["fixmedins_code"], "1", "OP1"
    req.header.inf_time = time.strftime("%Y-%m-%d %H:%M:%S")
    with grpc.insecure_channel(bj["endpoint"]) as ch:
        call = ch.unary_unary("/settlenet.v1.TreatmentService/QueryPerson",
                              request_serializer=lambda m: m.SerializeToString(),
                              response_deserializer=info_cls.FromString)
        answer = call(req, timeout=10)
    assert answer.baseinfo.psn_no == person["psn_no"]

    # The whole path with the visit command, against the running processes.
    out = subprocess.run([*CLI, "visit", "--target", str(target), "--json"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    transcript = json.loads(out.stdout)
    assert [s["infno"] for s in transcript["steps"]] == ["1101", "2201", "2204", "2206", "2207",
                                                          "2208"]
    for step in transcript["steps"]:
        if "setlinfo" in step:
            assert visit.identities(step["setlinfo"]) == []

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert "stopped" in proc.stderr.read()


def test_demo_prints_a_split_whose_parts_add_up() -> None:
    out = subprocess.run([*CLI, "demo", "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    transcript = json.loads(out.stdout)
    settled = next(s for s in transcript["steps"] if s["infno"] == "2207")["setlinfo"]
    assert visit.identities(settled) == []
    assert int(settled["fund_pay_sumamt"]) > 0 and int(settled["acct_pay"]) > 0
    human = subprocess.run([*CLI, "demo"], capture_output=True, text=True, timeout=120)
    assert human.returncode == 0 and "identities" in human.stdout and "hold" in human.stdout
