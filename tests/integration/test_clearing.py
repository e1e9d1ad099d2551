"""Monthly clearing: totals per province pair equal the settled fund and account payments to the
fen, statements net per province, clearing twice posts nothing twice, a month with an
unreconciled difference is refused and says why."""

from __future__ import annotations

from datetime import datetime

import grpc
import pytest
from sqlalchemy import delete, func, select

from national_hub.adapters import advances as advance
from national_hub.adapters.tables import hub_settlements, ledger
from provincial_nodes.adapters.tables import insured_settlements
from services.ledger import store as ledger_store
from services.pb.settlenet.v1 import clearing_pb2, clearing_pb2_grpc
from services.rpc.status import details_of
from services.values import clock
from tests.conftest import REGION, Net, open_visit
from tests.faultnet import after_month


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
        # The month has not ended on the hub's clock: refused, naming its end.
        with pytest.raises(grpc.aio.AioRpcError) as early:
            await stub.ClearMonth(clearing_pb2.ClearMonthRequest(month=month))
        assert early.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert details_of(early.value)[1] == "MONTH_NOT_ENDED"
        assert "the month ends on " + month in early.value.details()
        with after_month(month):
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
        with after_month(month):
            again = await stub.ClearMonth(clearing_pb2.ClearMonthRequest(month=month))
        assert not again.posted and again.statements == first.statements
        assert again.records == first.records
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
        with pytest.raises(grpc.aio.AioRpcError) as err, after_month(month):
            await clearing_pb2_grpc.ClearingServiceStub(channel).ClearMonth(
                clearing_pb2.ClearMonthRequest(month=month)
            )
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert details_of(err.value)[1] == "UNRECONCILED"
        assert s.setl_id in err.value.details()
    finally:
        await channel.close()


async def test_a_run_across_midnight_clears_each_month_once_it_has_ended(net: Net) -> None:
    """Visits settle on both sides of a month's last midnight (the clock is set just before it):
    the old month clears on the new day with exactly its own settlements, the new month is
    refused until it ends, and the old month's statements stay the same afterwards."""
    clock.travel_to(datetime(2026, 11, 30, 23, 59, 58))
    channel = grpc.aio.insecure_channel(net.net.hub.endpoint)
    stub = clearing_pb2_grpc.ClearingServiceStub(channel)
    try:
        by_month: dict[str, int] = {}
        i = 0
        while len(by_month) < 2 or by_month.get("2026-12", 0) < 2:
            s = await _settle(net, i % 6)
            by_month[s.setl_time[:7]] = by_month.get(s.setl_time[:7], 0) + 1
            i += 1
            assert i < 400, f"the clock did not cross midnight: {by_month}"
        assert set(by_month) == {"2026-11", "2026-12"}
        november = await stub.ClearMonth(clearing_pb2.ClearMonthRequest(month="2026-11"))
        assert november.posted and november.records == by_month["2026-11"]
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.ClearMonth(clearing_pb2.ClearMonthRequest(month="2026-12"))
        assert details_of(err.value)[1] == "MONTH_NOT_ENDED"
        assert "2026-12-31" in err.value.details()
        await _settle(net, 0)  # more December traffic after November was cleared
        by_month["2026-12"] += 1
        with after_month("2026-12"):
            december = await stub.ClearMonth(clearing_pb2.ClearMonthRequest(month="2026-12"))
            later = await stub.ClearMonth(clearing_pb2.ClearMonthRequest(month="2026-11"))
        assert december.posted and december.records == by_month["2026-12"]
        assert not later.posted and later.statements == november.statements
        assert later.records == november.records
    finally:
        clock.travel_to(None)
        await channel.close()


async def test_a_top_up_before_clearing_is_not_paid_back_twice(net: Net) -> None:
    """The advance drawn by a month's settlements, topped up before the month is cleared, stays
    at its size after clearing: the clearing restores only what the top-up did not."""
    from services.pb.settlenet.v1 import advance_pb2, advance_pb2_grpc

    s = await _settle(net, 0)
    month = s.setl_time[:7]
    channel = grpc.aio.insecure_channel(net.net.hub.endpoint)
    try:
        before = net.net.hub.db.transact_sync(advance.status, "13")
        assert before.available_fen < before.size_fen
        await advance_pb2_grpc.AdvanceServiceStub(channel).TopUp(
            advance_pb2.TopUpRequest(province="13", request_id="t-before-clearing")
        )
        assert net.net.hub.db.transact_sync(advance.status, "13").available_fen == before.size_fen
        with after_month(month):
            cleared = await clearing_pb2_grpc.ClearingServiceStub(channel).ClearMonth(
                clearing_pb2.ClearMonthRequest(month=month)
            )
        assert cleared.posted
        after = net.net.hub.db.transact_sync(advance.status, "13")
        assert after.available_fen == after.size_fen
        assert net.net.hub.db.transact_sync(advance.drift, "13") == 0
        debits, credits = net.net.hub.db.transact_sync(ledger_store.trial_balance, ledger)
        assert debits == credits
    finally:
        await channel.close()


async def test_a_month_with_a_message_in_doubt_is_refused(net: Net) -> None:
    """A 2207 the hub forwarded in the month and has not resolved yet may still become a
    settlement of the month: clearing waits for it."""
    from national_hub.adapters.tables import in_doubt
    from services.storage import in_doubt as forwards
    from services.values.forward import Forward

    s = await _settle(net, 0)
    month = s.setl_time[:7]
    row = Forward("H11010100001202612019999999999", "2207", "13", "130100", "P", "M", "x", b"")
    net.net.hub.db.transact_sync(lambda c: forwards.add(c, in_doubt, row))
    channel = grpc.aio.insecure_channel(net.net.hub.endpoint)
    try:
        with pytest.raises(grpc.aio.AioRpcError) as err, after_month(month):
            await clearing_pb2_grpc.ClearingServiceStub(channel).ClearMonth(
                clearing_pb2.ClearMonthRequest(month=month)
            )
        assert details_of(err.value)[1] == "IN_DOUBT_OUTSTANDING"
        assert "the hub: 1" in err.value.details()
    finally:
        await channel.close()
