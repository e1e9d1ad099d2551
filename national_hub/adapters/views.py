"""Read-only queries for the hub's web view (``national_hub/entrypoints/web``): what the
routed-message log added since a sequence number, the settlements a search names, a
settlement's postings, a month's totals per pair and per day. They never write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, func, or_, select

from national_hub.adapters.tables import hub_settlements, ledger, routed_messages
from national_hub.domain.model import RoutedSettlement
from services.ledger import store as ledger_store
from services.ledger.model import Transfer


@dataclass(frozen=True, slots=True)
class Routed:
    """One line of the routed-message log, as the live view counts it."""

    seq: int
    infno: str
    from_province: str
    to_province: str
    outcome: str
    latency_ms: int


@dataclass(frozen=True, slots=True)
class PairTotal:
    """A month's (or a day's) settlements of one (insured, treatment) pair at the hub."""

    day: str
    insured: str
    treatment: str
    count: int
    fund_pay_sumamt: int
    acct_pay: int
    medfee_sumamt: int


def _settlement(r: Row[Any]) -> tuple[RoutedSettlement, str]:
    s = RoutedSettlement(
        r.setl_id,
        r.mdtrt_id,
        r.psn_no,
        r.insuplc_admdvs,
        r.mdtrtarea_admvs,
        r.fixmedins_code,
        r.setl_time,
        r.refd_setl_flag,
        int(r.medfee_sumamt),
        int(r.fund_pay_sumamt),
        int(r.acct_pay),
        int(r.psn_cash_pay),
    )
    return s, str(r.msgid)


class ViewRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def last_seq(self) -> int:
        """The routed-message log's last sequence number (0 when empty)."""
        return int(
            self.conn.execute(
                select(func.coalesce(func.max(routed_messages.c.seq), 0))
            ).scalar_one()
        )

    def routed_since(self, seq: int, limit: int) -> list[Routed]:
        """Log lines after ``seq``, oldest first, at most ``limit``."""
        t = routed_messages
        rows = self.conn.execute(
            select(
                t.c.seq, t.c.infno, t.c.from_province, t.c.to_province, t.c.outcome, t.c.latency_ms
            )
            .where(t.c.seq > seq)
            .order_by(t.c.seq)
            .limit(limit)
        ).all()
        return [
            Routed(
                int(r.seq), r.infno, r.from_province, r.to_province, r.outcome, int(r.latency_ms)
            )
            for r in rows
        ]

    def settlements_matching(self, q: str, limit: int) -> list[tuple[RoutedSettlement, str]]:
        """Settlement records whose setl_id, msgid, mdtrt_id or psn_no is ``q`` (newest first),
        with the msgid that recorded each."""
        t = hub_settlements
        rows = self.conn.execute(
            select(t)
            .where(or_(t.c.setl_id == q, t.c.msgid == q, t.c.mdtrt_id == q, t.c.psn_no == q))
            .order_by(t.c.setl_time.desc(), t.c.setl_id.desc())
            .limit(limit)
        ).all()
        return [_settlement(r) for r in rows]

    def settlements_of_visit(self, mdtrt_id: str) -> list[tuple[RoutedSettlement, str]]:
        """Every record of one visit (its settlements and their revocations), oldest first."""
        t = hub_settlements
        rows = self.conn.execute(
            select(t).where(t.c.mdtrt_id == mdtrt_id).order_by(t.c.setl_time, t.c.setl_id)
        ).all()
        return [_settlement(r) for r in rows]

    def postings(self, ref: str) -> list[Transfer]:
        """The hub's ledger transfers made for ``ref`` (a setl_id)."""
        return ledger_store.transfers(self.conn, ledger, ref)

    def totals(self, month: str) -> list[PairTotal]:
        """What the hub recorded in ``month`` ("yyyy-MM"), per day and (insured, treatment)."""
        t = hub_settlements
        day = func.substr(t.c.setl_time, 1, 10)
        insured = func.substr(t.c.insuplc_admdvs, 1, 2)
        treatment = func.substr(t.c.mdtrtarea_admvs, 1, 2)
        rows = self.conn.execute(
            select(
                day.label("day"),
                insured.label("insured"),
                treatment.label("treatment"),
                func.count().label("n"),
                func.sum(t.c.fund_pay_sumamt).label("fund"),
                func.sum(t.c.acct_pay).label("acct"),
                func.sum(t.c.medfee_sumamt).label("medfee"),
            )
            .where(t.c.setl_time.startswith(month))
            .group_by(day, insured, treatment)
            .order_by(day, insured, treatment)
        ).all()
        return [
            PairTotal(
                r.day,
                r.insured,
                r.treatment,
                int(r.n),
                int(r.fund or 0),
                int(r.acct or 0),
                int(r.medfee or 0),
            )
            for r in rows
        ]
