"""Repository of insured persons, their accounts and accumulators.

Accumulators are rows (psn_no, period, kind, amount): period ``"2026"`` or ``"2026-10"``; kind
``"<bucket>:dedc"``, ``"<bucket>:fund"``, ``"<bucket>:elig"`` for a scheme bucket (``"11"``,
``"14:M01600"``), or person-wide ``"cvlserv"`` and ``"maf"``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update

from provincial_nodes.adapters import filings as filing_repo
from provincial_nodes.adapters.tables import account_txns, accounts, accumulators, persons
from provincial_nodes.domain.person import (
    Accumulated,
    Identity,
    Person,
    PersonRecord,
    PersonState,
    StateDelta,
)
from services.storage.prepared import run
from services.values import clock

# Hot-path statements, built once (building a Core statement per call costs more than running
# it). Parameters named like a column they set are reserved in UPDATE, hence the ``k_`` keys.
_BY_PSN_NO = select(persons).where(persons.c.psn_no == bindparam("psn_no"))
_BY_CERTNO = select(persons).where(persons.c.certno == bindparam("certno"))
_BALANCE = select(accounts.c.balc).where(accounts.c.psn_no == bindparam("psn_no"))
_BALANCE_FOR_UPDATE = _BALANCE.with_for_update()
_ACCUMULATORS = select(accumulators.c.period, accumulators.c.kind, accumulators.c.amount).where(
    accumulators.c.psn_no == bindparam("psn_no"),
    or_(accumulators.c.period == bindparam("year"), accumulators.c.period == bindparam("month")),
)
_ADD_TO_ACCUMULATOR = (
    update(accumulators)
    .where(
        accumulators.c.psn_no == bindparam("k_psn_no"),
        accumulators.c.period == bindparam("k_period"),
        accumulators.c.kind == bindparam("k_kind"),
    )
    .values(amount=accumulators.c.amount + bindparam("add"))
)
_INSERT_ACCUMULATOR = insert(accumulators)
_SET_BALANCE = (
    update(accounts)
    .where(accounts.c.psn_no == bindparam("k_psn_no"))
    .values(balc=bindparam("balc"), version=accounts.c.version + 1)
)
_INSERT_TXN = insert(account_txns)


def _identities_json(ids: tuple[Identity, ...]) -> str:
    return json.dumps(
        [
            {
                "psn_idet_type": i.psn_idet_type,
                "begntime": i.begntime.isoformat(),
                "endtime": i.endtime.isoformat() if i.endtime else None,
            }
            for i in ids
        ]
    )


def _identities(text: str) -> tuple[Identity, ...]:
    return tuple(
        Identity(
            d["psn_idet_type"],
            date.fromisoformat(d["begntime"]),
            date.fromisoformat(d["endtime"]) if d["endtime"] else None,
        )
        for d in json.loads(text or "[]")
    )


def _person(row: Any) -> Person:
    m = row._mapping
    return Person(
        psn_no=m["psn_no"],
        certno=m["certno"],
        psn_name=m["psn_name"],
        gend=m["gend"],
        brdy=date.fromisoformat(m["brdy"]),
        insutype=m["insutype"],
        psn_type=m["psn_type"],
        insuplc_admdvs=m["insuplc_admdvs"],
        cvlserv_flag=m["cvlserv_flag"],
        emp_name=m["emp_name"],
        psn_insu_date=date.fromisoformat(m["psn_insu_date"]),
        psn_insu_stas=m["psn_insu_stas"],
        identities=_identities(m["identities"]),
        mulaid_psn_no=m["mulaid_psn_no"],
    )


def _row(p: Person) -> dict[str, Any]:
    return {
        "psn_no": p.psn_no,
        "certno": p.certno,
        "psn_name": p.psn_name,
        "gend": p.gend,
        "brdy": p.brdy.isoformat(),
        "insutype": p.insutype,
        "psn_type": p.psn_type,
        "insuplc_admdvs": p.insuplc_admdvs,
        "cvlserv_flag": p.cvlserv_flag,
        "emp_name": p.emp_name,
        "psn_insu_date": p.psn_insu_date.isoformat(),
        "psn_insu_stas": p.psn_insu_stas,
        "identities": _identities_json(p.identities),
        "mulaid_psn_no": p.mulaid_psn_no,
    }


def _accumulator_rows(psn_no: str, items: tuple[Accumulated, ...]) -> list[dict[str, Any]]:
    rows: dict[tuple[str, str], int] = {}
    for a in items:
        year = f"{a.year:04d}"
        for kind, amount, period in (
            (f"{a.bucket}:dedc", a.dedc_used_year, year),
            (f"{a.bucket}:fund", a.fund_paid_year, year),
            (f"{a.bucket}:elig", a.elig_year, year),
            ("cvlserv", a.cvlserv_paid_year, year),
            ("maf", a.maf_paid_year, year),
            (f"{a.bucket}:fund", a.fund_paid_month, f"{a.year:04d}-{a.month or 0:02d}"),
        ):
            if amount:
                rows[(period, kind)] = amount
    return [{"psn_no": psn_no, "period": p, "kind": k, "amount": v} for (p, k), v in rows.items()]


def add_many(conn: Connection, records: Iterable[PersonRecord]) -> int:
    """Insert persons (with their accounts, accumulators, filings and qualifications) that are
    not there yet; returns how many. Used to seed a node at start, so it never overwrites."""
    existing = set(conn.execute(select(persons.c.psn_no)).scalars())
    fresh = [r for r in records if r.person.psn_no not in existing]
    if not fresh:
        return 0
    conn.execute(insert(persons), [_row(r.person) for r in fresh])
    conn.execute(
        insert(accounts),
        [{"psn_no": r.person.psn_no, "balc": r.acct_balc, "version": 0} for r in fresh],
    )
    acc = [row for r in fresh for row in _accumulator_rows(r.person.psn_no, r.accumulators)]
    if acc:
        conn.execute(insert(accumulators), acc)
    for r in fresh:
        for f in r.filings:
            filing_repo.put(conn, f)
        for q in r.chronic:
            filing_repo.put_qualification(conn, q)
    return len(fresh)


def replace(conn: Connection, record: PersonRecord) -> None:
    """Load a person as given (admin): identity, balance, accumulators, filings and
    qualifications replace whatever the node had. Settlement history is kept."""
    psn_no = record.person.psn_no
    conn.execute(delete(persons).where(persons.c.psn_no == psn_no))
    conn.execute(insert(persons).values(**_row(record.person)))
    if conn.execute(select(accounts.c.psn_no).where(accounts.c.psn_no == psn_no)).first():
        conn.execute(
            update(accounts)
            .where(accounts.c.psn_no == psn_no)
            .values(balc=record.acct_balc, version=accounts.c.version + 1)
        )
    else:
        conn.execute(insert(accounts).values(psn_no=psn_no, balc=record.acct_balc, version=0))
    conn.execute(
        insert(account_txns).values(
            psn_no=psn_no,
            setl_id="ADMIN-LOAD",
            amount=0,
            balc_after=record.acct_balc,
            created_at=clock.format_time(clock.now()),
        )
    )
    conn.execute(delete(accumulators).where(accumulators.c.psn_no == psn_no))
    acc = _accumulator_rows(psn_no, record.accumulators)
    if acc:
        conn.execute(insert(accumulators), acc)
    filing_repo.delete_person(conn, psn_no)
    for f in record.filings:
        filing_repo.put(conn, f)
    for q in record.chronic:
        filing_repo.put_qualification(conn, q)


def by_psn_no(conn: Connection, psn_no: str) -> Person | None:
    row = run(conn, _BY_PSN_NO, {"psn_no": psn_no}).first()
    return _person(row) if row else None


def by_certno(conn: Connection, certno: str) -> Person | None:
    row = run(conn, _BY_CERTNO, {"certno": certno.upper()}).first()
    return _person(row) if row else None


def balance(conn: Connection, psn_no: str, *, lock: bool = False) -> int:
    query = _BALANCE_FOR_UPDATE if lock else _BALANCE
    return int(conn.execute(query, {"psn_no": psn_no}).scalar_one())


def lock(conn: Connection, *psn_nos: str) -> dict[str, int]:
    """Take the account rows of ``psn_nos`` for update, in a fixed order, serialising every
    settlement that touches one of these persons (no deadlock between two holders). Returns
    the balances read under the lock (for :func:`state`, so it need not read them again)."""
    return {
        psn_no: balance(conn, psn_no, lock=True) for psn_no in sorted(set(p for p in psn_nos if p))
    }


def _periods(day: date) -> tuple[str, str]:
    return f"{day:%Y}", f"{day:%Y-%m}"


def state(
    conn: Connection,
    person: Person,
    bucket: str,
    day: date,
    locked: Mapping[str, int] | None = None,
) -> PersonState:
    """The person's accumulators in ``bucket`` for ``day``'s year and month, the person-wide
    supplementary accumulators, and the balances (own and mutual-aid holder's). ``locked``:
    balances already read in this transaction by :func:`lock`, not read again."""
    known = locked or {}
    year, month = _periods(day)
    rows = run(conn, _ACCUMULATORS, {"psn_no": person.psn_no, "year": year, "month": month}).all()
    found = {(r.period, r.kind): int(r.amount) for r in rows}
    mulaid = 0
    if person.mulaid_psn_no in known:
        mulaid = known[person.mulaid_psn_no]
    elif person.mulaid_psn_no:
        row = run(conn, _BALANCE, {"psn_no": person.mulaid_psn_no}).first()
        mulaid = int(row.balc) if row else 0
    acct_balc = known[person.psn_no] if person.psn_no in known else balance(conn, person.psn_no)
    return PersonState(
        dedc_used_year=found.get((year, f"{bucket}:dedc"), 0),
        fund_paid_year=found.get((year, f"{bucket}:fund"), 0),
        fund_paid_month=found.get((month, f"{bucket}:fund"), 0),
        acct_balc=acct_balc,
        elig_year=found.get((year, f"{bucket}:elig"), 0),
        cvlserv_paid_year=found.get((year, "cvlserv"), 0),
        maf_paid_year=found.get((year, "maf"), 0),
        mulaid_balc=mulaid,
    )


def _bump(conn: Connection, psn_no: str, period: str, kind: str, amount: int) -> None:
    """Add ``amount`` to an accumulator, creating its row the first time (the person's account
    row is locked, so nothing else changes it meanwhile)."""
    if amount == 0:
        return
    added = run(
        conn,
        _ADD_TO_ACCUMULATOR,
        {"k_psn_no": psn_no, "k_period": period, "k_kind": kind, "add": amount},
    )
    if added.rowcount == 0:
        run(
            conn,
            _INSERT_ACCUMULATOR,
            {"psn_no": psn_no, "period": period, "kind": kind, "amount": amount},
        )


def _move(conn: Connection, psn_no: str, amount: int, setl_id: str) -> int:
    """Take ``amount`` from an account (negative gives back); returns the new balance."""
    balc = balance(conn, psn_no) - amount
    if balc < 0:
        raise AssertionError(f"account of {psn_no} would go negative")
    run(conn, _SET_BALANCE, {"k_psn_no": psn_no, "balc": balc})
    run(
        conn,
        _INSERT_TXN,
        {
            "psn_no": psn_no,
            "setl_id": setl_id,
            "amount": -amount,
            "balc_after": balc,
            "created_at": clock.format_time(clock.now()),
        },
    )
    return balc


def apply(
    conn: Connection,
    psn_no: str,
    mulaid_psn_no: str,
    bucket: str,
    day: date,
    delta: StateDelta,
    setl_id: str,
) -> int:
    """Add a settlement's delta (a revocation passes the negated delta): accumulators of
    ``bucket`` for ``day``, the person's account and the mutual-aid holder's account. Returns
    the person's own new balance."""
    year, month = _periods(day)
    _bump(conn, psn_no, year, f"{bucket}:dedc", delta.dedc_year)
    _bump(conn, psn_no, year, f"{bucket}:fund", delta.fund_year)
    _bump(conn, psn_no, month, f"{bucket}:fund", delta.fund_month)
    _bump(conn, psn_no, year, f"{bucket}:elig", delta.elig_year)
    _bump(conn, psn_no, year, "cvlserv", delta.cvlserv_year)
    _bump(conn, psn_no, year, "maf", delta.maf_year)
    if delta.mulaid:
        _move(conn, mulaid_psn_no, delta.mulaid, setl_id)
    if delta.acct:
        return _move(conn, psn_no, delta.acct, setl_id)
    return balance(conn, psn_no)


def accumulator_rows(conn: Connection, psn_no: str) -> list[tuple[str, str, int]]:
    """(period, kind, amount) of every accumulator of a person (admin view)."""
    rows = conn.execute(
        select(accumulators.c.period, accumulators.c.kind, accumulators.c.amount)
        .where(accumulators.c.psn_no == psn_no)
        .order_by(accumulators.c.period, accumulators.c.kind)
    ).all()
    return [(r.period, r.kind, int(r.amount)) for r in rows]
