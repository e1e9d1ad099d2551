"""Reading ``--target DIR/network.json`` (written by ``settlenet up``), for every command that
acts on a running network."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class TargetError(Exception):
    """The target file is missing, unreadable or does not name what was asked for."""


def load(path: Path) -> dict[str, Any]:
    try:
        doc: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetError(f"{path}: no such file (run `settlenet up --data DIR` and pass "
                          "DIR/network.json)") from None
    except (OSError, ValueError) as exc:
        raise TargetError(f"{path}: not a network.json ({exc})") from None
    if "hub" not in doc or "provinces" not in doc:
        raise TargetError(f"{path}: not a network.json (no hub or provinces)")
    return doc


def province_endpoint(doc: dict[str, Any], code: str, path: Path) -> str:
    try:
        return str(doc["provinces"][code]["endpoint"])
    except KeyError:
        raise TargetError(f"province {code} is not in {path} (it has "
                          f"{', '.join(sorted(doc['provinces']))})") from None
