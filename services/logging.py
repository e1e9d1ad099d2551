"""Structured logs (structlog). Every line carries the node and, where known, msgid, mdtrt_id and
setl_id (bound per call through contextvars); ID numbers and names are masked before output.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

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


def _mask(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
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


def configure(node: str, *, json: bool = False, level: str = "INFO",
              stream: TextIO | None = None) -> None:
    """Configure structlog for this process. ``node`` is bound on every line."""
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _mask,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stderr),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(node=node)


def get_logger(**initial: Any) -> Any:
    """A bound logger."""
    return structlog.get_logger().bind(**initial)
