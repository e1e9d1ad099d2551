"""The hub's ClearingService: clear a month (after reconciling it with every node), read a
cleared month, confirm a statement."""

from __future__ import annotations

from typing import Any

import grpc
import structlog

from national_hub import clearing
from national_hub.registry import Registry
from national_hub.tables import hub_settlements
from services.pb.settlenet.v1 import (
    clearing_pb2,
    clearing_pb2_grpc,
    reconcile_pb2_grpc,
)
from services.reconcile import records as reconcile
from services.reconcile import store as reconcile_store
from services.reconcile.servicer import all_details
from services.rpc.handler import rpc
from services.storage.database import Database
from services.values.errors import FailedPrecondition, Unavailable

log = structlog.get_logger("clearing")
Ctx = grpc.aio.ServicerContext[Any, Any]


class ClearingServicer(clearing_pb2_grpc.ClearingServiceServicer):
    def __init__(self, db: Database, registry: Registry) -> None:
        self.db = db
        self.registry = registry

    async def _answer(
        self, month: str, posted: bool, records: int
    ) -> clearing_pb2.ClearMonthResponse:
        found, confirmed, at = await self.db.transact(clearing.load, month)
        return clearing_pb2.ClearMonthResponse(
            month=month,
            posted=posted,
            records=records,
            cleared_at=at,
            statements=[
                clearing_pb2.Statement(
                    month=month,
                    province=s.province,
                    payable_fen=s.payable_fen,
                    receivable_fen=s.receivable_fen,
                    net_fen=s.net_fen,
                    confirmed_at=confirmed.get(s.province, ""),
                    lines=[clearing_pb2.StatementLine(**vars(x)) for x in s.lines],
                )
                for s in found
            ],
        )

    async def _differences(
        self, begndate: str, enddate: str, hub: list[reconcile.Record]
    ) -> list[str]:
        """Reconcile the period with every registered node; the differences, in words."""
        texts: list[str] = []
        for node in self.registry.all():
            stub = reconcile_pb2_grpc.ReconcileServiceStub(node.channel)
            for role, _ in reconcile.ROLES:
                try:
                    mine = await all_details(
                        stub, role=role, begndate=begndate, enddate=enddate, page_timeout_s=30
                    )
                except grpc.aio.AioRpcError as exc:
                    raise Unavailable(
                        "month",
                        begndate[:7],
                        f"cannot reconcile with province {node.province_code}: {exc.code().name}",
                    ) from None
                _, diffs = reconcile.against_hub(node.province_code, role, mine, hub)
                texts += [
                    d.describe(f"province {node.province_code} ({role})", "the hub") for d in diffs
                ]
        return texts

    @rpc("clearing")
    async def ClearMonth(
        self, request: clearing_pb2.ClearMonthRequest, context: Ctx
    ) -> clearing_pb2.ClearMonthResponse:
        begndate, enddate = clearing.month_bounds(request.month)
        hub = await self.db.transact(
            reconcile_store.read, hub_settlements, begndate=begndate, enddate=enddate
        )
        if await self.db.transact(clearing.cleared, request.month):
            return await self._answer(request.month, False, len(hub))
        texts = await self._differences(begndate, enddate, hub)
        if texts:
            raise FailedPrecondition(
                "month",
                request.month,
                f"{len(texts)} unreconciled difference(s) with the nodes; first: {texts[0]}",
                reason="UNRECONCILED",
            )
        posted = await self.db.transact(clearing.record, request.month, hub)
        log.info("month_cleared", month=request.month, posted=posted, records=len(hub))
        return await self._answer(request.month, posted, len(hub))

    @rpc("clearing_get")
    async def GetClearing(
        self, request: clearing_pb2.GetClearingRequest, context: Ctx
    ) -> clearing_pb2.ClearMonthResponse:
        begndate, enddate = clearing.month_bounds(request.month)
        hub = await self.db.transact(
            reconcile_store.read, hub_settlements, begndate=begndate, enddate=enddate
        )
        return await self._answer(request.month, False, len(hub))

    @rpc("clearing_confirm")
    async def ConfirmStatement(
        self, request: clearing_pb2.ConfirmStatementRequest, context: Ctx
    ) -> clearing_pb2.Statement:
        clearing.month_bounds(request.month)
        await self.db.transact(clearing.confirm, request.month, request.province)
        answer = await self._answer(request.month, False, 0)
        return next(s for s in answer.statements if s.province == request.province)
