"""Structured logs (structlog). Every line carries the node and, where known, msgid, mdtrt_id and
setl_id (bound per call through contextvars); ID numbers and names are masked before output.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog

from services.logs.masking import mask_event


def configure(
    node: str, *, json: bool = False, level: str = "INFO", stream: TextIO | None = None
) -> None:
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
            structlog.processors.format_exc_info,  # a traceback as text, masked next
            mask_event,
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


def bind_worker(worker: int) -> None:
    """One of several processes of a node (``--processes N``): every line says which (its
    number and pid)."""
    import os

    structlog.contextvars.bind_contextvars(worker=f"{worker}/{os.getpid()}")
