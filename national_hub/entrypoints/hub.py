"""The HubService servicer: check the envelope, route (1101/2206/2207/2208) or register and list
nodes (9101/9102/9104), read the routed-message log (9103)."""

from __future__ import annotations

from typing import Any, TypeAlias

from national_hub.entrypoints import convert
from national_hub.service_layer.registry import NodeRegistry
from national_hub.service_layer.route import Router
from services.pb.settlenet.v1 import common_pb2, hub_pb2, hub_pb2_grpc, insured_pb2
from services.rpc.envelope import ResponseHeaders, check_header
from services.rpc.handler import rpc
from services.storage.journal import body_hash
from services.values import clock

Ctx: TypeAlias = Any
"""grpc.aio.ServicerContext (the grpc package is untyped)."""


def _check(request: Any, infno: str) -> None:
    check_header(request.header if request.HasField("header") else None, infno)


class HubServicer(hub_pb2_grpc.HubServiceServicer):
    def __init__(self, router: Router, nodes: NodeRegistry, headers: ResponseHeaders) -> None:
        self.router = router
        self.nodes = nodes
        self.headers = headers

    @rpc("1101")
    async def QueryPerson(
        self, request: insured_pb2.PersonQuery, context: Ctx
    ) -> insured_pb2.PersonInfo:
        _check(request, "1101")
        answer: insured_pb2.PersonInfo = await self.router.forward(
            convert.header(request, "1101"), request
        )
        return answer

    async def _forward_change(self, request: Any, infno: str) -> insured_pb2.SettleResult:
        """Forward a 2207 or 2208: journalled by msgid, recorded in doubt before it goes out."""
        _check(request, infno)
        digest = body_hash(request)
        answer: insured_pb2.SettleResult = await self.router.forward(
            convert.header(request, infno),
            request,
            digest=digest,
            parse=insured_pb2.SettleResult.FromString,
            fwd=convert.forwarded(request, infno, digest),
        )
        return answer

    @rpc("2206")
    async def PreSettle(
        self, request: insured_pb2.SettleClaim, context: Ctx
    ) -> insured_pb2.SettleResult:
        _check(request, "2206")
        answer: insured_pb2.SettleResult = await self.router.forward(
            convert.header(request, "2206"), request
        )
        return answer

    @rpc("2207")
    async def Settle(
        self, request: insured_pb2.SettleClaim, context: Ctx
    ) -> insured_pb2.SettleResult:
        return await self._forward_change(request, "2207")

    @rpc("2208")
    async def RevokeSettlement(
        self, request: insured_pb2.RevokeClaim, context: Ctx
    ) -> insured_pb2.SettleResult:
        return await self._forward_change(request, "2208")

    @rpc("9101")
    async def RegisterNode(
        self, request: hub_pb2.RegisterNodeRequest, context: Ctx
    ) -> hub_pb2.RegisterNodeResponse:
        received = clock.now()
        count = await self.nodes.register(
            request.province_code,
            request.endpoint,
            list(request.admdvs),
            request.name,
            received,
            request.http_endpoint,
            request.version,
        )
        return hub_pb2.RegisterNodeResponse(
            header=self.headers.make(common_pb2.ResponseHeader, "", received), node_count=count
        )

    @rpc("9102")
    async def ListNodes(
        self, request: hub_pb2.ListNodesRequest, context: Ctx
    ) -> hub_pb2.ListNodesResponse:
        return hub_pb2.ListNodesResponse(nodes=[convert.node_info(n) for n in self.nodes.nodes()])

    @rpc("9104")
    async def DeregisterNode(
        self, request: hub_pb2.DeregisterNodeRequest, context: Ctx
    ) -> hub_pb2.DeregisterNodeResponse:
        received = clock.now()
        count = await self.nodes.deregister(request.province_code)
        return hub_pb2.DeregisterNodeResponse(
            header=self.headers.make(common_pb2.ResponseHeader, "", received), node_count=count
        )

    @rpc("9103")
    async def QueryJournal(
        self, request: hub_pb2.JournalQuery, context: Ctx
    ) -> hub_pb2.JournalResponse:
        rows = await self.nodes.journal(convert.journal_filter(request))
        return hub_pb2.JournalResponse(entries=[convert.journal_entry(r) for r in rows])
