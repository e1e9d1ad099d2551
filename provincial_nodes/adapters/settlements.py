"""Repository of the settlements recorded at the insured place (and the msgid lookups both
places' correction status needs)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, select

from provincial_nodes.adapters.tables import amount_values, insured_settlements
from provincial_nodes.domain.person import StateDelta
from provincial_nodes.domain.settlement import Settlement
from services.storage.prepared import run

# Built once (building a Core statement per call costs more than running it).
_VISIT_SETTLEMENTS = select(
    insured_settlements.c.setl_id, insured_settlements.c.init_setl_id
).where(insured_settlements.c.mdtrt_id == bindparam("mdtrt_id"))
_SETTLEMENT = select(insured_settlements).where(
    insured_settlements.c.setl_id == bindparam("setl_id")
)
_BY_MSGID = select(insured_settlements).where(insured_settlements.c.msgid == bindparam("msgid"))
_REVOKED_BY = select(insured_settlements.c.setl_id).where(
    insured_settlements.c.init_setl_id == bindparam("setl_id")
)
_REVERSAL = select(insured_settlements.c.setlinfo).where(
    insured_settlements.c.init_setl_id == bindparam("setl_id")
)
_INSERT_SETTLEMENT = insert(insured_settlements)


@dataclass(frozen=True)
class StoredSettlement:
    """A settlement row of the insured place: what a revocation or correction needs of it."""

    setl_id: str
    msgid: str
    psn_no: str
    mdtrt_id: str
    insuplc_admdvs: str
    setl_date: date
    refd_setl_flag: str
    bucket: str
    delta: StateDelta
    """What it added to the accumulators and took from the accounts."""
    holder: str
    """The mutual-aid holder whose account it drew on ("" for none)."""
    setlinfo: bytes


def _stored(row: Any) -> StoredSettlement:
    stored = json.loads(row.delta)
    return StoredSettlement(
        setl_id=row.setl_id,
        msgid=row.msgid,
        psn_no=row.psn_no,
        mdtrt_id=row.mdtrt_id,
        insuplc_admdvs=row.insuplc_admdvs,
        setl_date=date.fromisoformat(row.setl_date),
        refd_setl_flag=row.refd_setl_flag,
        bucket=row.bucket,
        delta=StateDelta.from_dict(stored["delta"]),
        holder=stored["mulaid_psn_no"],
        setlinfo=bytes(row.setlinfo),
    )


def active_for_visit(conn: Connection, mdtrt_id: str) -> str | None:
    """The visit's settlement that has not been revoked, if any."""
    rows = run(conn, _VISIT_SETTLEMENTS, {"mdtrt_id": mdtrt_id}).all()
    revoked = {r.init_setl_id for r in rows if r.init_setl_id}
    live = [r.setl_id for r in rows if not r.init_setl_id and r.setl_id not in revoked]
    return live[0] if live else None


def record_seq(setl_id: str) -> int:
    """The node-wide sequence number in a setl_id (its last 10 digits), -1 if none."""
    tail = setl_id[-10:]
    return int(tail) if len(tail) == 10 and tail.isdigit() else -1


def since(conn: Connection, psn_nos: list[str], seq: int) -> list[StoredSettlement]:
    """The records (settlements and revocations) of these persons made from sequence number
    ``seq`` on, newest first."""
    rows = conn.execute(
        select(insured_settlements).where(insured_settlements.c.psn_no.in_(psn_nos))
    ).all()
    later = [r for r in rows if record_seq(r.setl_id) >= seq]
    return [_stored(r) for r in sorted(later, key=lambda r: record_seq(r.setl_id), reverse=True)]


def remove(conn: Connection, setl_id: str) -> None:
    """Delete one record (only a dry run does, in a unit it rolls back)."""
    conn.execute(delete(insured_settlements).where(insured_settlements.c.setl_id == setl_id))


def get(conn: Connection, setl_id: str) -> StoredSettlement | None:
    row = run(conn, _SETTLEMENT, {"setl_id": setl_id}).first()
    return _stored(row) if row is not None else None


def by_msgid(conn: Connection, msgid: str) -> StoredSettlement | None:
    row = run(conn, _BY_MSGID, {"msgid": msgid}).first()
    return _stored(row) if row is not None else None


def revoked_by(conn: Connection, setl_id: str) -> str | None:
    """The setl_id of the record that revoked ``setl_id``, if any."""
    row = run(conn, _REVOKED_BY, {"setl_id": setl_id}).first()
    return row.setl_id if row is not None else None


def reversal(conn: Connection, setl_id: str) -> bytes | None:
    """The stored answer of the record that revoked ``setl_id``, if any."""
    row = run(conn, _REVERSAL, {"setl_id": setl_id}).first()
    return bytes(row.setlinfo) if row is not None else None


def add(
    conn: Connection,
    s: Settlement,
    msgid: str,
    setl_date: date,
    bucket: str,
    delta: StateDelta,
    mulaid_psn_no: str,
    payload: bytes,
) -> None:
    run(
        conn,
        _INSERT_SETTLEMENT,
        {
            "setl_id": s.setl_id,
            "msgid": msgid,
            "psn_no": s.psn_no,
            "mdtrt_id": s.mdtrt_id,
            "mdtrtarea_admvs": s.mdtrtarea_admvs,
            "fixmedins_code": s.fixmedins_code,
            "insuplc_admdvs": s.insuplc_admdvs,
            "insutype": s.insutype,
            "med_type": s.med_type,
            "setl_date": setl_date.isoformat(),
            "setl_time": s.setl_time,
            "refd_setl_flag": s.refd_setl_flag,
            "init_setl_id": s.init_setl_id or None,
            "opsp_dise_code": s.opsp_dise_code,
            "filing_category": s.filing_category,
            "bucket": bucket,
            "delta": json.dumps({"delta": delta.as_dict(), "mulaid_psn_no": mulaid_psn_no}),
            "setlinfo": payload,
            **amount_values(s),
        },
    )


@functools.cache
def _made_by(table: Table) -> tuple[Any, Any]:
    t = table
    return (
        select(t.c.setl_id, t.c.setlinfo).where(t.c.msgid == bindparam("msgid")),
        select(t.c.setlinfo).where(t.c.init_setl_id == bindparam("setl_id")),
    )


def made_by(conn: Connection, table: Table, msgid: str) -> tuple[bytes, bytes | None] | None:
    """The stored answer of the settlement ``msgid`` made in ``table`` (either place's), and
    that of the record reversing it, if any."""
    original, reversal = _made_by(table)
    row = run(conn, original, {"msgid": msgid}).first()
    if row is None:
        return None
    undone = run(conn, reversal, {"setl_id": row.setl_id}).first()
    return bytes(row.setlinfo), bytes(undone.setlinfo) if undone is not None else None
