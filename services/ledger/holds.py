"""Holds: two-phase transfers in the manner of TigerBeetle's pending transfers.

A hold reserves an amount that is not final yet (a top-up the insured province's finance has
promised but not paid): it names a debit account, a credit account and an amount, and moves
nothing. It is later **posted** — a real transfer (``services.ledger``) of at most the held
amount, id ``<hold id>:post`` — or **voided**; either at most once. Holds and their outcomes are
immutable rows: what is pending is derived (holds without an outcome), never kept. Retrying a
hold, a post or a void with the same fields does nothing; with other fields it is a named error.

    hold ──post(amount ≤ held)──▶ transfer <hold>:post   (the outcome row says "posted")
      └───void──────────────────▶ nothing moves          (the outcome row says "voided")
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
)

from services.ledger import store as ledger_store
from services.ledger.model import Balance, Transfer, TransferExists
from services.ledger.store import LedgerTables
from services.values import clock
from services.values.errors import FailedPrecondition, NotFound
from services.values.reasons import Reason


@dataclass(frozen=True)
class HoldTables:
    holds: Table
    outcomes: Table


def hold_tables(metadata: MetaData) -> HoldTables:
    return HoldTables(
        holds=Table(
            "ledger_holds",
            metadata,
            Column("seq", Integer, primary_key=True, autoincrement=True),
            Column("id", String(80), nullable=False, unique=True),
            Column("debit", String(64), nullable=False),
            Column("credit", String(64), nullable=False),
            Column("amount_fen", BigInteger, nullable=False),
            Column("ref", String(64), nullable=False, index=True),
            Column("kind", String(16), nullable=False),
            Column("held_at", String(19), nullable=False),
        ),
        outcomes=Table(
            "ledger_hold_outcomes",
            metadata,
            Column("hold_id", String(80), primary_key=True),  # one outcome per hold
            Column("outcome", String(8), nullable=False),  # posted | voided
            Column("amount_fen", BigInteger, nullable=False),  # posted amount; 0 when voided
            Column("at", String(19), nullable=False),
        ),
    )


@dataclass(frozen=True)
class Hold:
    transfer: Transfer
    """What is held (moves nothing until posted)."""
    outcome: str = "pending"
    """"pending", "posted" or "voided"."""
    posted_fen: int = 0

    @property
    def id(self) -> str:
        return self.transfer.id


def _state(conn: Connection, t: HoldTables, hold_id: str) -> Hold | None:
    row = conn.execute(select(t.holds).where(t.holds.c.id == hold_id)).first()
    if row is None:
        return None
    tr = Transfer(row.id, row.debit, row.credit, int(row.amount_fen), row.ref, row.kind)
    out = conn.execute(select(t.outcomes).where(t.outcomes.c.hold_id == hold_id)).first()
    if out is None:
        return Hold(tr)
    return Hold(tr, out.outcome, int(out.amount_fen))


def hold(conn: Connection, t: HoldTables, tr: Transfer) -> Hold:
    """Place a hold (in the caller's transaction); a retry with the same fields returns it."""
    found = _state(conn, t, tr.id)
    if found is not None:
        if found.transfer != tr:
            raise TransferExists(tr, found.transfer)
        return found
    conn.execute(
        insert(t.holds).values(
            id=tr.id,
            debit=tr.debit,
            credit=tr.credit,
            amount_fen=tr.amount_fen,
            ref=tr.ref,
            kind=tr.kind,
            held_at=clock.format_time(clock.now()),
        )
    )
    return Hold(tr)


def _resolved(h: Hold, wanted: str) -> FailedPrecondition:
    return FailedPrecondition(
        "hold_id",
        h.id,
        f"already {h.outcome}; cannot be {wanted}",
        reason=Reason(f"PENDING_ALREADY_{h.outcome.upper()}"),
    )


def post(
    conn: Connection,
    t: HoldTables,
    ledger: LedgerTables,
    hold_id: str,
    amount_fen: int | None = None,
) -> Hold:
    """Post a hold: the held amount (or less) becomes a transfer. Idempotent for the same
    amount; refused when voided, when posted with another amount, or above what is held."""
    h = _state(conn, t, hold_id)
    if h is None:
        raise NotFound("hold_id", hold_id, "no such hold")
    amount = h.transfer.amount_fen if amount_fen is None else amount_fen
    if h.outcome == "posted" and h.posted_fen == amount:
        return h
    if h.outcome != "pending":
        raise _resolved(h, "posted")
    if not 0 < amount <= h.transfer.amount_fen:
        raise FailedPrecondition(
            "amount_fen",
            amount,
            f"must be more than 0 and at most the "
            f"{h.transfer.amount_fen} fen held; void it to post nothing",
            reason=Reason.EXCEEDS_PENDING_AMOUNT,
        )
    ledger_store.post(
        conn,
        ledger,
        [
            Transfer(
                f"{hold_id}:post",
                h.transfer.debit,
                h.transfer.credit,
                amount,
                h.transfer.ref,
                h.transfer.kind,
            )
        ],
    )
    conn.execute(
        insert(t.outcomes).values(
            hold_id=hold_id, outcome="posted", amount_fen=amount, at=clock.format_time(clock.now())
        )
    )
    return Hold(h.transfer, "posted", amount)


def void(conn: Connection, t: HoldTables, hold_id: str) -> Hold:
    """Void a hold: nothing moves. Idempotent; refused once posted."""
    h = _state(conn, t, hold_id)
    if h is None:
        raise NotFound("hold_id", hold_id, "no such hold")
    if h.outcome == "voided":
        return h
    if h.outcome != "pending":
        raise _resolved(h, "voided")
    conn.execute(
        insert(t.outcomes).values(
            hold_id=hold_id, outcome="voided", amount_fen=0, at=clock.format_time(clock.now())
        )
    )
    return Hold(h.transfer, "voided", 0)


def holds(conn: Connection, t: HoldTables, ref: str = "") -> list[Hold]:
    query = select(t.holds.c.id).order_by(t.holds.c.seq)
    if ref:
        query = query.where(t.holds.c.ref == ref)
    found = [_state(conn, t, hid) for hid in conn.execute(query).scalars()]
    return [h for h in found if h is not None]


def pending(conn: Connection, t: HoldTables) -> dict[str, Balance]:
    """Every account's pending debits and credits: the sums of holds with no outcome yet."""
    out: dict[str, list[int]] = {}
    for h in holds(conn, t):
        if h.outcome == "pending":
            out.setdefault(h.transfer.debit, [0, 0])[0] += h.transfer.amount_fen
            out.setdefault(h.transfer.credit, [0, 0])[1] += h.transfer.amount_fen
    return {a: Balance(d, c) for a, (d, c) in sorted(out.items())}
