"""Time in China Standard Time (UTC+8), the timezone of every timestamp on the wire."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")
TIME_FMT = "%Y-%m-%d %H:%M:%S"
DATE_FMT = "%Y-%m-%d"


def now() -> datetime:
    """The current time in CST, without microseconds."""
    return datetime.now(CST).replace(microsecond=0)


def format_time(moment: datetime) -> str:
    return moment.strftime(TIME_FMT)


def parse_time(text: str) -> datetime:
    """``yyyy-MM-dd HH:mm:ss`` → naive datetime (CST implied). ValueError when malformed."""
    return datetime.strptime(text, TIME_FMT)


def parse_date(text: str) -> date:
    """``yyyy-MM-dd`` → date. ValueError when malformed."""
    return datetime.strptime(text, DATE_FMT).date()
