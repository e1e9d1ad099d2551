"""Each insured province's advance as a row (``advances``): its size and what is left, kept in
the same transaction as each transfer on ``advance:<province>`` (so a check per settlement costs
one row read, not a sum over the ledger); :func:`drift` compares the row with the ledger.

The module functions (``status``, ``all_status``, ``drift``) take a connection, for tests and
tools that read a hub's database directly (``db.transact_sync(advances.drift, "13")``).
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, func, insert, select, update

from national_hub.adapters.tables import advances, ledger
from national_hub.domain.advance import Status, account
from services.storage.prepared import run
from services.values.errors import NotFound

_STATUS = select(advances).where(advances.c.province_code == bindparam("code"))
_STATUS_FOR_UPDATE = _STATUS.with_for_update()
"""Read to change it: several hub processes on PostgreSQL draw on one advance at once (on SQLite
the node's single writer serialises them, and FOR UPDATE is not spelt)."""
_DRAW = (
    update(advances)
    .where(advances.c.province_code == bindparam("code"))
    .values(available_fen=advances.c.available_fen - bindparam("amount_fen"))
)
"""Statements of every routed settlement, built once (built per call they cost four times as
much)."""


class AdvanceRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, code: str, *, lock: bool = False) -> Status | None:
        """The advance of ``code``; with ``lock``, its row locked until the transaction ends."""
        row = run(self.conn, _STATUS_FOR_UPDATE if lock else _STATUS, {"code": code}).first()
        if row is None:
            return None
        return Status(code, int(row.size_fen), int(row.available_fen), int(row.flagged_count))

    def status(self, code: str) -> Status:
        st = self.get(code)
        if st is None:
            raise NotFound("province", code, "no advance fund for this province at the hub")
        return st

    def codes(self) -> list[str]:
        return list(
            self.conn.execute(
                select(advances.c.province_code).order_by(advances.c.province_code)
            ).scalars()
        )

    def add(self, code: str, size_fen: int, at: str) -> None:
        """A new advance row, with nothing in it yet (funding posts and draws)."""
        self.conn.execute(
            insert(advances).values(
                province_code=code,
                size_fen=size_fen,
                available_fen=0,
                flagged_count=0,
                updated_at=at,
            )
        )

    def draw(self, code: str, amount_fen: int) -> None:
        """Take ``amount_fen`` from what is left (negative: give back), in the transaction that
        posts the matching transfer."""
        run(self.conn, _DRAW, {"code": code, "amount_fen": amount_fen})

    def flag(self, code: str) -> None:
        self.conn.execute(
            update(advances)
            .where(advances.c.province_code == code)
            .values(flagged_count=advances.c.flagged_count + 1)
        )

    def clear_flags(self, code: str, at: str) -> None:
        self.conn.execute(
            update(advances)
            .where(advances.c.province_code == code)
            .values(flagged_count=0, updated_at=at)
        )

    def set_size(self, code: str, size_fen: int, at: str) -> None:
        self.conn.execute(
            update(advances)
            .where(advances.c.province_code == code)
            .values(size_fen=size_fen, updated_at=at)
        )

    def available(self, code: str) -> int:
        row = self.conn.execute(
            select(advances.c.available_fen).where(advances.c.province_code == code)
        ).first()
        return int(row.available_fen) if row else 0

    def ledger_available(self, code: str) -> int:
        """What is left of ``code``'s advance, summed from the ledger."""
        t = ledger.transfers
        credit = self.conn.execute(
            select(func.coalesce(func.sum(t.c.amount_fen), 0)).where(t.c.credit == account(code))
        ).scalar_one()
        debit = self.conn.execute(
            select(func.coalesce(func.sum(t.c.amount_fen), 0)).where(t.c.debit == account(code))
        ).scalar_one()
        return int(credit) - int(debit)

    def drift(self, code: str) -> int:
        """The row's ``available_fen`` minus the ledger's: 0 in a sound hub."""
        return self.status(code).available_fen - self.ledger_available(code)


def status(conn: Connection, code: str) -> Status:
    return AdvanceRepository(conn).status(code)


def all_status(conn: Connection) -> list[Status]:
    repo = AdvanceRepository(conn)
    return [repo.status(c) for c in repo.codes()]


def drift(conn: Connection, code: str) -> int:
    return AdvanceRepository(conn).drift(code)
