"""The insured place's policy (参保地政策): effective-dated parameters per scheme.

A scheme is (insured region ``admdvs``, ``insutype``, ``med_type``, and for med_type 14 the
chronic disease ``opsp_dise_code``). Each holds periods; a period's values apply from
``valid_from`` until the day before the next period starts (or until its own ``valid_to``). A
date no period covers is an explicit error, never a silent default.

Emergency outpatient visits (med_type 13) settle under the general outpatient scheme (11)
unless the region defines a scheme of its own for 13.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from provincial_nodes.domain.filing import FilingRules
from services.values.errors import FailedPrecondition, NotFound
from services.values.reasons import Reason

LEVELS = ("1", "2", "3")
"""Institution levels: "1" primary, "2" secondary, "3" tertiary."""

RETIRED_PSN_TYPES = frozenset({"12", "13"})


@dataclass(frozen=True)
class Segment:
    """From ``from_fen`` of the year's in-scope spending after the deductible, these ratios
    apply (分段): e.g. a higher ratio once a person has spent a lot this year."""

    from_fen: int
    ratio_bp_by_level: dict[str, int]


@dataclass(frozen=True)
class Supplement:
    """A supplementary layer paid after the basic pooled fund: civil-servant subsidy (for
    ``cvlserv_flag`` persons) or medical assistance (for persons with one of ``idet_types``).
    It pays ``ratio`` of the in-scope amount the funds before it left to the person (including
    the deductible), up to ``cap_fen_annual`` a year."""

    ratio_bp: int
    cap_fen_annual: int | None = None
    idet_types: frozenset[str] = frozenset()
    """Medical assistance only: the identities (psn_idet_type) that qualify."""


@dataclass(frozen=True)
class OutpatientParams:
    """One period of one scheme. Amounts fen, ratios basis points."""

    valid_from: date
    valid_to: date | None
    source: str
    """Where the values come from (a policy document or "(inferred)")."""
    ratio_bp_by_level: dict[str, int]
    deductible_fen_annual: int = 0
    deductible_fen_per_visit: int = 0
    retired_tilt_bp: int = 0
    cap_fen_monthly: int | None = None
    cap_fen_annual: int | None = None
    account_pays_fulamt: bool = False
    """The personal account may also pay the full self-pay and over-price-cap parts."""
    mutual_aid: bool = False
    """A linked family member's account may pay (家庭共济, ``acct_mulaid_pay``)."""
    segments: tuple[Segment, ...] = ()
    """Further ratio segments by the year's in-scope spending; the first segment (from 0) is
    ``ratio_bp_by_level``."""
    filing: FilingRules = field(default_factory=FilingRules)
    civil_servant: Supplement | None = None
    medical_assistance: Supplement | None = None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def replace(self, **changes: object) -> OutpatientParams:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SchemeKey:
    admdvs: str
    insutype: str
    med_type: str
    opsp_dise_code: str = ""

    @property
    def bucket(self) -> str:
        """The accumulator bucket: ``"11"`` or ``"14:M01600"``."""
        return f"{self.med_type}:{self.opsp_dise_code}" if self.opsp_dise_code else self.med_type

    def __str__(self) -> str:
        return f"{self.admdvs} insutype {self.insutype} med_type {self.med_type}" + (
            f" disease {self.opsp_dise_code}" if self.opsp_dise_code else ""
        )


@dataclass(frozen=True)
class Scheme:
    key: SchemeKey
    periods: tuple[OutpatientParams, ...]

    def in_force(self, day: date) -> OutpatientParams:
        """The period in force on ``day``; FailedPrecondition if none is."""
        for period in self.periods:
            if period.covers(day):
                return period
        first, last = self.periods[0], self.periods[-1]
        when = "before its first period" if day < first.valid_from else "after its last period"
        raise FailedPrecondition(
            "setl_date",
            day.isoformat(),
            f"no policy of {self.key} is in force on this date ({when}: {first.valid_from} to "
            f"{last.valid_to or 'open'})",
            reason=Reason.POLICY_NOT_IN_FORCE,
        )


class PolicyBook:
    """Every scheme of the insured regions a node answers for."""

    def __init__(self, schemes: list[Scheme]) -> None:
        self._schemes = {s.key: s for s in schemes}

    def regions(self) -> set[str]:
        return {key.admdvs for key in self._schemes}

    def schemes(self) -> list[Scheme]:
        return list(self._schemes.values())

    def with_schemes(self, schemes: list[Scheme]) -> PolicyBook:
        """A new book where ``schemes`` replace those with the same key."""
        merged = dict(self._schemes)
        merged.update({s.key: s for s in schemes})
        return PolicyBook(list(merged.values()))

    def key_for(
        self, admdvs: str, insutype: str, med_type: str, opsp_dise_code: str = ""
    ) -> SchemeKey:
        """The scheme a claim settles under; NotFound / FailedPrecondition when there is none."""
        key = SchemeKey(admdvs, insutype, med_type, opsp_dise_code if med_type == "14" else "")
        if key in self._schemes:
            return key
        if med_type == "13":  # emergency outpatient: the general outpatient scheme
            fallback = SchemeKey(admdvs, insutype, "11")
            if fallback in self._schemes:
                return fallback
        if not any(k.admdvs == admdvs for k in self._schemes):
            raise NotFound("header.insuplc_admdvs", admdvs, "no policy for this region")
        if med_type == "14":
            raise FailedPrecondition(
                "opsp_dise_code",
                opsp_dise_code,
                f"region {admdvs} has no chronic/special-disease scheme for insutype "
                f"{insutype} and this disease",
                reason=Reason.NO_SCHEME,
            )
        raise FailedPrecondition(
            "med_type",
            med_type,
            f"region {admdvs} has no direct-settlement policy for insutype {insutype} "
            f"med_type {med_type}",
            reason=Reason.NO_SCHEME,
        )

    def params(self, key: SchemeKey, day: date) -> OutpatientParams:
        return self._schemes[key].in_force(day)
