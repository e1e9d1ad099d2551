"""Remote-treatment filing (异地就医备案) and how a visit stands against a person's filings.

A person files with the **insured** place: a category, a destination (a province, a city or a
统筹区 ``admdvs``), start and end dates. :func:`coverage` decides, for one visit, on what basis
it settles — filed (long-term or temporary), emergency (treated as filed), unfiled (a referral or
other visit), or at home — and :func:`ratio_reduction` turns that basis into the points the
insured place's :class:`FilingRules` take off its ratio, naming the rule and the filing, or
refuses direct settlement.

National rules (DOMAIN.md, "Filing"; notice 医保发〔2022〕22号): long-term residence is valid until
changed and keeps the home ratio; temporary filings (临时外出就医) are valid at least six months,
and the insured place may lower the ratio for them — referral and emergency (treated as filed)
by at most 10 points, other temporary visits by at most 20 (:data:`TEMPORARY_CEILING_BP`).
Unfiled visits are a separate matter: the region refuses them (``FILING_REQUIRED``) or settles
them at a reduction of its own, never smaller than the temporary one of the same kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from services.values.admdvs import division_problem
from services.values.errors import FailedPrecondition, InvalidField
from services.values.money import format_points
from services.values.reasons import Reason

TEMPORARY_MIN_MONTHS = 6
TEMPORARY_CEILING_BP = {
    "temporary_referral": 1000,
    "temporary_emergency": 1000,
    "temporary_other": 2000,
}
"""National ceilings (医保发〔2022〕22号) on the points the insured place may take off its ratio
for temporary visits, by ``filing:`` policy key, in basis points."""
UNFILED_FLOOR = {
    "unfiled_referral": ("temporary_referral",),
    "unfiled_other": ("temporary_referral", "temporary_emergency", "temporary_other"),
}
"""An unfiled visit loses at least the points of any filed temporary visit of its kind, so an
unfiled visit never settles at a higher ratio than a filed one: an unfiled referral at least a
filed referral's, any other unfiled visit at least every temporary reduction."""
RULE_NAMES = {
    "temporary_referral": "temporary referral visit",
    "temporary_emergency": "emergency treatment",
    "temporary_other": "other temporary visit",
    "unfiled_referral": "unfiled referral visit",
    "unfiled_other": "unfiled visit",
}
"""The ``filing:`` keys that lower a ratio, and the visits each applies to."""


class Category(StrEnum):
    """Filing categories: three long-term, three temporary."""

    RETIREE_RELOCATED = "retiree_relocated"  # 异地安置退休人员
    LONG_TERM_RESIDENT = "long_term_resident"  # 异地长期居住人员
    STATIONED_WORKER = "stationed_worker"  # 常驻异地工作人员
    REFERRAL = "referral"  # 转诊转院人员
    EMERGENCY = "emergency"  # 异地急诊抢救人员
    OTHER_TEMPORARY = "other_temporary"  # 其他临时外出就医人员

    @property
    def long_term(self) -> bool:
        return self in (
            Category.RETIREE_RELOCATED,
            Category.LONG_TERM_RESIDENT,
            Category.STATIONED_WORKER,
        )


CATEGORY_NAMES = {
    Category.RETIREE_RELOCATED: "异地安置退休人员",
    Category.LONG_TERM_RESIDENT: "异地长期居住人员",
    Category.STATIONED_WORKER: "常驻异地工作人员",
    Category.REFERRAL: "转诊转院人员",
    Category.EMERGENCY: "异地急诊抢救人员",
    Category.OTHER_TEMPORARY: "其他临时外出就医人员",
}

EVIDENCE = {
    "commitment": "personal commitment (个人承诺)",
    "residence_permit": "residence permit (居住证)",
    "household_register": "household register (户口簿)",
    "employment_proof": "proof of work stationed elsewhere",
    "referral_letter": "referral letter from an insured-place hospital (转诊证明)",
    "emergency_record": "emergency treatment record",
    "none": "no evidence needed",
}
CHANNELS = {
    "window": "service window (窗口)",
    "app": "national medical insurance app",
    "mini_program": "national mini-program",
    "agency": "agency on the person's behalf",
}


class VisitKind(StrEnum):
    """What the hospital declares about a visit at registration (2201)."""

    ORDINARY = ""
    EMERGENCY = "emergency"  # med_type 13
    REFERRAL = "referral"  # refl_flag "1"


class Basis(StrEnum):
    """On what basis a visit settles."""

    FILED = "filed"
    EMERGENCY = "emergency"  # no filing, treated as filed
    UNFILED_REFERRAL = "unfiled_referral"
    UNFILED = "unfiled"
    LOCAL = "local"  # treated in the insured province itself
    HOME_DURING_LONG_TERM = "home_during_long_term"  # at home while filed long-term elsewhere


@dataclass(frozen=True)
class Filing:
    filing_id: str
    psn_no: str
    insuplc_admdvs: str
    category: Category
    dest_admdvs: str
    begndate: date
    enddate: date | None
    evidence: str = "commitment"
    channel: str = "app"
    status: str = "active"
    """"active" or "revoked"."""
    version: int = 1
    memo: str = ""

    def active_on(self, day: date) -> bool:
        return (
            self.status == "active"
            and self.begndate <= day
            and (self.enddate is None or day <= self.enddate)
        )

    def covers(self, mdtrtarea_admvs: str) -> bool:
        return destination_covers(self.dest_admdvs, mdtrtarea_admvs)

    def overlaps(self, other: Filing) -> bool:
        end_a = self.enddate or date.max
        end_b = other.enddate or date.max
        return self.begndate <= end_b and other.begndate <= end_a


def destination_covers(dest: str, area: str) -> bool:
    """A province-level destination (``110000``) covers every area of the province; a city
    (``440100``) or a city-level pool (``430199``) covers the city's districts."""
    if dest == area:
        return True
    if dest.endswith("0000"):
        return area[:2] == dest[:2]
    if dest.endswith("00") or dest.endswith("99"):
        return area[:4] == dest[:4]
    return False


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def default_enddate(category: Category, begndate: date) -> date | None:
    """Long-term filings are open-ended; temporary ones last the minimum six months."""
    if category.long_term:
        return None
    return add_months(begndate, TEMPORARY_MIN_MONTHS) - timedelta(days=1)


def check_new(filing: Filing, existing: list[Filing]) -> None:
    """Validate a filing (new or changed) against the rules and the person's other filings.

    Raises InvalidField / FailedPrecondition naming the field and the value."""
    problem = division_problem(filing.dest_admdvs)
    if problem:
        raise InvalidField("dest_admdvs", filing.dest_admdvs, problem)
    if filing.dest_admdvs[:2] == filing.insuplc_admdvs[:2]:
        raise InvalidField(
            "dest_admdvs",
            filing.dest_admdvs,
            f"destination is in the insured province {filing.insuplc_admdvs[:2]}; "
            "cross-province filing needs another province",
        )
    if filing.enddate is not None and filing.enddate < filing.begndate:
        raise InvalidField(
            "enddate",
            filing.enddate.isoformat(),
            f"end date is before the start date {filing.begndate}",
        )
    if not filing.category.long_term:
        if filing.enddate is None:
            raise InvalidField("enddate", "", "a temporary filing needs an end date")
        shortest = add_months(filing.begndate, TEMPORARY_MIN_MONTHS) - timedelta(days=1)
        if filing.enddate < shortest:
            raise InvalidField(
                "enddate",
                filing.enddate.isoformat(),
                f"a temporary filing is valid at least {TEMPORARY_MIN_MONTHS} "
                f"months: from {filing.begndate} it ends on {shortest} or later",
            )
    if filing.evidence not in EVIDENCE:
        raise InvalidField(
            "evidence", filing.evidence, f"unknown evidence kind; one of {', '.join(EVIDENCE)}"
        )
    if filing.evidence == "commitment" and not filing.category.long_term:
        raise InvalidField(
            "evidence",
            filing.evidence,
            "a personal commitment is evidence for long-term residence only",
        )
    if filing.channel not in CHANNELS:
        raise InvalidField(
            "channel", filing.channel, f"unknown channel; one of {', '.join(CHANNELS)}"
        )
    for other in existing:
        if (
            other.filing_id != filing.filing_id
            and other.status == "active"
            and other.dest_admdvs == filing.dest_admdvs
            and other.overlaps(filing)
        ):
            raise FailedPrecondition(
                "dest_admdvs",
                filing.dest_admdvs,
                f"filing {other.filing_id} to the same destination is active from "
                f"{other.begndate} to {other.enddate or 'open'}; change or revoke it instead",
                reason=Reason.FILING_OVERLAPS,
            )


@dataclass(frozen=True)
class Coverage:
    """How a visit stands: its basis, the filing that covers it (if any), and what the hospital
    declared about the visit (an emergency or a referral)."""

    basis: Basis
    filing: Filing | None = None
    kind: VisitKind = VisitKind.ORDINARY

    @property
    def category(self) -> str:
        if self.filing is not None:
            return self.filing.category.value
        return {
            Basis.EMERGENCY: "emergency",
            Basis.UNFILED_REFERRAL: "referral",
            Basis.UNFILED: "none",
            Basis.LOCAL: "local",
        }.get(self.basis, "none")

    def describe(self) -> str:
        if self.filing is not None:
            f = self.filing
            return (
                f"filing {f.filing_id} ({f.category.value} {CATEGORY_NAMES[f.category]}, to "
                f"{f.dest_admdvs}, {f.begndate} to {f.enddate or 'open'})"
            )
        return {
            Basis.FILED: "filed",
            Basis.EMERGENCY: "no filing; emergency treatment is treated as filed",
            Basis.UNFILED_REFERRAL: "no valid filing; a referral visit",
            Basis.UNFILED: "no valid filing for this place and date",
            Basis.LOCAL: "treated in the insured province",
            Basis.HOME_DURING_LONG_TERM: "treated at home",
        }[self.basis]


def coverage(
    filings: list[Filing], insuplc_admdvs: str, mdtrtarea_admvs: str, day: date, kind: VisitKind
) -> Coverage:
    """The basis on which a visit on ``day`` at ``mdtrtarea_admvs`` settles. Pure."""
    if mdtrtarea_admvs[:2] == insuplc_admdvs[:2]:
        away = next((f for f in filings if f.active_on(day) and f.category.long_term), None)
        if away is not None:
            return Coverage(Basis.HOME_DURING_LONG_TERM, away, kind)
        return Coverage(Basis.LOCAL, kind=kind)
    filed = [f for f in filings if f.active_on(day) and f.covers(mdtrtarea_admvs)]
    if filed:
        # Prefer the most specific destination, then the long-term filing, then the newest.
        filed.sort(
            key=lambda f: (
                f.dest_admdvs != mdtrtarea_admvs,
                not f.category.long_term,
                -f.begndate.toordinal(),
            )
        )
        return Coverage(Basis.FILED, filed[0], kind)
    if kind is VisitKind.EMERGENCY:
        return Coverage(Basis.EMERGENCY, kind=kind)
    if kind is VisitKind.REFERRAL:
        return Coverage(Basis.UNFILED_REFERRAL, kind=kind)
    return Coverage(Basis.UNFILED, kind=kind)


@dataclass(frozen=True)
class FilingRules:
    """The insured place's rules for visits by filing status (one policy period's ``filing:``
    values; points in basis points).

    Temporary visits — under a valid temporary filing, or emergency treatment (treated as filed)
    — lose the ``temporary_*`` points, within the national ceilings. Long-term filers keep the
    home ratio. Unfiled visits are refused or lose the ``unfiled_*`` points."""

    temporary_referral_bp: int = 0
    """Under a valid referral (转诊转院) filing; national ceiling 10 points."""
    temporary_emergency_bp: int = 0
    """Emergency treatment (med_type 13, filed or not, or an emergency filing); ceiling 10."""
    temporary_other_bp: int = 0
    """Under a valid other-temporary (其他临时外出就医) filing; ceiling 20."""
    unfiled: str = "reduce"
    """"reduce": an unfiled visit settles at the ``unfiled_*`` reduction; "refuse": it cannot
    settle directly (the person pays in full and claims manual reimbursement, or files late,
    补办, before settlement). Emergency visits are treated as filed either way."""
    unfiled_referral_bp: int = 1000
    """An unfiled visit the hospital declares a referral (refl_flag "1")."""
    unfiled_other_bp: int = 2000
    """Any other unfiled visit."""
    home_during_long_term: bool = True
    """Whether a long-term filer may still settle at home during the filing period."""

    def points_bp(self, rule: str) -> int:
        """The points of the ``filing:`` key ``rule`` (one of :data:`RULE_NAMES`)."""
        value: int = getattr(self, f"{rule}_bp")
        return value

    def problems(self) -> list[tuple[str, int, str]]:
        """(``filing:`` key, its value in bp, what is wrong) for every value the national
        ceilings or the order unfiled ≥ temporary forbid; empty when the rules hold."""
        out = [
            (
                rule,
                self.points_bp(rule),
                f"{format_points(self.points_bp(rule))} points is more than the national "
                f"ceiling of {format_points(ceiling)} points ({RULE_NAMES[rule]}, "
                "医保发〔2022〕22号)",
            )
            for rule, ceiling in TEMPORARY_CEILING_BP.items()
            if self.points_bp(rule) > ceiling
        ]
        if self.unfiled == "reduce":
            for rule, floors in UNFILED_FLOOR.items():
                floor = max(floors, key=self.points_bp)
                if self.points_bp(rule) < self.points_bp(floor):
                    out.append(
                        (
                            rule,
                            self.points_bp(rule),
                            f"{format_points(self.points_bp(rule))} points is less than {floor} "
                            f"({format_points(self.points_bp(floor))} points): an unfiled visit "
                            "may not settle at a higher ratio than a filed temporary one",
                        )
                    )
        return out


_CATEGORY_RULE = {
    Category.REFERRAL: "temporary_referral",
    Category.EMERGENCY: "temporary_emergency",
    Category.OTHER_TEMPORARY: "temporary_other",
}
_KIND_RULE = {
    VisitKind.EMERGENCY: "temporary_emergency",
    VisitKind.REFERRAL: "temporary_referral",
}


def reduction_rules(cov: Coverage) -> tuple[str, ...]:
    """The ``filing:`` keys that may lower a visit's ratio, empty when it keeps the home ratio
    (treated locally, at home during a long-term filing, or under a long-term filing).

    Under a temporary filing: the rule of the filing's category, and also the emergency rule for
    emergency treatment (med_type 13) or the referral rule for a declared referral; the visit
    gets the smaller reduction (the notice sets ceilings: being an emergency never makes a filed
    visit settle worse). Without a filing: emergency treatment is treated as filed (the emergency
    rule); other visits fall under the unfiled rules."""
    if cov.basis is Basis.FILED:
        f = cov.filing
        if f is None or f.category.long_term:
            return ()
        own = _CATEGORY_RULE[f.category]
        also = _KIND_RULE.get(cov.kind, own)
        return (own,) if also == own else (own, also)
    rule = {
        Basis.EMERGENCY: "temporary_emergency",
        Basis.UNFILED_REFERRAL: "unfiled_referral",
        Basis.UNFILED: "unfiled_other",
    }.get(cov.basis)
    return (rule,) if rule else ()


@dataclass(frozen=True)
class Reduction:
    """The points a visit's ratio loses (bp), the ``filing:`` key that gave them ("" for none)
    and the explanation recorded in setl_proc_info (names the filing and the points)."""

    points_bp: int
    rule: str
    why: str


def ratio_reduction(rules: FilingRules, cov: Coverage, *, psn_no: str, area: str) -> Reduction:
    """The points taken off the ratio for this visit, by which rule and why; FailedPrecondition
    (naming the person or the treatment area) when the rules refuse direct settlement. Pure."""
    if cov.basis is Basis.HOME_DURING_LONG_TERM:
        if not rules.home_during_long_term:
            raise FailedPrecondition(
                "header.mdtrtarea_admvs",
                area,
                f"the person is filed for long-term residence elsewhere ({cov.describe()}) and "
                "this region does not settle at home during the filing period",
                reason=Reason.HOME_SETTLEMENT_NOT_ALLOWED,
            )
        return Reduction(0, "", f"{cov.describe()} during long-term filing: normal ratio")
    candidates = reduction_rules(cov)
    if not candidates:
        long_term = cov.filing is not None and cov.filing.category.long_term
        kept = "long-term filing keeps the home ratio" if long_term else "normal ratio"
        return Reduction(0, "", f"{cov.describe()}: {kept}")
    rule = min(candidates, key=rules.points_bp)  # the first (the category's) on a tie
    if rule.startswith("unfiled_") and rules.unfiled == "refuse":
        raise FailedPrecondition(
            "psn_no",
            psn_no,
            f"{cov.describe()} at {area}: this insured region does not settle unfiled visits "
            "directly; file (or late-file, 补办) before settlement",
            reason=Reason.FILING_REQUIRED,
        )
    cut = rules.points_bp(rule)
    effect = f"ratio lowered by {format_points(cut)} points" if cut else "0 points, normal ratio"
    return Reduction(cut, rule, f"{cov.describe()}: {RULE_NAMES[rule]} ({rule}): {effect}")
