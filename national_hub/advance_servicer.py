"""The hub's AdvanceService: query advances, top up, re-size."""

from __future__ import annotations

from typing import Any

import grpc

from national_hub import advance
from services.pb.settlenet.v1 import advance_pb2, advance_pb2_grpc
from services.rpc.handler import rpc
from services.storage.database import Database
from services.values.errors import InvalidField

Ctx = grpc.aio.ServicerContext[Any, Any]


def _proto(st: advance.Status) -> advance_pb2.AdvanceStatus:
    return advance_pb2.AdvanceStatus(
        province=st.province,
        size_fen=st.size_fen,
        available_fen=st.available_fen,
        used_ratio=st.used_ratio,
        level=st.level,
        flagged_count=st.flagged_count,
    )


def _province(value: str) -> str:
    if len(value) != 2 or not value.isdigit():
        raise InvalidField("province", value, "a two-digit province code, e.g. 13")
    return value


class AdvanceServicer(advance_pb2_grpc.AdvanceServiceServicer):
    def __init__(self, db: Database, exhausted_policy: str) -> None:
        self.db = db
        self.exhausted_policy = exhausted_policy

    @rpc("advance_query")
    async def QueryAdvances(
        self, request: advance_pb2.QueryAdvancesRequest, context: Ctx
    ) -> advance_pb2.QueryAdvancesResponse:
        if request.province:
            found = [await self.db.transact(advance.status, _province(request.province))]
        else:
            found = await self.db.transact(advance.all_status)
        return advance_pb2.QueryAdvancesResponse(
            advances=[_proto(s) for s in found], exhausted_policy=self.exhausted_policy
        )

    @rpc("advance_top_up")
    async def TopUp(
        self, request: advance_pb2.TopUpRequest, context: Ctx
    ) -> advance_pb2.AdvanceStatus:
        return _proto(
            await self.db.transact(advance.top_up, _province(request.province), request.request_id)
        )

    @rpc("advance_resize")
    async def Resize(
        self, request: advance_pb2.ResizeRequest, context: Ctx
    ) -> advance_pb2.AdvanceStatus:
        from services.values import clock

        year = request.year or clock.now().year - 1
        return _proto(
            await self.db.transact(
                advance.resize,
                _province(request.province),
                request.size_fen,
                request.months,
                year,
                request.request_id,
            )
        )
