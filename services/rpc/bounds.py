"""The one place a request is held against ``services.values.limits``: every string field's
length and characters, every repeated field's count, every date and time field's range, and a
period's end not before its begin.

The ``@rpc`` decorator calls :func:`check_request` on every request before its servicer runs,
so no handler, repository or downstream node sees an unbounded value. The walk visits only the
fields that are set (``ListFields``), so a typical request costs a few microseconds.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from google.protobuf.descriptor import FieldDescriptor

from services.values import clock, limits
from services.values.errors import InvalidField

_STRING = FieldDescriptor.TYPE_STRING
_MESSAGE = FieldDescriptor.TYPE_MESSAGE


def check_request(request: Any, today: date | None = None) -> None:
    """Raise :class:`InvalidField` naming the first field of ``request`` out of bounds
    (``feedetail[3].med_list_codg``, ``header.inf_time``)."""
    _walk(request, "", today or clock.now().date())


def _walk(message: Any, prefix: str, today: date) -> None:
    dates: dict[str, tuple[str, date]] = {}
    for field, value in message.ListFields():
        name = field.name
        path = prefix + name
        if field.is_repeated:
            problem = limits.count_problem(name, len(value))
            if problem:
                raise InvalidField(path, len(value), problem)
            if field.type == _STRING:
                for i, item in enumerate(value):
                    _text(name, f"{path}[{i}]", item)
            elif field.type == _MESSAGE:
                for i, item in enumerate(value):
                    _walk(item, f"{path}[{i}].", today)
        elif field.type == _STRING:
            _text(name, path, value)
            day = _date_of(name, path, value, today)
            if day is not None:
                dates[name] = (path, day)
        elif field.type == _MESSAGE:
            _walk(value, path + ".", today)
    if "begndate" in dates and "enddate" in dates and dates["enddate"][1] < dates["begndate"][1]:
        path, day = dates["enddate"]
        raise InvalidField(path, day.isoformat(), f"before begndate {dates['begndate'][1]}")


def _text(name: str, path: str, value: str) -> None:
    problem = limits.text_problem(name, value)
    if problem:
        raise InvalidField(path, value, problem)


def _date_of(name: str, path: str, value: str, today: date) -> date | None:
    if name in limits.TIME_FIELDS:
        try:
            day = clock.parse_time(value).date()
        except ValueError:
            raise InvalidField(path, value, "must be a time yyyy-MM-dd HH:mm:ss") from None
    elif name in limits.EVENT_DATE_FIELDS or name in limits.PLANNED_DATE_FIELDS:
        try:
            day = clock.parse_date(value)
        except ValueError:
            raise InvalidField(path, value, "must be a date yyyy-MM-dd") from None
    else:
        return None
    problem = limits.date_problem(name, day, today)
    if problem:
        raise InvalidField(path, value, problem)
    return day
