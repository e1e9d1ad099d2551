"""Property tests (hypothesis) guarding the money invariants of classification and the split.

Example counts: 400 per property (``settings`` below): about 3,000 generated cases per run, each a
random catalogue entry and line, or a random policy period (segments, filing rules, civil-servant
and medical-assistance layers, mutual aid), person, state and claim — or a sequence of up to 12
claims for the cap properties.
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
from provincial_nodes.domain.filing import (
    TEMPORARY_CEILING_BP,
    Basis,
    Category,
    Coverage,
    Filing,
    FilingRules,
    VisitKind,
)
from provincial_nodes.domain.person import Identity, Person, PersonState
from provincial_nodes.domain.policy import OutpatientParams, Segment, Supplement
from provincial_nodes.domain.split import Claim, Split, split
from services.values.errors import FailedPrecondition
from services.values.money import line_amount_fen

EXAMPLES = settings(max_examples=400, deadline=None)
DAY = date(2026, 10, 15)

fen = st.integers(min_value=0, max_value=5_000_000)
bp = st.integers(min_value=0, max_value=10_000)


@st.composite
def entries(draw: st.DrawFn) -> CatalogueEntry:
    level = draw(st.sampled_from(list(Level)))
    restriction = draw(
        st.one_of(
            st.none(),
            st.builds(
                Restriction,
                diagnoses=st.sampled_from([(), ("E11",), ("N18",)]),
                min_medins_lv=st.sampled_from(["", "2", "3"]),
                max_cnt_per_visit=st.one_of(st.none(), st.decimals(1, 5, places=0)),
            ),
        )
    )
    return CatalogueEntry(
        "C1",
        "x",
        ListType.SERVICE_ITEM,
        level,
        "05",
        draw(bp) if level is Level.B else 0,
        draw(st.one_of(st.just(0), st.integers(1, 100_000))),
        restriction,
    )


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


LEVELS = "123"
ASSISTED = "2301"


def ratios(draw: st.DrawFn) -> dict[str, int]:
    return {lv: draw(bp) for lv in LEVELS}


@st.composite
def filing_rules(draw: st.DrawFn) -> FilingRules:
    """Rules a policy file may hold: temporary reductions within the national ceilings, unfiled
    ones at least the temporary ones of their kind (the loader refuses anything else)."""
    referral, emergency, other = (
        draw(st.integers(0, TEMPORARY_CEILING_BP[f"temporary_{k}"]))
        for k in ("referral", "emergency", "other")
    )
    rules = FilingRules(
        temporary_referral_bp=referral,
        temporary_emergency_bp=emergency,
        temporary_other_bp=other,
        unfiled=draw(st.sampled_from(["reduce", "refuse"])),
        unfiled_referral_bp=referral + draw(st.integers(0, 3_000)),
        unfiled_other_bp=max(referral, emergency, other) + draw(st.integers(0, 3_000)),
        home_during_long_term=draw(st.booleans()),
    )
    assert rules.problems() == []
    return rules


def filing(category: Category) -> Filing:
    end = None if category.long_term else date(2026, 12, 31)
    return Filing(f"F-{category.value}", "P", "130100", category, "110000", DAY, end)


TEMPORARY = [c for c in Category if not c.long_term]
LONG_TERM = [c for c in Category if c.long_term]
UNFILED_BASIS = {
    VisitKind.ORDINARY: Basis.UNFILED,
    VisitKind.REFERRAL: Basis.UNFILED_REFERRAL,
    VisitKind.EMERGENCY: Basis.EMERGENCY,
}


@st.composite
def coverages(draw: st.DrawFn) -> Coverage:
    """Any basis, with a filing of a fitting category where the basis has one."""
    basis = draw(st.sampled_from(list(Basis)))
    kind = draw(st.sampled_from(list(VisitKind)))
    found = None
    if basis is Basis.FILED:
        found = draw(st.one_of(st.none(), st.sampled_from(list(Category)).map(filing)))
    elif basis is Basis.HOME_DURING_LONG_TERM:
        found = filing(draw(st.sampled_from(LONG_TERM)))
    return Coverage(basis, found, kind)


@st.composite
def params(draw: st.DrawFn) -> OutpatientParams:
    starts = sorted(set(draw(st.lists(st.integers(1, 300_000), max_size=3))))
    cap = st.one_of(st.none(), st.integers(0, 500_000))
    return OutpatientParams(
        valid_from=date(2024, 1, 1),
        valid_to=None,
        source="hypothesis",
        ratio_bp_by_level=ratios(draw),
        retired_tilt_bp=draw(st.integers(0, 2_000)),
        deductible_fen_annual=draw(st.integers(0, 200_000)),
        deductible_fen_per_visit=draw(st.integers(0, 5_000)),
        cap_fen_monthly=draw(st.one_of(st.none(), st.integers(0, 100_000))),
        cap_fen_annual=draw(st.one_of(st.none(), st.integers(0, 1_000_000))),
        account_pays_fulamt=draw(st.booleans()),
        mutual_aid=draw(st.booleans()),
        segments=tuple(Segment(x, ratios(draw)) for x in starts),
        filing=draw(filing_rules()),
        civil_servant=draw(st.one_of(st.none(), st.builds(Supplement, bp, cap))),
        medical_assistance=draw(
            st.one_of(st.none(), st.builds(Supplement, bp, cap, st.just(frozenset({ASSISTED}))))
        ),
    )


@st.composite
def claims(draw: st.DrawFn) -> Claim:
    a, b, c, d = draw(fen), draw(fen), draw(fen), draw(fen)
    return Claim(
        ClaimTotals(a + b + c + d, a, b, c, d),
        draw(st.sampled_from(LEVELS)),
        draw(st.booleans()),
        setl_date=DAY,
        coverage=draw(coverages()),
        mdtrtarea_admvs="110000",
    )


PERSON = st.builds(
    lambda t, i, cvl, assisted, mulaid: Person(
        "P",
        "130102195005259039",
        "x",
        "1",
        date(1950, 1, 1),
        i,
        t,
        "130100",
        cvlserv_flag=cvl,
        identities=(Identity(ASSISTED, date(2020, 1, 1)),) if assisted else (),
        mulaid_psn_no="Q" if mulaid else "",
    ),
    st.sampled_from(["11", "12", "15", "16"]),
    st.sampled_from(["310", "390"]),
    st.sampled_from(["0", "1"]),
    st.booleans(),
    st.booleans(),
)
STATE = st.builds(PersonState, fen, fen, fen, fen, fen, fen, fen, fen)


def settle(p: OutpatientParams, person: Person, state: PersonState, claim: Claim) -> Split | None:
    """The split, or None when the region's filing rules refuse direct settlement."""
    try:
        return split(p, person, state, claim)
    except FailedPrecondition as err:
        assert err.reason in ("FILING_REQUIRED", "HOME_SETTLEMENT_NOT_ALLOWED")
        return None


@EXAMPLES
@given(params(), PERSON, STATE, claims())
def test_split_identities_hold_and_nothing_is_negative(p, person, state, claim) -> None:
    s = settle(p, person, state, claim)
    if s is None:
        return
    t = claim.totals
    assert t.medfee_sumamt == s.fund_pay_sumamt + s.acct_pay + s.psn_cash_pay
    assert s.fund_pay_sumamt == s.hifp_pay + s.cvlserv_pay + s.maf_pay
    assert s.fund_pay_sumamt == sum(f.fund_payamt for f in s.funds)
    assert s.psn_part_amt == s.acct_pay + s.psn_cash_pay
    assert (
        min(
            s.hifp_pay,
            s.cvlserv_pay,
            s.maf_pay,
            s.acct_pay,
            s.acct_mulaid_pay,
            s.psn_cash_pay,
            s.balc,
            s.act_pay_dedc,
        )
        >= 0
    )
    assert s.fund_pay_sumamt <= t.inscp_scp_amt
    assert s.acct_pay - s.acct_mulaid_pay <= state.acct_balc
    assert s.acct_mulaid_pay <= state.mulaid_balc
    assert s.act_pay_dedc <= t.inscp_scp_amt
    assert [x.step for x in s.steps][:3] == ["scope", "filing", "deductible"]
    assert s.steps[-1].step == "cash" and s.steps[-1].amount == s.psn_cash_pay


@EXAMPLES
@given(params(), PERSON, st.lists(claims(), min_size=1, max_size=12), STATE)
def test_no_cap_is_ever_exceeded_over_a_sequence_of_visits(p, person, seq, start) -> None:
    state = PersonState(acct_balc=start.acct_balc, mulaid_balc=start.mulaid_balc)
    for claim in seq:
        s = settle(p, person, state, claim)
        if s is None:
            continue
        state = s.delta.apply(state)
        if p.cap_fen_monthly is not None:
            assert state.fund_paid_month <= p.cap_fen_monthly
        if p.cap_fen_annual is not None:
            assert state.fund_paid_year <= p.cap_fen_annual
        for layer, paid in (
            (p.civil_servant, state.cvlserv_paid_year),
            (p.medical_assistance, state.maf_paid_year),
        ):
            if layer is not None and layer.cap_fen_annual is not None:
                assert paid <= layer.cap_fen_annual
            if layer is None:
                assert paid == 0
        assert state.dedc_used_year <= max(p.deductible_fen_annual, 0)
        assert state.acct_balc >= 0 and state.mulaid_balc >= 0


@EXAMPLES
@given(params(), PERSON, STATE, claims())
def test_settle_then_revoke_is_the_identity_on_person_state(p, person, state, claim) -> None:
    s = settle(p, person, state, claim)
    if s is None:
        return
    assert s.delta.apply(s.delta.apply(state), sign=-1) == state
    assert s.delta.negated().apply(s.delta.apply(state)) == state


@EXAMPLES
@given(params(), PERSON, STATE, claims())
def test_the_split_is_a_pure_function(p, person, state, claim) -> None:
    """Pre-settlement (2206) and the settlement that follows (2207) see the same policy, person,
    state and claim, so they give the same split (the service test checks it over gRPC)."""
    assert settle(p, person, state, claim) == settle(p, person, state, claim)


def _cut(p: OutpatientParams, cut: int) -> OutpatientParams:
    lower = {lv: max(0, r - cut) for lv, r in p.ratio_bp_by_level.items()}
    segments = tuple(
        Segment(s.from_fen, {lv: max(0, r - cut) for lv, r in s.ratio_bp_by_level.items()})
        for s in p.segments
    )
    return OutpatientParams(**{**p.__dict__, "ratio_bp_by_level": lower, "segments": segments})


@EXAMPLES
@given(params(), PERSON, STATE, claims(), st.integers(0, 10_000))
def test_a_lower_ratio_never_pays_more(p, person, state, claim, cut) -> None:
    high, low = settle(p, person, state, claim), settle(_cut(p, cut), person, state, claim)
    if high is None or low is None:
        return
    assert low.hifp_pay <= high.hifp_pay


def _with(claim: Claim, cov: Coverage) -> Claim:
    return Claim(**{**claim.__dict__, "coverage": cov})


@EXAMPLES
@given(
    params(),
    PERSON,
    STATE,
    claims(),
    st.one_of(st.none(), st.sampled_from(list(Category))),
    st.sampled_from(list(VisitKind)),
)
def test_an_unfiled_visit_never_pays_more_than_a_filed_one(
    p, person, state, claim, category, kind
) -> None:
    """Whatever the filing (long-term or temporary, any category) and whatever the hospital
    declared (an ordinary visit, a referral, an emergency), the same visit without a filing
    never pays more."""
    found = None if category is None else filing(category)
    filed = settle(p, person, state, _with(claim, Coverage(Basis.FILED, found, kind)))
    unfiled = settle(p, person, state, _with(claim, Coverage(UNFILED_BASIS[kind], kind=kind)))
    assert filed is not None
    if unfiled is not None:
        assert unfiled.hifp_pay <= filed.hifp_pay
        assert unfiled.ratio_reduction_bp >= filed.ratio_reduction_bp
        expected = {
            VisitKind.ORDINARY: p.filing.unfiled_other_bp,
            VisitKind.REFERRAL: p.filing.unfiled_referral_bp,
            VisitKind.EMERGENCY: p.filing.temporary_emergency_bp,
        }[kind]
        assert unfiled.ratio_reduction_bp == expected


@EXAMPLES
@given(
    params(),
    PERSON,
    STATE,
    claims(),
    st.sampled_from(TEMPORARY),
    st.sampled_from(LONG_TERM),
    st.sampled_from(list(VisitKind)),
)
def test_a_temporary_filing_never_pays_more_than_a_long_term_one(
    p, person, state, claim, temporary, long_term, kind
) -> None:
    """Long-term filers keep the home ratio; a temporary filing loses at most the national
    ceiling of its rule, and says which rule and which filing in setl_proc_info."""
    temp = settle(p, person, state, _with(claim, Coverage(Basis.FILED, filing(temporary), kind)))
    long = settle(p, person, state, _with(claim, Coverage(Basis.FILED, filing(long_term), kind)))
    assert temp is not None and long is not None
    assert temp.hifp_pay <= long.hifp_pay
    assert long.ratio_reduction_bp == 0
    rule = next(r for r in TEMPORARY_CEILING_BP if f"({r})" in temp.steps[1].desc)
    assert temp.ratio_reduction_bp == p.filing.points_bp(rule) <= TEMPORARY_CEILING_BP[rule]
    assert f"filing F-{temporary.value} ({temporary.value} " in temp.steps[1].desc
