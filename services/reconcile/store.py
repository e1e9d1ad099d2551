"""Reading reconciliation records (``services/reconcile/records.py``) from any settlements table
with the Record columns, one page at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, and_, or_, select

from services.reconcile.records import AMOUNTS, Record


def read(
    conn: Connection,
    table: Table,
    *,
    begndate: str = "",
    enddate: str = "",
    treatment: str = "",
    insured: str = "",
    after: tuple[str, str] | None = None,
    limit: int | None = None,
) -> list[Record]:
    """Records of a settlements table (any table with the Record columns) in a period, in
    (setl_time, setl_id) order; ``after`` (a record's setl_time and setl_id) and ``limit`` read
    one page."""
    t = table
    q = select(*(t.c[name] for name in Record.__dataclass_fields__))
    if after is not None:
        q = q.where(
            or_(t.c.setl_time > after[0], and_(t.c.setl_time == after[0], t.c.setl_id > after[1]))
        )
    if limit is not None:
        q = q.limit(limit)
    if begndate:
        q = q.where(t.c.setl_time >= begndate)
    if enddate:
        q = q.where(t.c.setl_time < enddate + "~")  # any time on the end date
    if treatment:
        q = q.where(t.c.mdtrtarea_admvs.startswith(treatment))
    if insured:
        q = q.where(t.c.insuplc_admdvs.startswith(insured))
    rows = conn.execute(q.order_by(t.c.setl_time, t.c.setl_id)).all()
    records = []
    for r in rows:
        fields: dict[str, Any] = {k: (int(v) if k in AMOUNTS else v) for k, v in r._mapping.items()}
        records.append(Record(**fields))
    return records
