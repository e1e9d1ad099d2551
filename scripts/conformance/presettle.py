"""Pre-settlement checks: 2206 computes the split and commits nothing — the node's totals, the
visit's settlements and 5203 are as before — and the 2207 that follows splits the same."""

from __future__ import annotations

from scripts.conformance.context import Context
from scripts.conformance.registry import Evidence, check
from scripts.conformance.split import amounts


@check("presettle.commits_nothing")
async def commits_nothing(ctx: Context, ev: Evidence) -> None:
    """After a 2206 the reconciliation totals and QuerySettlement are as before, and 5203 knows
    no settlement of its msgid."""
    visit = await ctx.open_visit()
    try:
        before = await ctx.observe(visit, ev, "before the 2206")
        msgid = ctx.his.msgid()
        res = await ctx.pre_settle(visit, msgid)
        after = await ctx.observe(visit, ev, "after the 2206")
        ev.expect(before == after, "no settlement recorded by the 2206", after)
        status = await ctx.status(msgid)
        ev.answer("5203 of the 2206 msgid", status)
        ev.expect(
            not status.setlinfo.setl_id,
            "5203 shows no settlement for the 2206's msgid",
            status.setlinfo.setl_id,
        )
        ev.expect(not res.setlinfo.setl_id, "no setl_id in the 2206 answer", res.setlinfo.setl_id)
    finally:
        await ctx.cleanup(visit, ev)


@check("presettle.same_split_as_settle")
async def same_split_as_settle(ctx: Context, ev: Evidence) -> None:
    """The 2207 of a visit splits exactly as its 2206 said it would."""
    visit = await ctx.open_visit()
    try:
        pre = (await ctx.pre_settle(visit)).setlinfo
        ev.answer("2206", amounts(pre))
        settled = (await ctx.settle(visit)).setlinfo
        ev.answer("2207", amounts(settled))
        ev.expect(amounts(pre) == amounts(settled), "the same amounts", "others")
    finally:
        await ctx.cleanup(visit, ev)
