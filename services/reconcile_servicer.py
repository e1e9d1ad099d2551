"""The ReconcileService servicer, for a province node (per role) and for the hub."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import grpc
from sqlalchemy import Table

from services import reconcile
from services.envelope import check_date
from services.errors import InvalidField
from services.pb.settlenet.v1 import reconcile_pb2, reconcile_pb2_grpc
from services.rpc import rpc
from services.storage import Database

Ctx = grpc.aio.ServicerContext[Any, Any]


def records_of(msg: reconcile_pb2.ReconcileDetails) -> list[reconcile.Record]:
    """A Details answer as records (the client side)."""
    return [reconcile.Record(**{f: getattr(r, f) for f in reconcile.Record.__dataclass_fields__})
            for r in msg.records]


class ReconcileServicer(reconcile_pb2_grpc.ReconcileServiceServicer):
    """``tables`` maps a role ("treatment", "insured", or "" at the hub) to its settlements
    table; ``side`` says which province column the counterpart is for each role."""

    def __init__(self, db: Database, tables: dict[str, Table],
                 counterpart_of: Callable[[str, str], dict[str, str]]) -> None:
        self.db = db
        self.tables = tables
        self.counterpart_of = counterpart_of

    async def _records(self, q: reconcile_pb2.ReconcileQuery) -> list[reconcile.Record]:
        if q.role not in self.tables:
            raise InvalidField("role", q.role, f"one of {', '.join(sorted(self.tables))}")
        for name in ("begndate", "enddate"):
            if getattr(q, name):
                check_date(name, getattr(q, name))
        if q.counterpart and (len(q.counterpart) != 2 or not q.counterpart.isdigit()):
            raise InvalidField("counterpart", q.counterpart, "a two-digit province code")
        where = self.counterpart_of(q.role, q.counterpart) if q.counterpart else {}
        records: list[reconcile.Record] = await self.db.transact(
            reconcile.read, self.tables[q.role], begndate=q.begndate, enddate=q.enddate,
            **where)
        return records

    @rpc("3201")
    async def Totals(self, request: reconcile_pb2.ReconcileQuery, context: Ctx
                     ) -> reconcile_pb2.ReconcileTotals:
        rows = reconcile.totals(await self._records(request))
        return reconcile_pb2.ReconcileTotals(rows=[reconcile_pb2.ReconcileTotalsRow(
            **asdict(r)) for r in rows])

    @rpc("3202")
    async def Details(self, request: reconcile_pb2.ReconcileQuery, context: Ctx
                      ) -> reconcile_pb2.ReconcileDetails:
        return reconcile_pb2.ReconcileDetails(records=[reconcile_pb2.ReconcileRecord(
            **asdict(r)) for r in await self._records(request)])
