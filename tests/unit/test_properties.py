"""Property tests (hypothesis) guarding the money invariants of classification and the split.

Example counts: 300 per property (``settings`` below), about 2,000 generated cases per run.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from provincial_nodes.domain.catalogue import (
    CatalogueEntry,
    ClaimTotals,
    FeeLine,
    Level,
    ListType,
    Restriction,
    VisitContext,
    classify_line,
)
from provincial_nodes.domain.person import Person, PersonState
from provincial_nodes.domain.policy import OutpatientParams
from provincial_nodes.domain.split import Claim, split
from services.money import line_amount_fen

EXAMPLES = settings(max_examples=300, deadline=None)
DAY = date(2026, 10, 15)

fen = st.integers(min_value=0, max_value=5_000_000)
bp = st.integers(min_value=0, max_value=10_000)


@st.composite
def entries(draw: st.DrawFn) -> CatalogueEntry:
    level = draw(st.sampled_from(list(Level)))
    restriction = draw(st.one_of(st.none(), st.builds(
        Restriction, diagnoses=st.sampled_from([(), ("E11",), ("N18",)]),
        min_medins_lv=st.sampled_from(["", "2", "3"]),
        max_cnt_per_visit=st.one_of(st.none(), st.decimals(1, 5, places=0)))))
    return CatalogueEntry("C1", "x", ListType.SERVICE_ITEM, level, "05",
                          draw(bp) if level is Level.B else 0,
                          draw(st.one_of(st.just(0), st.integers(1, 100_000))), restriction)


@st.composite
def lines(draw: st.DrawFn) -> FeeLine:
    cnt = draw(st.decimals(min_value=Decimal("0.01"), max_value=100, places=2))
    pric = draw(st.integers(0, 200_000))
    amount = max(0, line_amount_fen(cnt, pric) + draw(st.integers(-1, 1)))
    return FeeLine("1", "C1", cnt, pric, amount, DAY)


@EXAMPLES
@given(entries(), lines(), st.sampled_from(["1", "2", "3"]))
def test_line_parts_add_up_and_are_never_negative(e, ln, level) -> None:
    c = classify_line(e, ln, VisitContext(medins_lv=level, diag_codes=("E11.9",)))
    part = (c.fulamt_ownpay_amt, c.overlmt_amt, c.preselfpay_amt, c.inscp_scp_amt)
    assert sum(part) == ln.det_item_fee_sumamt
    assert min(part) >= 0


@st.composite
def params(draw: st.DrawFn) -> OutpatientParams:
    return OutpatientParams(
        valid_from=date(2024, 1, 1), valid_to=None, source="hypothesis",
        ratio_bp_by_level={lv: draw(bp) for lv in "123"}, retired_tilt_bp=draw(bp),
        deductible_fen_annual=draw(st.integers(0, 200_000)),
        deductible_fen_per_visit=draw(st.integers(0, 5_000)),
        cap_fen_monthly=draw(st.one_of(st.none(), st.integers(0, 100_000))),
        cap_fen_annual=draw(st.one_of(st.none(), st.integers(0, 1_000_000))),
        account_pays_fulamt=draw(st.booleans()))


@st.composite
def claims(draw: st.DrawFn) -> Claim:
    a, b, c, d = draw(fen), draw(fen), draw(fen), draw(fen)
    return Claim(ClaimTotals(a + b + c + d, a, b, c, d), draw(st.sampled_from("123")),
                 draw(st.booleans()))


PERSON = st.builds(lambda t, i: Person("P", "130102195005259039", "x", "1", date(1950, 1, 1),
                                       i, t, "130100"),
                   st.sampled_from(["11", "12", "15", "16"]), st.sampled_from(["310", "390"]))


@EXAMPLES
@given(params(), PERSON, st.builds(PersonState, fen, fen, fen, fen), claims())
def test_split_identities_hold_and_nothing_is_negative(p, person, state, claim) -> None:
    s = split(p, person, state, claim)
    t = claim.totals
    assert t.medfee_sumamt == s.fund_pay_sumamt + s.acct_pay + s.psn_cash_pay
    assert s.fund_pay_sumamt == sum(f.fund_payamt for f in s.funds)
    assert min(s.hifp_pay, s.acct_pay, s.psn_cash_pay, s.balc, s.act_pay_dedc) >= 0
    assert s.hifp_pay <= t.inscp_scp_amt
    assert s.acct_pay <= state.acct_balc


@EXAMPLES
@given(params(), PERSON, st.lists(claims(), min_size=1, max_size=12), st.integers(0, 100_000))
def test_no_cap_is_ever_exceeded_over_a_sequence_of_visits(p, person, seq, balc) -> None:
    state = PersonState(acct_balc=balc)
    for claim in seq:
        s = split(p, person, state, claim)
        state = s.delta.apply(state)
        if p.cap_fen_monthly is not None:
            assert state.fund_paid_month <= p.cap_fen_monthly
        if p.cap_fen_annual is not None:
            assert state.fund_paid_year <= p.cap_fen_annual
        assert state.dedc_used_year <= max(p.deductible_fen_annual, 0)
        assert state.acct_balc >= 0


@EXAMPLES
@given(params(), PERSON, st.builds(PersonState, fen, fen, fen, fen), claims())
def test_settle_then_revoke_is_the_identity_on_person_state(p, person, state, claim) -> None:
    s = split(p, person, state, claim)
    assert s.delta.apply(s.delta.apply(state), sign=-1) == state


@EXAMPLES
@given(params(), PERSON, st.builds(PersonState, fen, fen, fen, fen), claims(),
       st.integers(0, 10_000))
def test_a_lower_ratio_never_pays_more(p, person, state, claim, cut) -> None:
    lower = OutpatientParams(**{**p.__dict__, "ratio_bp_by_level": {
        lv: max(0, r - cut) for lv, r in p.ratio_bp_by_level.items()}})
    assert split(lower, person, state, claim).hifp_pay <= split(p, person, state, claim).hifp_pay
