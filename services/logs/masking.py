"""Masking of ID numbers and names in log events: applied to every structlog event before
output."""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

_MASKED_KEYS = {"certno", "mdtrt_cert_no", "psn_name", "opter_name", "dr_name"}
_CERTNO_RE = re.compile(r"\b(\d{6})\d{8}(\d{3}[\dXx])\b")


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
            event[key] = _CERTNO_RE.sub(lambda m: f"{m[1]}********{m[2]}", value)
    return event
