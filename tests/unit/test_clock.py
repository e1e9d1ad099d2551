"""Wire times are parsed strictly (``yyyy-MM-dd HH:mm:ss``, ``yyyy-MM-dd``, the msgid's
``yyyyMMddHHmmss``) and formatted back to the same text."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from services.values import clock


def test_times_dates_and_compact_times_parse_and_format_back() -> None:
    assert clock.parse_time("2026-11-23 10:05:09") == datetime(2026, 11, 23, 10, 5, 9)
    assert clock.format_time(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02 03:04:05"
    assert clock.parse_date("2028-02-29") == date(2028, 2, 29)
    assert clock.parse_compact_time("20261123235959") == datetime(2026, 11, 23, 23, 59, 59)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("2026-1-5 10:00:00", id="unpadded"),
        pytest.param("2026-11-23T10:00:00", id="iso-T"),
        pytest.param("2026-11-23 10:00:00+08:00", id="offset"),
        pytest.param("2026-11-23 10:00", id="no-seconds"),
        pytest.param("２026-11-23 10:00:00", id="fullwidth-digit"),
        pytest.param("2026-02-29 10:00:00", id="not-a-leap-year"),
        pytest.param("2026-11-23 24:00:00", id="hour-24"),
    ],
)
def test_anything_else_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        clock.parse_time(text)


def test_a_bad_date_or_compact_time_is_a_value_error() -> None:
    for bad in ("2026-13-01", "2026-11-31", "26-11-01"):
        with pytest.raises(ValueError):
            clock.parse_date(bad)
    with pytest.raises(ValueError):
        clock.parse_compact_time("20261323100000")
