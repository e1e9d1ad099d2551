"""The whole outpatient path over real gRPC: 1101 → 2201 → 2204 → 2206 → 2207 → 2208."""

from __future__ import annotations

import asyncio
from datetime import date

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from provincial_nodes.adapters import persons
from scripts.clients.his import His, Line
from services.pb.settlenet.v1 import hub_pb2, hub_pb2_grpc, treatment_pb2
from tests.conftest import FEE_TIME, INSURED, REGION, VISIT_TIME, Net, open_visit


def assert_identities(s) -> None:
    assert s.medfee_sumamt == (
        s.fulamt_ownpay_amt + s.overlmt_selfpay + s.preselfpay_amt + s.inscp_scp_amt
    )
    assert s.medfee_sumamt == s.fund_pay_sumamt + s.acct_pay + s.psn_cash_pay
    assert s.fund_pay_sumamt == sum(d.fund_payamt for d in s.setldetail)
    assert s.psn_part_amt == s.acct_pay + s.psn_cash_pay


async def test_person_query_routes_to_insured_place(net: Net) -> None:
    p = net.person(1)
    info = await net.his.query_person(REGION, p.certno)
    assert info.baseinfo.psn_no == p.psn_no
    assert info.insuinfo[0].insuplc_admdvs == REGION
    assert info.insuinfo[0].balc == 320000
    assert info.header.inf_refmsgid.startswith("110000")


async def test_visit_settles_with_identities_and_explains_itself(net: Net) -> None:
    p = net.person(1)  # Hebei retiree, employee insurance, 3200 yuan in the account
    mdtrt_id, total = await open_visit(net, p)
    pre = await net.his.pre_settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
    settled = await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
    s = settled.setlinfo
    assert_identities(s)
    assert s.setl_id.startswith(REGION)
    assert s.medfee_sumamt == total
    # 就医地目录: the class-C line is full self-pay; 参保地政策: Hebei's 200-yuan deductible.
    assert s.fulamt_ownpay_amt >= 402
    assert s.act_pay_dedc == min(20000, s.inscp_scp_amt)
    assert [x.step for x in s.setl_proc_info][:4] == ["scope", "filing", "deductible", "ratio"]
    assert s.setldetail and s.setldetail[0].fund_pay_type == "310100"
    # pre-settlement equals the settlement when nothing happened in between
    for field in ("fund_pay_sumamt", "hifp_pay", "acct_pay", "psn_cash_pay", "act_pay_dedc"):
        assert getattr(pre.setlinfo, field) == getattr(s, field), field
    assert pre.setlinfo.setl_id == ""


async def test_presettle_changes_no_database(net: Net) -> None:
    p = net.person(0)
    mdtrt_id, total = await open_visit(net, p)
    before = net.snapshot()
    await net.his.pre_settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
    await net.his.pre_settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
    assert net.snapshot() == before


async def test_settle_then_revoke_restores_accumulators_and_account(net: Net) -> None:
    p = net.person(1)
    mdtrt_id, total = await open_visit(net, p)
    insured_db = net.net.provinces["13"].db
    day = date(2026, 10, 15)
    before = insured_db.transact_sync(persons.state, p, "11", day)
    s = (await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
    during = insured_db.transact_sync(persons.state, p, "11", day)
    assert during.acct_balc == before.acct_balc - s.acct_pay
    assert during.fund_paid_year == before.fund_paid_year + s.hifp_pay
    assert during.dedc_used_year == before.dedc_used_year + s.act_pay_dedc
    rev = (await net.his.revoke(REGION, s.setl_id, mdtrt_id, p.psn_no)).setlinfo
    assert rev.init_setl_id == s.setl_id and rev.refd_setl_flag == "1"
    assert rev.medfee_sumamt == -s.medfee_sumamt and rev.fund_pay_sumamt == -s.fund_pay_sumamt
    assert insured_db.transact_sync(persons.state, p, "11", day) == before
    # history is kept: both records exist on the insured node
    q = await net.his.stub.QuerySettlement(
        treatment_pb2.QuerySettlementRequest(
            header=net.his.header("5203", REGION), mdtrt_id=mdtrt_id
        )
    )
    assert [x.setl_id for x in q.setlinfo] == [s.setl_id, rev.setl_id]
    # a second revocation is refused
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await net.his.revoke(REGION, s.setl_id, mdtrt_id, p.psn_no)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    # the visit can be settled again after revocation, with the same split
    again = (await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
    assert again.fund_pay_sumamt == s.fund_pay_sumamt and again.setl_id != s.setl_id


async def test_retried_msgid_returns_first_answer_and_charges_once(net: Net) -> None:
    p = net.person(0)
    mdtrt_id, total = await open_visit(net, p)
    msgid = net.his.msgid()
    first = await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total, msgid=msgid)
    after_first = net.snapshot()
    again = await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total, msgid=msgid)
    assert again == first
    assert net.snapshot() == after_first
    # concurrent duplicates of a new msgid also take effect once
    mdtrt2, total2 = await open_visit(net, net.person(1))
    m2 = net.his.msgid()
    results = await asyncio.gather(
        *(
            net.his.settle(REGION, mdtrt2, net.person(1).psn_no, "310", total2, msgid=m2)
            for _ in range(5)
        )
    )
    assert len({r.setlinfo.setl_id for r in results}) == 1


async def test_same_msgid_with_different_body_is_refused(net: Net) -> None:
    p = net.person(0)
    mdtrt_id, total = await open_visit(net, p)
    msgid = net.his.msgid()
    await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total, msgid=msgid)
    before = net.snapshot()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await net.his.settle(
            REGION, mdtrt_id, p.psn_no, p.insutype, total, msgid=msgid, acct_used=False
        )
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert "header.msgid" in err.value.details()
    assert net.snapshot() == before


async def test_a_settled_visit_cannot_be_settled_twice_under_a_new_msgid(net: Net) -> None:
    p = net.person(0)
    mdtrt_id, total = await open_visit(net, p)
    await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_hub_journals_every_routed_message(net: Net) -> None:
    p = net.person(0)
    await net.his.query_person(REGION, p.certno)
    mdtrt_id, total = await open_visit(net, p)
    await net.his.pre_settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
    s = await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
    async with grpc.aio.insecure_channel(net.net.hub.endpoint) as ch:
        hub = hub_pb2_grpc.HubServiceStub(ch)
        entries = (await hub.QueryJournal(hub_pb2.JournalQuery(limit=10))).entries
        nodes = (await hub.ListNodes(hub_pb2.ListNodesRequest())).nodes
    assert [e.infno for e in reversed(entries)] == ["1101", "2206", "2207"]
    assert entries[0].setl_id == s.setlinfo.setl_id
    assert entries[0].from_province == "11" and entries[0].to_province == "13"
    assert {n.province_code for n in nodes} == {"11", "13"}


async def test_every_node_serves_health_and_reflection(net: Net) -> None:
    endpoints = [net.net.hub.endpoint] + [n.endpoint for n in net.net.provinces.values()]
    for endpoint in endpoints:
        async with grpc.aio.insecure_channel(endpoint) as ch:
            health = health_pb2_grpc.HealthStub(ch)
            status = await health.Check(health_pb2.HealthCheckRequest(service=""))
            assert status.status == health_pb2.HealthCheckResponse.SERVING
            refl = reflection_pb2_grpc.ServerReflectionStub(ch)
            answers = [
                r
                async for r in refl.ServerReflectionInfo(
                    iter([reflection_pb2.ServerReflectionRequest(list_services="")])
                )
            ]
            names = {s.name for s in answers[0].list_services_response.service}
            assert "grpc.health.v1.Health" in names
            if endpoint == net.net.hub.endpoint:
                assert "settlenet.v1.HubService" in names
            else:
                assert {"settlenet.v1.TreatmentService", "settlenet.v1.InsuredService"} <= names


async def test_insured_node_down_gives_unavailable_and_changes_nothing(net: Net) -> None:
    p = net.person(0)
    mdtrt_id, total = await open_visit(net, p)
    await net.net.provinces["13"].running.server.stop(None)
    before = net.snapshot()
    net.his.timeout = 5
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "130100" in err.value.details()
    # Nothing changed but the msgid now in doubt on both forwarding nodes (docs/exactly-once.md:
    # they resolve it once the insured node answers again).
    after = net.snapshot()
    doubts = {k: after.pop(k) for k in ("hub.in_doubt", "province-11.in_doubt")}
    assert after == {k: v for k, v in before.items() if k not in doubts}
    assert [len(rows) for rows in doubts.values()] == [1, 1]
    assert all("pending" in rows[0] for rows in doubts.values())


async def test_a_person_treated_in_their_insured_province_settles_and_revokes(net: Net) -> None:
    # Treatment and insured roles share one node (and database) here: each journals the same
    # msgid for its own part, so neither may take the other's entry for a reused msgid.
    hebei = net.net.provinces[INSURED]
    inst = next(i for i in hebei.data.institutions.values() if i.medins_lv == "3")
    channel = grpc.aio.insecure_channel(hebei.endpoint)
    try:
        his = His(channel, inst.fixmedins_code, inst.admdvs)
        p = net.person(1)
        lines = [Line("XA09001A00101010000001", "2", 1449)]
        mdtrt_id = await his.register(REGION, p.psn_no, p.insutype, VISIT_TIME)
        await his.upload(REGION, mdtrt_id, p.psn_no, lines, FEE_TIME)
        s = (await his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, 2898)).setlinfo
        assert_identities(s)
        assert s.medfee_sumamt == 2898 and s.setl_id
        rev = (await his.revoke(REGION, s.setl_id, mdtrt_id, p.psn_no)).setlinfo
        assert rev.init_setl_id == s.setl_id and rev.medfee_sumamt == -2898
    finally:
        await channel.close()
