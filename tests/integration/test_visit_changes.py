"""What changes a visit before settlement, over real gRPC: 2202 cancels the registration, 2203
records medical type and diagnoses, 2205 takes fee lines back, 5204 lists them. Each is
idempotent by msgid, refused on a settled (or cancelled) visit, and a refused call changes no
row of any node."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from scripts.clients.his import His, Line
from services.pb.settlenet.v1 import common_pb2, treatment_pb2
from services.rpc.status import details_of
from tests.conftest import FEE_TIME, REGION, VISIT_TIME, Net, open_visit, sample_lines

SPLIT = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "fund_pay_sumamt",
    "acct_pay",
    "psn_cash_pay",
)


def split_of(s: Any) -> dict[str, int]:
    return {f: getattr(s, f) for f in SPLIT}


async def refused(
    net: Net,
    call: Any,
    code: grpc.StatusCode,
    reason: str,
    field: str,
    ignore: tuple[str, ...] = (),
) -> str:
    """Make ``call``; it is refused with ``code`` and ``reason`` naming ``field``, and changes
    no row of any node (but the tables ``ignore`` names). Returns the status message."""

    def rows() -> dict[str, Any]:
        return {k: v for k, v in net.snapshot().items() if k not in ignore}

    before = rows()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    assert err.value.code() == code, err.value.details()
    violations, got = details_of(err.value)
    assert got == reason, err.value.details()
    assert violations and violations[0][0] == field, violations
    assert rows() == before
    return err.value.details() or ""


async def test_cancel_registration_takes_the_visit_and_its_lines_and_refuses_what_follows(
    net: Net,
) -> None:
    p = net.person(0)
    mdtrt_id, total = await open_visit(net, p)
    msgid = net.his.msgid()
    first = await net.his.cancel_registration(REGION, mdtrt_id, p.psn_no, msgid=msgid)
    assert (first.mdtrt_id, first.psn_no, first.removed_lines) == (mdtrt_id, p.psn_no, 5)
    after = net.snapshot()
    assert not [r for r in after["province-11.fee_lines"] if r[0] == mdtrt_id]
    # The same msgid again: the first answer, nothing changes.
    again = await net.his.cancel_registration(REGION, mdtrt_id, p.psn_no, msgid=msgid)
    assert again == first
    assert net.snapshot() == after
    # A new 2202 of the visit, and 2204 / 2206 / 2207 / 2205 / 2203 / 5204 on it: cancelled.
    cancelled = grpc.StatusCode.FAILED_PRECONDITION
    his = net.his
    for call in (
        his.cancel_registration(REGION, mdtrt_id, p.psn_no),
        his.upload(REGION, mdtrt_id, p.psn_no, sample_lines(net), FEE_TIME),
        his.pre_settle(REGION, mdtrt_id, p.psn_no, p.insutype, total),
        his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total),
        his.cancel_fee_details(REGION, mdtrt_id, p.psn_no),
        his.upload_diagnoses(REGION, mdtrt_id, p.psn_no, VISIT_TIME, ("J06.900",)),
        his.query_fee_details(REGION, mdtrt_id, p.psn_no),
    ):
        await refused(net, call, cancelled, "VISIT_CANCELLED", "mdtrt_id")
    # 5203 still answers (no settlement), and a new visit of the person settles.
    q = await his.stub.QuerySettlement(
        treatment_pb2.QuerySettlementRequest(header=his.header("5203", REGION), mdtrt_id=mdtrt_id)
    )
    assert list(q.setlinfo) == []
    mdtrt2, total2 = await open_visit(net, p)
    assert (await his.settle(REGION, mdtrt2, p.psn_no, p.insutype, total2)).setlinfo.setl_id


async def test_cancel_registration_checks_the_visit_it_names(net: Net) -> None:
    p, other = net.person(0), net.person(1)
    mdtrt_id, _ = await open_visit(net, p)
    bad = grpc.StatusCode.INVALID_ARGUMENT
    his = net.his
    await refused(
        net,
        his.cancel_registration(REGION, mdtrt_id, p.psn_no, ipt_otp_no="OP999999"),
        bad,
        "INVALID_FIELD",
        "ipt_otp_no",
    )
    await refused(
        net, his.cancel_registration(REGION, mdtrt_id, other.psn_no), bad, "INVALID_FIELD", "psn_no"
    )
    await refused(
        net,
        his.cancel_registration(REGION, "110100202610150099999999", p.psn_no),
        grpc.StatusCode.NOT_FOUND,
        "NOT_FOUND",
        "mdtrt_id",
    )
    # Another institution of the same node does not find this hospital's visit.
    beijing = net.beijing
    inst = next(
        i
        for i in beijing.institutions.values()
        if i.cross_province and i.fixmedins_code != his.fixmedins_code
    )
    stranger = His(net.channel, inst.fixmedins_code, inst.admdvs)
    for call in (
        stranger.cancel_registration(REGION, mdtrt_id, p.psn_no),
        stranger.query_fee_details(REGION, mdtrt_id, p.psn_no),
        stranger.cancel_fee_details(REGION, mdtrt_id, p.psn_no),
    ):
        await refused(net, call, grpc.StatusCode.NOT_FOUND, "NOT_FOUND", "mdtrt_id")


async def test_a_settled_visit_is_neither_cancelled_nor_changed_until_revoked(net: Net) -> None:
    p = net.person(1)
    mdtrt_id, total = await open_visit(net, p)
    s = (await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
    his = net.his
    for call in (
        his.cancel_registration(REGION, mdtrt_id, p.psn_no),
        his.cancel_fee_details(REGION, mdtrt_id, p.psn_no),
        his.cancel_fee_details(REGION, mdtrt_id, p.psn_no, "X1"),
        his.upload_diagnoses(REGION, mdtrt_id, p.psn_no, VISIT_TIME, ("E11.900",)),
    ):
        code = grpc.StatusCode.FAILED_PRECONDITION
        await refused(net, call, code, "VISIT_HAS_SETTLEMENT", "mdtrt_id")
    # Revoked, the lines can be taken back, uploaded again under the same serial numbers, and
    # the visit settles again with the same split.
    await his.revoke(REGION, s.setl_id, mdtrt_id, p.psn_no)
    gone = await his.cancel_fee_details(REGION, mdtrt_id, p.psn_no, "0000")
    assert list(gone.feedetl_sn) == ["0001", "0002", "0003", "0004", "0005"]
    await his.upload(REGION, mdtrt_id, p.psn_no, sample_lines(net), FEE_TIME)
    again = (await his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
    assert split_of(again) == split_of(s) and again.setl_id != s.setl_id
    # Cancelling the revoked-and-resettled visit is still refused; its history stays.
    await refused(
        net,
        his.cancel_registration(REGION, mdtrt_id, p.psn_no),
        grpc.StatusCode.FAILED_PRECONDITION,
        "VISIT_HAS_SETTLEMENT",
        "mdtrt_id",
    )


async def test_cancel_fee_details_takes_back_one_batch_then_it_is_uploaded_again(
    net: Net,
) -> None:
    p = net.person(0)
    lines = sample_lines(net)
    mdtrt_id = await net.his.register(REGION, p.psn_no, p.insutype, VISIT_TIME)
    await net.his.upload(REGION, mdtrt_id, p.psn_no, lines[:2], FEE_TIME, chrg_bchno="B1")
    await net.his.upload(
        REGION, mdtrt_id, p.psn_no, lines[2:], FEE_TIME, first_sn=3, chrg_bchno="B2"
    )
    total = sum(x.amount() for x in lines)
    pre = (await net.his.pre_settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
    held = (await net.his.query_fee_details(REGION, mdtrt_id, p.psn_no)).feedetail
    assert [(r.result.feedetl_sn, r.chrg_bchno) for r in held] == [
        ("0001", "B1"),
        ("0002", "B1"),
        ("0003", "B2"),
        ("0004", "B2"),
        ("0005", "B2"),
    ]
    msgid = net.his.msgid()
    first = await net.his.cancel_fee_details(REGION, mdtrt_id, p.psn_no, "B1", msgid=msgid)
    assert list(first.feedetl_sn) == ["0001", "0002"]
    after = net.snapshot()
    again = await net.his.cancel_fee_details(REGION, mdtrt_id, p.psn_no, "B1", msgid=msgid)
    assert again == first and net.snapshot() == after
    # The batch is gone: a second 2205 of it finds nothing; the totals no longer match.
    await refused(
        net,
        net.his.cancel_fee_details(REGION, mdtrt_id, p.psn_no, "B1"),
        grpc.StatusCode.NOT_FOUND,
        "NOT_FOUND",
        "chrg_bchno",
    )
    held = (await net.his.query_fee_details(REGION, mdtrt_id, p.psn_no)).feedetail
    assert [r.result.feedetl_sn for r in held] == ["0003", "0004", "0005"]
    await refused(
        net,
        net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_FIELD",
        "medfee_sumamt",
    )
    # Uploaded again under the same serial numbers, the visit settles as it would have.
    await net.his.upload(REGION, mdtrt_id, p.psn_no, lines[:2], FEE_TIME, chrg_bchno="B1")
    s = (await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
    assert split_of(s) == split_of(pre)
    assert s.medfee_sumamt == total


async def test_query_fee_details_shows_each_line_as_2204_classified_it(net: Net) -> None:
    p = net.person(1)
    mdtrt_id = await net.his.register(REGION, p.psn_no, p.insutype, VISIT_TIME)
    uploaded = await net.his.upload(
        REGION, mdtrt_id, p.psn_no, sample_lines(net), FEE_TIME, chrg_bchno="B7"
    )
    held = (await net.his.query_fee_details(REGION, mdtrt_id, p.psn_no)).feedetail
    assert [r.result for r in held] == list(uploaded.result)
    for r in held:
        assert (r.mdtrt_id, r.setl_id, r.med_type) == (mdtrt_id, "", "11")
        assert (r.fee_ocur_time, r.chrg_bchno) == (FEE_TIME, "B7")
    assert len({r.upload_msgid for r in held}) == 1 and held[0].upload_msgid
    total = sum(r.result.det_item_fee_sumamt for r in held)
    s = (await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
    # Settled: each line names the settlement standing; only that setl_id may be asked for.
    held = (
        await net.his.query_fee_details(REGION, mdtrt_id, p.psn_no, setl_id=s.setl_id)
    ).feedetail
    assert {r.setl_id for r in held} == {s.setl_id}
    assert sum(r.result.fulamt_ownpay_amt for r in held) == s.fulamt_ownpay_amt
    assert sum(r.result.inscp_scp_amt for r in held) == s.inscp_scp_amt
    await refused(
        net,
        net.his.query_fee_details(REGION, mdtrt_id, p.psn_no, setl_id="130100X"),
        grpc.StatusCode.NOT_FOUND,
        "NOT_FOUND",
        "setl_id",
    )
    await refused(
        net,
        net.his.query_fee_details(REGION, mdtrt_id, net.person(0).psn_no),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_FIELD",
        "psn_no",
    )


async def test_upload_diagnoses_replaces_them_before_lines_are_classified(net: Net) -> None:
    p = net.person(1)
    insulin = Line(net.code("甘精胰岛素注射液"), "1", 7800)  # restricted to diabetes (E10-E14)
    mdtrt_id = await net.his.register(REGION, p.psn_no, p.insutype, VISIT_TIME)
    res = await net.his.upload(REGION, mdtrt_id, p.psn_no, [insulin], FEE_TIME)
    assert "RESTRICTION_DIAGNOSIS" in res.result[0].reason_codes
    # The line was classified under J06.900: a diagnosis that would change it is refused.
    await refused(
        net,
        net.his.upload_diagnoses(REGION, mdtrt_id, p.psn_no, VISIT_TIME, ("E11.900",)),
        grpc.StatusCode.FAILED_PRECONDITION,
        "FAILED_PRECONDITION",
        "diseinfo",
    )
    # One that changes no line is taken.
    same = await net.his.upload_diagnoses(
        REGION, mdtrt_id, p.psn_no, VISIT_TIME, ("J06.900", "J20.900")
    )
    assert list(same.diag_codes) == ["J06.900", "J20.900"]
    # Taken back, the diagnoses recorded, the line uploaded again: in scope now.
    await net.his.cancel_fee_details(REGION, mdtrt_id, p.psn_no)
    msgid = net.his.msgid()
    first = await net.his.upload_diagnoses(
        REGION, mdtrt_id, p.psn_no, VISIT_TIME, ("E11.900", "J06.900"), msgid=msgid
    )
    assert (first.med_type, list(first.diag_codes)) == ("11", ["E11.900", "J06.900"])
    after = net.snapshot()
    again = await net.his.upload_diagnoses(
        REGION, mdtrt_id, p.psn_no, VISIT_TIME, ("E11.900", "J06.900"), msgid=msgid
    )
    assert again == first and net.snapshot() == after
    res = await net.his.upload(REGION, mdtrt_id, p.psn_no, [insulin], FEE_TIME)
    assert "RESTRICTION_DIAGNOSIS" not in res.result[0].reason_codes
    assert res.result[0].inscp_scp_amt + res.result[0].preselfpay_amt > 0
    s = (await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, 7800)).setlinfo
    assert s.inscp_scp_amt == res.result[0].inscp_scp_amt


async def test_upload_diagnoses_changes_the_medical_type_settlement_must_name(net: Net) -> None:
    p = net.person(0)
    mdtrt_id, total = await open_visit(net, p)
    await net.his.upload_diagnoses(
        REGION, mdtrt_id, p.psn_no, VISIT_TIME, ("J06.900",), med_type="13"
    )
    await refused(
        net,
        net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_FIELD",
        "med_type",
    )
    s = await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total, med_type="13")
    assert s.setlinfo.med_type == "13"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param(
            lambda r: r.diseinfo[0].__setattr__("vali_flag", "2"), "diseinfo[0].vali_flag"
        ),
        pytest.param(
            lambda r: r.diseinfo[0].__setattr__("diag_srt_no", 100), "diseinfo[0].diag_srt_no"
        ),
        pytest.param(
            lambda r: r.diseinfo[0].__setattr__("diag_type", "9"), "diseinfo[0].diag_type"
        ),
        pytest.param(lambda r: r.ClearField("diseinfo"), "diseinfo"),
        pytest.param(lambda r: r.mdtrtinfo.__setattr__("med_type", "14"), "mdtrtinfo.dise_codg"),
        pytest.param(lambda r: r.mdtrtinfo.__setattr__("med_type", "21"), "mdtrtinfo.med_type"),
        pytest.param(lambda r: r.mdtrtinfo.__setattr__("geso_val", -1), "mdtrtinfo.geso_val"),
        pytest.param(lambda r: r.mdtrtinfo.__setattr__("mdtrt_id", ""), "mdtrtinfo.mdtrt_id"),
    ],
)
async def test_bad_diagnoses_are_refused_naming_the_field(
    net: Net, change: Any, field: str
) -> None:
    p = net.person(0)
    mdtrt_id, _ = await open_visit(net, p)
    request = treatment_pb2.UploadDiagnosesRequest(
        header=net.his.header("2203", REGION),
        mdtrtinfo=treatment_pb2.MdtrtInfo(
            mdtrt_id=mdtrt_id, psn_no=p.psn_no, med_type="11", begntime=VISIT_TIME
        ),
        diseinfo=[common_pb2.Diagnosis(diag_code="J06.900", vali_flag="1")],
    )
    change(request)
    await refused(
        net,
        net.his.stub.UploadDiagnoses(request),
        grpc.StatusCode.INVALID_ARGUMENT,
        "INVALID_FIELD",
        field,
    )


async def test_a_visit_whose_2207_is_in_doubt_is_not_changed(net: Net) -> None:
    p = net.person(0)
    mdtrt_id, total = await open_visit(net, p)
    await net.net.provinces["13"].running.server.stop(None)
    net.his.timeout = 5
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    for call in (
        net.his.cancel_registration(REGION, mdtrt_id, p.psn_no),
        net.his.cancel_fee_details(REGION, mdtrt_id, p.psn_no),
    ):
        # The node keeps trying to resolve the 2207 meanwhile (its in-doubt rows count it).
        message = await refused(
            net,
            call,
            grpc.StatusCode.FAILED_PRECONDITION,
            "VISIT_HAS_SETTLEMENT",
            "mdtrt_id",
            ignore=("hub.in_doubt", "province-11.in_doubt"),
        )
        assert "2207" in message
