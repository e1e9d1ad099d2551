"""Repository of insured persons, their accounts and accumulators."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, insert, select, update

from provincial_nodes.adapters.tables import account_txns, accounts, accumulators, persons
from provincial_nodes.domain.person import Person, PersonState, StateDelta
from services import clock


def _person(row: object) -> Person:
    m = row._mapping  # type: ignore[attr-defined]
    return Person(
        psn_no=m["psn_no"], certno=m["certno"], psn_name=m["psn_name"], gend=m["gend"],
        brdy=date.fromisoformat(m["brdy"]), insutype=m["insutype"], psn_type=m["psn_type"],
        insuplc_admdvs=m["insuplc_admdvs"], cvlserv_flag=m["cvlserv_flag"],
        emp_name=m["emp_name"], psn_insu_date=date.fromisoformat(m["psn_insu_date"]),
        psn_insu_stas=m["psn_insu_stas"],
    )


def count(conn: Connection) -> int:
    return len(conn.execute(select(persons.c.psn_no).limit(1)).all())


def add_many(conn: Connection, people: Iterable[Person], balances: dict[str, int]) -> int:
    """Insert persons (and their accounts) that are not there yet; returns how many."""
    rows = []
    acct_rows = []
    existing = set(conn.execute(select(persons.c.psn_no)).scalars())
    for p in people:
        if p.psn_no in existing:
            continue
        rows.append({
            "psn_no": p.psn_no, "certno": p.certno, "psn_name": p.psn_name, "gend": p.gend,
            "brdy": p.brdy.isoformat(), "insutype": p.insutype, "psn_type": p.psn_type,
            "insuplc_admdvs": p.insuplc_admdvs, "cvlserv_flag": p.cvlserv_flag,
            "emp_name": p.emp_name, "psn_insu_date": p.psn_insu_date.isoformat(),
            "psn_insu_stas": p.psn_insu_stas,
        })
        acct_rows.append({"psn_no": p.psn_no, "balc": balances.get(p.psn_no, 0), "version": 0})
    if rows:
        conn.execute(insert(persons), rows)
        conn.execute(insert(accounts), acct_rows)
    return len(rows)


def by_psn_no(conn: Connection, psn_no: str) -> Person | None:
    row = conn.execute(select(persons).where(persons.c.psn_no == psn_no)).first()
    return _person(row) if row else None


def by_certno(conn: Connection, certno: str) -> Person | None:
    row = conn.execute(select(persons).where(persons.c.certno == certno.upper())).first()
    return _person(row) if row else None


def balance(conn: Connection, psn_no: str, *, lock: bool = False) -> int:
    query = select(accounts.c.balc).where(accounts.c.psn_no == psn_no)
    if lock:
        query = query.with_for_update()
    return int(conn.execute(query).scalar_one())


def _periods(day: date) -> tuple[str, str]:
    return f"{day:%Y}", f"{day:%Y-%m}"


def state(conn: Connection, psn_no: str, day: date, *, lock: bool = False) -> PersonState:
    """Accumulators for ``day``'s year and month, and the balance. ``lock`` takes the person's
    account row for update, serialising concurrent settlements of one person."""
    balc = balance(conn, psn_no, lock=lock)
    year, month = _periods(day)
    rows = conn.execute(
        select(accumulators.c.period, accumulators.c.kind, accumulators.c.amount).where(
            accumulators.c.psn_no == psn_no, accumulators.c.period.in_([year, month]))
    ).all()
    found = {(r.period, r.kind): int(r.amount) for r in rows}
    return PersonState(
        dedc_used_year=found.get((year, "dedc"), 0),
        fund_paid_year=found.get((year, "fund"), 0),
        fund_paid_month=found.get((month, "fund"), 0),
        acct_balc=balc,
    )


def _bump(conn: Connection, psn_no: str, period: str, kind: str, amount: int) -> None:
    if amount == 0:
        return
    key = (accumulators.c.psn_no == psn_no, accumulators.c.period == period,
           accumulators.c.kind == kind)
    current = conn.execute(select(accumulators.c.amount).where(*key)).scalar()
    if current is None:
        conn.execute(insert(accumulators).values(psn_no=psn_no, period=period, kind=kind,
                                                 amount=amount))
    else:
        conn.execute(update(accumulators).where(*key).values(amount=current + amount))


def apply(conn: Connection, psn_no: str, day: date, delta: StateDelta, setl_id: str,
          sign: int = 1) -> int:
    """Add (sign=1) or take back (sign=-1) a settlement's delta; returns the new balance."""
    year, month = _periods(day)
    _bump(conn, psn_no, year, "dedc", sign * delta.dedc_year)
    _bump(conn, psn_no, year, "fund", sign * delta.fund_year)
    _bump(conn, psn_no, month, "fund", sign * delta.fund_month)
    balc = balance(conn, psn_no)
    if delta.acct:
        balc -= sign * delta.acct
        if balc < 0:
            raise AssertionError(f"account of {psn_no} would go negative")
        conn.execute(update(accounts).where(accounts.c.psn_no == psn_no)
                     .values(balc=balc, version=accounts.c.version + 1))
        conn.execute(insert(account_txns).values(
            psn_no=psn_no, setl_id=setl_id, amount=-sign * delta.acct, balc_after=balc,
            created_at=clock.format_time(clock.now())))
    return balc
