"""The ledger's SQL store: posts and reads transfers (``services/ledger/model.py``) in the
caller's transaction."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.sql import Insert, Select

from services.ledger.model import Balance, Transfer, TransferExists
from services.storage.prepared import run
from services.values import clock


@dataclass(frozen=True)
class LedgerTables:
    transfers: Table


def ledger_tables(metadata: MetaData) -> LedgerTables:
    return LedgerTables(
        transfers=Table(
            "ledger_transfers",
            metadata,
            Column("seq", Integer, primary_key=True, autoincrement=True),
            Column("id", String(80), nullable=False, unique=True),
            Column("debit", String(64), nullable=False, index=True),
            Column("credit", String(64), nullable=False, index=True),
            Column("amount_fen", BigInteger, nullable=False),
            Column("ref", String(64), nullable=False, index=True),
            Column("kind", String(16), nullable=False),
            Column("posted_at", String(19), nullable=False),
        )
    )


def _row_transfer(row: Any) -> Transfer:
    return Transfer(row.id, row.debit, row.credit, int(row.amount_fen), row.ref, row.kind)


@functools.cache
def _statements(t: Table) -> tuple[Select[tuple[object, ...]], Insert]:
    """The posting statements of one ledger, built once (per call they cost four times as
    much): the transfer of an id, and the insert."""
    return select(t).where(t.c.id == bindparam("id")), insert(t)


def post(conn: Connection, tables: LedgerTables, transfers: list[Transfer]) -> int:
    """Post transfers in the caller's transaction; returns how many were new."""
    if not transfers:
        return 0
    by_id, add = _statements(tables.transfers)
    posted = {
        row.id: _row_transfer(row)
        for row in (run(conn, by_id, {"id": tr.id}).first() for tr in transfers)
        if row is not None
    }
    at = clock.format_time(clock.now())
    fresh = []
    for tr in transfers:
        old = posted.get(tr.id)
        if old is not None:
            if old != tr:
                raise TransferExists(tr, old)
            continue
        posted[tr.id] = tr
        fresh.append(
            {
                "id": tr.id,
                "debit": tr.debit,
                "credit": tr.credit,
                "amount_fen": tr.amount_fen,
                "ref": tr.ref,
                "kind": tr.kind,
                "posted_at": at,
            }
        )
    if fresh:
        run(conn, add, fresh)
    return len(fresh)


def transfers(conn: Connection, tables: LedgerTables, ref: str = "") -> list[Transfer]:
    t = tables.transfers
    query = select(t).order_by(t.c.seq)
    if ref:
        query = query.where(t.c.ref == ref)
    return [_row_transfer(r) for r in conn.execute(query).all()]


def balances(conn: Connection, tables: LedgerTables) -> dict[str, Balance]:
    """Every account's debits and credits, summed from its transfers."""
    t = tables.transfers
    debits = dict(
        conn.execute(select(t.c.debit, func.sum(t.c.amount_fen)).group_by(t.c.debit)).all()
    )
    credits = dict(
        conn.execute(select(t.c.credit, func.sum(t.c.amount_fen)).group_by(t.c.credit)).all()
    )
    return {
        a: Balance(int(debits.get(a, 0)), int(credits.get(a, 0)))
        for a in sorted(set(debits) | set(credits))
    }


def trial_balance(conn: Connection, tables: LedgerTables) -> tuple[int, int]:
    """(total debits, total credits) over every account: equal in a sound ledger."""
    bal = balances(conn, tables)
    return sum(b.debits_fen for b in bal.values()), sum(b.credits_fen for b in bal.values())
