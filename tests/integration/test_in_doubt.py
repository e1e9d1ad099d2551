"""Nothing left in doubt (docs/exactly-once.md): a hospital that goes away mid-2207 does not stop
the nodes from recording what happened; a forward that ends without an answer is resolved by the
forwarding node itself — recorded when it took effect, burned (presumed abort) when it did not —
and ``settlenet resolve`` resolves on demand. Real servers on port 0."""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import grpc
import pytest
from sqlalchemy import select

from provincial_nodes import config
from scripts import connect, network
from scripts import reconcile as recon_cmd
from scripts import resolve as resolve_cmd
from scripts.clients.his import His, Line
from services.faults import transport as faults
from services.pb.settlenet.v1 import correction_pb2, correction_pb2_grpc
from services.rpc import inflight
from tests.conftest import FEE_TIME, REGION, VISIT_TIME
from tests.faultnet import converged, fault_network, ledger_problems, live_settlements

TREAT, INSURED = "11", "13"


def _doc(net: network.Network) -> dict[str, Any]:
    return {
        "hub": {"endpoint": net.hub.endpoint},
        "provinces": {c: {"endpoint": p.endpoint} for c, p in net.provinces.items()},
    }


def _rows(db: Any, table: Any) -> list[Any]:
    return list(db.transact_sync(lambda c: c.execute(select(table)).all()))


async def test_hospitals_that_cancel_each_2207_leave_no_difference(tmp_path: Path) -> None:
    """500 visits whose hospital cancels its 2207 0-20 ms after sending it and then does
    nothing more: within 10 s of the last call every node agrees, with no correction."""
    seed = int(os.environ.get("SETTLENET_SEED") or random.randrange(1 << 30))
    visits = int(os.environ.get("SETTLENET_CANCEL_VISITS", "500"))
    print(f"cancelled 2207s: seed {seed} (SETTLENET_SEED={seed} repeats this run)")
    rng = random.Random(seed)
    net = await network.start(tmp_path, (TREAT, INSURED))
    beijing = net.provinces[TREAT].data
    hebei = config.load(config.province_folder(INSURED))
    inst = next(i for i in beijing.institutions.values() if i.medins_lv == "3")
    code = next(
        e.med_list_codg for e in beijing.catalogue.entries() if e.name.startswith("普通门诊诊查费")
    )
    channel = grpc.aio.insecure_channel(net.provinces[TREAT].endpoint)
    his = His(channel, inst.fixmedins_code, inst.admdvs)
    outcomes: dict[str, int] = {}
    try:
        gate = asyncio.Semaphore(25)

        async def prepare(i: int) -> tuple[Any, str, int]:
            async with gate:
                p = hebei.persons[i % len(hebei.persons)]
                line = Line(code, "1", 500 + i)
                mdtrt_id = await his.register(REGION, p.psn_no, p.insutype, VISIT_TIME)
                await his.upload(REGION, mdtrt_id, p.psn_no, [line], FEE_TIME)
                return p, mdtrt_id, line.amount()

        prepared = await asyncio.wait_for(
            asyncio.gather(*(prepare(i) for i in range(visits))), timeout=240
        )

        # Two hospitals' calls at a time: the whole network shares this process, and a call
        # queued longer than its 0-20 ms never reaches the node (nothing to check then).
        calling = asyncio.Semaphore(2)

        async def cancel_after(p: Any, mdtrt_id: str, total: int, delay_s: float) -> None:
            async with calling:
                call = his.stub.Settle(
                    his.settle_request("2207", REGION, mdtrt_id, p.psn_no, p.insutype, total),
                    timeout=10,
                )
                await asyncio.sleep(delay_s)
                call.cancel()  # as a HIS does when its own timeout fires; then nothing more
                try:
                    await call
                    kind = "answered before the cancel"
                except asyncio.CancelledError:
                    kind = "cancelled"
                except grpc.aio.AioRpcError as exc:
                    kind = exc.code().name
                outcomes[kind] = outcomes.get(kind, 0) + 1

        await asyncio.wait_for(
            asyncio.gather(*(cancel_after(p, m, t, rng.uniform(0, 0.020)) for p, m, t in prepared)),
            timeout=240,
        )
        last_call = time.monotonic()
        fn = SimpleNamespace(net=net, doc=lambda: _doc(net))
        report = await converged(fn, timeout_s=10)  # type: ignore[arg-type]
        took = time.monotonic() - last_call
        print(f"cancelled 2207s: {outcomes}; every node agreed {took:.1f}s after the last call")
        assert report["differences"] == 0 and not report["still_pending"], (
            f"seed {seed}: " + recon_cmd.render(report)
        )
        assert took <= 10.5, f"seed {seed}: converged only after {took:.1f}s"
        assert outcomes.get("cancelled", 0) > 0, outcomes
        assert ledger_problems(fn) == []  # type: ignore[arg-type]
        # No correction was needed, nor sent: every forward was recorded as answered.
        from national_hub.adapters.tables import in_doubt as hub_in_doubt
        from provincial_nodes.adapters.tables import in_doubt as node_in_doubt

        states = {r.state for r in _rows(net.provinces[TREAT].db, node_in_doubt)}
        states |= {r.state for r in _rows(net.hub.db, hub_in_doubt)}
        assert states <= {"done"}, f"seed {seed}: {states}"
        live = live_settlements(fn)  # type: ignore[arg-type]
        settled = sum(1 for v in live[f"insured {INSURED}"].values() if v)
        print(f"cancelled 2207s: {settled} of {visits} visits settled on every node")
        assert settled == sum(1 for v in live[f"treatment {TREAT}"].values() if v)
        # Most calls were cancelled by the hospital, yet these took effect: the node recorded
        # them all the same.
        assert settled > visits // 10, f"seed {seed}: only {settled} settled"
    finally:
        await channel.close()
        await net.stop()


def _plan() -> faults.FaultPlan:
    return faults.FaultPlan(
        seed=1, rates={}, methods=frozenset({"Settle", "CommitSettlement"}), delay_s=0.3
    )


async def _open_visit(fn: Any, index: int) -> tuple[Any, str, int, His]:
    hebei = config.load(config.province_folder(INSURED))
    beijing = fn.net.provinces[TREAT].data
    p = hebei.persons[index]
    code = next(
        e.med_list_codg for e in beijing.catalogue.entries() if e.name.startswith("普通门诊诊查费")
    )
    his = fn.his(TREAT, attempts=1)
    mdtrt_id = await his.register_surely(REGION, p.psn_no, p.insutype, VISIT_TIME)
    lines = [Line(code, "1", 2500)]
    await his.upload_surely(REGION, mdtrt_id, p.psn_no, lines, FEE_TIME)
    return p, mdtrt_id, lines[0].amount(), his


async def test_a_2207_that_never_reached_the_hub_is_burned_by_the_treatment_node(
    tmp_path: Path,
) -> None:
    """Presumed abort: the insured place never saw it, so the treatment node burns it (2601
    through the hub) — the hospital's retry is told so, and the visit settles anew."""
    plan = _plan()
    async with fault_network(tmp_path, plan, (TREAT, INSURED)) as fn:
        p, mdtrt_id, total, his = await _open_visit(fn, 1)
        request = his.settle_request("2207", REGION, mdtrt_id, p.psn_no, p.insutype, total)
        msgid = request.header.msgid
        plan.forced[("treatment->hub", msgid)] = "drop_request"
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await his.stub.Settle(request, timeout=5)
        assert err.value.code() == grpc.StatusCode.UNAVAILABLE
        report = await converged(fn)
        assert report["differences"] == 0 and not report["still_pending"], report
        status = await his.message_status(REGION, msgid, follow=True)
        assert (status.state, status.hub.state, status.insured.state) == ("burned",) * 3
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await his.stub.Settle(request, timeout=5)
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert not any(live_settlements(fn)[n].get(mdtrt_id) for n in live_settlements(fn))
        s = (await his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
        assert s.setl_id and (await converged(fn))["differences"] == 0
        assert ledger_problems(fn) == []


async def test_settlenet_resolve_resolves_what_is_pending_now_and_says_what_it_became(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Neither the immediate nor the periodic resolution: what is pending stays so until asked.
    monkeypatch.setattr(inflight, "RETRY_BACKOFF_S", (60.0,))
    monkeypatch.setattr(inflight.Resolver, "start", lambda self: None)
    plan = _plan()
    async with fault_network(tmp_path, plan, (TREAT, INSURED)) as fn:
        p, mdtrt_id, total, his = await _open_visit(fn, 2)
        request = his.settle_request("2207", REGION, mdtrt_id, p.psn_no, p.insutype, total)
        msgid = request.header.msgid
        plan.forced[("hub->insured", msgid)] = "drop_response"  # committed at Hebei only
        with pytest.raises(grpc.aio.AioRpcError):
            await his.stub.Settle(request, timeout=5)
        # Both forwarding nodes hold it pending; reconcile says the difference is in doubt.
        pending = await recon_cmd.pending_in_doubt(fn.doc())
        assert sorted(pending[msgid]) == ["hub", f"treatment {TREAT}"]
        report = await recon_cmd.run(fn.doc(), "", "")
        assert report["differences"] and report["real_differences"] == 0, report
        assert all(
            d["msgid"] == msgid and d["in_doubt"]
            for c in report["comparisons"]
            for d in c["differences"]
        )
        async with connect.operator(fn.doc()) as ch:
            listed = await correction_pb2_grpc.CorrectionServiceStub(ch).ListInDoubt(
                correction_pb2.InDoubtQuery(), timeout=5
            )
        assert [(m.msgid, m.state, m.downstream) for m in listed.messages] == [
            (msgid, "pending", INSURED)
        ]
        out = await resolve_cmd.run(fn.doc())
        assert out["still_pending"] == 0 and not out["unreachable"]
        assert (f"treatment {TREAT}", msgid, "done") in {
            (m["node"], m["msgid"], m["state"]) for m in out["resolved"]
        }
        assert {(m["node"], m["msgid"], m["state"]) for m in out["resolved"]} <= {
            (f"treatment {TREAT}", msgid, "done"),
            ("hub", msgid, "done"),
        }
        print(resolve_cmd.render(out))
        assert msgid in capsys.readouterr().out
        assert (await recon_cmd.run(fn.doc(), "", ""))["differences"] == 0
        again = await his.stub.Settle(request, timeout=5)  # the retry answers what it became
        assert again.setlinfo.medins_setl_id == msgid
        assert ledger_problems(fn) == []
