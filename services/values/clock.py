"""Time in China Standard Time (UTC+8), the timezone of every timestamp on the wire.

A node's clock can be set to another moment for tests and demos that must cross a midnight or a
month's end without waiting for one: ``SETTLENET_CLOCK="2026-11-30 23:59:55"`` in a node's
environment starts its clock at that moment (it then runs at the normal speed), and
:func:`travel_to` does the same inside one process. Every node of a network should be given the
same moment.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")
ENV = "SETTLENET_CLOCK"
OFFSET_ENV = "SETTLENET_CLOCK_OFFSET_S"
"""Seconds to add to the real time: what ``settlenet up`` hands every node it starts, so that
nodes started a moment apart keep one clock."""
_offset = timedelta(0)


def now() -> datetime:
    """The current time in CST, without microseconds (moved by the offset, if one is set)."""
    moment = datetime.now(CST).replace(microsecond=0)
    return moment + _offset if _offset else moment


def travel_to(moment: datetime | None) -> None:
    """Run this process's clock from ``moment`` (naive times are CST); ``None`` restores it."""
    global _offset
    if moment is None:
        _offset = timedelta(0)
        return
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CST)
    _offset = timedelta(seconds=round((moment - datetime.now(CST)).total_seconds()))


_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})", re.ASCII)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})", re.ASCII)
# Parsed by pattern and checked by the datetime constructor: strptime costs ten times as much
# and sat on every call's path (a visit parses a dozen times), and it also took "2026-1-5".


def format_time(moment: datetime) -> str:
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )


def _parse(pattern: re.Pattern[str], text: str, shape: str) -> datetime:
    found = pattern.fullmatch(text)
    if found is None:
        raise ValueError(f"{text!r} is not a time {shape}")
    g = found.groups()  # datetime raises ValueError for a month 13, a 30 February
    if len(g) == 3:
        return datetime(int(g[0]), int(g[1]), int(g[2]))
    return datetime(int(g[0]), int(g[1]), int(g[2]), int(g[3]), int(g[4]), int(g[5]))


def parse_time(text: str) -> datetime:
    """``yyyy-MM-dd HH:mm:ss`` → naive datetime (CST implied). ValueError when malformed."""
    return _parse(_TIME, text, "yyyy-MM-dd HH:mm:ss")


def parse_date(text: str) -> date:
    """``yyyy-MM-dd`` → date. ValueError when malformed."""
    return _parse(_DATE, text, "yyyy-MM-dd").date()


def parse_compact_time(text: str) -> datetime:
    """``yyyyMMddHHmmss`` (as in a msgid) → naive datetime. ValueError when malformed."""
    return _parse(_COMPACT, text, "yyyyMMddHHmmss")


def offset_s() -> int:
    """This process's clock offset in whole seconds (0 when the clock is not moved)."""
    return int(_offset.total_seconds())


def _from_env() -> None:
    global _offset
    shift = os.environ.get(OFFSET_ENV, "")
    if shift:
        try:
            _offset = timedelta(seconds=int(shift))
        except ValueError:
            raise SystemExit(f"{OFFSET_ENV}={shift!r}: must be a whole number of seconds") from None
        return
    text = os.environ.get(ENV, "")
    if text:
        try:
            travel_to(parse_time(text))
        except ValueError:
            raise SystemExit(f"{ENV}={text!r}: must be yyyy-MM-dd HH:mm:ss") from None


_from_env()
