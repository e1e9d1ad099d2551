"""Monotonic sequences kept in the node's database (for mdtrt_id and setl_id)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from provincial_nodes.adapters.tables import sequences


def next_value(conn: Connection, name: str) -> int:
    """The next value of sequence ``name`` (in the caller's transaction)."""
    current = conn.execute(
        select(sequences.c.value).where(sequences.c.name == name).with_for_update()
    ).scalar()
    if current is None:
        conn.execute(insert(sequences).values(name=name, value=1))
        return 1
    conn.execute(update(sequences).where(sequences.c.name == name).values(value=current + 1))
    return int(current) + 1
