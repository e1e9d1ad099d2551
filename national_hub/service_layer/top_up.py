"""Two-phase top-ups of an advance fund (预付金), on the hub's ledger holds.

The insured province's finance first promises a top-up (it "submits within 5 working days") and
pays it later ("transfers within 10"), so a top-up is a hold — ``bank:<province>`` →
``advance:<province>`` — that moves nothing until the money arrives: then it is posted (all of
it or less) and what is left of the advance grows by what arrived, in the same transaction; or
it is voided. A red warning (usage ≥ 90%) starts an emergency top-up: a hold for what would
restore the advance, unless one is already pending. The one-step ``AdvanceService.TopUp`` stays
for money already paid (``national_hub/service_layer/advances.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog

from national_hub.adapters.unit_of_work import Repositories, UnitOfWork
from national_hub.domain import advance
from national_hub.service_layer import posting
from services.ledger.holds import Hold
from services.values.errors import FailedPrecondition, InvalidField

log = structlog.get_logger("advance")


@dataclass(frozen=True)
class TopUpView:
    """A top-up hold with its province's advance as it stands."""

    province: str
    request_id: str
    hold: Hold
    available_fen: int
    pending_fen: int


def pending_fen(repos: Repositories, code: str) -> int:
    """Top-ups of ``code`` promised and not yet paid or voided."""
    return sum(
        h.transfer.amount_fen
        for h in repos.ledger.holds(advance.account(code))
        if h.outcome == "pending" and h.transfer.credit == advance.account(code)
    )


def request(repos: Repositories, code: str, request_id: str, amount_fen: int = 0) -> Hold:
    """Promise a top-up: by default what restores the advance to its size, less what is
    already pending. A retry returns the same hold."""
    advance.check_top_up_request(request_id, amount_fen)
    st = repos.advances.status(code)
    hid = advance.top_up_hold_id(code, request_id)
    known = [h for h in repos.ledger.holds(advance.account(code)) if h.id == hid]
    if known and not amount_fen:
        return known[0]
    amount = advance.top_up_amount(st, pending_fen(repos, code), amount_fen)
    h = posting.hold_top_up(repos, code, hid, amount)
    log.info("advance_top_up_requested", province=code, request_id=request_id, amount_fen=amount)
    return h


def settle(
    repos: Repositories, code: str, request_id: str, *, arrived: bool, amount_fen: int = 0
) -> Hold:
    """The promised money arrived (post: all, or ``amount_fen`` of it) or will not (void)."""
    repos.advances.status(code)
    h, grew = posting.settle_top_up(
        repos,
        code,
        advance.top_up_hold_id(code, request_id),
        arrived=arrived,
        amount_fen=amount_fen,
    )
    if grew:
        log.info(
            "advance_top_up_arrived", province=code, request_id=request_id, amount_fen=h.posted_fen
        )
    return h


def emergency(repos: Repositories, code: str, now: datetime) -> Hold | None:
    """At a red warning: request a top-up unless one is pending already."""
    if pending_fen(repos, code) > 0:
        return None
    try:
        return request(repos, code, advance.emergency_request_id(now))
    except FailedPrecondition:  # nothing to top up
        return None


def _view(repos: Repositories, code: str, h: Hold) -> TopUpView:
    return TopUpView(
        code,
        advance.request_id_of(h.id),
        h,
        repos.advances.available(code),
        pending_fen(repos, code),
    )


class TopUps:
    """The TopUpService's handlers."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def request(self, province: str, request_id: str, amount_fen: int) -> TopUpView:
        code = advance.check_province(province)

        def unit(repos: Repositories) -> TopUpView:
            return _view(repos, code, request(repos, code, request_id, amount_fen))

        return await self.uow.run(unit)

    async def settle(
        self, province: str, request_id: str, *, arrived: bool, amount_fen: int
    ) -> TopUpView:
        code = advance.check_province(province)
        if not request_id:
            raise InvalidField("request_id", "", "required: the top-up to settle")
        if amount_fen < 0 or (amount_fen and not arrived):
            raise InvalidField("amount_fen", amount_fen, "only with arrived, and positive")

        def unit(repos: Repositories) -> TopUpView:
            h = settle(repos, code, request_id, arrived=arrived, amount_fen=amount_fen)
            return _view(repos, code, h)

        return await self.uow.run(unit)

    async def list(self, province: str) -> list[TopUpView]:
        only = advance.check_province(province) if province else ""

        def unit(repos: Repositories) -> list[TopUpView]:
            out = []
            for code in [only] if only else repos.advances.codes():
                repos.advances.status(code)  # NOT_FOUND for a province without an advance
                out += [_view(repos, code, h) for h in repos.ledger.holds(advance.account(code))]
            return out

        return await self.uow.run(unit)
