"""Advance funds (预付金) at the hub: opening, the check before a 2207, what a draw triggers,
one-step top-ups, re-sizing, and the AdvanceService's handlers.

Each insured province's advance is the ledger account ``advance:<province>``, funded from
``bank:<province>`` and drawn by every settlement routed to it; its size and what is left are a
row kept in the same transaction as each transfer (``national_hub/adapters/advances.py``). The
levels and sizing rules are ``national_hub/domain/advance.py``.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from national_hub.adapters.unit_of_work import Repositories, UnitOfWork
from national_hub.domain import advance
from national_hub.domain.advance import DEFAULT_SIZE_FEN, Status
from national_hub.service_layer import posting, top_up
from services.values import clock
from services.values.errors import InvalidField

log = structlog.get_logger("advance")


def ensure(repos: Repositories, code: str, size_fen: int = DEFAULT_SIZE_FEN) -> int:
    """Open and fund a province's advance the first time the hub meets the province; its size
    (that of an advance opened before stays: re-sizing is ``settlenet advance resize``)."""
    known = repos.advances.get(code)
    if known is not None:
        return known.size_fen
    repos.advances.add(code, size_fen, clock.format_time(clock.now()))
    posting.fund(repos, code, f"advance:{code}:opening", size_fen, "top_up")
    return size_fen


def opened(repos: Repositories, code: str, *, lock: bool = False) -> Status:
    """The province's advance, opened (at the default size) if the hub had none yet; with
    ``lock``, its row locked to change it (what a draw's warnings are computed from)."""
    st = repos.advances.get(code, lock=lock)
    if st is None:
        ensure(repos, code)
        return repos.advances.status(code)
    return st


def check_before_settle(repos: Repositories, code: str, policy: str) -> None:
    """Before routing a 2207 to ``code``: refuse when its advance is exhausted and the policy
    says so."""
    advance.check_before_settle(opened(repos, code), policy)


def after_draw(repos: Repositories, code: str, before: int, drawn: Status, now: datetime) -> None:
    """After a settlement drew on the advance (``drawn``: its status after the draw): flag it
    if it was exhausted, and warn when the usage crossed a threshold (red starts an emergency
    top-up)."""
    if before <= 0:
        repos.advances.flag(code)
        log.warning(
            "advance_exhausted_settlement_flagged", province=code, available_fen=drawn.available_fen
        )
    level = advance.warning_crossed(before, drawn)
    if level is not None:
        log.warning(
            "advance_warning",
            province=code,
            level=level,
            used_ratio=drawn.used_ratio,
            available_fen=drawn.available_fen,
            size_fen=drawn.size_fen,
        )
        if advance.starts_emergency_top_up(level):
            top_up.emergency(repos, code, now)


def top_up_now(repos: Repositories, code: str, request_id: str) -> Status:
    """Money already paid: fund the advance back to its size."""
    if not request_id:
        raise InvalidField("request_id", "", "required: it makes a retried top-up safe")
    st = repos.advances.status(code)
    posting.fund(
        repos,
        code,
        f"advance:{code}:top_up:{request_id}",
        st.size_fen - st.available_fen,
        "top_up",
    )
    repos.advances.clear_flags(code, clock.format_time(clock.now()))
    after = repos.advances.status(code)
    log.info("advance_topped_up", province=code, available_fen=after.available_fen)
    return after


def resize(
    repos: Repositories, code: str, size_fen: int, months: int, year: int, request_id: str
) -> Status:
    """Set the size (given, or ``months`` of ``year``'s payments) and fund the difference."""
    advance.check_resize(size_fen, months, request_id)
    ensure(repos, code)
    if months:
        size_fen = advance.sized_on_payments(
            code, repos.settlements.paid_in_year(code, year), months, year
        )
    before = repos.advances.status(code)
    repos.advances.set_size(code, size_fen, clock.format_time(clock.now()))
    posting.fund(
        repos, code, f"advance:{code}:resize:{request_id}", size_fen - before.size_fen, "resize"
    )
    log.info("advance_resized", province=code, size_fen=size_fen)
    return repos.advances.status(code)


def _statuses(repos: Repositories, province: str) -> list[Status]:
    if province:
        return [repos.advances.status(province)]
    return [repos.advances.status(c) for c in repos.advances.codes()]


class Advances:
    """The AdvanceService's handlers."""

    def __init__(self, uow: UnitOfWork, exhausted_policy: str) -> None:
        self.uow = uow
        self.exhausted_policy = exhausted_policy

    async def query(self, province: str) -> list[Status]:
        return await self.uow.run(_statuses, advance.check_province(province) if province else "")

    async def top_up(self, province: str, request_id: str) -> Status:
        return await self.uow.run(top_up_now, advance.check_province(province), request_id)

    async def resize(
        self, province: str, size_fen: int, months: int, year: int, request_id: str
    ) -> Status:
        """``year`` 0: last year."""
        year = year or clock.now().year - 1
        return await self.uow.run(
            resize, advance.check_province(province), size_fen, months, year, request_id
        )
