"""Advance funds at the hub: settlements draw on the insured province's advance; 70% and 90%
usage raise warnings (logs and QueryAdvances); an exhausted advance refuses direct settlement,
or allows and flags it, as configured; a top-up clears it."""

from __future__ import annotations

import grpc
import pytest
from structlog.testing import capture_logs

from national_hub.adapters import advances as advance
from scripts import network
from scripts.clients.his import His
from services.pb.settlenet.v1 import advance_pb2, advance_pb2_grpc
from services.rpc.status import details_of
from tests.conftest import REGION, Net, open_visit


async def _status(stub) -> advance_pb2.AdvanceStatus:
    return (await stub.QueryAdvances(advance_pb2.QueryAdvancesRequest(province="13"))).advances[0]


async def _pre(net: Net, i: int) -> tuple[str, int, int]:
    p = net.person(i)
    mdtrt_id, total = await open_visit(net, p)
    s = (await net.his.pre_settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
    return mdtrt_id, total, s.fund_pay_sumamt + s.acct_pay


async def test_warnings_at_70_and_90_percent_exhaustion_refuses_and_a_top_up_clears(
    net: Net,
) -> None:
    channel = grpc.aio.insecure_channel(net.net.hub.endpoint)
    stub = advance_pb2_grpc.AdvanceServiceStub(channel)
    try:
        assert (await _status(stub)).level == "green"
        drawn = 0
        levels = []
        for n, (i, share) in enumerate(((0, None), (4, 75), (5, 92))):
            mdtrt_id, total, amount = await _pre(net, i)
            if share:  # size the advance so this settlement takes usage to `share` percent
                await stub.Resize(
                    advance_pb2.ResizeRequest(
                        province="13", size_fen=(drawn + amount) * 100 // share, request_id=f"r{n}"
                    )
                )
                assert (await _status(stub)).level == "green"
            p = net.person(i)
            with capture_logs() as logs:
                await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
            drawn += amount
            st = await _status(stub)
            levels.append(st.level)
            warned = [e["level"] for e in logs if e["event"] == "advance_warning"]
            assert warned == ([st.level] if share else [])
        assert levels == ["green", "yellow", "red"]

        # Shrink it to what was drawn: exhausted; the next 2207 is refused, nothing changes.
        await stub.Resize(advance_pb2.ResizeRequest(province="13", size_fen=drawn, request_id="r9"))
        assert (await _status(stub)).level == "exhausted"
        p = net.person(1)
        mdtrt_id, total = await open_visit(net, p)
        before = net.snapshot()
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert details_of(err.value)[1] == "ADVANCE_EXHAUSTED"
        assert net.snapshot() == before
        # A top-up (retried: once) restores it, and the visit settles.
        for _ in range(2):
            st = await stub.TopUp(advance_pb2.TopUpRequest(province="13", request_id="t1"))
        assert (st.level, st.available_fen, st.size_fen) == ("green", drawn, drawn)
        await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
        # What is left, kept beside the ledger, equals what the ledger says.
        assert net.net.hub.db.transact_sync(advance.drift, "13") == 0
    finally:
        await channel.close()


async def test_an_exhausted_advance_can_allow_and_flag(tmp_path) -> None:
    n = await network.start(tmp_path, ("11", "13"), advance_exhausted="allow")
    bj = n.provinces["11"]
    inst = next(i for i in bj.data.institutions.values() if i.medins_lv == "3")
    channel = grpc.aio.insecure_channel(bj.endpoint)
    hub = grpc.aio.insecure_channel(n.hub.endpoint)
    try:
        his = His(channel, inst.fixmedins_code, inst.admdvs)
        stub = advance_pb2_grpc.AdvanceServiceStub(hub)
        await stub.Resize(advance_pb2.ResizeRequest(province="13", size_fen=1, request_id="tiny"))
        hebei = n.provinces["13"].data.persons
        from tests.conftest import FEE_TIME, VISIT_TIME, sample_lines

        fake = Net(n, tmp_path, his, channel, n.provinces["13"].data, bj.data)
        for person in (hebei[0], hebei[5]):
            mdtrt_id = await his.register(REGION, person.psn_no, person.insutype, VISIT_TIME)
            lines = sample_lines(fake)
            await his.upload(REGION, mdtrt_id, person.psn_no, lines, FEE_TIME)
            s = (
                await his.settle(
                    REGION, mdtrt_id, person.psn_no, person.insutype, sum(x.amount() for x in lines)
                )
            ).setlinfo
            assert s.setl_id
        reply = await stub.QueryAdvances(advance_pb2.QueryAdvancesRequest(province="13"))
        st = reply.advances[0]
        assert reply.exhausted_policy == "allow"
        assert st.level == "exhausted" and st.available_fen < 0 and st.flagged_count == 1
    finally:
        await channel.close()
        await hub.close()
        await n.stop()


async def test_a_restart_with_another_advance_size_keeps_the_opened_ones_and_says_so(
    tmp_path,
) -> None:
    first = await network.start(tmp_path, ("11", "13"), advance_size_fen=5_000_000)
    await first.stop()
    with capture_logs() as logs:
        again = await network.start(tmp_path, ("11", "13"), advance_size_fen=9_000_000)
    hub = grpc.aio.insecure_channel(again.hub.endpoint)
    try:
        stub = advance_pb2_grpc.AdvanceServiceStub(hub)
        reply = await stub.QueryAdvances(advance_pb2.QueryAdvancesRequest())
        assert {a.province: a.size_fen for a in reply.advances} == {
            "11": 5_000_000,
            "13": 5_000_000,
        }
        kept = [e for e in logs if e["event"] == "advance_size_kept"]
        assert sorted(e["province"] for e in kept) == ["11", "13"]  # once each, not per call
        assert all(e["size_fen"] == 5_000_000 and e["asked_fen"] == 9_000_000 for e in kept)
    finally:
        await hub.close()
        await again.stop()
