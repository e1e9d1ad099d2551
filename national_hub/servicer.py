"""The hub's grpc.aio servicer: check the envelope, route, answer."""

from __future__ import annotations

from typing import Any

import grpc

from national_hub import advance
from national_hub import registry as reg
from national_hub.registry import Node, Registry
from national_hub.router import Router
from services.pb.settlenet.v1 import common_pb2, hub_pb2, hub_pb2_grpc, insured_pb2
from services.rpc.envelope import ResponseHeaders, check_header
from services.rpc.handler import rpc
from services.storage.database import Database
from services.storage.journal import body_hash
from services.values import clock
from services.values.errors import InvalidField

Ctx = grpc.aio.ServicerContext[Any, Any]


def _check(request: Any, infno: str) -> None:
    check_header(request.header if request.HasField("header") else None, infno)


class HubServicer(hub_pb2_grpc.HubServiceServicer):
    def __init__(
        self,
        router: Router,
        registry: Registry,
        db: Database,
        headers: ResponseHeaders,
        advance_size_fen: int = advance.DEFAULT_SIZE_FEN,
    ) -> None:
        self.router = router
        self.advance_size_fen = advance_size_fen
        self.registry = registry
        self.db = db
        self.headers = headers

    @rpc("1101")
    async def QueryPerson(
        self, request: insured_pb2.PersonQuery, context: Ctx
    ) -> insured_pb2.PersonInfo:
        _check(request, "1101")
        return await self.router.forward(request, "1101", lambda n: n.stub.QueryPerson)

    @rpc("2206")
    async def PreSettle(
        self, request: insured_pb2.SettleClaim, context: Ctx
    ) -> insured_pb2.SettleResult:
        _check(request, "2206")
        return await self.router.forward(request, "2206", lambda n: n.stub.ComputeSplit)

    @rpc("2207")
    async def Settle(
        self, request: insured_pb2.SettleClaim, context: Ctx
    ) -> insured_pb2.SettleResult:
        _check(request, "2207")
        return await self.router.forward(
            request,
            "2207",
            lambda n: n.stub.CommitSettlement,
            digest=body_hash(request),
            parse=insured_pb2.SettleResult.FromString,
        )

    @rpc("2208")
    async def RevokeSettlement(
        self, request: insured_pb2.RevokeClaim, context: Ctx
    ) -> insured_pb2.SettleResult:
        _check(request, "2208")
        return await self.router.forward(
            request,
            "2208",
            lambda n: n.stub.RevokeSettlement,
            digest=body_hash(request),
            parse=insured_pb2.SettleResult.FromString,
        )

    @rpc("9101")
    async def RegisterNode(
        self, request: hub_pb2.RegisterNodeRequest, context: Ctx
    ) -> hub_pb2.RegisterNodeResponse:
        received = clock.now()
        reg.check_registration(request.province_code, request.endpoint, list(request.admdvs))
        node = Node(
            request.province_code,
            request.endpoint,
            tuple(request.admdvs),
            request.name,
            clock.format_time(received),
        )
        await self.db.transact(reg.save, node)
        for_each = [code[:2] for code in request.admdvs]
        for code in sorted(set(for_each)):
            await self.db.transact(advance.ensure, code, self.advance_size_fen)
        await self.registry.put(node)
        return hub_pb2.RegisterNodeResponse(
            header=self.headers.make(common_pb2.ResponseHeader, "", received),
            node_count=len(self.registry.all()),
        )

    @rpc("9102")
    async def ListNodes(
        self, request: hub_pb2.ListNodesRequest, context: Ctx
    ) -> hub_pb2.ListNodesResponse:
        return hub_pb2.ListNodesResponse(
            nodes=[
                hub_pb2.NodeInfo(
                    province_code=n.province_code,
                    endpoint=n.endpoint,
                    admdvs=list(n.admdvs),
                    name=n.name,
                    registered_at=n.registered_at,
                )
                for n in self.registry.all()
            ]
        )

    @rpc("9103")
    async def QueryJournal(
        self, request: hub_pb2.JournalQuery, context: Ctx
    ) -> hub_pb2.JournalResponse:
        limit = request.limit or 100
        if not 0 < limit <= 1000:
            raise InvalidField("limit", request.limit, "must be between 1 and 1000")
        rows = await self.db.transact(self.router.entries, request.msgid, limit)
        return hub_pb2.JournalResponse(
            entries=[
                hub_pb2.JournalEntry(
                    seq=r.seq,
                    msgid=r.msgid,
                    infno=r.infno,
                    from_province=r.from_province,
                    to_province=r.to_province,
                    outcome=r.outcome,
                    setl_id=r.setl_id,
                    fund_pay_sumamt=r.fund_pay_sumamt,
                    routed_at=r.routed_at,
                    latency_ms=r.latency_ms,
                )
                for r in rows
            ]
        )
