"""Cleared months (``clearing_statements``, written once per month) and the provinces'
confirmations of their statements (``clearing_confirmations``)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from national_hub.adapters.tables import clearing_confirmations, clearing_statements
from national_hub.domain.clearing import Cleared, Line, StatementData
from services.values.errors import NotFound


class ClearingRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def cleared(self, month: str) -> bool:
        return (
            self.conn.execute(
                select(clearing_statements.c.month).where(clearing_statements.c.month == month)
            ).first()
            is not None
        )

    def add(self, month: str, statements: list[StatementData], at: str) -> None:
        for st in statements:
            for line in st.lines:
                self.conn.execute(
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

    def load(self, month: str) -> Cleared:
        """A cleared month; NotFound when it was not cleared."""
        rows = self.conn.execute(
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
        t = clearing_confirmations
        confirmed = {
            str(p): str(at)
            for p, at in self.conn.execute(
                select(t.c.province, t.c.confirmed_at).where(t.c.month == month)
            ).all()
        }
        return Cleared(list(by_prov.values()), confirmed, rows[0].cleared_at)

    def confirm(self, month: str, province: str, at: str) -> None:
        self.conn.execute(
            insert(clearing_confirmations).values(month=month, province=province, confirmed_at=at)
        )
