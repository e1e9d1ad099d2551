"""Reading ``--target DIR/network.json`` (written by ``settlenet up``), for every command that
acts on a running network."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import grpc

from services.rpc.status import describe_rpc_error

T = TypeVar("T")


class TargetError(Exception):
    """The target file is missing, unreadable or does not name what was asked for."""


def load(path: Path) -> dict[str, Any]:
    try:
        doc: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TargetError(
            f"{path}: no such file (run `settlenet up --data DIR` and pass DIR/network.json)"
        ) from None
    except (OSError, ValueError) as exc:
        raise TargetError(f"{path}: not a network.json ({exc})") from None
    if "hub" not in doc or "provinces" not in doc:
        raise TargetError(f"{path}: not a network.json (no hub or provinces)")
    return doc


def province_endpoint(doc: dict[str, Any], code: str, path: Path) -> str:
    try:
        return str(doc["provinces"][code]["endpoint"])
    except KeyError:
        raise TargetError(
            f"province {code} is not in {path} (it has {', '.join(sorted(doc['provinces']))})"
        ) from None


def run(
    command: str, path: Path, call: Callable[[dict[str, Any]], Coroutine[Any, Any, T]]
) -> tuple[T | None, int]:
    """Load ``path`` (DIR/network.json) and run ``call(doc)``: ``(answer, 0)``. A bad target or
    an unreadable file prints one line and gives ``(None, 2)``; a failed call prints its status,
    field violations and reason and gives ``(None, 1)``."""
    try:
        return asyncio.run(call(load(path))), 0
    except (TargetError, OSError) as exc:
        print(f"settlenet {command}: {exc}", file=sys.stderr)
        return None, 2
    except grpc.RpcError as exc:
        print(f"settlenet {command}: {describe_rpc_error(exc)}", file=sys.stderr)
        return None, 1
