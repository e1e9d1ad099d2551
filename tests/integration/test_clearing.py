"""Monthly clearing: totals per province pair equal the settled fund and account payments to the
fen, statements net per province, clearing twice posts nothing twice, a month with an
unreconciled difference is refused and says why."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import delete, func, select

from national_hub.adapters import advances as advance
from national_hub.adapters.tables import hub_settlements, ledger
from provincial_nodes.adapters.tables import insured_settlements
from services.ledger import store as ledger_store
from services.pb.settlenet.v1 import clearing_pb2, clearing_pb2_grpc
from services.rpc.status import details_of
from tests.conftest import REGION, Net, open_visit


async def _settle(net: Net, i: int, *, revoke: bool = False):
    p = net.person(i)
    mdtrt_id, total = await open_visit(net, p)
    s = (await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
    if revoke:
        await net.his.revoke(REGION, s.setl_id, mdtrt_id, p.psn_no)
    return s


async def test_clearing_a_month(net: Net) -> None:
    for i, revoke in ((0, False), (1, True), (5, False)):
        await _settle(net, i, revoke=revoke)
    # setl_time is the settlement time (today): clear the current month.
    month = (await _settle(net, 4)).setl_time[:7]
    channel = grpc.aio.insecure_channel(net.net.hub.endpoint)
    stub = clearing_pb2_grpc.ClearingServiceStub(channel)
    try:
        first = await stub.ClearMonth(clearing_pb2.ClearMonthRequest(month=month))
        assert first.posted and first.records == 5
        direct = net.net.provinces["13"].db.transact_sync(
            lambda c: c.execute(
                select(
                    func.sum(insured_settlements.c.fund_pay_sumamt + insured_settlements.c.acct_pay)
                )
            ).scalar_one()
        )
        by = {s.province: s for s in first.statements}
        assert by["13"].payable_fen == by["11"].receivable_fen == direct
        assert by["11"].net_fen == direct == -by["13"].net_fen
        assert [(x.counterpart, x.payable_count) for x in by["13"].lines] == [("11", 5)]
        # Twice: nothing posted twice.
        count = len(net.net.hub.db.transact_sync(ledger_store.transfers, ledger))
        again = await stub.ClearMonth(clearing_pb2.ClearMonthRequest(month=month))
        assert not again.posted and again.statements == first.statements
        assert len(net.net.hub.db.transact_sync(ledger_store.transfers, ledger)) == count
        debits, credits = net.net.hub.db.transact_sync(ledger_store.trial_balance, ledger)
        assert debits == credits
        # Clearing restored the insured province's advance by what it paid.
        assert net.net.hub.db.transact_sync(advance.drift, "13") == 0
        st13 = net.net.hub.db.transact_sync(advance.status, "13")
        assert st13.available_fen == st13.size_fen
        # Confirmation by a province.
        st = await stub.ConfirmStatement(
            clearing_pb2.ConfirmStatementRequest(month=month, province="13")
        )
        assert st.confirmed_at
        # A malformed month names the field.
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.ClearMonth(clearing_pb2.ClearMonthRequest(month="2026-13"))
        assert details_of(err.value)[0][0][0] == "month"
    finally:
        await channel.close()


async def test_an_unreconciled_month_is_refused(net: Net) -> None:
    s = await _settle(net, 0)
    month = s.setl_time[:7]
    net.net.hub.db.transact_sync(
        lambda c: c.execute(delete(hub_settlements).where(hub_settlements.c.setl_id == s.setl_id))
    )
    await _settle(net, 5)
    channel = grpc.aio.insecure_channel(net.net.hub.endpoint)
    try:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await clearing_pb2_grpc.ClearingServiceStub(channel).ClearMonth(
                clearing_pb2.ClearMonthRequest(month=month)
            )
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert details_of(err.value)[1] == "UNRECONCILED"
        assert s.setl_id in err.value.details()
    finally:
        await channel.close()
