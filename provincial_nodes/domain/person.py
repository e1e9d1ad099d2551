"""Insured persons and the state the policy engine reads and a settlement changes.

A person's state is read for one *bucket* (the scheme a claim settles under: ``"11"`` general
outpatient, ``"14:M01600"`` chronic disease diabetes, ...): deductible and fund accumulators are
kept per bucket, so a chronic-disease visit never eats the general outpatient cap. The
supplementary layers (civil-servant subsidy, medical assistance) have one yearly accumulator per
person across buckets.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from provincial_nodes.domain.chronic import Qualification
from provincial_nodes.domain.filing import Filing


@dataclass(frozen=True)
class Identity:
    """A special identity (idetinfo), e.g. a medical-assistance recipient, with its dates."""

    psn_idet_type: str
    begntime: date
    endtime: date | None = None

    def valid_on(self, day: date) -> bool:
        return self.begntime <= day and (self.endtime is None or day <= self.endtime)


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
    identities: tuple[Identity, ...] = ()
    mulaid_psn_no: str = ""
    """Family mutual aid (家庭共济): the account holder whose personal account may pay this
    person's self-pay part once the person's own account is used up; empty for none."""

    def age_on(self, day: date) -> int:
        return day.year - self.brdy.year - ((day.month, day.day) < (self.brdy.month, self.brdy.day))

    def identity_types_on(self, day: date) -> frozenset[str]:
        return frozenset(i.psn_idet_type for i in self.identities if i.valid_on(day))


@dataclass(frozen=True)
class PersonState:
    """What the policy engine reads: the bucket's accumulators for the service date's year and
    month, the person-wide supplementary accumulators, and the account balances (all fen)."""

    dedc_used_year: int = 0
    fund_paid_year: int = 0
    fund_paid_month: int = 0
    acct_balc: int = 0
    elig_year: int = 0
    """In-scope spending after the deductible this year: places a claim in the ratio segments."""
    cvlserv_paid_year: int = 0
    maf_paid_year: int = 0
    mulaid_balc: int = 0
    """Balance of the mutual-aid account holder (0 when there is none)."""


@dataclass(frozen=True)
class StateDelta:
    """What one settlement adds to the accumulators and takes from the accounts; a revocation
    applies exactly this with the opposite sign."""

    dedc_year: int = 0
    fund_year: int = 0
    fund_month: int = 0
    acct: int = 0
    elig_year: int = 0
    cvlserv_year: int = 0
    maf_year: int = 0
    mulaid: int = 0

    def apply(self, state: PersonState, sign: int = 1) -> PersonState:
        return PersonState(
            dedc_used_year=state.dedc_used_year + sign * self.dedc_year,
            fund_paid_year=state.fund_paid_year + sign * self.fund_year,
            fund_paid_month=state.fund_paid_month + sign * self.fund_month,
            acct_balc=state.acct_balc - sign * self.acct,
            elig_year=state.elig_year + sign * self.elig_year,
            cvlserv_paid_year=state.cvlserv_paid_year + sign * self.cvlserv_year,
            maf_paid_year=state.maf_paid_year + sign * self.maf_year,
            mulaid_balc=state.mulaid_balc - sign * self.mulaid,
        )

    def negated(self) -> StateDelta:
        return StateDelta(**{f.name: -getattr(self, f.name) for f in dataclasses.fields(self)})

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_dict(values: dict[str, int]) -> StateDelta:
        return StateDelta(**{k: int(v) for k, v in values.items()})


@dataclass(frozen=True)
class Accumulated:
    """Opening accumulators of a person for one year (and optionally one month) of a bucket."""

    year: int
    bucket: str = "11"
    month: int | None = None
    dedc_used_year: int = 0
    fund_paid_year: int = 0
    fund_paid_month: int = 0
    elig_year: int = 0
    cvlserv_paid_year: int = 0
    maf_paid_year: int = 0


@dataclass(frozen=True)
class PersonRecord:
    """A person as a data file (or an admin load) gives it: identity, opening balance,
    accumulators, filings and chronic-disease qualifications."""

    person: Person
    acct_balc: int = 0
    accumulators: tuple[Accumulated, ...] = ()
    filings: tuple[Filing, ...] = ()
    chronic: tuple[Qualification, ...] = ()


@dataclass(frozen=True)
class PersonView:
    """What a person query (1101) answers: the person, the account balance, and the filings and
    chronic-disease qualifications the insured place holds now."""

    person: Person
    balc: int
    filings: tuple[Filing, ...] = ()
    chronic: tuple[Qualification, ...] = ()
