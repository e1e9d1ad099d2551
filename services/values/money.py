"""Money is integer fen; ratios are integer basis points; quantities are exact decimals.

Rounding is ROUND_HALF_UP to the fen and happens only in :func:`apply_ratio`,
:func:`apply_ratios` and :func:`line_amount_fen` — every other step adds or subtracts whole fen,
so the identities of DESIGN.md hold exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

BP_ONE = 10_000
"""One whole, in basis points: 100% = 10,000 bp."""

MAX_AMOUNT_FEN = 10**12
"""Largest amount accepted anywhere (10 billion yuan): larger is absurd input, not money."""

CNT_MAX_DECIMALS = 4


def apply_ratio(amount_fen: int, ratio_bp: int) -> int:
    """``amount × ratio``, ROUND_HALF_UP to the fen. Both non-negative."""
    if amount_fen < 0 or ratio_bp < 0:
        raise ValueError(f"apply_ratio needs non-negative inputs, got {amount_fen}, {ratio_bp}")
    return (amount_fen * ratio_bp + BP_ONE // 2) // BP_ONE


def apply_ratios(parts: list[tuple[int, int]]) -> int:
    """``Σ amount × ratio`` over (amount fen, ratio bp) parts, rounded once, ROUND_HALF_UP."""
    total = 0
    for amount_fen, ratio_bp in parts:
        if amount_fen < 0 or ratio_bp < 0:
            raise ValueError(f"apply_ratios needs non-negative inputs, got {parts}")
        total += amount_fen * ratio_bp
    return (total + BP_ONE // 2) // BP_ONE


def parse_ratio(text: str) -> int:
    """An exact decimal string ("0.10", "1", "0.0833") to basis points; ValueError if not exact."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError) as exc:
        raise ValueError(f"not a decimal ratio: {text!r}") from exc
    if not value.is_finite() or value < 0 or value > 1:
        raise ValueError(f"ratio must be between 0 and 1: {text!r}")
    bp = value * BP_ONE
    if bp != bp.to_integral_value():
        raise ValueError(f"ratio has more than 4 decimals: {text!r}")
    return int(bp)


def format_ratio(ratio_bp: int) -> str:
    """Basis points to the wire's exact decimal string: 7000 → "0.70", 833 → "0.0833"."""
    value = Decimal(ratio_bp) / BP_ONE
    text = f"{value:.4f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def format_points(ratio_bp: int) -> str:
    """Basis points as percentage points, for people: 1000 → "10", 550 → "5.5"."""
    whole, part = divmod(ratio_bp, 100)
    return f"{whole}.{part:02d}".rstrip("0") if part else str(whole)


def parse_cnt(text: str) -> Decimal:
    """A quantity: an exact positive decimal with at most 4 decimals; ValueError otherwise."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError) as exc:
        raise ValueError("not a decimal number") from exc
    if not value.is_finite() or value <= 0:
        raise ValueError("must be a positive number")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > CNT_MAX_DECIMALS:
        raise ValueError(f"more than {CNT_MAX_DECIMALS} decimals")
    if value > 100_000:
        raise ValueError("absurd quantity (more than 100000)")
    return value


def format_cnt(cnt: Decimal) -> str:
    """The canonical string for a quantity: "2", "0.5"."""
    text = format(cnt.normalize(), "f")
    return text


def line_amount_fen(cnt: Decimal, pric_fen: int) -> int:
    """``cnt × pric`` ROUND_HALF_UP to the fen."""
    return int((cnt * pric_fen).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def yuan(amount_fen: int) -> str:
    """Fen as a yuan string for people: 12345 → "123.45", -5 → "-0.05"."""
    sign = "-" if amount_fen < 0 else ""
    whole, fen = divmod(abs(amount_fen), 100)
    return f"{sign}{whole}.{fen:02d}"
