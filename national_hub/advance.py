"""Advance funds (预付金) at the hub.

Each insured province's advance is the ledger account ``advance:<province>``: funded from
``bank:<province>`` (initial funding, top-ups, re-sizing), drawn by every settlement routed to it
(``national_hub/postings.py``). The size (what a top-up restores) and what is left are a row,
kept in the same transaction as each transfer on the account (so a check per settlement costs one
row read, not a sum over the ledger); :func:`drift` compares the row with the ledger. Usage of
70% raises a yellow warning and 90% a red one (logged when crossed, and in QueryAdvances and
``settlenet advance``). An exhausted advance is handled by the hub's
policy: ``refuse`` direct settlement (FAILED_PRECONDITION, reason ADVANCE_EXHAUSTED) or ``allow``
it and flag the settlement.

Sizing rule for the annual re-sizing: N months of the previous year's cross-province payments
(funds and accounts) of the insured province, as the hub routed them.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from sqlalchemy import Connection, bindparam, func, insert, select, update

from national_hub.tables import advances, hub_settlements, ledger
from services.ledger import store as ledger_store
from services.ledger.model import moving
from services.storage.prepared import run
from services.values import clock
from services.values.errors import FailedPrecondition, InvalidField, NotFound
from services.values.money import BP_ONE, format_ratio

log = structlog.get_logger("advance")

YELLOW_BP, RED_BP = 7000, 9000
DEFAULT_SIZE_FEN = 100_000_000  # 1,000,000 yuan until the first re-sizing
POLICIES = ("refuse", "allow")


@dataclass(frozen=True)
class Status:
    province: str
    size_fen: int
    available_fen: int
    flagged_count: int

    @property
    def used_bp(self) -> int:
        if self.size_fen <= 0:
            return BP_ONE
        used = self.size_fen - self.available_fen
        return max(0, used * BP_ONE // self.size_fen)

    @property
    def level(self) -> str:
        if self.available_fen <= 0:
            return "exhausted"
        if self.used_bp >= RED_BP:
            return "red"
        return "yellow" if self.used_bp >= YELLOW_BP else "green"

    @property
    def used_ratio(self) -> str:
        return format_ratio(self.used_bp)


_STATUS = select(advances).where(advances.c.province_code == bindparam("code"))
_DRAW = (
    update(advances)
    .where(advances.c.province_code == bindparam("code"))
    .values(available_fen=advances.c.available_fen - bindparam("amount_fen"))
)
"""Statements of every routed settlement, built once (built per call they cost four times as
much)."""


def _account(code: str) -> str:
    return f"advance:{code}"


def ledger_available(conn: Connection, code: str) -> int:
    """What is left of ``code``'s advance, summed from the ledger."""
    t = ledger.transfers
    credit = conn.execute(
        select(func.coalesce(func.sum(t.c.amount_fen), 0)).where(t.c.credit == _account(code))
    ).scalar_one()
    debit = conn.execute(
        select(func.coalesce(func.sum(t.c.amount_fen), 0)).where(t.c.debit == _account(code))
    ).scalar_one()
    return int(credit) - int(debit)


def ensure(conn: Connection, code: str, size_fen: int = DEFAULT_SIZE_FEN) -> None:
    """Open and fund a province's advance the first time the hub meets the province."""
    if run(conn, _STATUS, {"code": code}).first() is not None:
        return
    conn.execute(
        insert(advances).values(
            province_code=code,
            size_fen=size_fen,
            available_fen=0,
            flagged_count=0,
            updated_at=clock.format_time(clock.now()),
        )
    )
    _fund(conn, code, f"advance:{code}:opening", size_fen, "top_up")


def _fund(conn: Connection, code: str, transfer_id: str, amount_fen: int, kind: str) -> None:
    """Move ``amount_fen`` from the province's bank into its advance (negative: back)."""
    if ledger_store.post(
        conn,
        ledger,
        moving(transfer_id, f"bank:{code}", _account(code), amount_fen, f"advance:{code}", kind),
    ):
        draw(conn, code, -amount_fen)


def draw(conn: Connection, code: str, amount_fen: int) -> None:
    """Take ``amount_fen`` from what is left (negative: give back), in the caller's transaction
    — the one that posts the matching transfer."""
    run(conn, _DRAW, {"code": code, "amount_fen": amount_fen})


def drift(conn: Connection, code: str) -> int:
    """The row's ``available_fen`` minus the ledger's: 0 in a sound hub."""
    return status(conn, code).available_fen - ledger_available(conn, code)


def status(conn: Connection, code: str) -> Status:
    row = run(conn, _STATUS, {"code": code}).first()
    if row is None:
        raise NotFound("province", code, "no advance fund for this province at the hub")
    return Status(code, int(row.size_fen), int(row.available_fen), int(row.flagged_count))


def all_status(conn: Connection) -> list[Status]:
    codes = conn.execute(
        select(advances.c.province_code).order_by(advances.c.province_code)
    ).scalars()
    return [status(conn, c) for c in list(codes)]


def check_before_settle(conn: Connection, code: str, policy: str) -> None:
    """Before routing a 2207 to ``code``: refuse when its advance is exhausted and the policy
    says so."""
    st = opened(conn, code)
    if st.level == "exhausted" and policy == "refuse":
        raise FailedPrecondition(
            "header.insuplc_admdvs",
            code,
            f"the advance fund of province {code} is exhausted ({st.available_fen} fen left of "
            f"{st.size_fen}); it must be topped up before direct settlement resumes",
            reason="ADVANCE_EXHAUSTED",
        )


def opened(conn: Connection, code: str) -> Status:
    """The province's advance, opened (at the default size) if the hub had none yet."""
    row = run(conn, _STATUS, {"code": code}).first()
    if row is None:
        ensure(conn, code)
        return status(conn, code)
    return Status(code, int(row.size_fen), int(row.available_fen), int(row.flagged_count))


def after_posting(conn: Connection, code: str, before: int, drawn: Status | None = None) -> None:
    """After a settlement drew on the advance: flag it if it was exhausted, and log a warning
    when the usage crossed a threshold. ``drawn`` is the status after the draw when the caller
    knows it (it saves a read)."""
    st = drawn or status(conn, code)
    if before <= 0:
        conn.execute(
            update(advances)
            .where(advances.c.province_code == code)
            .values(flagged_count=advances.c.flagged_count + 1)
        )
        log.warning(
            "advance_exhausted_settlement_flagged", province=code, available_fen=st.available_fen
        )
    was = Status(code, st.size_fen, before, st.flagged_count).level
    if st.level != was and st.level in ("yellow", "red", "exhausted"):
        log.warning(
            "advance_warning",
            province=code,
            level=st.level,
            used_ratio=st.used_ratio,
            available_fen=st.available_fen,
            size_fen=st.size_fen,
        )
        if st.level in ("red", "exhausted"):  # red starts an emergency top-up (a hold)
            from national_hub import top_up

            top_up.emergency(conn, code)


def available(conn: Connection, code: str) -> int:
    row = conn.execute(
        select(advances.c.available_fen).where(advances.c.province_code == code)
    ).first()
    return int(row.available_fen) if row else 0


def top_up(conn: Connection, code: str, request_id: str) -> Status:
    if not request_id:
        raise InvalidField("request_id", "", "required: it makes a retried top-up safe")
    st = status(conn, code)
    _fund(
        conn, code, f"advance:{code}:top_up:{request_id}", st.size_fen - st.available_fen, "top_up"
    )
    conn.execute(
        update(advances)
        .where(advances.c.province_code == code)
        .values(flagged_count=0, updated_at=clock.format_time(clock.now()))
    )
    after = status(conn, code)
    log.info("advance_topped_up", province=code, available_fen=after.available_fen)
    return after


def paid_in_year(conn: Connection, code: str, year: int) -> int:
    t = hub_settlements
    total = conn.execute(
        select(func.coalesce(func.sum(t.c.fund_pay_sumamt + t.c.acct_pay), 0)).where(
            t.c.insuplc_admdvs.startswith(code), t.c.setl_time.startswith(f"{year:04d}")
        )
    ).scalar_one()
    return int(total)


def resize(
    conn: Connection, code: str, size_fen: int, months: int, year: int, request_id: str
) -> Status:
    """Set the size (given, or ``months`` of ``year``'s payments) and fund the difference."""
    if not request_id:
        raise InvalidField("request_id", "", "required: it makes a retried re-sizing safe")
    if (size_fen > 0) == (months > 0):
        raise InvalidField("size_fen", size_fen, "give either size_fen or months (> 0)")
    if months > 24:
        raise InvalidField("months", months, "at most 24")
    ensure(conn, code)
    if months:
        size_fen = paid_in_year(conn, code, year) * months // 12
        if size_fen <= 0:
            raise FailedPrecondition(
                "year",
                year,
                f"no cross-province payments of province {code} in {year} to size the advance on",
            )
    before = status(conn, code)
    conn.execute(
        update(advances)
        .where(advances.c.province_code == code)
        .values(size_fen=size_fen, updated_at=clock.format_time(clock.now()))
    )
    _fund(conn, code, f"advance:{code}:resize:{request_id}", size_fen - before.size_fen, "resize")
    log.info("advance_resized", province=code, size_fen=size_fen)
    return status(conn, code)
