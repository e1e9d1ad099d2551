"""The strict reader shared by the four province documents: typed access to one YAML
document's values, with error paths like ``a.b[2].c``.

Each method is named for what it reads (``text``, ``items``, ``day``, ``flag``, ``fen``,
``ratio``, ``mapping``); every problem raises :class:`DocumentError`, a :class:`ConfigError`
that names the file, the key and the problem, and carries the bad value.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from provincial_nodes.config import bounded_yaml
from services.rpc.envelope import ADMDVS_RE
from services.values.errors import ConfigError, shown
from services.values.money import parse_ratio
from services.values.personal import mask_value

MAX_DOCUMENT_BYTES = 1 << 20
"""A document sent over gRPC (AdminService) is refused past 1 MiB of UTF-8, before it is read."""

FEN_MAX = 10_000_000_000
"""The largest amount in fen a document may give (100 million yuan): caps, balances and
accumulators stay far inside int64 whatever is added to them (2^63 fen is 9.2e16 yuan)."""

TEXT_MAX = 200
"""The longest string value (a source reference, an employer's name); narrower fields pass less."""

DAY_MIN, DAY_MAX = date(1900, 1, 1), date(2099, 12, 31)
"""Dates a document may give: a period or filing date past 2099 is a typo, and the day after
9999-12-31 does not exist (``valid_to + 1 day`` raised OverflowError)."""


def _as_shown(key: str, value: object) -> object:
    """The bad value as an error may carry it: a person's name or ID number masked, a mapping
    or list summarized (its repr could hold a name, or stand for 2^n values)."""
    if isinstance(value, dict):
        return f"<a mapping of {len(value)} keys>"
    if isinstance(value, list | tuple | set | frozenset):
        return f"<a {type(value).__name__} of {len(value)} items>"
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return mask_value(key, value)


def _type_name(value: object) -> str:
    if value is None:
        return "nothing (null)"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


class DocumentError(ConfigError):
    """A problem at one key of one document; ``value`` is the bad value (None when the key is
    missing or the problem is not one value's), as errors may show it (names masked, mappings
    and lists summarized). ``problem`` reads ``<value shown>: <what is wrong>``; ``what`` is
    the second part alone (for an error that shows the value itself: shown once)."""

    def __init__(self, file: str, key: str, problem: str, value: object = None) -> None:
        super().__init__(file, key, problem if value is None else f"{shown(value)}: {problem}")
        self.what = problem
        self.value = value


class Reader:
    """Typed, strict access to one YAML document's values, with error paths like ``a.b[2].c``.

    ``label`` names the document in errors: a file path, or e.g. ``"AdminService.LoadPolicy"``
    for a document sent over gRPC. ``max_bytes`` refuses a longer document before reading it
    (None: no limit, for the node's own files). The YAML is read with
    :class:`~provincial_nodes.config.bounded_yaml.BoundedLoader`: aliases, nesting and
    duplicate keys bounded."""

    def __init__(self, label: str, text: str, *, max_bytes: int | None = None) -> None:
        self.file = label
        if max_bytes is not None:
            size = len(text.encode("utf-8", "surrogatepass"))
            if size > max_bytes:
                raise DocumentError(
                    label, "(file)", f"bytes: more than the {max_bytes} a document may have", size
                )
        try:
            self.root = bounded_yaml.load(text)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
            # ValueError etc.: a scalar YAML types but Python cannot build (2026-13-45, an int
            # of 5,000 digits).
            raise DocumentError(
                self.file, "(file)", f"not valid YAML: {bounded_yaml.describe(exc)}"
            ) from None

    @staticmethod
    def of_file(path: Path) -> Reader:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(str(path), "(file)", "file not found") from None
        return Reader(str(path), text)

    def fail(self, key: str, problem: str, value: object = None) -> DocumentError:
        """The error for ``key`` of this document (``value``: the bad value, if one was read;
        the problem must not repeat it)."""
        return DocumentError(self.file, key, problem, _as_shown(key, value))

    def mapping(
        self,
        value: Any,
        key: str,
        allowed: AbstractSet[str] | None,
        required: AbstractSet[str] = frozenset(),
    ) -> dict[Any, Any]:
        """``value`` as a mapping whose keys are all ``allowed`` (None: any key) and include
        ``required``."""
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a mapping, got {_type_name(value)}", value)
        if allowed is not None:
            for k in value:
                if k not in allowed:
                    raise self.fail(
                        f"{key}.{part(k)}" if key else part(k),
                        f"unknown key (allowed: {', '.join(sorted(allowed))})",
                        k,
                    )
        for k in sorted(required):
            if k not in value:
                raise self.fail(f"{key}.{k}" if key else k, "required key is missing")
        return value

    def items(self, value: Any, key: str, max_items: int = 100_000) -> list[Any]:
        """``value`` as a list of at most ``max_items``."""
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list, got {_type_name(value)}", value)
        if len(value) > max_items:
            raise self.fail(key, f"more than {max_items} items", value)
        return value

    def text(
        self,
        m: dict[str, Any],
        k: str,
        key: str,
        default: str | None = None,
        *,
        max_len: int = TEXT_MAX,
    ) -> str:
        """The string at ``m[k]`` (``default`` when absent; required when no default), at most
        ``max_len`` characters, without control characters."""
        if k not in m:
            if default is None:
                raise self.fail(f"{key}.{k}", "required key is missing")
            return default
        value = m[k]
        if not isinstance(value, str):
            raise self.fail(
                f"{key}.{k}", f"must be a string (quote it), got {_type_name(value)}", value
            )
        if len(value) > max_len:
            raise self.fail(f"{key}.{k}", f"longer than {max_len} characters", value)
        if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
            raise self.fail(f"{key}.{k}", "holds a control character", value)
        return value

    def fen(
        self,
        m: dict[str, Any],
        k: str,
        key: str,
        default: int | None = 0,
        *,
        maximum: int = FEN_MAX,
    ) -> int | None:
        """The integer amount in fen at ``m[k]``, 0 to ``maximum`` (None when absent and no
        default)."""
        value = m.get(k, default)
        if value is None and default is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(
                f"{key}.{k}", f"must be an integer number of fen, got {_type_name(value)}", value
            )
        if not 0 <= value <= maximum:
            raise self.fail(f"{key}.{k}", f"must be 0 to {maximum} fen", value)
        return value

    def ratio(self, m: dict[str, Any], k: str, key: str, default: str = "0") -> int:
        """The quoted exact ratio at ``m[k]``, in basis points (0 to 10000)."""
        value = m.get(k, default)
        if not isinstance(value, str):
            raise self.fail(
                f"{key}.{k}",
                f'must be a quoted exact decimal such as "0.70", got {_type_name(value)}',
                value,
            )
        if len(value) > 12:
            raise self.fail(f"{key}.{k}", "not a ratio such as 0.70 (too long)", value)
        try:
            return parse_ratio(value)
        except ValueError as exc:
            problem = str(exc).split(":")[0]  # without the value: it is shown once
            raise self.fail(f"{key}.{k}", f"{problem} (ratios are 0–100%)", value) from None

    def day(self, m: dict[str, Any], k: str, key: str, required: bool = True) -> date | None:
        """The date yyyy-mm-dd at ``m[k]``, 1900 to 2099 (None when absent and not
        ``required``)."""
        if k not in m or m[k] is None:
            if required:
                raise self.fail(f"{key}.{k}", "required date is missing")
            return None
        value = m[k]
        if isinstance(value, str):  # a quoted date (or a document that came from JSON)
            try:
                value = date.fromisoformat(value) if len(value) == 10 else value
            except ValueError:
                pass
        if not isinstance(value, date) or isinstance(value, datetime):
            raise self.fail(
                f"{key}.{k}", f"must be a date yyyy-mm-dd, got {_type_name(value)}", m[k]
            )
        if not DAY_MIN <= value <= DAY_MAX:
            raise self.fail(f"{key}.{k}", f"must be a date from {DAY_MIN} to {DAY_MAX}", value)
        return value

    def flag(self, m: dict[str, Any], k: str, key: str) -> bool:
        """The true/false at ``m[k]`` (false when absent)."""
        value = m.get(k, False)
        if not isinstance(value, bool):
            raise self.fail(f"{key}.{k}", f"must be true or false, got {_type_name(value)}", value)
        return value

    def count(self, m: dict[str, Any], k: str, key: str, low: int, high: int) -> int | None:
        """The integer at ``m[k]``, ``low`` to ``high`` (None when absent)."""
        value = m.get(k)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(f"{key}.{k}", f"must be an integer from {low} to {high}", value)
        return value


def part(key: object) -> str:
    """A document's key as a piece of an error path: cut short (a key may be any scalar)."""
    text = key if isinstance(key, str) else shown(key)
    return text if len(text) <= 40 else text[:39] + "…"


def region_code(r: Reader, value: str, key: str) -> str:
    """``value``, checked to be a 6-digit region code."""
    if not (value.isascii() and ADMDVS_RE.fullmatch(value)):
        raise r.fail(key, "must be a 6-digit admdvs code", value)
    return value
