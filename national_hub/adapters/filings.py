"""The national filing registry's store (``filing_events``): every filing and qualification
change, append-only, with the event's bytes."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from national_hub.adapters.tables import filing_events
from national_hub.domain.filing_registry import DEFAULT_LIMIT, Published, RegistryQuery


class FilingRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def payload(self, event_id: str) -> bytes | None:
        row = self.conn.execute(
            select(filing_events.c.payload).where(filing_events.c.event_id == event_id)
        ).first()
        return None if row is None else bytes(row.payload)

    def add(self, e: Published, received_at: str) -> None:
        self.conn.execute(
            insert(filing_events).values(
                event_id=e.event_id,
                infno=e.infno,
                psn_no=e.psn_no,
                insuplc_admdvs=e.insuplc_admdvs,
                filing_id=e.filing_id,
                dest_admdvs=e.dest_admdvs,
                channel=e.channel,
                event_time=e.event_time,
                received_at=received_at,
                payload=e.payload,
            )
        )

    def query(self, q: RegistryQuery) -> list[tuple[bytes, str]]:
        """(payload, received_at) of the matching events, oldest first, the latest ``limit``."""
        t = filing_events
        stmt = select(t.c.payload, t.c.received_at)
        if q.psn_no:
            stmt = stmt.where(t.c.psn_no == q.psn_no)
        if q.filing_id:
            stmt = stmt.where(t.c.filing_id == q.filing_id)
        if q.insuplc_admdvs:
            stmt = stmt.where(t.c.insuplc_admdvs == q.insuplc_admdvs)
        if q.dest_admdvs:
            stmt = stmt.where(t.c.dest_admdvs.startswith(q.dest_admdvs[:2]))
        limit = q.limit or DEFAULT_LIMIT
        rows = self.conn.execute(stmt.order_by(t.c.seq.desc()).limit(limit)).all()
        return [(bytes(r.payload), r.received_at) for r in reversed(rows)]
