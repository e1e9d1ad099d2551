"""Split checks: every settlement the node answers satisfies the identities of docs/domain.md
(the property tests check them over generated claims; here they are checked on the node's own
answers):

    medfee_sumamt = fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt + inscp_scp_amt
    medfee_sumamt = fund_pay_sumamt + acct_pay + psn_cash_pay
    fund_pay_sumamt = hifp_pay + cvlserv_pay + maf_pay = Σ setldetail.fund_payamt ≤ inscp_scp_amt
    psn_part_amt = acct_pay + psn_cash_pay
"""

from __future__ import annotations

from typing import Any

from scripts.conformance.context import Context
from scripts.conformance.registry import Evidence, check
from services.pb.settlenet.v1 import common_pb2

AMOUNTS = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "cvlserv_pay",
    "maf_pay",
    "fund_pay_sumamt",
    "psn_part_amt",
    "acct_pay",
    "psn_cash_pay",
)


def broken_identities(s: common_pb2.SetlInfo) -> list[str]:
    """Each identity ``s`` breaks, with its two sides (empty when all hold). A revocation
    record's amounts are negative: the inequalities are taken on the settlement's side."""
    sign = -1 if s.refd_setl_flag == "1" else 1
    bad: list[str] = []

    def eq(name: str, left: int, right: int) -> None:
        if left != right:
            bad.append(f"{name}: {left} != {right}")

    eq(
        "medfee_sumamt = fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt + inscp_scp_amt",
        s.medfee_sumamt,
        s.fulamt_ownpay_amt + s.overlmt_selfpay + s.preselfpay_amt + s.inscp_scp_amt,
    )
    eq(
        "medfee_sumamt = fund_pay_sumamt + acct_pay + psn_cash_pay",
        s.medfee_sumamt,
        s.fund_pay_sumamt + s.acct_pay + s.psn_cash_pay,
    )
    eq(
        "fund_pay_sumamt = hifp_pay + cvlserv_pay + maf_pay",
        s.fund_pay_sumamt,
        s.hifp_pay + s.cvlserv_pay + s.maf_pay,
    )
    eq(
        "fund_pay_sumamt = Σ setldetail.fund_payamt",
        s.fund_pay_sumamt,
        sum(d.fund_payamt for d in s.setldetail),
    )
    eq("psn_part_amt = acct_pay + psn_cash_pay", s.psn_part_amt, s.acct_pay + s.psn_cash_pay)
    if sign * s.fund_pay_sumamt > sign * s.inscp_scp_amt:
        bad.append(f"fund_pay_sumamt <= inscp_scp_amt: {s.fund_pay_sumamt} > {s.inscp_scp_amt}")
    for name in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay", "hifp_pay"):
        if sign * getattr(s, name) < 0:
            bad.append(f"{name} {'<= 0' if sign < 0 else '>= 0'}: {getattr(s, name)}")
    return bad


def amounts(s: common_pb2.SetlInfo) -> dict[str, Any]:
    return {k: getattr(s, k) for k in AMOUNTS} | {
        "setldetail": sorted((d.fund_pay_type, d.fund_payamt) for d in s.setldetail)
    }


def expect_identities(ev: Evidence, what: str, s: common_pb2.SetlInfo) -> None:
    ev.answer(what, amounts(s))
    bad = broken_identities(s)
    ev.expect(not bad, f"every identity of the split holds for the {what}", bad)


@check("split.presettle_identities")
async def presettle_identities(ctx: Context, ev: Evidence) -> None:
    """The 2206 answer's split satisfies every identity, and its medfee_sumamt is the visit's
    total."""
    visit = await ctx.open_visit()
    try:
        res = await ctx.pre_settle(visit)
        expect_identities(ev, "2206 setlinfo", res.setlinfo)
        ev.expect(
            res.setlinfo.medfee_sumamt == visit.total,
            f"medfee_sumamt {visit.total} (the uploaded lines)",
            res.setlinfo.medfee_sumamt,
        )
    finally:
        await ctx.cleanup(visit, ev)


@check("split.settle_identities")
async def settle_identities(ctx: Context, ev: Evidence) -> None:
    """The 2207 answer's split satisfies every identity, and its medfee_sumamt is the sum of
    the lines the node holds (5204 QueryFeeDetails)."""
    visit = await ctx.open_visit()
    try:
        res = await ctx.settle(visit)
        expect_identities(ev, "2207 setlinfo", res.setlinfo)
        fees = await ctx.his.query_fee_details(
            visit.person.insuplc_admdvs, visit.mdtrt_id, visit.person.psn_no
        )
        held = sum(f.result.det_item_fee_sumamt for f in fees.feedetail)
        ev.answer("5204 sum of det_item_fee_sumamt", held)
        ev.expect(
            res.setlinfo.medfee_sumamt == held == visit.total,
            f"medfee_sumamt = Σ fee lines = {visit.total}",
            {"medfee_sumamt": res.setlinfo.medfee_sumamt, "lines": held},
        )
    finally:
        await ctx.cleanup(visit, ev)


@check("split.revocation_negates")
async def revocation_negates(ctx: Context, ev: Evidence) -> None:
    """A 2208's revocation record carries exactly the negated amounts of the settlement it
    reverses, names it (init_setl_id, refd_setl_flag "1") and satisfies every identity."""
    visit = await ctx.open_visit()
    try:
        settled = (await ctx.settle(visit)).setlinfo
        rev = (await ctx.revoke(visit, settled.setl_id)).setlinfo
        expect_identities(ev, "2208 setlinfo", rev)
        want = {k: -v for k, v in amounts(settled).items() if k != "setldetail"}
        got = {k: v for k, v in amounts(rev).items() if k != "setldetail"}
        ev.expect(want == got, "the settlement's amounts negated", {"settled": amounts(settled)})
        ev.expect(
            rev.init_setl_id == settled.setl_id and rev.refd_setl_flag == "1",
            f"init_setl_id {settled.setl_id} and refd_setl_flag 1",
            {"init_setl_id": rev.init_setl_id, "refd_setl_flag": rev.refd_setl_flag},
        )
    finally:
        await ctx.cleanup(visit, ev)
