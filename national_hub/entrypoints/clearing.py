"""The hub's ClearingService servicer: clear a month (after reconciling it with every node),
read a cleared month, confirm a statement."""

from __future__ import annotations

from typing import Any, TypeAlias

from national_hub.entrypoints import convert
from national_hub.service_layer.clear import Clearing
from services.pb.settlenet.v1 import clearing_pb2, clearing_pb2_grpc
from services.rpc.handler import rpc

Ctx: TypeAlias = Any
"""grpc.aio.ServicerContext (the grpc package is untyped)."""


class ClearingServicer(clearing_pb2_grpc.ClearingServiceServicer):
    def __init__(self, handler: Clearing) -> None:
        self.handler = handler

    @rpc("clearing")
    async def ClearMonth(
        self, request: clearing_pb2.ClearMonthRequest, context: Ctx
    ) -> clearing_pb2.ClearMonthResponse:
        cleared, posted, records = await self.handler.clear(request.month)
        return convert.cleared_month(request.month, cleared, posted, records)

    @rpc("clearing_get")
    async def GetClearing(
        self, request: clearing_pb2.GetClearingRequest, context: Ctx
    ) -> clearing_pb2.ClearMonthResponse:
        cleared, records = await self.handler.get(request.month)
        return convert.cleared_month(request.month, cleared, False, records)

    @rpc("clearing_confirm")
    async def ConfirmStatement(
        self, request: clearing_pb2.ConfirmStatementRequest, context: Ctx
    ) -> clearing_pb2.Statement:
        cleared = await self.handler.confirm(request.month, request.province)
        answer = convert.cleared_month(request.month, cleared, False, 0)
        statement: clearing_pb2.Statement = next(
            s for s in answer.statements if s.province == request.province
        )
        return statement
