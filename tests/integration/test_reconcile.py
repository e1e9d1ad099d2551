"""Reconciliation across a running network: after traffic every node agrees with the hub, the
totals equal a direct sum over the settlement records, and a record one side lacks is named."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import delete, func, select

from national_hub.adapters.tables import hub_settlements
from provincial_nodes.adapters.tables import insured_settlements
from scripts import network, reconcile
from services.pb.settlenet.v1 import reconcile_pb2, reconcile_pb2_grpc
from services.reconcile import servicer as reconcile_servicer
from services.reconcile.servicer import all_details, records_of
from tests.conftest import REGION, Net, open_visit


def _doc(net: Net) -> dict:
    nodes = {c: (n.endpoint, n.cfg.db_url) for c, n in net.net.provinces.items()}
    return network.describe(net.net.hub.endpoint, nodes, net.data)


async def test_after_traffic_every_side_agrees_and_a_lost_record_is_named(net: Net) -> None:
    settled = []
    for i in (0, 1, 5):
        p = net.person(i)
        mdtrt_id, total = await open_visit(net, p)
        s = (await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
        settled.append(s)
        if i == 1:
            await net.his.revoke(REGION, s.setl_id, mdtrt_id, p.psn_no)

    report = await reconcile.run(_doc(net), "", "")
    assert report["differences"] == 0, reconcile.render(report)
    [hub_row] = report["hub_totals"]
    assert (hub_row["treatment"], hub_row["insured"], hub_row["count"]) == ("11", "13", 4)
    db = net.net.provinces["13"].db
    direct = db.transact_sync(
        lambda c: c.execute(select(func.sum(insured_settlements.c.fund_pay_sumamt))).scalar_one()
    )
    assert (
        hub_row["fund_pay_sumamt"]
        == direct
        == sum(s.fund_pay_sumamt for i, s in enumerate(settled) if i != 1)
    )

    # A day without traffic has nothing to reconcile.
    empty = await reconcile.run(_doc(net), "2020-01-01", "2020-01-01")
    assert empty["differences"] == 0 and empty["hub_totals"] == []

    # The hub loses one record: both provinces' comparisons name it and who holds it.
    lost = settled[2].setl_id
    net.net.hub.db.transact_sync(
        lambda c: c.execute(delete(hub_settlements).where(hub_settlements.c.setl_id == lost))
    )
    report = await reconcile.run(_doc(net), "", "")
    texts = [d["text"] for c in report["comparisons"] for d in c["differences"]]
    assert report["differences"] == 2
    assert all(
        t.startswith(f"{lost} (msgid {settled[2].medins_setl_id}): only province") for t in texts
    ), texts
    # No node is resolving its msgid: a real difference, not one in doubt.
    assert all(t.endswith("a real difference (no node is resolving its msgid)") for t in texts)
    assert (report["in_doubt"], report["real_differences"]) == (0, 2)


async def test_details_pages_cover_every_record_once_and_bad_paging_is_named(
    net: Net, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(5):  # several in one second: the setl_id breaks setl_time's ties
        p = net.person(i)
        mdtrt_id, total = await open_visit(net, p)
        await net.his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
    async with grpc.aio.insecure_channel(net.net.hub.endpoint) as ch:
        stub = reconcile_pb2_grpc.ReconcileServiceStub(ch)
        whole = records_of(await stub.Details(reconcile_pb2.ReconcileQuery(), timeout=10))
        assert len(whole) == 5
        for size in (1, 2, 5):
            assert await all_details(stub, page_size=size) == whole
        first = await stub.Details(reconcile_pb2.ReconcileQuery(page_size=2), timeout=10)
        assert len(first.records) == 2 and first.next_page_token
        last = await stub.Details(reconcile_pb2.ReconcileQuery(page_size=5), timeout=10)
        assert len(last.records) == 5 and last.next_page_token == ""

        for query, field in (
            (reconcile_pb2.ReconcileQuery(page_size=-1), "page_size"),
            (reconcile_pb2.ReconcileQuery(page_size=10_001), "page_size"),
            (reconcile_pb2.ReconcileQuery(page_size=2, page_token="x|y"), "page_token"),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await stub.Details(query, timeout=10)
            assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert field in (err.value.details() or ""), err.value.details()

        assert (await reconcile.run(_doc(net), "", ""))["differences"] == 0  # paging clients

        # More records than one answer holds: "all at once" is refused, paging still works.
        monkeypatch.setattr(reconcile_servicer, "MAX_PAGE", 3)
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.Details(reconcile_pb2.ReconcileQuery(), timeout=10)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "page_size" in (err.value.details() or "")
        assert await all_details(stub, page_size=3) == whole
