"""The insured place's ratio reductions by filing status (医保发〔2022〕22号): which
``filing:`` rule a visit falls under, the points it loses, the filing named in setl_proc_info,
and the refusals."""

from __future__ import annotations

from datetime import date

import pytest

from provincial_nodes.domain.catalogue import ClaimTotals
from provincial_nodes.domain.filing import (
    Basis,
    Category,
    Coverage,
    Filing,
    FilingRules,
    VisitKind,
    ratio_reduction,
)
from provincial_nodes.domain.person import Person, PersonState
from provincial_nodes.domain.policy import OutpatientParams
from provincial_nodes.domain.split import Claim, split
from services.values.errors import FailedPrecondition
from services.values.money import format_points

DAY = date(2026, 10, 15)
RULES = FilingRules(
    temporary_referral_bp=1000,
    temporary_emergency_bp=500,
    temporary_other_bp=2000,
    unfiled_referral_bp=1500,
    unfiled_other_bp=3000,
)
BASE = OutpatientParams(
    valid_from=date(2024, 1, 1),
    valid_to=None,
    source="test: 62% at level 3, annual deductible 200.00",
    ratio_bp_by_level={"1": 8000, "2": 7000, "3": 6200},
    deductible_fen_annual=20000,
    filing=RULES,
)
PERSON = Person("P1", "130102198005259034", "某", "1", date(1980, 5, 25), "310", "11", "130100")


def filing(category: Category) -> Filing:
    end = None if category.long_term else date(2026, 12, 31)
    return Filing(f"F{category.value[:4].upper()}01", "P1", "130100", category, "110000", DAY, end)


def settle(cov: Coverage, params: OutpatientParams = BASE) -> tuple[int, int, str]:
    """(hifp_pay, reduction bp, the filing step's explanation) of 1,000.00 yuan in scope."""
    claim = Claim(ClaimTotals(100000, 0, 0, 0, 100000), "3", False, DAY, cov, "110105")
    s = split(params, PERSON, PersonState(), claim)
    assert s.steps[1].step == "filing"
    return s.hifp_pay, s.ratio_reduction_bp, s.steps[1].desc


def test_a_filed_temporary_referral_pays_52_percent_and_a_long_term_filer_62() -> None:
    # 1,000.00 in scope − 200.00 deductible = 800.00; 62% − 10 points = 52% → 416.00.
    referral = settle(Coverage(Basis.FILED, filing(Category.REFERRAL)))
    assert referral[:2] == (41600, 1000)
    assert referral[2] == (
        "filing FREFE01 (referral 转诊转院人员, to 110000, 2026-10-15 to 2026-12-31): "
        "temporary referral visit (temporary_referral): ratio lowered by 10 points"
    )
    # The same claim under a long-term filing: 62% of 800.00 = 496.00.
    long_term = settle(Coverage(Basis.FILED, filing(Category.RETIREE_RELOCATED)))
    assert long_term[:2] == (49600, 0)
    assert "FRETI01" in long_term[2] and "keeps the home ratio" in long_term[2]


@pytest.mark.parametrize(
    ("cov", "points", "rule"),
    [
        pytest.param(
            Coverage(Basis.FILED, filing(Category.OTHER_TEMPORARY)),
            2000,
            "temporary_other",
            id="other",
        ),
        pytest.param(
            Coverage(Basis.FILED, filing(Category.EMERGENCY)),
            500,
            "temporary_emergency",
            id="emergency-filing",
        ),
        pytest.param(
            Coverage(Basis.FILED, filing(Category.OTHER_TEMPORARY), VisitKind.EMERGENCY),
            500,
            "temporary_emergency",
            id="emergency-visit-under-other-temporary",
        ),
        pytest.param(
            Coverage(Basis.FILED, filing(Category.OTHER_TEMPORARY), VisitKind.REFERRAL),
            1000,
            "temporary_referral",
            id="referral-visit-under-other-temporary",
        ),
        pytest.param(
            Coverage(Basis.FILED, filing(Category.REFERRAL), VisitKind.EMERGENCY),
            500,
            "temporary_emergency",
            id="emergency-visit-under-referral",
        ),
        pytest.param(
            Coverage(Basis.FILED, filing(Category.STATIONED_WORKER), VisitKind.EMERGENCY),
            0,
            "",
            id="long-term-emergency-keeps-home-ratio",
        ),
        pytest.param(
            Coverage(Basis.EMERGENCY, kind=VisitKind.EMERGENCY),
            500,
            "temporary_emergency",
            id="unfiled-emergency",
        ),
        pytest.param(
            Coverage(Basis.UNFILED_REFERRAL), 1500, "unfiled_referral", id="unfiled-referral"
        ),
        pytest.param(Coverage(Basis.UNFILED), 3000, "unfiled_other", id="unfiled"),
        pytest.param(Coverage(Basis.LOCAL), 0, "", id="local"),
        pytest.param(Coverage(Basis.FILED), 0, "", id="filed-without-a-filing-record"),
    ],
)
def test_each_visit_falls_under_one_rule(cov: Coverage, points: int, rule: str) -> None:
    cut = ratio_reduction(RULES, cov, psn_no="P1", area="110105")
    assert (cut.points_bp, cut.rule) == (points, rule)
    if rule:
        assert f"({rule}): ratio lowered by {format_points(points)} points" in cut.why
    if cov.filing is not None:
        assert cov.filing.filing_id in cut.why


def test_a_zero_temporary_reduction_says_so() -> None:
    cut = ratio_reduction(
        FilingRules(), Coverage(Basis.FILED, filing(Category.REFERRAL)), psn_no="P1", area="110105"
    )
    assert (cut.points_bp, cut.rule) == (0, "temporary_referral")
    assert cut.why.endswith("(temporary_referral): 0 points, normal ratio")


def test_a_refusing_region_refuses_unfiled_visits_but_not_temporary_or_emergency_ones() -> None:
    refuse = FilingRules(temporary_other_bp=2000, temporary_emergency_bp=1000, unfiled="refuse")
    for basis in (Basis.UNFILED, Basis.UNFILED_REFERRAL):
        with pytest.raises(FailedPrecondition) as err:
            ratio_reduction(refuse, Coverage(basis), psn_no="P1", area="110105")
        assert (err.value.field, err.value.reason) == ("psn_no", "FILING_REQUIRED")
    other = Coverage(Basis.FILED, filing(Category.OTHER_TEMPORARY))
    assert ratio_reduction(refuse, other, psn_no="P1", area="110105").points_bp == 2000
    emergency = Coverage(Basis.EMERGENCY, kind=VisitKind.EMERGENCY)
    assert ratio_reduction(refuse, emergency, psn_no="P1", area="110105").points_bp == 1000


@pytest.mark.parametrize(
    ("rules", "key", "words"),
    [
        (
            FilingRules(temporary_referral_bp=1001),
            "temporary_referral",
            "10.01 points is more than the national ceiling of 10",
        ),
        (
            FilingRules(temporary_emergency_bp=1500),
            "temporary_emergency",
            "15 points is more than the national ceiling of 10",
        ),
        (
            FilingRules(temporary_other_bp=2500),
            "temporary_other",
            "25 points is more than the national ceiling of 20",
        ),
        (
            FilingRules(temporary_other_bp=2000, unfiled_other_bp=1500),
            "unfiled_other",
            "15 points is less than temporary_other (20 points)",
        ),
        (
            FilingRules(temporary_referral_bp=1000, unfiled_referral_bp=500),
            "unfiled_referral",
            "5 points is less than temporary_referral (10 points)",
        ),
    ],
)
def test_rules_outside_the_national_ceilings_or_order_are_problems(
    rules: FilingRules, key: str, words: str
) -> None:
    got_key, _, problem = rules.problems()[0]  # ceilings first
    assert got_key == key and words in problem


def test_a_refusing_region_has_no_unfiled_order_to_keep() -> None:
    assert (
        FilingRules(temporary_other_bp=2000, unfiled="refuse", unfiled_other_bp=0).problems() == []
    )
