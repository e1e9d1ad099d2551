"""Every class of bad input gets a status naming the field and the value, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest

from scripts.clients.his import Line
from services.pb.settlenet.v1 import insured_pb2, treatment_pb2
from services.rpc.status import details_of
from tests.conftest import FEE_TIME, REGION, VISIT_TIME, Net, open_visit

BAD = grpc.StatusCode


def _line(**over: Any) -> treatment_pb2.FeeDetail:
    base = dict(
        feedetl_sn="9001",
        fee_ocur_time=FEE_TIME,
        med_list_codg="XA09001A00101010000001",
        cnt="2",
        pric=1449,
        det_item_fee_sumamt=2898,
    )
    base.update(over)
    return treatment_pb2.FeeDetail(**base)


def upload(
    n: Net, mdtrt_id: str, psn_no: str, *lines: treatment_pb2.FeeDetail
) -> treatment_pb2.UploadFeeDetailsRequest:
    return treatment_pb2.UploadFeeDetailsRequest(
        header=n.his.header("2204", REGION), mdtrt_id=mdtrt_id, psn_no=psn_no, feedetail=list(lines)
    )


def register(n: Net, person_no: str, **over: Any) -> treatment_pb2.RegisterVisitRequest:
    req = treatment_pb2.RegisterVisitRequest(
        header=n.his.header("2201", REGION),
        psn_no=person_no,
        insutype="310",
        begntime=VISIT_TIME,
        med_type="11",
    )
    for k, v in over.items():
        if k.startswith("header_"):
            setattr(req.header, k[len("header_") :], v)
        else:
            setattr(req, k, v)
    return req


Case = Callable[[Net, str, str, int], tuple[str, Any]]

CASES: list[Any] = [
    pytest.param(
        lambda n, m, p, t: ("RegisterVisit", register(n, p, header_msgid="short")),
        BAD.INVALID_ARGUMENT,
        "header.msgid",
        id="malformed-msgid",
    ),
    pytest.param(
        lambda n, m, p, t: ("RegisterVisit", register(n, p, header_infno="2207")),
        BAD.INVALID_ARGUMENT,
        "header.infno",
        id="infno-does-not-match-rpc",
    ),
    pytest.param(
        lambda n, m, p, t: ("RegisterVisit", register(n, p, header_inf_time="yesterday")),
        BAD.INVALID_ARGUMENT,
        "header.inf_time",
        id="malformed-inf-time",
    ),
    pytest.param(
        lambda n, m, p, t: ("RegisterVisit", register(n, p, psn_no="")),
        BAD.INVALID_ARGUMENT,
        "psn_no",
        id="missing-psn-no",
    ),
    pytest.param(
        lambda n, m, p, t: ("RegisterVisit", register(n, p, med_type="99")),
        BAD.INVALID_ARGUMENT,
        "med_type",
        id="unknown-med-type",
    ),
    pytest.param(
        lambda n, m, p, t: ("RegisterVisit", register(n, p, insutype="999")),
        BAD.INVALID_ARGUMENT,
        "insutype",
        id="unknown-insutype",
    ),
    pytest.param(
        lambda n, m, p, t: ("RegisterVisit", register(n, p, begntime="2026-13-01 x")),
        BAD.INVALID_ARGUMENT,
        "begntime",
        id="malformed-begntime",
    ),
    pytest.param(
        lambda n, m, p, t: (
            "RegisterVisit",
            register(n, p, mdtrt_cert_type="02", mdtrt_cert_no="130102195005259038"),
        ),
        BAD.INVALID_ARGUMENT,
        "mdtrt_cert_no",
        id="bad-id-check-digit",
    ),
    pytest.param(
        lambda n, m, p, t: ("RegisterVisit", register(n, p, header_insuplc_admdvs="13")),
        BAD.INVALID_ARGUMENT,
        "header.insuplc_admdvs",
        id="malformed-region",
    ),
    pytest.param(
        lambda n, m, p, t: (
            "RegisterVisit",
            register(
                n,
                p,
                header_fixmedins_code="H99999900001",
                header_msgid="H99999900001" + n.his.msgid()[12:],
            ),
        ),
        BAD.NOT_FOUND,
        "header.fixmedins_code",
        id="unknown-institution",
    ),
    pytest.param(
        lambda n, m, p, t: ("UploadFeeDetails", upload(n, m, p, _line(pric=-5))),
        BAD.INVALID_ARGUMENT,
        "feedetail[0].pric",
        id="negative-price",
    ),
    pytest.param(
        lambda n, m, p, t: ("UploadFeeDetails", upload(n, m, p, _line(det_item_fee_sumamt=10**13))),
        BAD.INVALID_ARGUMENT,
        "feedetail[0].det_item_fee_sumamt",
        id="absurd-amount",
    ),
    pytest.param(
        lambda n, m, p, t: ("UploadFeeDetails", upload(n, m, p, _line(det_item_fee_sumamt=2900))),
        BAD.INVALID_ARGUMENT,
        "feedetail[0].det_item_fee_sumamt",
        id="cnt-times-pric-mismatch",
    ),
    pytest.param(
        lambda n, m, p, t: ("UploadFeeDetails", upload(n, m, p, _line(cnt="two"))),
        BAD.INVALID_ARGUMENT,
        "feedetail[0].cnt",
        id="malformed-quantity",
    ),
    pytest.param(
        lambda n, m, p, t: ("UploadFeeDetails", upload(n, m, p, _line(cnt="0"))),
        BAD.INVALID_ARGUMENT,
        "feedetail[0].cnt",
        id="zero-quantity",
    ),
    pytest.param(
        lambda n, m, p, t: ("UploadFeeDetails", upload(n, m, p, _line(), _line(feedetl_sn="9001"))),
        BAD.INVALID_ARGUMENT,
        "feedetail[1].feedetl_sn",
        id="repeated-line-number",
    ),
    pytest.param(
        lambda n, m, p, t: ("UploadFeeDetails", upload(n, m, p, _line(feedetl_sn="0001"))),
        BAD.FAILED_PRECONDITION,
        "feedetail[0].feedetl_sn",
        id="line-already-uploaded",
    ),
    pytest.param(
        lambda n, m, p, t: ("UploadFeeDetails", upload(n, m, p)),
        BAD.INVALID_ARGUMENT,
        "feedetail",
        id="no-lines",
    ),
    pytest.param(
        lambda n, m, p, t: ("UploadFeeDetails", upload(n, "110000202601010099999999", p, _line())),
        BAD.NOT_FOUND,
        "mdtrt_id",
        id="unknown-visit",
    ),
    pytest.param(
        lambda n, m, p, t: ("Settle", n.his.settle_request("2207", REGION, m, p, "310", t + 1)),
        BAD.INVALID_ARGUMENT,
        "medfee_sumamt",
        id="total-does-not-match-lines",
    ),
    pytest.param(
        lambda n, m, p, t: ("Settle", n.his.settle_request("2207", REGION, m, p, "310", -t)),
        BAD.INVALID_ARGUMENT,
        "medfee_sumamt",
        id="negative-total",
    ),
    pytest.param(
        lambda n, m, p, t: ("Settle", n.his.settle_request("2207", REGION, m, p, "390", t)),
        BAD.INVALID_ARGUMENT,
        "insutype",
        id="insutype-differs-from-visit",
    ),
    pytest.param(
        lambda n, m, p, t: ("Settle", n.his.settle_request("2207", "139900", m, p, "310", t)),
        BAD.INVALID_ARGUMENT,
        "header.insuplc_admdvs",
        id="region-differs-from-visit",
    ),
    pytest.param(
        lambda n, m, p, t: (
            "PreSettle",
            n.his.settle_request("2206", REGION, m, p, "310", t, med_type="41"),
        ),
        BAD.INVALID_ARGUMENT,
        "med_type",
        id="unknown-med-type-presettle",
    ),
    pytest.param(
        lambda n, m, p, t: (
            "RevokeSettlement",
            treatment_pb2.RevokeSettlementRequest(
                header=n.his.header("2208", REGION),
                setl_id="130100202610150000999999",
                mdtrt_id=m,
                psn_no=p,
            ),
        ),
        BAD.NOT_FOUND,
        "setl_id",
        id="unknown-settlement",
    ),
    pytest.param(
        lambda n, m, p, t: (
            "QueryPerson",
            insured_pb2.PersonQuery(
                header=n.his.header("1101", REGION), certno="130102195005259038"
            ),
        ),
        BAD.INVALID_ARGUMENT,
        "certno",
        id="person-bad-check-digit",
    ),
    pytest.param(
        lambda n, m, p, t: (
            "QueryPerson",
            insured_pb2.PersonQuery(
                header=n.his.header("1101", REGION), certno="110101199003074477"
            ),
        ),
        BAD.NOT_FOUND,
        "certno",
        id="unknown-person",
    ),
    pytest.param(
        lambda n, m, p, t: (
            "QueryPerson",
            insured_pb2.PersonQuery(
                header=n.his.header("1101", "990100"), certno="130102195005259039"
            ),
        ),
        BAD.NOT_FOUND,
        "header.insuplc_admdvs",
        id="unknown-region",
    ),
]


@pytest.mark.parametrize(("case", "code", "field"), CASES)
async def test_bad_input_names_field_and_changes_nothing(
    net: Net, case: Case, code: grpc.StatusCode, field: str
) -> None:
    p = net.person(1)
    mdtrt_id, total = await open_visit(net, p, [Line(net.code("二甲双胍片"), "2", 1449)])
    method, request = case(net, mdtrt_id, p.psn_no, total)
    before = net.snapshot()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await getattr(net.his.stub, method)(request, timeout=5)
    assert err.value.code() == code, err.value.details()
    violations, reason = details_of(err.value)
    assert violations and violations[0][0] == field, violations
    assert reason
    assert net.snapshot() == before
