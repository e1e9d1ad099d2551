"""Monthly clearing (清算) arithmetic, pure.

For a month, the funds' and accounts' payments (``fund_pay_sumamt + acct_pay``) of every
settlement and revocation the hub routed, summed per (insured, treatment) province pair; a
province's statement lists, per counterpart, what it pays as the insured place and receives as
the place of treatment, and nets them. The transfers clearing posts are in
``national_hub/domain/postings.py``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from services.reconcile.records import Record
from services.values.errors import FailedPrecondition, InvalidField
from services.values.reasons import Reason


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


def check_month_ended(month: str, today: date) -> None:
    """A month is cleared once it has ended on the hub's clock: until then settlements are still
    being made in it, and a statement written now would leave them out for good."""
    _, last = month_bounds(month)
    end = date.fromisoformat(last)
    if today <= end:
        raise FailedPrecondition(
            "month",
            month,
            f"the month ends on {end} and can be cleared from "
            f"{date.fromordinal(end.toordinal() + 1)}; the hub's date is {today}",
            reason=Reason.MONTH_NOT_ENDED,
        )


def records_of(cleared: Cleared) -> int:
    """How many settlement records a cleared month's statements cover (each is payable once)."""
    return sum(line.payable_count for s in cleared.statements for line in s.lines)


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


def check_something_to_clear(month: str, by_pair: dict[tuple[str, str], Pair]) -> None:
    if not by_pair:
        raise FailedPrecondition(
            "month",
            month,
            "no settlements were routed in this month",
            reason=Reason.NOTHING_TO_CLEAR,
        )


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


@dataclass(frozen=True)
class Cleared:
    """A cleared month as stored: its statements, confirmations by province, and when."""

    statements: list[StatementData]
    confirmed: dict[str, str]
    cleared_at: str


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
