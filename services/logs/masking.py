"""Masking of ID numbers and names in log events: applied to every structlog event before
output."""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

from services.values.personal import CERTNO_KEYS, NAME_KEYS, mask_certno, mask_name, mask_value

__all__ = ["mask_certno", "mask_event", "mask_name", "mask_text", "mask_tree", "mask_value"]

_MASKED_KEYS = CERTNO_KEYS | NAME_KEYS
# An ID number anywhere in a string, also inside a longer word (``P130102195005259039``), but not
# a piece of a longer run of digits (msgids, visit and settlement ids are 20 digits or more, and
# are never split by a letter): 18 characters (region 6, birth 8, sequence 3, check digit or X)
# or the old 15 (region 6, birth 6, sequence 3). An 18-digit number followed by X, a letter
# that only a check character can be, is the 17 digits of an ID and its X plus one more digit:
# masked as an 18-character ID would be, so no birth date is left in clear either way.
_CERTNO_RE = re.compile(
    r"(?<!\d)(\d{6})(?:\d{8}(\d{3}[\dXx])(?![\dXx])|\d{8}(\d{4}[Xx])(?![\dXx])"
    r"|\d{6}(\d{3})(?![\dXx]))"
)
# A name written as key=value or 'key': 'value' (a repr, JSON, a YAML line): the value masked.
_NAME_RE = re.compile(
    r"(?P<key>\b(?:" + "|".join(sorted(NAME_KEYS)) + r")['\"]?\s*[:=]\s*(?P<q>['\"]?))"
    r"(?P<name>[^'\",\s}\]\)]+)"
)


def _masked(m: re.Match[str]) -> str:
    if m[2] is not None:
        return f"{m[1]}********{m[2]}"
    if m[3] is not None:
        return f"{m[1]}********{m[3]}"
    return f"{m[1]}******{m[4]}"


def _masked_name(m: re.Match[str]) -> str:
    return m["key"] + mask_name(m["name"])


def mask_text(text: str) -> str:
    """Every ID number in ``text`` masked (birth date hidden, region and last digits kept), and
    every name written after its field's name (``psn_name=张三丰``, ``'psn_name': '张三丰'``)."""
    return _NAME_RE.sub(_masked_name, _CERTNO_RE.sub(_masked, text))


def mask_tree(value: Any, key: str = "") -> Any:
    """A JSON-like tree (a message as a dict) with every name and ID number masked: by its
    field's name, and anywhere inside other strings."""
    if isinstance(value, dict):
        return {k: mask_tree(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_tree(v, key) for v in value]
    if isinstance(value, str):
        if key in CERTNO_KEYS:
            return mask_certno(value)
        if key in NAME_KEYS:
            return mask_name(value)
        return mask_text(value)
    return value


def mask_event(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    field = event.get("field")
    if isinstance(field, str) and isinstance(event.get("value"), str):
        # A refused value is logged beside its field (``field=psn_name value="'张三丰'"``).
        last = field.rsplit(".", 1)[-1]
        value = event["value"]
        quote = value[:1] if value[:1] in ("'", '"') else ""
        inner = value[len(quote) : len(value) - len(quote)] if quote else value
        if last in NAME_KEYS:
            event["value"] = quote + mask_name(inner) + quote
        elif last in CERTNO_KEYS:
            event["value"] = quote + mask_certno(inner) + quote
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
