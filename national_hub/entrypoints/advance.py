"""The hub's AdvanceService servicer: query advances, top up, re-size."""

from __future__ import annotations

from typing import Any, TypeAlias

from national_hub.entrypoints import convert
from national_hub.service_layer.advances import Advances
from services.pb.settlenet.v1 import advance_pb2, advance_pb2_grpc
from services.rpc.handler import rpc

Ctx: TypeAlias = Any
"""grpc.aio.ServicerContext (the grpc package is untyped)."""


class AdvanceServicer(advance_pb2_grpc.AdvanceServiceServicer):
    def __init__(self, handler: Advances) -> None:
        self.handler = handler

    @rpc("advance_query")
    async def QueryAdvances(
        self, request: advance_pb2.QueryAdvancesRequest, context: Ctx
    ) -> advance_pb2.QueryAdvancesResponse:
        found = await self.handler.query(request.province)
        return advance_pb2.QueryAdvancesResponse(
            advances=[convert.advance_status(s) for s in found],
            exhausted_policy=self.handler.exhausted_policy,
        )

    @rpc("advance_top_up")
    async def TopUp(
        self, request: advance_pb2.TopUpRequest, context: Ctx
    ) -> advance_pb2.AdvanceStatus:
        st = await self.handler.top_up(request.province, request.request_id)
        return convert.advance_status(st)

    @rpc("advance_resize")
    async def Resize(
        self, request: advance_pb2.ResizeRequest, context: Ctx
    ) -> advance_pb2.AdvanceStatus:
        st = await self.handler.resize(
            request.province, request.size_fen, request.months, request.year, request.request_id
        )
        return convert.advance_status(st)
