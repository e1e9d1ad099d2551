"""Administrative division codes (admdvs): six digits, the first two naming one of the 32
province-level units of the national network (``provincial_nodes.seed.NATIONAL_CODES`` makes
one node's data for each; a test keeps the two equal)."""

from __future__ import annotations

PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 "
    "65 66".split()
)
"""The 31 provinces, autonomous regions and municipalities, and the Production and
Construction Corps (66)."""


def division_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a division of the national network, or ``None``."""
    if len(value) != 6 or not value.isascii() or not value.isdigit():
        return "must be a 6-digit administrative division code"
    if value[:2] not in PROVINCE_CODES:
        return f"no province {value[:2]} in the national network"
    return None
