"""Two-phase top-ups of an advance: a red warning (≥ 90%) requests an emergency top-up, a hold
that moves nothing; when the money arrives the hold posts and the advance grows by what
arrived, once; a voided top-up moves nothing; bad input names the field and changes nothing."""

from __future__ import annotations

import grpc
import pytest

from national_hub.adapters import advances as advance
from services.pb.settlenet.v1 import advance_pb2, advance_pb2_grpc, topup_pb2, topup_pb2_grpc
from services.rpc.status import details_of
from tests.conftest import REGION, Net, open_visit


async def test_red_requests_an_emergency_top_up_that_posts_once_when_paid(net: Net) -> None:
    async with grpc.aio.insecure_channel(net.net.hub.endpoint) as ch:
        adv = advance_pb2_grpc.AdvanceServiceStub(ch)
        tops = topup_pb2_grpc.TopUpServiceStub(ch)
        p = net.person(5)
        mdtrt_id, total = await open_visit(net, p)
        pre = (await net.his.pre_settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
        amount = pre.fund_pay_sumamt + pre.acct_pay
        await adv.Resize(
            advance_pb2.ResizeRequest(
                province="13", size_fen=amount * 100 // 92, request_id="small"
            )
        )
        assert (await tops.ListTopUps(topup_pb2.ListTopUpsRequest(province="13"))).holds == []
        await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
        st = (await adv.QueryAdvances(advance_pb2.QueryAdvancesRequest(province="13"))).advances[0]
        assert st.level == "red"
        [h] = (await tops.ListTopUps(topup_pb2.ListTopUpsRequest(province="13"))).holds
        assert h.state == "pending" and h.request_id.startswith("emergency-")
        assert h.amount_fen == st.size_fen - st.available_fen == amount
        assert (h.available_fen, h.pending_fen) == (st.available_fen, amount)

        # Part of it arrives: posted once, the advance grows by that much only.
        for _ in range(2):
            done = await tops.SettleTopUp(
                topup_pb2.SettleTopUpRequest(
                    province="13", request_id=h.request_id, arrived=True, amount_fen=amount - 1
                )
            )
        assert (done.state, done.posted_fen, done.pending_fen) == ("posted", amount - 1, 0)
        assert done.available_fen == st.available_fen + amount - 1
        assert net.net.hub.db.transact_sync(advance.drift, "13") == 0

        # A promised top-up that never comes is voided: nothing moves.
        asked = await tops.RequestTopUp(
            topup_pb2.RequestTopUpRequest(province="13", request_id="t2")
        )
        assert (asked.state, asked.amount_fen) == ("pending", 1)
        gone = await tops.SettleTopUp(
            topup_pb2.SettleTopUpRequest(province="13", request_id="t2", arrived=False)
        )
        assert (gone.state, gone.available_fen) == ("voided", done.available_fen)
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await tops.SettleTopUp(
                topup_pb2.SettleTopUpRequest(province="13", request_id="t2", arrived=True)
            )
        assert details_of(err.value)[1] == "PENDING_ALREADY_VOIDED"


async def test_top_up_bad_input_names_the_field_and_changes_nothing(net: Net) -> None:
    async with grpc.aio.insecure_channel(net.net.hub.endpoint) as ch:
        tops = topup_pb2_grpc.TopUpServiceStub(ch)
        before = net.snapshot()
        for call, field in (
            (
                tops.RequestTopUp(topup_pb2.RequestTopUpRequest(province="1", request_id="x")),
                "province",
            ),
            (tops.RequestTopUp(topup_pb2.RequestTopUpRequest(province="13")), "request_id"),
            (
                tops.RequestTopUp(topup_pb2.RequestTopUpRequest(province="13", request_id="x")),
                "province",
            ),  # full: nothing to top up
            (
                tops.SettleTopUp(
                    topup_pb2.SettleTopUpRequest(province="13", request_id="nope", arrived=True)
                ),
                "hold_id",
            ),
            (
                tops.SettleTopUp(
                    topup_pb2.SettleTopUpRequest(
                        province="13", request_id="x", amount_fen=-5, arrived=True
                    )
                ),
                "amount_fen",
            ),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await call
            assert details_of(err.value)[0][0][0] == field, err.value.details()
        assert net.snapshot() == before
