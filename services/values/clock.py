"""Time in China Standard Time (UTC+8), the timezone of every timestamp on the wire."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")


def now() -> datetime:
    """The current time in CST, without microseconds."""
    return datetime.now(CST).replace(microsecond=0)


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
