"""The national filing registry (全国异地就医备案): every filing and qualification change
published by an insured node, kept as history; each new change is passed on to the other
province nodes (FilingChanged) so their places of treatment forget what they cached."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import structlog
from sqlalchemy import Connection, insert, select

from national_hub.registry import Registry
from national_hub.tables import filing_events
from services.pb.settlenet.v1 import filing_pb2, filing_pb2_grpc
from services.rpc.handler import rpc
from services.storage.database import Database
from services.values import clock
from services.values.errors import DuplicateMessage, InvalidField

log = structlog.get_logger("registry")
Ctx = grpc.aio.ServicerContext[Any, Any]
DEFAULT_LIMIT = 500


def record(conn: Connection, event: filing_pb2.FilingEvent, payload: bytes) -> bool:
    """Store an event once; False when it is known already (a retry). The same event_id with
    another content is refused."""
    row = conn.execute(
        select(filing_events.c.payload).where(filing_events.c.event_id == event.event_id)
    ).first()
    if row is not None:
        if bytes(row.payload) != payload:
            raise DuplicateMessage(event.event_id, event.infno)
        return False
    filing, qual = event.filing, event.qualification
    conn.execute(
        insert(filing_events).values(
            event_id=event.event_id,
            infno=event.infno,
            psn_no=event.psn_no,
            insuplc_admdvs=event.insuplc_admdvs,
            filing_id=filing.filing_id if event.HasField("filing") else qual.qual_id,
            dest_admdvs=filing.dest_admdvs,
            channel=filing.channel,
            event_time=event.event_time,
            received_at=clock.format_time(clock.now()),
            payload=payload,
        )
    )
    return True


def query(conn: Connection, q: filing_pb2.RegistryQuery) -> list[tuple[bytes, str]]:
    t = filing_events
    stmt = select(t.c.payload, t.c.received_at)
    if q.psn_no:
        stmt = stmt.where(t.c.psn_no == q.psn_no)
    if q.filing_id:
        stmt = stmt.where(t.c.filing_id == q.filing_id)
    if q.insuplc_admdvs:
        stmt = stmt.where(t.c.insuplc_admdvs == q.insuplc_admdvs)
    if q.dest_admdvs:
        stmt = stmt.where(t.c.dest_admdvs.startswith(q.dest_admdvs[:2]))
    limit = q.limit or DEFAULT_LIMIT
    rows = conn.execute(stmt.order_by(t.c.seq.desc()).limit(limit)).all()
    return [(bytes(r.payload), r.received_at) for r in reversed(rows)]


class FilingRegistryServicer(filing_pb2_grpc.FilingRegistryServiceServicer):
    def __init__(self, db: Database, registry: Registry) -> None:
        self.db = db
        self.registry = registry

    @rpc("publish_filing")
    async def PublishFiling(
        self, request: filing_pb2.FilingEvent, context: Ctx
    ) -> filing_pb2.FilingEventAck:
        if not request.event_id or not request.psn_no:
            raise InvalidField("event_id" if not request.event_id else "psn_no", "", "required")
        if not (request.HasField("filing") or request.HasField("qualification")):
            raise InvalidField("filing", "", "an event carries a filing or a qualification")
        payload = bytes(request.SerializeToString())
        recorded = await self.db.transact(record, request, payload)
        if recorded:
            log.info(
                "filing_registered",
                event_id=request.event_id,
                infno=request.infno,
                psn_no=request.psn_no,
                filing_id=request.filing.filing_id or request.qualification.qual_id,
                dest=request.filing.dest_admdvs,
            )
        # Tell the other nodes even on a retry: the first notice may not have arrived.
        await self._notify(request)
        return filing_pb2.FilingEventAck(recorded=recorded)

    async def _notify(self, event: filing_pb2.FilingEvent) -> None:
        """FilingChanged to every other registered node, concurrently; a node that does not
        answer only keeps its cache entry until it expires."""

        async def one(node: Any) -> None:
            try:
                await filing_pb2_grpc.FilingServiceStub(node.channel).FilingChanged(
                    event, timeout=2
                )
            except grpc.aio.AioRpcError as exc:
                log.warning("filing_notice_failed", to=node.province_code, code=exc.code().name)

        others = [
            n
            for n in self.registry.all()
            if n.province_code != event.insuplc_admdvs[:2] and n.channel is not None
        ]
        await asyncio.gather(*(one(n) for n in others))

    @rpc("query_registry")
    async def QueryRegistry(
        self, request: filing_pb2.RegistryQuery, context: Ctx
    ) -> filing_pb2.RegistryResponse:
        if request.limit < 0:
            raise InvalidField("limit", request.limit, "must be 0 (default) or more")
        rows = await self.db.transact(query, request)
        entries = [
            filing_pb2.RegistryEntry(event=filing_pb2.FilingEvent.FromString(p), received_at=at)
            for p, at in rows
        ]
        current: dict[str, Any] = {}
        for e in entries:
            if e.event.HasField("filing"):
                f = e.event.filing
                if f.filing_id not in current or current[f.filing_id].version <= f.version:
                    current[f.filing_id] = f
        return filing_pb2.RegistryResponse(entries=entries, current=list(current.values()))
