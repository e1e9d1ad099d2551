"""The message journal: what makes every mutating call idempotent by ``msgid``.

The journal row is written in the same transaction as the state change it answers, so a
retried msgid finds either nothing (the change never happened: do it) or the first response
(return it, change nothing). The body's hash tells a true retry from a reused msgid.
"""

from __future__ import annotations

import functools
import hashlib

from google.protobuf.message import Message
from sqlalchemy import (
    Column,
    Connection,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.sql import Insert, Select

from services.storage.prepared import run
from services.values import clock
from services.values.errors import DuplicateMessage, FailedPrecondition
from services.values.reasons import Reason

BURNED, CORRECTED = "burned:", "corrected:"
"""Markers in ``body_sha256`` of a msgid closed by a 2601 correction: ``burned:<by>`` when the
call never took effect (a late arrival is refused), ``corrected:<by>`` when it took effect and
was reversed (its first response is kept, for the 5203-style status query)."""


def journal_table(metadata: MetaData, name: str = "msg_journal") -> Table:
    """A msgid journal. A node that plays two roles keeps one per role: the same msgid reaches
    a province node twice when it treats its own insured person (as the place of treatment
    from the hospital, then as the insured place from the hub), with different bodies."""
    return Table(
        name,
        metadata,
        Column("msgid", String(40), primary_key=True),
        Column("infno", String(8), nullable=False),
        Column("body_sha256", String(64), nullable=False),
        Column("response", LargeBinary, nullable=False),
        Column("created_at", String(19), nullable=False),
    )


def body_hash(request: Message) -> str:
    """SHA-256 of the request without its header: the part a retry must repeat exactly."""
    body = type(request)()
    body.CopyFrom(request)
    body.ClearField("header")
    return hashlib.sha256(body.SerializeToString(deterministic=True)).hexdigest()


@functools.cache
def _by_msgid(table: Table) -> Select[tuple[str, str, bytes]]:
    """Built once per journal table (a statement built per call costs four times as much)."""
    return select(table.c.infno, table.c.body_sha256, table.c.response).where(
        table.c.msgid == bindparam("msgid")
    )


@functools.cache
def _insert(table: Table) -> Insert:
    return insert(table)


def replay(conn: Connection, table: Table, msgid: str, infno: str, digest: str) -> bytes | None:
    """The stored response for ``msgid``, None if unseen; DuplicateMessage if the body differs."""
    row = run(conn, _by_msgid(table), {"msgid": msgid}).first()
    if row is None:
        return None
    closed_by(row.body_sha256, msgid)
    if row.infno != infno or row.body_sha256 != digest:
        raise DuplicateMessage(msgid, row.infno)
    return bytes(row.response)


def record(
    conn: Connection, table: Table, msgid: str, infno: str, digest: str, response: bytes
) -> None:
    """Store the response for ``msgid`` (in the caller's transaction)."""
    run(
        conn,
        _insert(table),
        {
            "msgid": msgid,
            "infno": infno,
            "body_sha256": digest,
            "response": response,
            "created_at": clock.format_time(clock.now()),
        },
    )


def closed_by(body_sha256: str, msgid: str) -> None:
    """Refuse a msgid that a correction closed (MSGID_BURNED or MSGID_CORRECTED)."""
    for marker, reason, what in (
        (BURNED, Reason.MSGID_BURNED, "never took effect and was burned"),
        (CORRECTED, Reason.MSGID_CORRECTED, "took effect and was reversed"),
    ):
        if body_sha256.startswith(marker):
            raise FailedPrecondition(
                "header.msgid",
                msgid,
                f"this call {what} by correction (2601) "
                f"{body_sha256[len(marker) :]}; use a new msgid",
                reason=reason,
            )


def close(
    conn: Connection, table: Table, msgid: str, infno: str, by_msgid: str, *, took_effect: bool
) -> str:
    """Close ``msgid`` for good on behalf of correction ``by_msgid`` (caller's transaction):
    mark it corrected when it took effect (somewhere on the path), burn it when it did not.
    Returns "burned", "corrected" or, when already closed, what it was closed as."""
    row = conn.execute(select(table.c.body_sha256).where(table.c.msgid == msgid)).first()
    if row is None:
        marker = CORRECTED if took_effect else BURNED
        conn.execute(
            insert(table).values(
                msgid=msgid,
                infno=infno,
                body_sha256=marker + by_msgid,
                response=b"",
                created_at=clock.format_time(clock.now()),
            )
        )
        return marker[:-1]
    for marker in (BURNED, CORRECTED):
        if row.body_sha256.startswith(marker):
            return marker[:-1]
    conn.execute(
        update(table).where(table.c.msgid == msgid).values(body_sha256=CORRECTED + by_msgid)
    )
    return "corrected"


def state(conn: Connection, table: Table, msgid: str) -> tuple[str, str, bytes]:
    """What this journal knows of ``msgid``: ("unknown" | "done" | "burned" | "corrected",
    infno, first response)."""
    row = run(conn, _by_msgid(table), {"msgid": msgid}).first()
    if row is None:
        return "unknown", "", b""
    for marker in (BURNED, CORRECTED):
        if row.body_sha256.startswith(marker):
            return marker[:-1], row.infno, bytes(row.response)
    return "done", row.infno, bytes(row.response)
