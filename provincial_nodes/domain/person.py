"""Insured persons and the state the policy engine reads and the settlement changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Person:
    psn_no: str
    certno: str
    psn_name: str
    gend: str
    brdy: date
    insutype: str
    psn_type: str
    insuplc_admdvs: str
    cvlserv_flag: str = "0"
    emp_name: str = ""
    psn_insu_date: date = date(2000, 1, 1)
    psn_insu_stas: str = "1"

    def age_on(self, day: date) -> int:
        return day.year - self.brdy.year - ((day.month, day.day) < (self.brdy.month, self.brdy.day))


@dataclass(frozen=True)
class PersonState:
    """Accumulators for the service date's year and month, and the account balance (fen)."""

    dedc_used_year: int = 0
    fund_paid_year: int = 0
    fund_paid_month: int = 0
    acct_balc: int = 0


@dataclass(frozen=True)
class StateDelta:
    """What one settlement adds to the accumulators; a revocation subtracts exactly this."""

    dedc_year: int = 0
    fund_year: int = 0
    fund_month: int = 0
    acct: int = 0

    def apply(self, state: PersonState, sign: int = 1) -> PersonState:
        return PersonState(
            dedc_used_year=state.dedc_used_year + sign * self.dedc_year,
            fund_paid_year=state.fund_paid_year + sign * self.fund_year,
            fund_paid_month=state.fund_paid_month + sign * self.fund_month,
            acct_balc=state.acct_balc - sign * self.acct,
        )
