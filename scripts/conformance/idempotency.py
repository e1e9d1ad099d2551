"""Idempotency checks: a msgid is one transaction. Sent again with the same body it gets the
first answer and changes nothing; sent again with another body it is refused with
ALREADY_EXISTS and changes nothing (docs/exactly-once.md)."""

from __future__ import annotations

import grpc

from scripts.conformance.context import Context
from scripts.conformance.registry import Evidence, check
from services.rpc.status import describe_rpc_error, details_of


@check("idempotency.same_msgid_same_answer")
async def same_msgid_same_answer(ctx: Context, ev: Evidence) -> None:
    """A 2207 sent twice with one msgid and one body gets the same setlinfo both times."""
    visit = await ctx.open_visit()
    try:
        req = ctx.settle_request("2207", visit)
        ev.request("2207", req)
        first = await ctx.send_settle(req)
        ev.answer("2207", first.setlinfo)
        again = await ctx.send_settle(req)
        ev.answer("2207 again (same msgid, same body)", again.setlinfo)
        ev.expect(first.setlinfo == again.setlinfo, "the same setlinfo", "another one")
        ev.expect(
            again.header.msgid in ("", req.header.msgid),
            f"header.msgid {req.header.msgid}",
            again.header.msgid,
        )
    finally:
        await ctx.cleanup(visit, ev)


@check("idempotency.retry_changes_nothing")
async def retry_changes_nothing(ctx: Context, ev: Evidence) -> None:
    """A retried 2207 (same msgid, same body) changes nothing: reconciliation totals, the
    visit's settlements and 5203's account of the msgid are as after the first."""
    visit = await ctx.open_visit()
    try:
        req = ctx.settle_request("2207", visit)
        first = await ctx.send_settle(req)
        ev.answer("2207", first.setlinfo)
        after_first = await ctx.observe(visit, ev, "after the first 2207")
        await ctx.send_settle(req)
        after_retry = await ctx.observe(visit, ev, "after the retry")
        ev.expect(after_first == after_retry, "nothing changed by the retry", after_retry)
        status = await ctx.status(req.header.msgid)
        ev.answer("5203", status)
        ev.expect(
            status.state == "done" and status.setlinfo.setl_id == first.setlinfo.setl_id,
            f"5203: done, setl_id {first.setlinfo.setl_id}",
            {"state": status.state, "setl_id": status.setlinfo.setl_id},
        )
    finally:
        await ctx.cleanup(visit, ev)


@check("idempotency.other_body_already_exists")
async def other_body_already_exists(ctx: Context, ev: Evidence) -> None:
    """A msgid sent again with another body (another medfee_sumamt) is refused with
    ALREADY_EXISTS and changes nothing."""
    visit = await ctx.open_visit()
    try:
        req = ctx.settle_request("2207", visit)
        await ctx.send_settle(req)
        before = await ctx.observe(visit, ev, "after the 2207")
        other = ctx.settle_request("2207", visit, req.header.msgid, medfee_sumamt=visit.total + 100)
        ev.request("2207 same msgid, medfee_sumamt + 100", other)
        try:
            res = await ctx.send_settle(other)
            ev.answer("2207", res.setlinfo)
            ev.expect(False, "ALREADY_EXISTS", "an answer")
        except grpc.RpcError as exc:
            ev.answer("2207", describe_rpc_error(exc))
            ev.expect(
                exc.code() == grpc.StatusCode.ALREADY_EXISTS, "ALREADY_EXISTS", exc.code().name
            )
            fields = [f for f, _ in details_of(exc)[0]]
            ev.note(f"fields named: {fields}")
        after = await ctx.observe(visit, ev, "after the refusal")
        ev.expect(before == after, "nothing changed by the refused call", after)
    finally:
        await ctx.cleanup(visit, ev)


@check("idempotency.revoke_same_msgid_same_answer")
async def revoke_same_msgid_same_answer(ctx: Context, ev: Evidence) -> None:
    """A 2208 sent twice with one msgid gets the same revocation record and changes nothing
    the second time."""
    visit = await ctx.open_visit()
    try:
        settled = (await ctx.settle(visit)).setlinfo
        msgid = ctx.his.msgid()
        first = await ctx.revoke(visit, settled.setl_id, msgid)
        ev.answer("2208", first.setlinfo)
        before = await ctx.observe(visit, ev, "after the 2208")
        again = await ctx.revoke(visit, settled.setl_id, msgid)
        ev.answer("2208 again (same msgid)", again.setlinfo)
        ev.expect(first.setlinfo == again.setlinfo, "the same revocation record", "another one")
        after = await ctx.observe(visit, ev, "after the retry")
        ev.expect(before == after, "nothing changed by the retry", after)
    finally:
        await ctx.cleanup(visit, ev)
