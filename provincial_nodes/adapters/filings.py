"""Repository of the insured place's filings (备案) and chronic-disease qualifications."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from provincial_nodes.adapters.tables import chronic_quals, filings
from provincial_nodes.domain.chronic import Qualification
from provincial_nodes.domain.filing import Category, Filing
from services.storage.prepared import run
from services.values import clock

# Statements of the per-call paths, built once. An UPDATE reserves the names of the columns
# it may set, hence the ``k_`` keys of the WHERE clauses.
_GET = select(filings).where(filings.c.filing_id == bindparam("filing_id"))
_FOR_PERSON = (
    select(filings)
    .where(filings.c.psn_no == bindparam("psn_no"))
    .order_by(filings.c.begndate, filings.c.filing_id)
)
_INSERT = insert(filings)
_UPDATE = update(filings).where(filings.c.filing_id == bindparam("k_filing_id"))
_QUAL_EXISTS = select(chronic_quals.c.qual_id).where(
    chronic_quals.c.qual_id == bindparam("qual_id")
)
_QUALIFICATIONS = (
    select(chronic_quals)
    .where(chronic_quals.c.psn_no == bindparam("psn_no"))
    .order_by(chronic_quals.c.begndate, chronic_quals.c.qual_id)
)
_INSERT_QUAL = insert(chronic_quals)
_UPDATE_QUAL = update(chronic_quals).where(chronic_quals.c.qual_id == bindparam("k_qual_id"))


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _filing(row: Any) -> Filing:
    begn = _day(row.begndate)
    assert begn is not None
    return Filing(
        filing_id=row.filing_id,
        psn_no=row.psn_no,
        insuplc_admdvs=row.insuplc_admdvs,
        category=Category(row.category),
        dest_admdvs=row.dest_admdvs,
        begndate=begn,
        enddate=_day(row.enddate),
        evidence=row.evidence,
        channel=row.channel,
        status=row.status,
        version=row.version,
        memo=row.memo,
    )


def _values(f: Filing) -> dict[str, Any]:
    return {
        "psn_no": f.psn_no,
        "insuplc_admdvs": f.insuplc_admdvs,
        "category": f.category.value,
        "dest_admdvs": f.dest_admdvs,
        "begndate": f.begndate.isoformat(),
        "enddate": f.enddate.isoformat() if f.enddate else None,
        "evidence": f.evidence,
        "channel": f.channel,
        "status": f.status,
        "version": f.version,
        "memo": f.memo,
        "updated_at": clock.format_time(clock.now()),
    }


def put(conn: Connection, f: Filing) -> None:
    """Insert a filing, or overwrite the row with its id (a change or a revocation)."""
    if get(conn, f.filing_id) is None:
        run(conn, _INSERT, {"filing_id": f.filing_id, **_values(f)})
    else:
        run(conn, _UPDATE, {"k_filing_id": f.filing_id, **_values(f)})


def get(conn: Connection, filing_id: str) -> Filing | None:
    row = run(conn, _GET, {"filing_id": filing_id}).first()
    return _filing(row) if row else None


def for_person(conn: Connection, psn_no: str) -> list[Filing]:
    rows = run(conn, _FOR_PERSON, {"psn_no": psn_no}).all()
    return [_filing(r) for r in rows]


def delete_person(conn: Connection, psn_no: str) -> None:
    conn.execute(delete(filings).where(filings.c.psn_no == psn_no))
    conn.execute(delete(chronic_quals).where(chronic_quals.c.psn_no == psn_no))


def _qualification(row: Any) -> Qualification:
    begn = _day(row.begndate)
    assert begn is not None
    return Qualification(
        qual_id=row.qual_id,
        psn_no=row.psn_no,
        opsp_dise_code=row.opsp_dise_code,
        begndate=begn,
        enddate=_day(row.enddate),
        status=row.status,
        hosp_name=row.hosp_name,
    )


def qualification_owner(conn: Connection, qual_id: str) -> str | None:
    """The psn_no whose qualification ``qual_id`` is, if any."""
    row = conn.execute(
        select(chronic_quals.c.psn_no).where(chronic_quals.c.qual_id == qual_id)
    ).first()
    return str(row.psn_no) if row else None


def put_qualification(conn: Connection, q: Qualification) -> None:
    values = {
        "psn_no": q.psn_no,
        "opsp_dise_code": q.opsp_dise_code,
        "begndate": q.begndate.isoformat(),
        "enddate": q.enddate.isoformat() if q.enddate else None,
        "status": q.status,
        "hosp_name": q.hosp_name,
        "updated_at": clock.format_time(clock.now()),
    }
    exists = run(conn, _QUAL_EXISTS, {"qual_id": q.qual_id}).first()
    if exists is None:
        run(conn, _INSERT_QUAL, {"qual_id": q.qual_id, **values})
    else:
        run(conn, _UPDATE_QUAL, {"k_qual_id": q.qual_id, **values})


def qualifications(conn: Connection, psn_no: str) -> list[Qualification]:
    rows = run(conn, _QUALIFICATIONS, {"psn_no": psn_no}).all()
    return [_qualification(r) for r in rows]
