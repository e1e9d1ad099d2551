"""Every request field is bounded (services/values/limits.py, checked by services/rpc/bounds.py):
lengths, control characters, counts, date ranges; 2201 refuses a person its insured place does
not know or an insutype the person does not have; filings refuse far dates, huge memos and
destinations outside the network. Each refusal names the field, shows the value once (cut to 64
characters) and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest

from scripts.clients.desk import Desk
from services.pb.settlenet.v1 import common_pb2, filing_pb2, filing_pb2_grpc, treatment_pb2
from services.rpc.status import details_of
from tests.conftest import REGION, VISIT_TIME, Net

BAD = grpc.StatusCode
MEGABYTE = "9" * (1 << 20)


def register(n: Net, **over: Any) -> treatment_pb2.RegisterVisitRequest:
    p = n.person(1)
    req = treatment_pb2.RegisterVisitRequest(
        header=n.his.header("2201", REGION),
        psn_no=p.psn_no,
        insutype=p.insutype,
        begntime=VISIT_TIME,
        med_type="11",
    )
    for k, v in over.items():
        if k.startswith("header_"):
            setattr(req.header, k[len("header_") :], v)
        elif k == "diseinfo":
            req.diseinfo.extend(v)
        else:
            setattr(req, k, v)
    return req


def filing(n: Net, d: Desk, **over: Any) -> filing_pb2.CreateFilingRequest:
    fields: dict[str, Any] = dict(
        header=d.header("2501"),
        psn_no=n.person(1).psn_no,
        category="retiree_relocated",
        dest_admdvs="110000",
        begndate="2026-10-01",
        channel="app",
    )
    fields.update(over)
    return filing_pb2.CreateFilingRequest(**fields)


Make = Callable[[Net], tuple[str, Any]]

TREATMENT: list[Any] = [
    pytest.param(lambda n: register(n, psn_no=MEGABYTE), BAD.INVALID_ARGUMENT, "psn_no", id="1mb"),
    pytest.param(
        lambda n: register(n, psn_no="1301\x00"), BAD.INVALID_ARGUMENT, "psn_no", id="nul"
    ),
    pytest.param(lambda n: register(n, psn_no="' OR 1=1 --"), BAD.NOT_FOUND, "psn_no", id="sql"),
    pytest.param(
        lambda n: register(n, psn_no="13010000000000009999"), BAD.NOT_FOUND, "psn_no", id="nobody"
    ),
    pytest.param(
        lambda n: register(n, psn_no=n.beijing.persons[0].psn_no),
        BAD.NOT_FOUND,
        "psn_no",
        id="person-of-another-province",
    ),
    pytest.param(
        lambda n: register(n, insutype="390" if n.person(1).insutype == "310" else "310"),
        BAD.INVALID_ARGUMENT,
        "insutype",
        id="insutype-the-person-does-not-have",
    ),
    pytest.param(
        lambda n: register(n, begntime="1899-12-31 23:59:59"),
        BAD.INVALID_ARGUMENT,
        "begntime",
        id="begntime-1899",
    ),
    pytest.param(
        lambda n: register(n, begntime="9999-07-01 09:00:00"),
        BAD.INVALID_ARGUMENT,
        "begntime",
        id="begntime-9999",
    ),
    pytest.param(
        lambda n: register(
            n, diseinfo=[common_pb2.Diagnosis(diag_code=f"J{i:02d}.900") for i in range(10_000)]
        ),
        BAD.INVALID_ARGUMENT,
        "diseinfo",
        id="10000-diagnoses",
    ),
    pytest.param(
        lambda n: register(n, header_opter_name="名" * 51),
        BAD.INVALID_ARGUMENT,
        "header.opter_name",
        id="long-operator-name",
    ),
    pytest.param(
        lambda n: register(n, header_inf_time="9999-12-31 23:59:59"),
        BAD.INVALID_ARGUMENT,
        "header.inf_time",
        id="inf-time-9999",
    ),
    pytest.param(
        lambda n: register(
            n, diseinfo=[common_pb2.Diagnosis(diag_code="J06.900", diag_name="x" * 101)]
        ),
        BAD.INVALID_ARGUMENT,
        "diseinfo[0].diag_name",
        id="long-diagnosis-name",
    ),
]


@pytest.mark.parametrize(("make", "code", "field"), TREATMENT)
async def test_register_visit_out_of_bounds_is_refused_and_changes_nothing(
    net: Net, make: Callable[[Net], Any], code: grpc.StatusCode, field: str
) -> None:
    request = make(net)
    before = net.snapshot()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await net.his.stub.RegisterVisit(request, timeout=10)
    assert err.value.code() == code, err.value.details()
    violations, reason = details_of(err.value)
    assert violations[0][0] == field, violations
    assert reason
    assert net.snapshot() == before


FILING: list[Any] = [
    pytest.param({"begndate": "9999-07-01"}, "begndate", id="begndate-9999"),
    pytest.param({"begndate": "1899-07-01"}, "begndate", id="begndate-1899"),
    pytest.param(
        {"begndate": "2026-10-01", "enddate": "2026-09-30"}, "enddate", id="ends-before-begin"
    ),
    pytest.param({"enddate": "9999-12-31"}, "enddate", id="enddate-9999"),
    pytest.param({"memo": "备" * 501}, "memo", id="memo-501"),
    pytest.param({"memo": MEGABYTE}, "memo", id="memo-1mb"),
    pytest.param({"dest_admdvs": "990000"}, "dest_admdvs", id="dest-outside-the-network"),
    pytest.param({"psn_no": "1\x00"}, "psn_no", id="nul-psn-no"),
]


@pytest.mark.parametrize(("over", "field"), FILING)
async def test_create_filing_out_of_bounds_is_refused_and_changes_nothing(
    net: Net, over: dict[str, str], field: str
) -> None:
    channel = grpc.aio.insecure_channel(net.net.provinces["13"].endpoint)
    d = Desk(channel, REGION, "app")
    stub = filing_pb2_grpc.FilingServiceStub(channel)
    before = net.snapshot()
    try:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.CreateFiling(filing(net, d, **over), timeout=10)
    finally:
        await channel.close()
    assert err.value.code() == BAD.INVALID_ARGUMENT, err.value.details()
    assert details_of(err.value)[0][0][0] == field
    assert net.snapshot() == before


async def test_a_huge_value_is_shown_once_cut_to_64_characters(net: Net) -> None:
    junk = "ABC" * 400_000
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await net.his.stub.RegisterVisit(register(net, psn_no=junk), timeout=10)
    assert err.value.code() == BAD.INVALID_ARGUMENT  # not RESOURCE_EXHAUSTED
    message = err.value.details() or ""
    assert message.startswith("psn_no='ABCABC") and "(1200000 characters)" in message
    assert len(message) < 200
    violations, reason = details_of(err.value)
    assert violations == [("psn_no", "longer than 30 characters (1200000)")]
    assert reason == "INVALID_FIELD"
    metadata = err.value.trailing_metadata() or ()
    details_bin = next(v for k, v in metadata if k == "grpc-status-details-bin")
    # The details carry the status's message (the value, once); BadRequest and ErrorInfo name
    # the field and the problem.
    assert details_bin.count(b"'ABCABC") == 1 and len(details_bin) < 400


async def test_register_after_1101_needs_no_second_question(net: Net) -> None:
    """The usual flow (1101 then 2201) asks the insured place once: 2201 uses what 1101 learnt."""
    p = net.person(1)
    await net.his.query_person(REGION, p.certno)
    hub_db = net.data / "hub.db"
    assert hub_db.exists()
    before = _routed(net)
    await net.his.register(REGION, p.psn_no, p.insutype, VISIT_TIME)
    assert _routed(net) == before
    # Without a 1101 before it, 2201 asks once (a 1101 with a node msgid ending "R...").
    other = net.person(2)
    await net.his.register(REGION, other.psn_no, other.insutype, VISIT_TIME)
    assert _routed(net) == before + 1


def _routed(net: Net) -> int:
    snap = net.snapshot(include_log=True)
    return sum(len(rows) for name, rows in snap.items() if name.endswith("routed_messages"))
