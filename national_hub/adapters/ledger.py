"""The hub's ledger and its holds (``services/ledger/store.py`` and ``holds.py`` on the hub's
tables): advances drawn, what is owed to treatment provinces, top-ups promised."""

from __future__ import annotations

from sqlalchemy import Connection

from national_hub.adapters.tables import holds, ledger
from services.ledger import holds as hold_store
from services.ledger import store as ledger_store
from services.ledger.holds import Hold
from services.ledger.model import Transfer


class LedgerRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def post(self, transfers: list[Transfer]) -> int:
        """Post transfers; how many were new (a retried id posts nothing)."""
        return ledger_store.post(self.conn, ledger, transfers)

    def hold(self, tr: Transfer) -> Hold:
        return hold_store.hold(self.conn, holds, tr)

    def post_hold(self, hold_id: str, amount_fen: int | None = None) -> Hold:
        return hold_store.post(self.conn, holds, ledger, hold_id, amount_fen)

    def void_hold(self, hold_id: str) -> Hold:
        return hold_store.void(self.conn, holds, hold_id)

    def holds(self, ref: str) -> list[Hold]:
        return hold_store.holds(self.conn, holds, ref)
