"""A hospital reconciles its books with its treatment node (3201 totals, 3202 details): books
that match agree; a record the hospital lacks, one it has that the node does not, and one with
other amounts are each named with who holds what; bad input names the field."""

from __future__ import annotations

import grpc
import pytest

from scripts.clients.retrying_his import RetryingHis
from services.pb.settlenet.v1 import hospital_reconcile_pb2
from services.rpc.status import details_of
from tests.conftest import REGION, Net, open_visit


async def test_hospital_books_agree_and_each_difference_is_named(net: Net) -> None:
    his = RetryingHis(net.channel, net.his.fixmedins_code, net.his.mdtrtarea_admvs)
    infos = []
    for i in (0, 1, 5):
        p = net.person(i)
        mdtrt_id, total = await open_visit(net, p)
        outcome = await his.settle_surely(REGION, mdtrt_id, p.psn_no, p.insutype, total)
        assert outcome.setlinfo is not None
        infos.append(outcome.setlinfo)
    reversal = await his.revoke_surely(REGION, infos[1].setl_id, infos[1].mdtrt_id, infos[1].psn_no)
    assert len(his.books) == 4

    totals, details = await his.reconcile()
    assert (totals.stmt_rslt, details.stmt_rslt, details.agreed) == ("0", "0", 4)
    assert (
        totals.count == 4
        and totals.medfee_sumamt == infos[0].medfee_sumamt + infos[2].medfee_sumamt
    )  # the revoked one and its reversal cancel
    day = infos[0].setl_time[:10]
    none_totals, none_details = await his.reconcile("2020-01-01", "2020-01-31")
    assert none_details.stmt_rslt == "0" and none_totals.count == 0
    assert (await his.reconcile(day, day))[1].agreed == 4

    # The hospital lost the reversal, mistyped a fund payment and holds a record never settled.
    wrong = [infos[0], infos[1]]
    changed = type(infos[2])()
    changed.CopyFrom(infos[2])
    changed.fund_pay_sumamt += 1
    ghost = type(infos[0])()
    ghost.CopyFrom(infos[0])
    ghost.setl_id = "130100202610159999999999"
    totals, details = await his.reconcile(books=[*wrong, changed, ghost])
    assert totals.stmt_rslt == "1" and "fund_pay_sumamt" in totals.differing
    kinds = {d.setl_id: d.kind for d in details.differences}
    assert kinds == {
        reversal.setl_id: "missing_at_hospital",
        changed.setl_id: "different",
        ghost.setl_id: "missing_at_node",
    }
    text = {d.setl_id: d.text for d in details.differences}
    assert f"fund_pay_sumamt the hospital {changed.fund_pay_sumamt}" in text[changed.setl_id]
    assert text[ghost.setl_id].startswith(f"{ghost.setl_id}: only the hospital has it")
    assert details.agreed == 2


async def test_hospital_reconcile_bad_input_names_the_field(net: Net) -> None:
    his = RetryingHis(net.channel, net.his.fixmedins_code, net.his.mdtrtarea_admvs)
    for request, field in (
        (
            hospital_reconcile_pb2.HospitalTotalsRequest(
                header=his.header("3201", ""), counterpart="1"
            ),
            "counterpart",
        ),
        (
            hospital_reconcile_pb2.HospitalTotalsRequest(
                header=his.header("3201", ""), begndate="2026-13-01"
            ),
            "begndate",
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await his.reconciler.Totals(request, timeout=5)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert details_of(err.value)[0][0][0] == field
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await his.reconciler.Details(
            hospital_reconcile_pb2.HospitalDetailsRequest(
                header=his.header("3202", ""), records=[{"setl_id": "X"}, {"setl_id": "X"}]
            ),
            timeout=5,
        )
    assert details_of(err.value)[0][0][0] == "records[1].setl_id"
