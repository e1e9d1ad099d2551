"""Dry runs at the insured place (what `settlenet replay` sends) and the hub's journal with
bodies: a dry run answers as the node did at the moment it names and keeps nothing."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from services.pb.settlenet.v1 import hub_pb2, hub_pb2_grpc, insured_pb2, insured_pb2_grpc
from services.rpc.envelope import MsgidFactory
from services.rpc.status import details_of
from tests.conftest import REGION, Net, open_visit

DRY = "x-settlenet-dry-run"


async def _journal(net: Net, **query: Any) -> list[hub_pb2.JournalEntry]:
    async with grpc.aio.insecure_channel(net.net.hub.endpoint) as ch:
        answer = await hub_pb2_grpc.HubServiceStub(ch).QueryJournal(
            hub_pb2.JournalQuery(**query), timeout=10
        )
    return list(answer.entries)


def _again(message: Any, infno: str = "") -> Any:
    """The same request under a fresh msgid (and another transaction number, if given)."""
    copy = type(message)()
    copy.CopyFrom(message)
    copy.header.msgid = MsgidFactory(copy.header.msgid[:12])()
    copy.header.infno = infno or copy.header.infno
    return copy


async def test_dry_runs_answer_as_of_a_record_and_keep_nothing(net: Net) -> None:
    p = net.person(1)
    first_visit, total = await open_visit(net, p)
    first = await net.his.settle(REGION, first_visit, p.psn_no, p.insutype, total)
    second_visit, _ = await open_visit(net, p)
    second = await net.his.settle(REGION, second_visit, p.psn_no, p.insutype, total)
    # The deductible went into the first settlement: the second, same bill, pays more.
    assert second.setlinfo.hifp_pay > first.setlinfo.hifp_pay

    entries = await _journal(net, forward=True, with_bodies=True, limit=100)
    commits = [e for e in entries if e.infno == "2207"]
    assert [e.setl_id for e in commits] == [first.setlinfo.setl_id, second.setlinfo.setl_id]
    assert all(e.rpc == "InsuredService/CommitSettlement" for e in commits)
    claim = insured_pb2.SettleClaim.FromString(commits[0].request)
    recorded = insured_pb2.SettleResult.FromString(commits[0].response)
    assert claim.mdtrt_id == first_visit and recorded.setlinfo.setl_id == first.setlinfo.setl_id

    before = net.snapshot()
    async with grpc.aio.insecure_channel(net.net.provinces["13"].endpoint) as ch:
        insured = insured_pb2_grpc.InsuredServiceStub(ch)
        # As of the first settlement: both set aside, the same split as then.
        call = insured.CommitSettlement(
            _again(claim), timeout=10, metadata=((DRY, first.setlinfo.setl_id),)
        )
        answer = await call
        trailer = dict(await call.trailing_metadata())
        assert trailer[DRY] == "rolled back; 2 record(s) set aside"
        assert answer.setlinfo.hifp_pay == first.setlinfo.hifp_pay
        assert answer.setlinfo.act_pay_dedc == first.setlinfo.act_pay_dedc
        assert answer.setlinfo.balc == first.setlinfo.balc
        # Now: the visit is settled already, as a real retry under a new msgid would be told.
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await insured.CommitSettlement(_again(claim), timeout=10, metadata=((DRY, "now"),))
        assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert details_of(refused.value)[1] == "VISIT_ALREADY_SETTLED"
        # A pre-settlement as of the second record pays what the second one did.
        pre = await insured.ComputeSplit(
            _again(claim, "2206"), timeout=10, metadata=((DRY, second.setlinfo.setl_id),)
        )
        assert pre.setlinfo.hifp_pay == second.setlinfo.hifp_pay
        # A moment that is not a record of this node is refused, naming the key.
        for bad in ("yesterday", "130100202601019999999999"):
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await insured.ComputeSplit(
                    _again(claim, "2206"), timeout=10, metadata=((DRY, bad),)
                )
            assert err.value.code() in (
                grpc.StatusCode.INVALID_ARGUMENT,
                grpc.StatusCode.NOT_FOUND,
            )
            assert DRY in err.value.details()
    assert net.snapshot() == before  # nothing kept, on any node


async def test_journal_query_pages_filters_and_checks(net: Net) -> None:
    p = net.person(1)
    await net.his.query_person(REGION, p.certno)
    visit, total = await open_visit(net, p)
    await net.his.settle(REGION, visit, p.psn_no, p.insutype, total)
    everything = await _journal(net, forward=True, limit=1000)
    assert [e.seq for e in everything] == sorted(e.seq for e in everything)
    assert all(not e.request and not e.response for e in everything)  # bodies only if asked
    page = await _journal(net, forward=True, after_seq=everything[0].seq, limit=1)
    assert [e.seq for e in page] == [everything[1].seq]
    newest = await _journal(net, limit=1)
    assert newest[0].seq == everything[-1].seq
    assert await _journal(net, province="44") == []
    assert len(await _journal(net, province="13", limit=1000)) == len(everything)
    assert await _journal(net, from_time="2099-01-01") == []
    for field, value in (("from_time", "soon"), ("province", "1"), ("limit", 5000)):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await _journal(net, **{field: value})
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field in err.value.details()
