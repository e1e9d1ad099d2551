"""Two-phase top-ups of an advance fund (预付金), on the hub's ledger holds.

The insured province's finance first promises a top-up (it "submits within 5 working days") and
pays it later ("transfers within 10"), so a top-up is a hold — ``bank:<province>`` →
``advance:<province>`` — that moves nothing until the money arrives: then it is posted (all of
it or less) and what is left of the advance grows by what arrived, in the same transaction; or
it is voided. A red warning (usage ≥ 90%) starts an emergency top-up: a hold for what would
restore the advance, unless one is already pending. The one-step ``AdvanceService.TopUp`` stays
for money already paid.
"""

from __future__ import annotations

import structlog
from sqlalchemy import Connection

from national_hub import advance
from national_hub.tables import holds, ledger
from services.ledger import holds as hold_store
from services.ledger.holds import Hold
from services.ledger.model import Transfer
from services.values import clock
from services.values.errors import FailedPrecondition, InvalidField

log = structlog.get_logger("advance")

PREFIX = "top_up_request"


def hold_id(code: str, request_id: str) -> str:
    return f"advance:{code}:{PREFIX}:{request_id}"


def request_id_of(h: Hold) -> str:
    return h.id.split(f":{PREFIX}:", 1)[1]


def pending_fen(conn: Connection, code: str) -> int:
    """Top-ups of ``code`` promised and not yet paid or voided."""
    return sum(
        h.transfer.amount_fen
        for h in hold_store.holds(conn, holds, f"advance:{code}")
        if h.outcome == "pending" and h.transfer.credit == f"advance:{code}"
    )


def request(conn: Connection, code: str, request_id: str, amount_fen: int = 0) -> Hold:
    """Promise a top-up: by default what restores the advance to its size, less what is
    already pending. A retry returns the same hold."""
    if not request_id:
        raise InvalidField("request_id", "", "required: it names the top-up and makes a retry safe")
    if amount_fen < 0:
        raise InvalidField("amount_fen", amount_fen, "must be positive (0: restore the size)")
    st = advance.status(conn, code)
    known = [
        h
        for h in hold_store.holds(conn, holds, f"advance:{code}")
        if h.id == hold_id(code, request_id)
    ]
    if known and not amount_fen:
        return known[0]
    amount = amount_fen or st.size_fen - st.available_fen - pending_fen(conn, code)
    if amount <= 0:
        raise FailedPrecondition(
            "province",
            code,
            f"the advance is full counting pending "
            f"top-ups ({st.available_fen} fen left of {st.size_fen})",
            reason="NOTHING_TO_TOP_UP",
        )
    h = hold_store.hold(
        conn,
        holds,
        Transfer(
            hold_id(code, request_id),
            f"bank:{code}",
            f"advance:{code}",
            amount,
            f"advance:{code}",
            "top_up",
        ),
    )
    log.info("advance_top_up_requested", province=code, request_id=request_id, amount_fen=amount)
    return h


def settle(
    conn: Connection, code: str, request_id: str, *, arrived: bool, amount_fen: int = 0
) -> Hold:
    """The promised money arrived (post: all, or ``amount_fen`` of it) or will not (void)."""
    advance.status(conn, code)
    hid = hold_id(code, request_id)
    if not arrived:
        return hold_store.void(conn, holds, hid)
    before = [h for h in hold_store.holds(conn, holds, f"advance:{code}") if h.id == hid]
    h = hold_store.post(conn, holds, ledger, hid, amount_fen or None)
    if not before or before[0].outcome != "posted":  # posted now: what is left grows
        advance.draw(conn, code, -h.posted_fen)
        log.info(
            "advance_top_up_arrived", province=code, request_id=request_id, amount_fen=h.posted_fen
        )
    return h


def emergency(conn: Connection, code: str) -> Hold | None:
    """At a red warning: request a top-up unless one is pending already."""
    if pending_fen(conn, code) > 0:
        return None
    try:
        return request(conn, code, f"emergency-{clock.now():%Y%m%d%H%M%S}")
    except FailedPrecondition:  # nothing to top up
        return None
