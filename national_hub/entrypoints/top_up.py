"""The hub's TopUpService servicer: two-phase top-ups of advance funds."""

from __future__ import annotations

from typing import Any, TypeAlias

from national_hub.entrypoints import convert
from national_hub.service_layer.top_up import TopUps
from services.pb.settlenet.v1 import topup_pb2, topup_pb2_grpc
from services.rpc.handler import rpc

Ctx: TypeAlias = Any
"""grpc.aio.ServicerContext (the grpc package is untyped)."""


class TopUpServicer(topup_pb2_grpc.TopUpServiceServicer):
    def __init__(self, handler: TopUps) -> None:
        self.handler = handler

    @rpc("advance_top_up_request")
    async def RequestTopUp(
        self, request: topup_pb2.RequestTopUpRequest, context: Ctx
    ) -> topup_pb2.TopUpHold:
        v = await self.handler.request(request.province, request.request_id, request.amount_fen)
        return convert.top_up_hold(v)

    @rpc("advance_top_up_settle")
    async def SettleTopUp(
        self, request: topup_pb2.SettleTopUpRequest, context: Ctx
    ) -> topup_pb2.TopUpHold:
        v = await self.handler.settle(
            request.province,
            request.request_id,
            arrived=request.arrived,
            amount_fen=request.amount_fen,
        )
        return convert.top_up_hold(v)

    @rpc("advance_top_up_list")
    async def ListTopUps(
        self, request: topup_pb2.ListTopUpsRequest, context: Ctx
    ) -> topup_pb2.ListTopUpsResponse:
        found = await self.handler.list(request.province)
        return topup_pb2.ListTopUpsResponse(holds=[convert.top_up_hold(v) for v in found])
