"""Yuan as the national HTTP interface writes them, converted to and from fen exactly.

A hospital system sends amounts as JSON numbers in yuan with at most two decimals (``120.5``,
``0.07``, ``3``), sometimes as numeric strings. They are read as :class:`~decimal.Decimal` from
the JSON text itself (never through a float) and become whole fen; a third non-zero decimal is
refused naming the field, never rounded. Unit prices (``pric``, N16,6 in the spec) may carry
more decimal places as long as the digits past the fen are zeros. Answers carry
``Decimal("120.50")``: two decimals, written as a JSON number by the encoder.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from services.values.errors import InvalidField
from services.values.money import MAX_AMOUNT_FEN

FEN_PER_YUAN = 100
TWO_PLACES = Decimal("0.01")


def to_fen(field: str, value: object, *, max_places: int = 2, negative: bool = False) -> int:
    """An amount in yuan (a JSON number read as Decimal or int, or a numeric string) as whole
    fen; :class:`InvalidField` naming ``field`` when it is not a number, has a non-zero digit
    past the fen, is negative (unless allowed) or is absurdly large. Up to ``max_places``
    decimal places are read, but only zeros past the second."""
    if isinstance(value, bool) or value is None:
        raise InvalidField(field, value, "must be an amount in yuan, e.g. 120.50")
    if isinstance(value, float):  # never produced by our reader; refused so no float slips in
        raise InvalidField(field, value, "amounts are read exactly: send the JSON number itself")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidField(field, value, "must be an amount in yuan, e.g. 120.50") from None
    else:
        raise InvalidField(field, value, "must be an amount in yuan, e.g. 120.50")
    if not amount.is_finite():
        raise InvalidField(field, value, "must be a finite amount in yuan")
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > max_places and amount != amount.quantize(Decimal(1).scaleb(-max_places)):
        raise InvalidField(field, value, f"at most {max_places} decimal places")
    fen = amount * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise InvalidField(field, value, "at most two decimals: an amount is whole fen")
    if fen < 0 and not negative:
        raise InvalidField(field, value, "must not be negative")
    if abs(fen) > MAX_AMOUNT_FEN:
        raise InvalidField(field, value, f"larger than {MAX_AMOUNT_FEN // FEN_PER_YUAN:,} yuan")
    return int(fen)


def of_fen(fen: int) -> Decimal:
    """Whole fen as yuan with exactly two decimals (1205 → Decimal("12.05"))."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(TWO_PLACES)


def decimal_text(field: str, value: object, *, places: int) -> str:
    """A quantity (``cnt``, N16,4) as the exact decimal string the gRPC contract carries;
    InvalidField when it is not a number or has more than ``places`` decimals."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        raise InvalidField(field, value, "must be a number")
    try:
        amount = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidField(field, value, "must be a number") from None
    if not amount.is_finite():
        raise InvalidField(field, value, "must be a finite number")
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > places and amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise InvalidField(field, value, f"at most {places} decimal places")
    return (
        format(amount.normalize(), "f")
        if amount != amount.to_integral_value()
        else str(int(amount))
    )
