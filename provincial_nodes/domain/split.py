"""The insured place's policy engine: ``split(params, person, state, claim) -> Split``. Pure.

Order of steps (each recorded in ``steps`` with its amount, so a person can follow the split):

1. scope — the four parts from the treatment place; only ``inscp_scp_amt`` can be paid by funds;
2. filing — the visit's basis (filed long-term or temporary, emergency, unfiled, at home) and
   the ratio reduction it brings under the region's ``filing:`` rules — named by its rule and the
   filing that caused it — or a refusal of direct settlement;
3. deductible — the year's remaining annual deductible, then the per-visit deductible;
4. ratio — by institution level, plus the retiree tilt, minus the filing reduction, within
   0–100%; where the region has segments (分段), each part of the amount gets its segment's
   ratio by the year's in-scope spending so far;
5. pooled fund — ROUND_HALF_UP(Σ part × ratio) to the fen;
6. caps — the pooled fund is cut to what the monthly and annual caps of the scheme still allow
   (a chronic disease's scheme has its own caps);
7. civil-servant subsidy — for ``cvlserv_flag`` persons: its ratio of the in-scope amount the
   pooled fund left (deductible included), within its yearly cap;
8. medical assistance — for persons with a qualifying identity: its ratio of what is still left
   in scope, within its yearly cap;
9. personal account — when asked for, pays the person's in-scope part and class-B pre-self-pay
   (and the full self-pay part where the region allows), never beyond the balance; then, where
   the region allows family mutual aid, the linked family account pays what is left of that;
10. cash — the rest.

Rounding: each ratio step (5, 7, 8) rounds once, ROUND_HALF_UP to the fen, in
:mod:`services.money`; every other step adds or subtracts whole fen. Identities that hold for
every result: ``medfee = fulamt + overlmt + preselfpay + inscp`` and ``medfee = fund_sum + acct
+ cash``, with ``fund_sum = hifp + cvlserv + maf`` and ``fund_sum <= inscp``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from provincial_nodes.domain.catalogue import ClaimTotals
from provincial_nodes.domain.filing import Basis, Coverage, ratio_reduction
from provincial_nodes.domain.person import Person, PersonState, StateDelta
from provincial_nodes.domain.policy import RETIRED_PSN_TYPES, OutpatientParams
from services.values.money import BP_ONE, apply_ratio, apply_ratios, format_ratio, yuan

FUND_PAY_TYPES = {
    "310": ("310100", "职工基本医疗保险统筹基金"),
    "390": ("390100", "城乡居民基本医疗保险基金"),
}
CVLSERV_FUND = ("320100", "公务员医疗补助资金")
MAF_FUND = ("610100", "医疗救助基金")


@dataclass(frozen=True)
class Claim:
    """A classified claim as the insured place sees it."""

    totals: ClaimTotals
    medins_lv: str
    acct_used: bool
    setl_date: date = date(2026, 1, 1)
    coverage: Coverage = field(default_factory=lambda: Coverage(Basis.FILED))
    mdtrtarea_admvs: str = ""


@dataclass(frozen=True)
class Step:
    step: str
    desc: str
    amount: int


@dataclass(frozen=True)
class FundPayment:
    fund_pay_type: str
    name: str
    inscp_scp_amt: int
    crt_payb_lmt_amt: int
    fund_payamt: int
    info: str


@dataclass(frozen=True)
class Split:
    totals: ClaimTotals
    act_pay_dedc: int
    ratio_bp: int
    hifp_pay: int
    crt_payb_lmt_amt: int
    fund_pay_sumamt: int
    psn_part_amt: int
    acct_pay: int
    psn_cash_pay: int
    balc: int
    funds: tuple[FundPayment, ...]
    steps: tuple[Step, ...]
    delta: StateDelta
    cvlserv_pay: int = 0
    maf_pay: int = 0
    acct_mulaid_pay: int = 0
    ratio_reduction_bp: int = 0
    coverage: Coverage = field(default_factory=lambda: Coverage(Basis.FILED))

    @property
    def medfee_sumamt(self) -> int:
        return self.totals.medfee_sumamt


def _room(cap: int | None, used: int) -> int | None:
    return None if cap is None else max(0, cap - used)


def _clamp(bp: int) -> int:
    return max(0, min(BP_ONE, bp))


def _pieces(
    params: OutpatientParams, level: str, adjust: int, start: int, amount: int
) -> list[tuple[int, int, int]]:
    """(segment start, part, ratio_bp) of ``amount`` spent from ``start`` (the year's spending
    so far) across the segments; a zero amount gets the segment ``start`` falls in."""
    bounds = [(0, params.ratio_bp_by_level)] + [
        (s.from_fen, s.ratio_bp_by_level) for s in params.segments
    ]
    end = start + amount
    out = []
    for i, (lo, ratios) in enumerate(bounds):
        hi = bounds[i + 1][0] if i + 1 < len(bounds) else None
        a, b = max(start, lo), end if hi is None else min(end, hi)
        holds_start = lo <= start and (hi is None or start < hi)
        if b > a or (amount == 0 and holds_start):
            out.append((lo, max(0, b - a), _clamp(ratios[level] + adjust)))
    return out


def split(params: OutpatientParams, person: Person, state: PersonState, claim: Claim) -> Split:
    """Compute how much each fund, the account and the person pay. Pure."""
    t = claim.totals
    steps = [
        Step(
            "scope",
            f"total {yuan(t.medfee_sumamt)}: full self-pay "
            f"{yuan(t.fulamt_ownpay_amt)}, over price cap {yuan(t.overlmt_selfpay)}, "
            f"class-B pre-self-pay {yuan(t.preselfpay_amt)}, in scope "
            f"{yuan(t.inscp_scp_amt)}",
            t.inscp_scp_amt,
        )
    ]

    cut = ratio_reduction(
        params.filing, claim.coverage, psn_no=person.psn_no, area=claim.mdtrtarea_admvs
    )
    reduction = cut.points_bp
    steps.append(Step("filing", cut.why, reduction))

    remaining_annual = max(0, params.deductible_fen_annual - state.dedc_used_year)
    dedc_year = min(t.inscp_scp_amt, remaining_annual)
    dedc_visit = min(t.inscp_scp_amt - dedc_year, params.deductible_fen_per_visit)
    act_pay_dedc = dedc_year + dedc_visit
    steps.append(
        Step(
            "deductible",
            f"annual deductible {yuan(params.deductible_fen_annual)} "
            f"with {yuan(remaining_annual)} left this year applies "
            f"{yuan(dedc_year)}; per-visit deductible "
            f"{yuan(params.deductible_fen_per_visit)} applies {yuan(dedc_visit)}",
            act_pay_dedc,
        )
    )

    tilt = params.retired_tilt_bp if person.psn_type in RETIRED_PSN_TYPES else 0
    eligible = t.inscp_scp_amt - act_pay_dedc
    pieces = _pieces(params, claim.medins_lv, tilt - reduction, state.elig_year, eligible)
    fund_raw = apply_ratios([(part, ratio) for _, part, ratio in pieces])
    ratio = pieces[0][2]
    adjust = (f" + retiree tilt {format_ratio(tilt)}" if tilt else "") + (
        f" − filing reduction {format_ratio(reduction)} ({cut.rule})" if reduction else ""
    )
    if len(pieces) == 1:
        base = (
            params.ratio_bp_by_level[claim.medins_lv]
            if pieces[0][0] == 0
            else next(
                s.ratio_bp_by_level[claim.medins_lv]
                for s in params.segments
                if s.from_fen == pieces[0][0]
            )
        )
        desc = (
            f"level {claim.medins_lv} ratio {format_ratio(base)}{adjust} = "
            f"{format_ratio(ratio)} of {yuan(eligible)}"
        )
        if params.segments:
            desc += f" (segment from {yuan(pieces[0][0])} spent this year)"
    else:
        desc = f"level {claim.medins_lv}{adjust}, by segment of this year's spending: " + "; ".join(
            f"{format_ratio(r)} of {yuan(part)} (segment from {yuan(lo)})" for lo, part, r in pieces
        )
    steps.append(Step("ratio", desc, fund_raw))

    rooms = [
        r
        for r in (
            _room(params.cap_fen_monthly, state.fund_paid_month),
            _room(params.cap_fen_annual, state.fund_paid_year),
        )
        if r is not None
    ]
    limit = min(rooms) if rooms else fund_raw
    hifp = min(fund_raw, limit)
    if rooms:
        monthly = "-" if params.cap_fen_monthly is None else yuan(params.cap_fen_monthly)
        annual = "-" if params.cap_fen_annual is None else yuan(params.cap_fen_annual)
        steps.append(
            Step(
                "cap",
                f"caps allow {yuan(limit)} more (monthly {monthly}, used "
                f"{yuan(state.fund_paid_month)}; annual {annual}, used "
                f"{yuan(state.fund_paid_year)}): pooled fund pays {yuan(hifp)}",
                hifp,
            )
        )
    fund_type, fund_name = FUND_PAY_TYPES.get(person.insutype, ("999900", "other fund"))
    funds = [
        FundPayment(
            fund_type,
            fund_name,
            t.inscp_scp_amt,
            limit,
            hifp,
            f"{format_ratio(ratio)} of {yuan(eligible)} after deductible "
            f"{yuan(act_pay_dedc)}, limit {yuan(limit)}",
        )
    ]

    cvlserv = 0
    cs = params.civil_servant
    if cs is not None and person.cvlserv_flag == "1":
        left = t.inscp_scp_amt - hifp
        due = apply_ratio(left, cs.ratio_bp)
        room = _room(cs.cap_fen_annual, state.cvlserv_paid_year)
        cvlserv = due if room is None else min(due, room)
        cap_text = "no cap" if room is None else f"{yuan(room)} left of its yearly cap"
        steps.append(
            Step(
                "civil_servant",
                f"civil-servant subsidy {format_ratio(cs.ratio_bp)} "
                f"of the {yuan(left)} in scope left after the pooled fund = "
                f"{yuan(due)} ({cap_text}): pays {yuan(cvlserv)}",
                cvlserv,
            )
        )
        funds.append(
            FundPayment(
                *CVLSERV_FUND,
                left,
                due if room is None else room,
                cvlserv,
                f"{format_ratio(cs.ratio_bp)} of {yuan(left)}",
            )
        )

    maf = 0
    ma = params.medical_assistance
    held = person.identity_types_on(claim.setl_date)
    if ma is not None and held & ma.idet_types:
        left = t.inscp_scp_amt - hifp - cvlserv
        due = apply_ratio(left, ma.ratio_bp)
        room = _room(ma.cap_fen_annual, state.maf_paid_year)
        maf = due if room is None else min(due, room)
        cap_text = "no cap" if room is None else f"{yuan(room)} left of its yearly cap"
        steps.append(
            Step(
                "medical_assistance",
                f"medical assistance (identity {', '.join(sorted(held & ma.idet_types))}"
                f") {format_ratio(ma.ratio_bp)} of the {yuan(left)} in scope still "
                f"left = {yuan(due)} ({cap_text}): pays {yuan(maf)}",
                maf,
            )
        )
        funds.append(
            FundPayment(
                *MAF_FUND,
                left,
                due if room is None else room,
                maf,
                f"{format_ratio(ma.ratio_bp)} of {yuan(left)}",
            )
        )

    fund_sum = hifp + cvlserv + maf
    psn_part = t.medfee_sumamt - fund_sum

    own = mulaid = 0
    if claim.acct_used:
        payable = psn_part
        if not params.account_pays_fulamt:
            payable -= t.fulamt_ownpay_amt + t.overlmt_selfpay
        own = max(0, min(state.acct_balc, payable))
        scope = (
            "(incl. full self-pay)"
            if params.account_pays_fulamt
            else "(in-scope and class-B parts only)"
        )
        steps.append(
            Step(
                "personal_account",
                f"account balance {yuan(state.acct_balc)} pays "
                f"{yuan(own)} of the person's {yuan(payable)} {scope}",
                own,
            )
        )
        if params.mutual_aid and person.mulaid_psn_no and payable > own:
            mulaid = max(0, min(state.mulaid_balc, payable - own))
            steps.append(
                Step(
                    "mutual_aid",
                    f"family account of {person.mulaid_psn_no} "
                    f"(balance {yuan(state.mulaid_balc)}) pays {yuan(mulaid)} of the "
                    f"{yuan(payable - own)} left (共济)",
                    mulaid,
                )
            )
    acct = own + mulaid
    cash = psn_part - acct
    steps.append(Step("cash", f"person pays {yuan(cash)} in cash", cash))

    return Split(
        totals=t,
        act_pay_dedc=act_pay_dedc,
        ratio_bp=ratio,
        hifp_pay=hifp,
        crt_payb_lmt_amt=limit,
        fund_pay_sumamt=fund_sum,
        psn_part_amt=psn_part,
        acct_pay=acct,
        psn_cash_pay=cash,
        balc=state.acct_balc - own,
        funds=tuple(funds),
        steps=tuple(steps),
        cvlserv_pay=cvlserv,
        maf_pay=maf,
        acct_mulaid_pay=mulaid,
        ratio_reduction_bp=reduction,
        coverage=claim.coverage,
        delta=StateDelta(
            dedc_year=dedc_year,
            fund_year=hifp,
            fund_month=hifp,
            acct=own,
            elig_year=eligible,
            cvlserv_year=cvlserv,
            maf_year=maf,
            mulaid=mulaid,
        ),
    )
