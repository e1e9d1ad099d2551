"""The in-doubt table: what a forwarding node is about to forward, written before it forwards.

A treatment node forwarding a hospital's 2207 to the hub, and the hub forwarding it to the
insured node, each write one row here in the unit that checks the msgid journal just before the
call goes out (no commit of its own: the unit commits anyway). The row is closed in the unit that
records the answer (journal entry, settlement record, postings) as ``done``; a call the next node
refused outright took effect nowhere, and its row is removed. A row still ``pending`` after its
call ended means the outcome is unknown here (the next node unreachable, a deadline, this node
killed mid-call): the node's resolver asks the next node what it knows of the msgid and records
that, or corrects it (2601), and closes the row ``done``, ``burned`` or ``corrected``
(``docs/exactly-once.md``).

A node run as several processes on one database (``--processes N``, ``docs/scaleout.md``)
leases each pending row to the process forwarding or resolving it (``owner``, ``lease_until``):
another process that meets the msgid meanwhile waits for it instead of resolving it (which could
burn a 2207 still on its way), and only one process resolves a row at a time (:func:`claim`).
A single process ignores leases (:func:`share` is never called): a row a crashed process left
is its own at the next start.

The row keeps the forwarded request as it went on the wire (a retry of the forward, for the
calls that are resolved by redoing them) and the fields a resolution needs without parsing it.
"""

from __future__ import annotations

import functools
import os
import secrets
import time

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.sql import Insert, Select, Update

from services.storage.prepared import run
from services.values import clock
from services.values.forward import FAILED, PENDING, STATES, Forward

OWNER = f"{os.getpid()}-{secrets.token_hex(4)}"
"""This process, as the owner of the rows it forwards or resolves."""
LEASE_S = 25.0
"""How long a process holds a row it forwards or resolves: longer than a forward may take (two
hops of 10 s); a process that died holding it lets the others resolve it after this."""
_shared = False


def share(on: bool = True) -> None:
    """Honour other processes' leases: this process is one of several on one database."""
    global _shared
    _shared = on


def shared() -> bool:
    return _shared


def _ms(t: float) -> int:
    return int(t * 1000)


def _lease() -> int:
    """The end of a lease taken now (Unix milliseconds)."""
    return _ms(time.time() + LEASE_S)


def in_doubt_table(metadata: MetaData, name: str = "in_doubt") -> Table:
    """A node's in-doubt table (one per node: only the forwarding roles write it)."""
    return Table(
        name,
        metadata,
        Column("msgid", String(40), primary_key=True),
        Column("infno", String(8), nullable=False),
        Column("downstream", String(32), nullable=False),
        Column("insuplc_admdvs", String(6), nullable=False),
        Column("psn_no", String(32), nullable=False),
        Column("mdtrt_id", String(40), nullable=False),
        Column("body_sha256", String(64), nullable=False),
        Column("request", LargeBinary, nullable=False),
        Column("state", String(12), nullable=False),
        Column("created_at", String(19), nullable=False),
        Column("resolved_at", String(19), nullable=False),
        Column("outcome", String(300), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("correction", String(40), nullable=False),
        # The process forwarding or resolving the row, and until when (several processes).
        Column("owner", String(40), nullable=False, server_default=""),
        Column("lease_until", BigInteger, nullable=False, server_default=text("0")),
        # The resolver reads the pending rows only: a partial index stays as small as they are.
        Index(
            f"ix_{name}_pending",
            "created_at",
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )


@functools.cache
def _insert(table: Table) -> Insert:
    return insert(table)


@functools.cache
def _get(table: Table) -> Select[tuple[object, ...]]:
    return select(table).where(table.c.msgid == bindparam("msgid"))


@functools.cache
def _finish(table: Table) -> Update:
    return (
        update(table)
        .where(table.c.msgid == bindparam("k_msgid"), table.c.state == PENDING)
        .values(
            state=bindparam("state"),
            resolved_at=bindparam("resolved_at"),
            outcome=bindparam("outcome"),
        )
    )


def _row(r: object) -> Forward:
    m = r._mapping  # type: ignore[attr-defined]
    return Forward(
        msgid=m["msgid"],
        infno=m["infno"],
        downstream=m["downstream"],
        insuplc_admdvs=m["insuplc_admdvs"],
        psn_no=m["psn_no"],
        mdtrt_id=m["mdtrt_id"],
        body_sha256=m["body_sha256"],
        request=bytes(m["request"]),
        state=m["state"],
        created_at=m["created_at"],
        resolved_at=m["resolved_at"],
        outcome=m["outcome"],
        attempts=int(m["attempts"]),
        correction=m["correction"],
        owner=m["owner"],
        lease_until=int(m["lease_until"]),
    )


def add(conn: Connection, table: Table, f: Forward) -> None:
    """Write ``f`` as pending (in the caller's transaction, before the call goes out)."""
    run(
        conn,
        _insert(table),
        {
            "msgid": f.msgid,
            "infno": f.infno,
            "downstream": f.downstream,
            "insuplc_admdvs": f.insuplc_admdvs,
            "psn_no": f.psn_no,
            "mdtrt_id": f.mdtrt_id,
            "body_sha256": f.body_sha256,
            "request": f.request,
            "state": PENDING,
            "created_at": clock.format_time(clock.now()),
            "resolved_at": "",
            "outcome": "",
            "attempts": 0,
            "correction": "",
            "owner": OWNER,
            "lease_until": _lease(),
        },
    )


def reopen(conn: Connection, table: Table, f: Forward) -> None:
    """Forward again a msgid whose last forward was refused outright (``failed``)."""
    conn.execute(
        update(table)
        .where(table.c.msgid == f.msgid, table.c.state == FAILED)
        .values(
            body_sha256=f.body_sha256,
            request=f.request,
            state=PENDING,
            created_at=clock.format_time(clock.now()),
            resolved_at="",
            outcome="",
            attempts=0,
            correction="",
            owner=OWNER,
            lease_until=_lease(),
        )
    )


def get(conn: Connection, table: Table, msgid: str) -> Forward | None:
    row = run(conn, _get(table), {"msgid": msgid}).first()
    return _row(row) if row is not None else None


def finish(conn: Connection, table: Table, msgid: str, state: str, outcome: str = "") -> bool:
    """Close ``msgid``'s pending row as ``state``; False when it was not pending (or absent)."""
    assert state in STATES and state != PENDING
    done = run(
        conn,
        _finish(table),
        {
            "k_msgid": msgid,
            "state": state,
            "resolved_at": clock.format_time(clock.now()),
            "outcome": outcome[:300],
        },
    )
    return bool(done.rowcount)


def drop(conn: Connection, table: Table, msgid: str) -> None:
    """Remove ``msgid``'s pending row: the next node refused the call outright, so it took
    effect nowhere and nothing of it stays (refused input changes nothing)."""
    conn.execute(delete(table).where(table.c.msgid == msgid, table.c.state == PENDING))


def correcting(conn: Connection, table: Table, msgid: str, by_msgid: str) -> None:
    """Record that ``msgid`` is being burned by the 2601 ``by_msgid`` (before it is sent)."""
    conn.execute(
        update(table)
        .where(table.c.msgid == msgid, table.c.state == PENDING)
        .values(correction=by_msgid)
    )


def attempted(conn: Connection, table: Table, msgid: str, note: str) -> None:
    """Count one attempt to resolve ``msgid`` that left it pending, and what it met; its lease
    ends (any process may resolve it now)."""
    conn.execute(
        update(table)
        .where(table.c.msgid == msgid, table.c.state == PENDING)
        .values(attempts=table.c.attempts + 1, outcome=note[:300], lease_until=0)
    )


def leased_elsewhere(f: Forward) -> bool:
    """Whether another live process holds ``f`` (forwarding or resolving it): only when this
    process shares its database with others."""
    return _shared and f.owner != OWNER and f.lease_until > _ms(time.time())


def claim(conn: Connection, table: Table, msgid: str) -> bool:
    """Take ``msgid``'s pending row to resolve it: always alone; with other processes, unless
    another one holds it (the row is then leased to this one)."""
    if not _shared:
        return True
    now = _ms(time.time())
    done = conn.execute(
        update(table)
        .where(
            table.c.msgid == msgid,
            table.c.state == PENDING,
            (table.c.owner == OWNER) | (table.c.lease_until <= now),
        )
        .values(owner=OWNER, lease_until=now + _ms(LEASE_S))
    )
    return bool(done.rowcount)


def pending(conn: Connection, table: Table, limit: int = 500) -> list[Forward]:
    """The oldest pending rows."""
    q = (
        select(table)
        .where(table.c.state == PENDING)
        .order_by(table.c.created_at, table.c.msgid)
        .limit(limit)
    )
    return [_row(r) for r in conn.execute(q).all()]


def listing(
    conn: Connection, table: Table, msgids: list[str], include_resolved: bool, limit: int
) -> list[Forward]:
    """Rows named by ``msgids`` (any state), else the pending ones and, with
    ``include_resolved``, the newest resolved ones too; at most ``limit``."""
    q = select(table)
    if msgids:
        q = q.where(table.c.msgid.in_(msgids))
    elif not include_resolved:
        q = q.where(table.c.state == PENDING)
    q = q.order_by(table.c.created_at.desc(), table.c.msgid).limit(limit)
    return [_row(r) for r in conn.execute(q).all()]


def pending_for_visit(conn: Connection, table: Table, mdtrt_id: str) -> list[str]:
    """The pending msgids forwarded for the visit ``mdtrt_id``, oldest first."""
    q = (
        select(table.c.msgid)
        .where(table.c.state == PENDING, table.c.mdtrt_id == mdtrt_id)
        .order_by(table.c.created_at, table.c.msgid)
    )
    return [r.msgid for r in conn.execute(q).all()]


def count_pending(conn: Connection, table: Table, before: str = "") -> int:
    """Pending rows, those created before ``before`` (``yyyy-MM-dd[ HH:mm:ss]``) when given."""
    q = select(func.count()).select_from(table).where(table.c.state == PENDING)
    if before:
        q = q.where(table.c.created_at < before)
    return int(conn.execute(q).scalar_one())
