"""2601 correction and the 5203-style msgid status, one fault at a time (forced by the fault
transport on a chosen hop): a msgid that never took effect is burned, one that took effect
only at the insured place is reversed and recorded on every node, a late arrival after its
correction is refused everywhere, and bad input changes nothing."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import grpc
import pytest

from provincial_nodes import config
from services.faults import transport as faults
from services.rpc.status import details_of
from tests.conftest import FEE_TIME, REGION, VISIT_TIME, Net
from tests.faultnet import (
    FaultNet,
    converged,
    fault_network,
    ledger_problems,
    live_settlements,
    reconciliation,
)

TREAT, INSURED = "11", "13"


def _plan() -> faults.FaultPlan:
    return faults.FaultPlan(
        seed=1, rates={}, methods=frozenset({"Settle", "CommitSettlement"}), delay_s=0.3
    )


async def _visit(fn: FaultNet, index: int) -> tuple[object, str, int, object]:
    from scripts.clients.his import Line

    hebei = config.load(config.province_folder(INSURED))
    beijing = fn.net.provinces[TREAT].data
    p = hebei.persons[index]
    code = next(
        e.med_list_codg for e in beijing.catalogue.entries() if e.name.startswith("普通门诊诊查费")
    )
    lines = [Line(code, "1", 2500), Line(code, "2", 2500)]
    his = fn.his(TREAT, attempts=1)
    mdtrt_id = await his.register_surely(REGION, p.psn_no, p.insutype, VISIT_TIME)
    await his.upload_surely(REGION, mdtrt_id, p.psn_no, lines, FEE_TIME)
    return p, mdtrt_id, sum(x.amount() for x in lines), his


def _balance(fn: FaultNet, psn_no: str) -> int:
    from provincial_nodes.adapters import persons

    return int(fn.net.provinces[INSURED].db.transact_sync(persons.balance, psn_no))


async def _refused(call: object) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call  # type: ignore[misc]
    return err.value.code(), details_of(err.value)[1]


async def test_a_settlement_that_never_arrived_is_burned_and_a_late_retry_refused(
    tmp_path: Path,
) -> None:
    plan = _plan()
    async with fault_network(tmp_path, plan, (TREAT, INSURED)) as fn:
        p, mdtrt_id, total, his = await _visit(fn, 1)
        request = his.settle_request("2207", REGION, mdtrt_id, p.psn_no, p.insutype, total)
        msgid = request.header.msgid
        plan.forced[("his->treatment", msgid)] = "drop_request"
        code, _ = await _refused(his.stub.Settle(request, timeout=5))
        assert code == grpc.StatusCode.UNAVAILABLE

        result = await his.correct(REGION, p.psn_no, msgid)
        assert result.outcome == "burned" and not result.original.setl_id
        assert await his.correct(REGION, p.psn_no, msgid) is not None  # a new correction
        # A late arrival of the original is refused at the treatment node, and at the insured
        # node if it gets there (asked directly through the hub's route by its status).
        code, reason = await _refused(his.stub.Settle(request, timeout=5))
        assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "MSGID_BURNED")
        status = await his.message_status(REGION, msgid, follow=True)
        assert (status.node, status.state) == ("treatment 11", "burned")
        assert (status.insured.node, status.insured.state) == ("insured 13", "burned")
        assert not any(live_settlements(fn)[n].get(mdtrt_id) for n in live_settlements(fn))

        # The visit settles under a new msgid.
        s = (await his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
        assert s.setl_id and s.medfee_sumamt == total
        assert (await reconciliation(fn))["differences"] == 0
        assert ledger_problems(fn) == []


async def test_a_settlement_whose_answer_was_lost_is_recorded_everywhere_then_reversed(
    tmp_path: Path,
) -> None:
    plan = _plan()
    async with fault_network(tmp_path, plan, (TREAT, INSURED)) as fn:
        p, mdtrt_id, total, his = await _visit(fn, 5)
        before = _balance(fn, p.psn_no)
        request = his.settle_request("2207", REGION, mdtrt_id, p.psn_no, p.insutype, total)
        msgid = request.header.msgid
        plan.forced[("hub->insured", msgid)] = "drop_response"  # committed at Hebei only
        code, _ = await _refused(his.stub.Settle(request, timeout=5))
        assert code == grpc.StatusCode.UNAVAILABLE
        assert _balance(fn, p.psn_no) < before  # the account paid at the insured place

        # The hub and the treatment node resolve it by themselves (docs/exactly-once.md): it
        # took effect at Hebei, so every node records it, and no correction was sent.
        report = await converged(fn)
        assert report["differences"] == 0, report
        live = live_settlements(fn)
        [setl_id] = live[f"insured {INSURED}"][mdtrt_id]
        assert live[f"treatment {TREAT}"][mdtrt_id] == {setl_id}
        assert live["hub"][mdtrt_id] == {"1 live"}
        assert ledger_problems(fn) == []
        status = await his.message_status(REGION, msgid, follow=True)
        assert (status.state, status.hub.state, status.insured.state) == ("done",) * 3
        original = status.insured.setlinfo
        assert original.medins_setl_id == msgid and original.medfee_sumamt == total
        # The hospital's retry of the msgid answers the settlement; it is not forwarded again.
        again = await his.stub.Settle(request, timeout=5)
        assert again.setlinfo.setl_id == original.setl_id
        assert fn.injector.summary() == {"hub->insured drop_response": 1}

        # A hospital that still wants it undone corrects it: reversed on every node.
        result = await his.correct(REGION, p.psn_no, msgid)
        assert result.outcome == "reversed"
        assert result.original.setl_id == original.setl_id
        assert result.reversal.init_setl_id == original.setl_id
        assert result.reversal.fund_pay_sumamt == -original.fund_pay_sumamt
        assert _balance(fn, p.psn_no) == before
        assert (await reconciliation(fn))["differences"] == 0
        live = live_settlements(fn)
        assert not any(live[n].get(mdtrt_id) for n in live), live
        assert ledger_problems(fn) == []
        code, reason = await _refused(his.stub.Settle(request, timeout=5))
        assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "MSGID_CORRECTED")
        status = await his.message_status(REGION, msgid, follow=True)
        assert (status.state, status.insured.state) == ("corrected", "corrected")
        assert status.reversal.setl_id == result.reversal.setl_id

        # Correcting again changes nothing: it says the original is already reversed.
        again_c = await his.correct(REGION, p.psn_no, msgid)
        assert again_c.outcome == "already_reversed"
        assert again_c.reversal.setl_id == result.reversal.setl_id
        s = (await his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
        assert s.setl_id and (await reconciliation(fn))["differences"] == 0


async def test_a_request_delayed_past_its_deadline_arrives_after_the_burn_and_is_refused(
    tmp_path: Path,
) -> None:
    plan = _plan()
    async with fault_network(tmp_path, plan, (TREAT, INSURED)) as fn:
        p, mdtrt_id, total, his = await _visit(fn, 1)
        request = his.settle_request("2207", REGION, mdtrt_id, p.psn_no, p.insutype, total)
        msgid = request.header.msgid
        plan.forced[("treatment->hub", msgid)] = "delay"
        code, _ = await _refused(his.stub.Settle(request, timeout=5))
        assert code == grpc.StatusCode.UNAVAILABLE
        assert (await his.correct(REGION, p.psn_no, msgid)).outcome == "burned"
        await fn.injector.drain()  # the delayed 2207 reaches the hub and Hebei now
        assert fn.injector.summary() == {"treatment->hub delay": 1}
        live = live_settlements(fn)
        assert not any(live[n].get(mdtrt_id) for n in live), live
        assert (await reconciliation(fn))["differences"] == 0


async def test_a_correction_naming_a_revocation_or_another_hospital_is_refused_unchanged(
    tmp_path: Path,
) -> None:
    async with fault_network(tmp_path, _plan(), (TREAT, INSURED)) as fn:
        p, mdtrt_id, total, his = await _visit(fn, 1)
        s = (await his.settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
        before = Net.snapshot(SimpleNamespace(data=tmp_path))  # type: ignore[arg-type]
        for omsgid, oinfno, field in (
            (s.medins_setl_id, "2208", "oinfno"),
            ("H99999999999" + s.medins_setl_id[12:], "2207", "omsgid"),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await his.correct(REGION, p.psn_no, omsgid, oinfno)
            assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert details_of(err.value)[0][0][0] == field
        assert Net.snapshot(SimpleNamespace(data=tmp_path)) == before  # type: ignore[arg-type]
