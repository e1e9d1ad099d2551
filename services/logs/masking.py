"""Masking of ID numbers and names in log events: applied to every structlog event before
output."""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

_MASKED_KEYS = {"certno", "mdtrt_cert_no", "psn_name", "opter_name", "dr_name"}
# An ID number anywhere in a string, also inside a longer word (``P130102195005259039``), but not
# a piece of a longer run of digits (msgids, visit and settlement ids are 20 digits or more):
# 18 characters (region 6, birth 8, sequence 3, check) or the old 15 (region 6, birth 6, 3).
_CERTNO_RE = re.compile(r"(?<!\d)(\d{6})(?:\d{8}(\d{3}[\dXx])(?![\dXx])|\d{6}(\d{3})(?!\d))")


def _masked(m: re.Match[str]) -> str:
    if m[2] is not None:
        return f"{m[1]}********{m[2]}"
    return f"{m[1]}******{m[3]}"


def mask_text(text: str) -> str:
    """Every ID number in ``text`` masked: birth date hidden, region and last digits kept."""
    return _CERTNO_RE.sub(_masked, text)


def mask_certno(value: str) -> str:
    """``110101199003071234`` → ``110101********1234``: region and check kept, birth hidden."""
    if len(value) >= 10:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return "*" * len(value)


def mask_name(value: str) -> str:
    """``张三丰`` → ``张**``: only the family name's first character is kept."""
    return value[:1] + "*" * (len(value) - 1) if value else value


def mask_event(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        value = event[key]
        if not isinstance(value, str):
            continue
        if key in ("certno", "mdtrt_cert_no"):
            event[key] = mask_certno(value)
        elif key in _MASKED_KEYS:
            event[key] = mask_name(value)
        else:
            event[key] = mask_text(value)
    return event
