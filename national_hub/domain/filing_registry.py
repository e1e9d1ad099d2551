"""The national filing registry's rules (pure): a published filing or qualification change as the
hub keeps it, and which version of each filing is current."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from services.values.errors import InvalidField

DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class Published:
    """A FilingEvent as the registry stores it: the columns it is found by, and its bytes."""

    event_id: str
    infno: str
    psn_no: str
    insuplc_admdvs: str
    filing_id: str
    """The filing's id, or the qualification's."""
    dest_admdvs: str
    channel: str
    event_time: str
    payload: bytes
    has_filing: bool
    has_qualification: bool


@dataclass(frozen=True)
class RegistryQuery:
    psn_no: str = ""
    filing_id: str = ""
    insuplc_admdvs: str = ""
    dest_admdvs: str = ""
    limit: int = 0


def check_published(e: Published) -> None:
    if not e.event_id or not e.psn_no:
        raise InvalidField("event_id" if not e.event_id else "psn_no", "", "required")
    if not (e.has_filing or e.has_qualification):
        raise InvalidField("filing", "", "an event carries a filing or a qualification")


def check_query(q: RegistryQuery) -> None:
    if q.limit < 0:
        raise InvalidField("limit", q.limit, "must be 0 (default) or more")


F = TypeVar("F")


def current(versions: Iterable[tuple[str, int, F]]) -> list[F]:
    """The latest version of each filing, from (filing_id, version, filing) in history order (a
    later entry of the same version wins)."""
    out: dict[str, tuple[int, F]] = {}
    for filing_id, version, f in versions:
        if filing_id not in out or out[filing_id][0] <= version:
            out[filing_id] = (version, f)
    return [f for _, f in out.values()]
