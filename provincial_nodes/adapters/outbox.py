"""Repository of the filing outbox: events for the hub's national filing registry, kept until
the hub acknowledges them."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from provincial_nodes.adapters.tables import filing_outbox
from services.values import clock


def add(conn: Connection, event_id: str, payload: bytes) -> None:
    conn.execute(
        insert(filing_outbox).values(
            event_id=event_id, payload=payload, created_at=clock.format_time(clock.now())
        )
    )


def pending(conn: Connection, limit: int = 100) -> list[tuple[str, bytes]]:
    rows = conn.execute(
        select(filing_outbox.c.event_id, filing_outbox.c.payload)
        .order_by(filing_outbox.c.created_at, filing_outbox.c.event_id)
        .limit(limit)
    ).all()
    return [(r.event_id, bytes(r.payload)) for r in rows]


def delivered(conn: Connection, event_id: str) -> None:
    conn.execute(delete(filing_outbox).where(filing_outbox.c.event_id == event_id))
