"""The hub's TopUpService: two-phase top-ups of advance funds (``national_hub.top_up``)."""

from __future__ import annotations

from typing import Any

import grpc
from sqlalchemy import Connection, select

from national_hub import advance, top_up
from national_hub.tables import advances, holds
from services.ledger import holds as hold_store
from services.ledger.holds import Hold
from services.pb.settlenet.v1 import topup_pb2, topup_pb2_grpc
from services.rpc.handler import rpc
from services.storage.database import Database
from services.values.errors import InvalidField

Ctx = grpc.aio.ServicerContext[Any, Any]


def _province(value: str) -> str:
    if len(value) != 2 or not value.isdigit():
        raise InvalidField("province", value, "a two-digit province code, e.g. 13")
    return value


def _proto(conn: Connection, code: str, h: Hold) -> topup_pb2.TopUpHold:
    return topup_pb2.TopUpHold(
        province=code,
        request_id=top_up.request_id_of(h),
        amount_fen=h.transfer.amount_fen,
        state=h.outcome,
        posted_fen=h.posted_fen,
        available_fen=advance.available(conn, code),
        pending_fen=top_up.pending_fen(conn, code),
    )


class TopUpServicer(topup_pb2_grpc.TopUpServiceServicer):
    def __init__(self, db: Database) -> None:
        self.db = db

    @rpc("advance_top_up_request")
    async def RequestTopUp(
        self, request: topup_pb2.RequestTopUpRequest, context: Ctx
    ) -> topup_pb2.TopUpHold:
        code = _province(request.province)

        def run(conn: Connection) -> topup_pb2.TopUpHold:
            return _proto(
                conn, code, top_up.request(conn, code, request.request_id, request.amount_fen)
            )

        result: topup_pb2.TopUpHold = await self.db.transact(run)
        return result

    @rpc("advance_top_up_settle")
    async def SettleTopUp(
        self, request: topup_pb2.SettleTopUpRequest, context: Ctx
    ) -> topup_pb2.TopUpHold:
        code = _province(request.province)
        if not request.request_id:
            raise InvalidField("request_id", "", "required: the top-up to settle")
        if request.amount_fen < 0 or (request.amount_fen and not request.arrived):
            raise InvalidField("amount_fen", request.amount_fen, "only with arrived, and positive")

        def run(conn: Connection) -> topup_pb2.TopUpHold:
            return _proto(
                conn,
                code,
                top_up.settle(
                    conn,
                    code,
                    request.request_id,
                    arrived=request.arrived,
                    amount_fen=request.amount_fen,
                ),
            )

        result: topup_pb2.TopUpHold = await self.db.transact(run)
        return result

    @rpc("advance_top_up_list")
    async def ListTopUps(
        self, request: topup_pb2.ListTopUpsRequest, context: Ctx
    ) -> topup_pb2.ListTopUpsResponse:
        only = _province(request.province) if request.province else ""

        def run(conn: Connection) -> topup_pb2.ListTopUpsResponse:
            codes = (
                [only]
                if only
                else list(
                    conn.execute(
                        select(advances.c.province_code).order_by(advances.c.province_code)
                    ).scalars()
                )
            )
            out = []
            for code in codes:
                advance.status(conn, code)  # NOT_FOUND for a province without an advance
                out += [
                    _proto(conn, code, h) for h in hold_store.holds(conn, holds, f"advance:{code}")
                ]
            return topup_pb2.ListTopUpsResponse(holds=out)

        result: topup_pb2.ListTopUpsResponse = await self.db.transact(run)
        return result


def services(db: Database) -> list[tuple[Any, Any, str]]:
    return [
        (
            topup_pb2_grpc.add_TopUpServiceServicer_to_server,
            TopUpServicer(db),
            topup_pb2.DESCRIPTOR.services_by_name["TopUpService"].full_name,
        )
    ]
