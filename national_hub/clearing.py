"""Monthly clearing (清算) at the hub.

Arithmetic (pure, :func:`pairs` and :func:`statements`): for a month, the funds' and accounts'
payments (``fund_pay_sumamt + acct_pay``) of every settlement and revocation the hub routed, summed
per (insured, treatment) province pair; a province's statement lists, per counterpart, what it
pays as the insured place and receives as the place of treatment, and nets them.

Posting (once per month, in one transaction with the statement): per pair, the hub pays the
treatment province what it was owed (debit ``owed_to_province:<T>``, credit
``paid_to_province:<T>``), and the insured province restores its advance by what it used (debit
``bank:<I>``, credit ``advance:<I>``). Transfer ids are ``clearing:<month>:<I>:<T>`` and
``clearing:<month>:<I>:<T>:advance``, so clearing a month twice posts nothing twice. A month
whose records any node disagrees with (reconciliation) is refused.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, insert, select

from national_hub import advance
from national_hub.tables import clearing_confirmations, clearing_statements, ledger
from services.ledger import store as ledger_store
from services.ledger.model import Transfer, moving
from services.reconcile.records import Record
from services.values import clock
from services.values.errors import FailedPrecondition, InvalidField, NotFound


def month_bounds(month: str) -> tuple[str, str]:
    """("yyyy-MM-01", last day) of a "yyyy-MM" month; InvalidField when malformed."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        first = date(year, mon, 1)
    except ValueError:
        raise InvalidField("month", month, "must be yyyy-MM, e.g. 2026-10") from None
    if len(month) != 7:
        raise InvalidField("month", month, "must be yyyy-MM, e.g. 2026-10")
    nxt = date(year + mon // 12, mon % 12 + 1, 1)
    return first.isoformat(), date.fromordinal(nxt.toordinal() - 1).isoformat()


@dataclass
class Pair:
    amount_fen: int = 0
    count: int = 0


def pairs(records: list[Record]) -> dict[tuple[str, str], Pair]:
    """(insured, treatment) → payments and records of the month."""
    out: dict[tuple[str, str], Pair] = defaultdict(Pair)
    for r in records:
        treatment, insured = r.pair
        p = out[(insured, treatment)]
        p.amount_fen += r.fund_pay_sumamt + r.acct_pay
        p.count += 1
    return dict(sorted(out.items()))


@dataclass
class Line:
    counterpart: str
    payable_fen: int = 0
    payable_count: int = 0
    receivable_fen: int = 0
    receivable_count: int = 0


@dataclass
class StatementData:
    province: str
    lines: list[Line] = field(default_factory=list)

    @property
    def payable_fen(self) -> int:
        return sum(x.payable_fen for x in self.lines)

    @property
    def receivable_fen(self) -> int:
        return sum(x.receivable_fen for x in self.lines)

    @property
    def net_fen(self) -> int:
        return self.receivable_fen - self.payable_fen


def statements(by_pair: dict[tuple[str, str], Pair]) -> list[StatementData]:
    lines: dict[str, dict[str, Line]] = defaultdict(dict)
    for (insured, treatment), p in by_pair.items():
        a = lines[insured].setdefault(treatment, Line(treatment))
        a.payable_fen += p.amount_fen
        a.payable_count += p.count
        b = lines[treatment].setdefault(insured, Line(insured))
        b.receivable_fen += p.amount_fen
        b.receivable_count += p.count
    return [StatementData(prov, [ls[c] for c in sorted(ls)]) for prov, ls in sorted(lines.items())]


def transfers(month: str, by_pair: dict[tuple[str, str], Pair]) -> list[Transfer]:
    out: list[Transfer] = []
    for (insured, treatment), p in by_pair.items():
        ref = f"clearing:{month}"
        out += moving(
            f"{ref}:{insured}:{treatment}",
            f"owed_to_province:{treatment}",
            f"paid_to_province:{treatment}",
            p.amount_fen,
            ref,
            "clearing",
        )
        out += moving(
            f"{ref}:{insured}:{treatment}:advance",
            f"bank:{insured}",
            f"advance:{insured}",
            p.amount_fen,
            ref,
            "clearing",
        )
    return out


def cleared(conn: Connection, month: str) -> bool:
    return (
        conn.execute(
            select(clearing_statements.c.month).where(clearing_statements.c.month == month)
        ).first()
        is not None
    )


def record(conn: Connection, month: str, records: list[Record]) -> bool:
    """Post the month's clearing and its statements once; False when it was cleared before."""
    if cleared(conn, month):
        return False
    by_pair = pairs(records)
    if not by_pair:
        raise FailedPrecondition(
            "month", month, "no settlements were routed in this month", reason="NOTHING_TO_CLEAR"
        )
    at = clock.format_time(clock.now())
    ledger_store.post(conn, ledger, transfers(month, by_pair))
    for (insured, _), p in by_pair.items():  # the advance is restored by what it paid
        advance.draw(conn, insured, -p.amount_fen)
    for st in statements(by_pair):
        for line in st.lines:
            conn.execute(
                insert(clearing_statements).values(
                    month=month,
                    province=st.province,
                    counterpart=line.counterpart,
                    payable_fen=line.payable_fen,
                    payable_count=line.payable_count,
                    receivable_fen=line.receivable_fen,
                    receivable_count=line.receivable_count,
                    cleared_at=at,
                )
            )
    return True


def load(conn: Connection, month: str) -> tuple[list[StatementData], dict[str, str], str]:
    """The statements of a cleared month, confirmations by province, and when it was cleared."""
    rows = conn.execute(
        select(clearing_statements)
        .where(clearing_statements.c.month == month)
        .order_by(clearing_statements.c.province, clearing_statements.c.counterpart)
    ).all()
    if not rows:
        raise NotFound("month", month, "this month has not been cleared")
    by_prov: dict[str, StatementData] = {}
    for r in rows:
        by_prov.setdefault(r.province, StatementData(r.province)).lines.append(
            Line(
                r.counterpart,
                int(r.payable_fen),
                int(r.payable_count),
                int(r.receivable_fen),
                int(r.receivable_count),
            )
        )
    confirmed = dict(
        conn.execute(
            select(clearing_confirmations.c.province, clearing_confirmations.c.confirmed_at).where(
                clearing_confirmations.c.month == month
            )
        ).all()
    )
    return list(by_prov.values()), confirmed, rows[0].cleared_at


def confirm(conn: Connection, month: str, province: str) -> str:
    statements_, confirmed, _ = load(conn, month)
    if province not in {s.province for s in statements_}:
        raise NotFound("province", province, f"no statement for this province in {month}")
    if province in confirmed:
        return confirmed[province]
    at = clock.format_time(clock.now())
    conn.execute(
        insert(clearing_confirmations).values(month=month, province=province, confirmed_at=at)
    )
    return at
