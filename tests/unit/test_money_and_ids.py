from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.logs.masking import mask_certno, mask_name
from services.values import certno
from services.values.money import apply_ratio, format_ratio, line_amount_fen, parse_cnt, parse_ratio


@pytest.mark.parametrize(
    ("amount", "bp", "expected"),
    [
        pytest.param(455, 1000, 46, id="45.5-rounds-half-up"),
        pytest.param(454, 1000, 45, id="45.4-rounds-down"),
        pytest.param(1, 5000, 1, id="half-a-fen-rounds-up"),
        pytest.param(0, 7000, 0, id="zero"),
        pytest.param(23377, 7000, 16364, id="demo-figure"),
    ],
)
def test_apply_ratio_rounds_half_up_to_the_fen(amount: int, bp: int, expected: int) -> None:
    assert apply_ratio(amount, bp) == expected


def test_ratios_are_exact_decimal_strings() -> None:
    assert parse_ratio("0.70") == 7000
    assert parse_ratio("0.0833") == 833
    assert format_ratio(7000) == "0.70" and format_ratio(833) == "0.0833"
    for bad in ("1.5", "-0.1", "0.12345", "abc", "nan"):
        with pytest.raises(ValueError):
            parse_ratio(bad)


def test_quantities_are_exact_and_line_amount_rounds_half_up() -> None:
    assert parse_cnt("0.5") == Decimal("0.5")
    assert line_amount_fen(Decimal("0.5"), 101) == 51
    for bad in ("0", "-1", "1.23456", "x", "1e9"):
        with pytest.raises(ValueError):
            parse_cnt(bad)


def test_id_number_check_character() -> None:
    good = certno.make("110101", date(1990, 3, 7), 123, female=False)
    assert certno.problem(good) is None
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    assert "check character" in (certno.problem(wrong) or "")
    assert certno.problem("11010119900307") is not None
    assert certno.problem("110101199013071234") is not None  # month 13
    assert certno.gender(good) == "1"


def test_logs_mask_id_numbers_and_names() -> None:
    assert mask_certno("130102195005259039") == "130102********9039"
    assert mask_name("邓玉") == "邓*"
