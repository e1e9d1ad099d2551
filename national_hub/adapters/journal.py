"""The hub's message journal (what makes 2207, 2208 and 2601 exactly-once at the hub, by msgid),
its in-doubt table (what it forwarded, until the outcome is recorded) and its routed-message log
(one row per message routed, whatever its outcome)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, or_, select
from sqlalchemy.sql import Insert

from national_hub.adapters.tables import in_doubt, journal, routed_messages
from national_hub.domain.model import JournalFilter, RoutedMessage
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

    def claim(self, msgid: str) -> bool:
        """Take the pending row to resolve it, unless another process of this node holds it."""
        return forwards.claim(self.conn, in_doubt, msgid)

    @staticmethod
    def leased_elsewhere(f: Forward) -> bool:
        """Whether another process of this node is forwarding or resolving ``f`` now."""
        return forwards.leased_elsewhere(f)

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
        request: bytes | None = None,
        response: bytes | None = None,
        error_message: str = "",
        error_reason: str = "",
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
                "request": request,
                "response": response,
                "error_message": error_message,
                "error_reason": error_reason,
            },
        )

    def entries(self, q: JournalFilter) -> list[RoutedMessage]:
        """The lines ``q`` asks for: the newest first, or (``forward``) the oldest after
        ``after_seq``."""
        c = routed_messages.c
        columns = [
            c.seq,
            c.msgid,
            c.infno,
            c.from_province,
            c.to_province,
            c.outcome,
            c.setl_id,
            c.fund_pay_sumamt,
            c.routed_at,
            c.latency_ms,
            c.error_message,
            c.error_reason,
        ]
        if q.with_bodies:
            columns += [c.request, c.response]
        query = select(*columns).limit(q.limit)
        if q.forward:
            query = query.where(c.seq > q.after_seq).order_by(c.seq)
        else:
            query = query.order_by(c.seq.desc())
        if q.msgid:
            query = query.where(c.msgid == q.msgid)
        if q.province:
            query = query.where(or_(c.from_province == q.province, c.to_province == q.province))
        if q.from_time:
            query = query.where(c.routed_at >= q.from_time)
        if q.to_time:
            query = query.where(c.routed_at <= q.to_time)
        out = []
        for r in self.conn.execute(query).all():
            bodies = (r.request or b"", r.response or b"") if q.with_bodies else (b"", b"")
            out.append(
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
                    bodies[0],
                    bodies[1],
                    r.error_message or "",
                    r.error_reason or "",
                )
            )
        return out
