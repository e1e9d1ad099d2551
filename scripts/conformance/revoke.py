"""Revocation checks: 2207 then 2208 leaves the books as before — the reconciliation totals'
amounts restored (with one more settlement and one revocation record counted), 5203 showing the
settlement reversed, QuerySettlement showing both records — and a second revocation of the same
settlement is refused."""

from __future__ import annotations

import grpc

from scripts.conformance.context import Context
from scripts.conformance.registry import Evidence, check
from services.rpc.status import describe_rpc_error


@check("revoke.restores_reconciliation")
async def restores_reconciliation(ctx: Context, ev: Evidence) -> None:
    """After 2207 then 2208 the node's reconciliation amounts (medfee_sumamt, fund_pay_sumamt,
    acct_pay) are as before, and its count is two more (the settlement and its revocation)."""
    visit = await ctx.open_visit()
    try:
        before = await ctx.totals()
        ev.answer("totals before", before)
        settled = (await ctx.settle(visit)).setlinfo
        ev.answer("2207", settled)
        mid = await ctx.totals()
        ev.answer("totals after the 2207", mid)
        ev.expect(
            mid["count"] == before["count"] + 1
            and mid["medfee_sumamt"] == before["medfee_sumamt"] + settled.medfee_sumamt,
            "one more settlement of this medfee_sumamt",
            mid,
        )
        await ctx.revoke(visit, settled.setl_id)
        after = await ctx.totals()
        ev.answer("totals after the 2208", after)
        want = dict(before, count=before["count"] + 2)
        ev.expect(after == want, f"amounts restored, count + 2: {want}", after)
    finally:
        await ctx.cleanup(visit, ev)


@check("revoke.msgid_status_shows_reversal")
async def msgid_status_shows_reversal(ctx: Context, ev: Evidence) -> None:
    """5203 of the 2207's msgid answers done with the settlement and its reversal; 5203 of the
    2208's msgid answers done with the revocation record."""
    visit = await ctx.open_visit()
    try:
        settle_msgid, revoke_msgid = ctx.his.msgid(), ctx.his.msgid()
        settled = (await ctx.settle(visit, settle_msgid)).setlinfo
        await ctx.revoke(visit, settled.setl_id, revoke_msgid)
        s = await ctx.status(settle_msgid)
        ev.answer("5203 of the 2207", s)
        ev.expect(
            s.state == "done"
            and s.setlinfo.setl_id == settled.setl_id
            and s.reversal.init_setl_id == settled.setl_id,
            f"done, setl_id {settled.setl_id}, reversal of it",
            {"state": s.state, "setl_id": s.setlinfo.setl_id, "reversal": s.reversal.setl_id},
        )
        r = await ctx.status(revoke_msgid)
        ev.answer("5203 of the 2208", r)
        ev.expect(
            r.state == "done" and r.setlinfo.init_setl_id == settled.setl_id,
            f"done, a revocation record of {settled.setl_id}",
            {"state": r.state, "init_setl_id": r.setlinfo.init_setl_id},
        )
    finally:
        await ctx.cleanup(visit, ev)


@check("revoke.query_shows_revocation")
async def query_shows_revocation(ctx: Context, ev: Evidence) -> None:
    """QuerySettlement of the visit after 2207 and 2208 shows the settlement and a revocation
    record naming it."""
    visit = await ctx.open_visit()
    try:
        settled = (await ctx.settle(visit)).setlinfo
        await ctx.revoke(visit, settled.setl_id)
        records = await ctx.settlements(visit)
        ev.answer(
            "QuerySettlement", [(r.setl_id, r.refd_setl_flag, r.init_setl_id) for r in records]
        )
        ev.expect(
            any(r.setl_id == settled.setl_id and r.refd_setl_flag != "1" for r in records)
            and any(r.init_setl_id == settled.setl_id and r.refd_setl_flag == "1" for r in records),
            f"settlement {settled.setl_id} and a revocation record of it",
            len(records),
        )
    finally:
        await ctx.cleanup(visit, ev)


@check("revoke.second_revocation_refused")
async def second_revocation_refused(ctx: Context, ev: Evidence) -> None:
    """A second 2208 (a new msgid) of a settlement already revoked is refused with
    FAILED_PRECONDITION and changes nothing."""
    visit = await ctx.open_visit()
    try:
        settled = (await ctx.settle(visit)).setlinfo
        await ctx.revoke(visit, settled.setl_id)
        before = await ctx.observe(visit, ev, "after the 2208")
        try:
            res = await ctx.revoke(visit, settled.setl_id)
            ev.answer("second 2208", res.setlinfo)
            ev.expect(False, "FAILED_PRECONDITION", "an answer")
        except grpc.RpcError as exc:
            ev.answer("second 2208", describe_rpc_error(exc))
            ev.expect(
                exc.code() == grpc.StatusCode.FAILED_PRECONDITION,
                "FAILED_PRECONDITION",
                exc.code().name,
            )
        after = await ctx.observe(visit, ev, "after the second 2208")
        ev.expect(before == after, "nothing changed", after)
    finally:
        await ctx.cleanup(visit, ev)
