"""Resident ID numbers (居民身份证号码, GB 11643): 18 characters, the last an ISO 7064 MOD 11-2
check character."""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_char(first17: str) -> str:
    """The check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def problem(certno: str) -> str | None:
    """What is wrong with ``certno``, or None when it is a well-formed resident ID number."""
    value = certno.upper()
    if not _SHAPE.match(value):
        return "must be 17 digits and a digit or X (18 characters)"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birth date inside the number is not a date"
    if check_char(value[:17]) != value[17]:
        return f"check character should be {check_char(value[:17])} (ISO 7064 MOD 11-2)"
    return None


def make(region6: str, birth: date, seq3: int, *, female: bool) -> str:
    """Build a valid ID number (for seeded test populations)."""
    seq = seq3 % 1000
    if (seq % 2 == 0) != female:  # 17th digit: odd male, even female
        seq = (seq + 1) % 1000
    first17 = f"{region6}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def birth_date(certno: str) -> date:
    return date(int(certno[6:10]), int(certno[10:12]), int(certno[12:14]))


def gender(certno: str) -> str:
    """ "1" male, "2" female (the national gend code)."""
    return "1" if int(certno[16]) % 2 == 1 else "2"
