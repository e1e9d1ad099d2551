"""Repository of policy and catalogue documents loaded into a running node (AdminService)."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from provincial_nodes.adapters.tables import admin_documents
from services.values import clock


def add(conn: Connection, kind: str, source_name: str, text: str) -> int:
    result = conn.execute(
        insert(admin_documents).values(
            kind=kind, source_name=source_name, yaml=text, loaded_at=clock.format_time(clock.now())
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def all_in_order(conn: Connection) -> list[tuple[str, str, str]]:
    """(kind, source_name, yaml) of every loaded document, oldest first."""
    t = admin_documents
    rows = conn.execute(select(t.c.kind, t.c.source_name, t.c.yaml).order_by(t.c.doc_id)).all()
    return [(r.kind, r.source_name, r.yaml) for r in rows]


def drop(conn: Connection, kinds: list[str]) -> int:
    result = conn.execute(delete(admin_documents).where(admin_documents.c.kind.in_(kinds)))
    return int(result.rowcount)
