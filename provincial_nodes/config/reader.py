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

from services.rpc.envelope import ADMDVS_RE
from services.values.errors import ConfigError
from services.values.money import parse_ratio


class DocumentError(ConfigError):
    """A problem at one key of one document; ``value`` is the bad value (None when the key is
    missing or the problem is not one value's)."""

    def __init__(self, file: str, key: str, problem: str, value: object = None) -> None:
        super().__init__(file, key, problem)
        self.value = value


class Reader:
    """Typed, strict access to one YAML document's values, with error paths like ``a.b[2].c``.

    ``label`` names the document in errors: a file path, or e.g. ``"AdminService.LoadPolicy"``
    for a document sent over gRPC."""

    def __init__(self, label: str, text: str) -> None:
        self.file = label
        try:
            self.root = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(self.file, "(file)", f"not valid YAML: {exc}") from None

    @staticmethod
    def of_file(path: Path) -> Reader:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(str(path), "(file)", "file not found") from None
        return Reader(str(path), text)

    def fail(self, key: str, problem: str, value: object = None) -> DocumentError:
        """The error for ``key`` of this document (``value``: the bad value, if one was read)."""
        return DocumentError(self.file, key, problem, value)

    def mapping(
        self,
        value: Any,
        key: str,
        allowed: AbstractSet[str],
        required: AbstractSet[str] = frozenset(),
    ) -> dict[str, Any]:
        """``value`` as a mapping whose keys are all ``allowed`` and include ``required``."""
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a mapping, got {type(value).__name__}", value)
        for k in value:
            if k not in allowed:
                raise self.fail(
                    f"{key}.{k}" if key else str(k),
                    f"unknown key (allowed: {', '.join(sorted(allowed))})",
                    k,
                )
        for k in required:
            if k not in value:
                raise self.fail(f"{key}.{k}" if key else k, "required key is missing")
        return value

    def items(self, value: Any, key: str) -> list[Any]:
        """``value`` as a list."""
        if not isinstance(value, list):
            raise self.fail(key, f"must be a list, got {type(value).__name__}", value)
        return value

    def text(self, m: dict[str, Any], k: str, key: str, default: str | None = None) -> str:
        """The string at ``m[k]`` (``default`` when absent; required when no default)."""
        if k not in m:
            if default is None:
                raise self.fail(f"{key}.{k}", "required key is missing")
            return default
        value = m[k]
        if not isinstance(value, str):
            raise self.fail(f"{key}.{k}", f"must be a string (quote it), got {value!r}", value)
        return value

    def fen(self, m: dict[str, Any], k: str, key: str, default: int | None = 0) -> int | None:
        """The non-negative integer amount in fen at ``m[k]`` (None when absent and no
        default)."""
        value = m.get(k, default)
        if value is None and default is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"{key}.{k}", f"must be an integer number of fen, got {value!r}", value)
        if value < 0:
            raise self.fail(f"{key}.{k}", f"must not be negative, got {value}", value)
        return value

    def ratio(self, m: dict[str, Any], k: str, key: str, default: str = "0") -> int:
        """The quoted exact ratio at ``m[k]``, in basis points."""
        value = m.get(k, default)
        if not isinstance(value, str):
            raise self.fail(
                f"{key}.{k}",
                f'must be a quoted exact decimal such as "0.70", got {value!r}',
                value,
            )
        try:
            return parse_ratio(value)
        except ValueError as exc:
            raise self.fail(f"{key}.{k}", f"{exc} (ratios are 0–100%)", value) from None

    def day(self, m: dict[str, Any], k: str, key: str, required: bool = True) -> date | None:
        """The date yyyy-mm-dd at ``m[k]`` (None when absent and not ``required``)."""
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
            raise self.fail(f"{key}.{k}", f"must be a date yyyy-mm-dd, got {value!r}", value)
        return value

    def flag(self, m: dict[str, Any], k: str, key: str) -> bool:
        """The true/false at ``m[k]`` (false when absent)."""
        value = m.get(k, False)
        if not isinstance(value, bool):
            raise self.fail(f"{key}.{k}", f"must be true or false, got {value!r}", value)
        return value


def region_code(r: Reader, value: str, key: str) -> str:
    """``value``, checked to be a 6-digit region code."""
    if not ADMDVS_RE.match(value):
        raise r.fail(key, f"must be a 6-digit admdvs code, got {value!r}", value)
    return value
