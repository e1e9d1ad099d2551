"""参保地政策: deductible, ratio by level and person type, caps, personal account."""

from __future__ import annotations

from datetime import date

import pytest

from provincial_nodes.domain.catalogue import ClaimTotals
from provincial_nodes.domain.person import Person, PersonState
from provincial_nodes.domain.policy import OutpatientParams, PolicyBook, Scheme, SchemeKey
from provincial_nodes.domain.split import Claim, split
from services.values.errors import FailedPrecondition

GZ_EMPLOYEE = OutpatientParams(
    valid_from=date(2024, 1, 1),
    valid_to=None,
    source="test",
    ratio_bp_by_level={"1": 7000, "2": 6000, "3": 5500},
    retired_tilt_bp=1000,
    cap_fen_monthly=30000,
)
HEBEI = OutpatientParams(
    valid_from=date(2024, 1, 1),
    valid_to=None,
    source="test",
    ratio_bp_by_level={"1": 7000, "2": 6500, "3": 6000},
    deductible_fen_annual=20000,
    retired_tilt_bp=500,
    cap_fen_annual=400000,
)


def person(psn_type: str = "11", insutype: str = "310") -> Person:
    return Person(
        "P1", "130102195005259039", "某", "1", date(1950, 5, 25), insutype, psn_type, "130100"
    )


def claim(inscp: int, fulamt: int = 0, pre: int = 0, level: str = "3", acct: bool = False) -> Claim:
    return Claim(ClaimTotals(inscp + fulamt + pre, fulamt, 0, pre, inscp), level, acct)


def test_deductible_crossed_mid_visit_then_ratio() -> None:
    s = split(HEBEI, person(), PersonState(dedc_used_year=15000), claim(30000))
    assert s.act_pay_dedc == 5000
    assert s.hifp_pay == 15000  # 60% of 250 yuan
    assert s.delta.dedc_year == 5000


def test_retiree_tilt_raises_the_ratio() -> None:
    in_service = split(HEBEI, person("11"), PersonState(dedc_used_year=20000), claim(10000))
    retired = split(HEBEI, person("12"), PersonState(dedc_used_year=20000), claim(10000))
    assert (in_service.hifp_pay, retired.hifp_pay) == (6000, 6500)


def test_ratio_by_institution_level() -> None:
    paid = [
        split(HEBEI, person(), PersonState(dedc_used_year=20000), claim(10000, level=lv)).hifp_pay
        for lv in "123"
    ]
    assert paid == [7000, 6500, 6000]


def test_guangzhou_monthly_cap_stops_fund_payment_at_300_yuan() -> None:
    first = split(GZ_EMPLOYEE, person(), PersonState(), claim(40000, level="1"))
    assert first.hifp_pay == 28000
    second = split(
        GZ_EMPLOYEE, person(), PersonState(fund_paid_month=28000), claim(40000, level="1")
    )
    assert second.hifp_pay == 2000 and second.crt_payb_lmt_amt == 2000
    assert [x.step for x in second.steps].count("cap") == 1


def test_account_pays_only_in_scope_self_pay_unless_region_allows() -> None:
    s = split(
        HEBEI,
        person(),
        PersonState(dedc_used_year=20000, acct_balc=100000),
        claim(10000, fulamt=5000, acct=True),
    )
    assert s.acct_pay == 4000 and s.psn_cash_pay == 5000
    generous = OutpatientParams(**{**HEBEI.__dict__, "account_pays_fulamt": True})
    s2 = split(
        generous,
        person(),
        PersonState(dedc_used_year=20000, acct_balc=100000),
        claim(10000, fulamt=5000, acct=True),
    )
    assert s2.acct_pay == 9000 and s2.psn_cash_pay == 0


def test_account_never_goes_negative() -> None:
    s = split(
        HEBEI, person(), PersonState(dedc_used_year=20000, acct_balc=300), claim(10000, acct=True)
    )
    assert s.acct_pay == 300 and s.balc == 0


def test_parameter_not_in_force_is_an_explicit_error() -> None:
    closed = OutpatientParams(**{**HEBEI.__dict__, "valid_to": date(2025, 12, 31)})
    key = SchemeKey("130100", "310", "11")
    book = PolicyBook([Scheme(key, (closed,))])
    assert book.params(key, date(2025, 6, 1)) is closed
    with pytest.raises(FailedPrecondition) as err:
        book.params(key, date(2026, 1, 1))
    assert err.value.field == "setl_date"
