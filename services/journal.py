"""The message journal: what makes every mutating call idempotent by ``msgid``.

The journal row is written in the same transaction as the state change it answers, so a
retried msgid finds either nothing (the change never happened: do it) or the first response
(return it, change nothing). The body's hash tells a true retry from a reused msgid.
"""

from __future__ import annotations

import hashlib

from google.protobuf.message import Message
from sqlalchemy import Column, Connection, LargeBinary, MetaData, String, Table, insert, select

from services import clock
from services.errors import DuplicateMessage


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
    body.ClearField("header")  # type: ignore[arg-type]
    return hashlib.sha256(body.SerializeToString(deterministic=True)).hexdigest()


def replay(conn: Connection, table: Table, msgid: str, infno: str, digest: str) -> bytes | None:
    """The stored response for ``msgid``, None if unseen; DuplicateMessage if the body differs."""
    row = conn.execute(
        select(table.c.infno, table.c.body_sha256, table.c.response).where(table.c.msgid == msgid)
    ).first()
    if row is None:
        return None
    if row.infno != infno or row.body_sha256 != digest:
        raise DuplicateMessage(msgid, row.infno)
    return bytes(row.response)


def record(conn: Connection, table: Table, msgid: str, infno: str, digest: str,
           response: bytes) -> None:
    """Store the response for ``msgid`` (in the caller's transaction)."""
    conn.execute(
        insert(table).values(
            msgid=msgid, infno=infno, body_sha256=digest, response=response,
            created_at=clock.format_time(clock.now()),
        )
    )
