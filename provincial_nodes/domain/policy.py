"""The insured place's policy (参保地政策): effective-dated parameters per scheme.

A scheme is (insured region ``admdvs``, ``insutype``, ``med_type``). Each holds periods; a
period's values apply from ``valid_from`` until the day before the next period starts (or until
its own ``valid_to``). A date no period covers is an explicit error, never a silent default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.errors import FailedPrecondition, NotFound

LEVELS = ("1", "2", "3")
"""Institution levels: "1" primary, "2" secondary, "3" tertiary."""

RETIRED_PSN_TYPES = frozenset({"12", "13"})


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

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Scheme:
    admdvs: str
    insutype: str
    med_type: str
    periods: tuple[OutpatientParams, ...]

    def in_force(self, day: date) -> OutpatientParams:
        """The period in force on ``day``; FailedPrecondition if none is."""
        for period in self.periods:
            if period.covers(day):
                return period
        first, last = self.periods[0], self.periods[-1]
        when = "before its first period" if day < first.valid_from else "after its last period"
        raise FailedPrecondition(
            "setl_date", day.isoformat(),
            f"no {self.admdvs} policy for insutype {self.insutype} med_type {self.med_type} "
            f"is in force on this date ({when}: {first.valid_from} to "
            f"{last.valid_to or 'open'})",
            reason="POLICY_NOT_IN_FORCE",
        )


class PolicyBook:
    """Every scheme of the insured regions a node answers for."""

    def __init__(self, schemes: list[Scheme]) -> None:
        self._schemes = {(s.admdvs, s.insutype, s.med_type): s for s in schemes}

    def regions(self) -> set[str]:
        return {key[0] for key in self._schemes}

    def schemes(self) -> list[Scheme]:
        return list(self._schemes.values())

    def params(self, admdvs: str, insutype: str, med_type: str, day: date) -> OutpatientParams:
        scheme = self._schemes.get((admdvs, insutype, med_type))
        if scheme is None:
            if not any(k[0] == admdvs for k in self._schemes):
                raise NotFound("header.insuplc_admdvs", admdvs, "no policy for this region")
            raise FailedPrecondition(
                "med_type", med_type,
                f"region {admdvs} has no direct-settlement policy for insutype {insutype} "
                f"med_type {med_type}",
                reason="NO_SCHEME",
            )
        return scheme.in_force(day)
