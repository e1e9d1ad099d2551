"""Monotonic sequences kept in the node's database (for mdtrt_id and setl_id)."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, insert, select, update

from provincial_nodes.adapters.tables import sequences
from services.storage.prepared import run

# Built once; ``k_name`` because an UPDATE reserves the names of the columns it may set.
_CURRENT = select(sequences.c.value).where(sequences.c.name == bindparam("name")).with_for_update()
_INSERT = insert(sequences)
_SET = (
    update(sequences)
    .where(sequences.c.name == bindparam("k_name"))
    .values(value=bindparam("value"))
)


def next_value(conn: Connection, name: str) -> int:
    """The next value of sequence ``name`` (in the caller's transaction)."""
    current = run(conn, _CURRENT, {"name": name}).scalar()
    if current is None:
        run(conn, _INSERT, {"name": name, "value": 1})
        return 1
    run(conn, _SET, {"k_name": name, "value": current + 1})
    return int(current) + 1
