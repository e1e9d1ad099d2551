"""Routing by insured place, with the journal that makes 2207 and 2208 exactly-once at the hub.

The hub treats claims as envelopes: it reads the header to route and journal, and passes the
body on unchanged, so province nodes speak to each other in their own words.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import grpc
import structlog
from sqlalchemy import Connection, insert, select
from sqlalchemy.sql import Insert

from national_hub import advance
from national_hub.registry import Node, Registry
from national_hub.settlements import record_routed
from national_hub.tables import journal, routed_messages
from services.rpc.handler import hop_timeout
from services.rpc.status import from_rpc_error
from services.storage import journal as msg_journal
from services.storage.database import Database
from services.storage.prepared import run
from services.values import clock

log = structlog.get_logger("hub")

_LOG: Insert = insert(routed_messages)


class Router:
    def __init__(self, db: Database, registry: Registry, advance_exhausted: str = "refuse") -> None:
        self.db = db
        self.registry = registry
        self.advance_exhausted = advance_exhausted
        """What a 2207 to a province whose advance is exhausted gets: "refuse" or "allow"."""

    async def forward(
        self,
        request: Any,
        infno: str,
        call: Callable[[Node], Any],
        *,
        digest: str = "",
        parse: Callable[[bytes], Any] | None = None,
    ) -> Any:
        """Send ``request`` to the insured node; journal it. For a mutating call (``digest``
        given) a msgid seen before is answered from the journal without forwarding."""
        header = request.header
        node = self.registry.route(header.insuplc_admdvs)
        if digest:
            prior = await self.db.transact(
                self._before_forward, header.msgid, infno, digest, node.province_code
            )
            if prior is not None and parse is not None:
                log.info("replayed_from_journal", to=node.province_code)
                return parse(prior)
        started = time.perf_counter()
        try:
            response = await call(node)(request, timeout=hop_timeout())
        except grpc.aio.AioRpcError as exc:
            await self.db.transact(
                self._log, header, infno, node, exc.code().name, None, started, None
            )
            raise from_rpc_error(
                exc,
                field="header.insuplc_admdvs",
                value=header.insuplc_admdvs,
                peer=f"insured node {node.province_code} ({node.endpoint})",
            ) from None
        payload = bytes(response.SerializeToString()) if digest else None
        await self.db.transact(
            self._log,
            header,
            infno,
            node,
            "OK",
            response,
            started,
            (digest, payload) if digest else None,
        )
        return response

    def _before_forward(
        self, conn: Connection, msgid: str, infno: str, digest: str, insured: str
    ) -> bytes | None:
        """One read before forwarding a mutating call: its journalled answer if the msgid was
        seen; for a 2207, the insured province's advance (refused when exhausted)."""
        prior = msg_journal.replay(conn, journal, msgid, infno, digest)
        if prior is None and infno == "2207":
            advance.check_before_settle(conn, insured, self.advance_exhausted)
        return prior

    @staticmethod
    def _log(
        conn: Connection,
        header: Any,
        infno: str,
        node: Node,
        outcome: str,
        response: Any,
        started: float,
        journal_entry: tuple[str, bytes | None] | None,
    ) -> None:
        setl = getattr(response, "setlinfo", None)
        run(
            conn,
            _LOG,
            {
                "msgid": header.msgid,
                "infno": infno,
                "from_province": header.mdtrtarea_admvs[:2],
                "to_province": node.province_code,
                "outcome": outcome,
                "setl_id": setl.setl_id if setl is not None else "",
                "fund_pay_sumamt": setl.fund_pay_sumamt if setl is not None else 0,
                "routed_at": clock.format_time(clock.now()),
                "latency_ms": int((time.perf_counter() - started) * 1000),
            },
        )
        if journal_entry is not None and journal_entry[1] is not None:
            digest, payload = journal_entry
            if msg_journal.replay(conn, journal, header.msgid, infno, digest) is None:
                msg_journal.record(conn, journal, header.msgid, infno, digest, payload)
                first = (
                    record_routed(
                        conn, setl, header.msgid, node.province_code, header.mdtrtarea_admvs[:2]
                    )
                    if setl is not None and setl.setl_id
                    else None
                )
                if first is not None:  # the insured node reused a setl_id: count it once
                    log.warning(
                        "duplicate_setl_id_from_insured",
                        setl_id=setl.setl_id,
                        first_msgid=first,
                        to=node.province_code,
                    )

    def entries(self, conn: Connection, msgid: str, limit: int) -> list[Any]:
        query = select(routed_messages).order_by(routed_messages.c.seq.desc()).limit(limit)
        if msgid:
            query = query.where(routed_messages.c.msgid == msgid)
        return list(conn.execute(query).all())
