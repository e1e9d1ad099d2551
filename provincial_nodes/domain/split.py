"""The insured place's policy engine: ``split(params, person, state, claim) -> Split``.

Order of steps (each recorded in ``steps`` with its amount):

1. scope — the four parts from the treatment place; only ``inscp_scp_amt`` can be paid by funds;
2. deductible — the year's remaining annual deductible, then the per-visit deductible;
3. ratio — by institution level, plus the retiree tilt, capped at 100%;
4. pooled fund — ROUND_HALF_UP(ratio × (in scope − deductible)): the one rounding step;
5. caps — the pooled fund is cut to what the monthly and annual caps still allow;
6. personal account — when asked for, pays the person's in-scope part (and the full self-pay
   part where the region allows), never beyond the balance;
7. cash — the rest.

Identities that hold for every result:
``medfee = fulamt + overlmt + preselfpay + inscp`` and ``medfee = fund_sum + acct + cash``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from provincial_nodes.domain.catalogue import ClaimTotals
from provincial_nodes.domain.person import Person, PersonState, StateDelta
from provincial_nodes.domain.policy import RETIRED_PSN_TYPES, OutpatientParams
from services.money import BP_ONE, apply_ratio, format_ratio, yuan

FUND_PAY_TYPES = {"310": ("310100", "职工基本医疗保险统筹基金"),
                  "390": ("390100", "城乡居民基本医疗保险基金")}


@dataclass(frozen=True)
class Claim:
    """A classified claim as the insured place sees it."""

    totals: ClaimTotals
    medins_lv: str
    acct_used: bool


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
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def medfee_sumamt(self) -> int:
        return self.totals.medfee_sumamt


def _room(cap: int | None, used: int) -> int | None:
    return None if cap is None else max(0, cap - used)


def split(params: OutpatientParams, person: Person, state: PersonState, claim: Claim) -> Split:
    """Compute how much each fund, the account and the person pay. Pure."""
    t = claim.totals
    steps = [Step("scope", f"total {yuan(t.medfee_sumamt)}: full self-pay "
                  f"{yuan(t.fulamt_ownpay_amt)}, over price cap {yuan(t.overlmt_selfpay)}, "
                  f"class-B pre-self-pay {yuan(t.preselfpay_amt)}, in scope "
                  f"{yuan(t.inscp_scp_amt)}", t.inscp_scp_amt)]

    remaining_annual = max(0, params.deductible_fen_annual - state.dedc_used_year)
    dedc_year = min(t.inscp_scp_amt, remaining_annual)
    dedc_visit = min(t.inscp_scp_amt - dedc_year, params.deductible_fen_per_visit)
    act_pay_dedc = dedc_year + dedc_visit
    steps.append(Step("deductible", f"annual deductible {yuan(params.deductible_fen_annual)} "
                      f"with {yuan(remaining_annual)} left this year applies "
                      f"{yuan(dedc_year)}; per-visit deductible applies {yuan(dedc_visit)}",
                      act_pay_dedc))

    ratio = params.ratio_bp_by_level[claim.medins_lv]
    tilt = params.retired_tilt_bp if person.psn_type in RETIRED_PSN_TYPES else 0
    ratio = min(BP_ONE, ratio + tilt)
    eligible = t.inscp_scp_amt - act_pay_dedc
    fund_raw = apply_ratio(eligible, ratio)
    steps.append(Step("ratio", f"level {claim.medins_lv} ratio "
                      f"{format_ratio(ratio - tilt)}" + (f" + retiree tilt {format_ratio(tilt)}"
                                                         if tilt else "")
                      + f" = {format_ratio(ratio)} of {yuan(eligible)}", fund_raw))

    rooms = [r for r in (_room(params.cap_fen_monthly, state.fund_paid_month),
                         _room(params.cap_fen_annual, state.fund_paid_year)) if r is not None]
    limit = min(rooms) if rooms else fund_raw
    hifp = min(fund_raw, limit)
    if rooms:
        monthly = "-" if params.cap_fen_monthly is None else yuan(params.cap_fen_monthly)
        annual = "-" if params.cap_fen_annual is None else yuan(params.cap_fen_annual)
        steps.append(Step("cap", f"caps allow {yuan(limit)} more (monthly {monthly}, used "
                          f"{yuan(state.fund_paid_month)}; annual {annual}, used "
                          f"{yuan(state.fund_paid_year)}): pooled fund pays {yuan(hifp)}", hifp))
    fund_type, fund_name = FUND_PAY_TYPES.get(person.insutype, ("999900", "other fund"))
    funds = (FundPayment(fund_type, fund_name, t.inscp_scp_amt, limit, hifp,
                         f"{format_ratio(ratio)} of {yuan(eligible)} after deductible "
                         f"{yuan(act_pay_dedc)}, limit {yuan(limit)}"),)
    fund_sum = sum(f.fund_payamt for f in funds)
    psn_part = t.medfee_sumamt - fund_sum

    acct = 0
    if claim.acct_used and state.acct_balc > 0:
        payable = psn_part
        if not params.account_pays_fulamt:
            payable -= t.fulamt_ownpay_amt + t.overlmt_selfpay
        acct = max(0, min(state.acct_balc, payable))
        steps.append(Step("personal_account",
                          f"account balance {yuan(state.acct_balc)} pays {yuan(acct)} of the "
                          f"person's {yuan(payable)} "
                          + ("(incl. full self-pay)" if params.account_pays_fulamt
                             else "(in-scope part only)"), acct))
    cash = psn_part - acct
    steps.append(Step("cash", f"person pays {yuan(cash)} in cash", cash))

    return Split(
        totals=t, act_pay_dedc=act_pay_dedc, ratio_bp=ratio, hifp_pay=hifp,
        crt_payb_lmt_amt=limit, fund_pay_sumamt=fund_sum, psn_part_amt=psn_part,
        acct_pay=acct, psn_cash_pay=cash, balc=state.acct_balc - acct, funds=funds,
        steps=tuple(steps),
        delta=StateDelta(dedc_year=dedc_year, fund_year=hifp, fund_month=hifp, acct=acct),
    )
