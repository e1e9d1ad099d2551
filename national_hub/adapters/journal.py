"""The hub's message journal (what makes 2207, 2208 and 2601 exactly-once at the hub, by msgid),
its in-doubt table (what it forwarded, until the outcome is recorded) and its routed-message log
(one row per message routed, whatever its outcome)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select
from sqlalchemy.sql import Insert

from national_hub.adapters.tables import in_doubt, journal, routed_messages
from national_hub.domain.model import RoutedMessage
from services.storage import in_doubt as forwards
from services.storage import journal as msg_journal
from services.storage.prepared import run
from services.values.forward import Forward

_LOG: Insert = insert(routed_messages)
"""Built once: one row per routed message is on the hot path."""


class JournalRepository:
    """The msgid journal (``services/storage/journal.py`` on the hub's table)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def replay(self, msgid: str, infno: str, digest: str) -> bytes | None:
        return msg_journal.replay(self.conn, journal, msgid, infno, digest)

    def record(self, msgid: str, infno: str, digest: str, response: bytes) -> None:
        msg_journal.record(self.conn, journal, msgid, infno, digest, response)

    def close(self, msgid: str, infno: str, by_msgid: str, *, took_effect: bool) -> str:
        return msg_journal.close(
            self.conn, journal, msgid, infno, by_msgid, took_effect=took_effect
        )

    def state(self, msgid: str) -> tuple[str, str, bytes]:
        return msg_journal.state(self.conn, journal, msgid)


class InDoubtRepository:
    """The hub's in-doubt table (``services/storage/in_doubt.py``)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, f: Forward) -> None:
        forwards.add(self.conn, in_doubt, f)

    def reopen(self, f: Forward) -> None:
        forwards.reopen(self.conn, in_doubt, f)

    def get(self, msgid: str) -> Forward | None:
        return forwards.get(self.conn, in_doubt, msgid)

    def finish(self, msgid: str, state: str, outcome: str = "") -> bool:
        return forwards.finish(self.conn, in_doubt, msgid, state, outcome)

    def correcting(self, msgid: str, by_msgid: str) -> None:
        forwards.correcting(self.conn, in_doubt, msgid, by_msgid)

    def drop(self, msgid: str) -> None:
        forwards.drop(self.conn, in_doubt, msgid)

    def attempted(self, msgid: str, note: str) -> None:
        forwards.attempted(self.conn, in_doubt, msgid, note)

    def pending(self, limit: int = 500) -> list[Forward]:
        return forwards.pending(self.conn, in_doubt, limit)

    def listing(self, msgids: list[str], include_resolved: bool, limit: int) -> list[Forward]:
        return forwards.listing(self.conn, in_doubt, msgids, include_resolved, limit)

    def count_pending(self, before: str = "") -> int:
        return forwards.count_pending(self.conn, in_doubt, before)


class RoutedLog:
    """The append-only routed-message log."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self,
        *,
        msgid: str,
        infno: str,
        from_province: str,
        to_province: str,
        outcome: str,
        setl_id: str,
        fund_pay_sumamt: int,
        routed_at: str,
        latency_ms: int,
    ) -> None:
        run(
            self.conn,
            _LOG,
            {
                "msgid": msgid,
                "infno": infno,
                "from_province": from_province,
                "to_province": to_province,
                "outcome": outcome,
                "setl_id": setl_id,
                "fund_pay_sumamt": fund_pay_sumamt,
                "routed_at": routed_at,
                "latency_ms": latency_ms,
            },
        )

    def entries(self, msgid: str, limit: int) -> list[RoutedMessage]:
        query = select(routed_messages).order_by(routed_messages.c.seq.desc()).limit(limit)
        if msgid:
            query = query.where(routed_messages.c.msgid == msgid)
        return [
            RoutedMessage(
                r.seq,
                r.msgid,
                r.infno,
                r.from_province,
                r.to_province,
                r.outcome,
                r.setl_id,
                r.fund_pay_sumamt,
                r.routed_at,
                r.latency_ms,
            )
            for r in self.conn.execute(query).all()
        ]
