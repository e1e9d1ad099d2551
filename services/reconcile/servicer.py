"""The ReconcileService servicer, for a province node (per role) and for the hub."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeAlias

from sqlalchemy import Table

from services.pb.settlenet.v1 import reconcile_pb2, reconcile_pb2_grpc
from services.reconcile import records as reconcile
from services.reconcile import store as reconcile_store
from services.rpc.envelope import check_date
from services.rpc.handler import rpc
from services.storage.database import Database
from services.values import clock
from services.values.errors import InvalidField

Ctx: TypeAlias = Any  # grpc.aio.ServicerContext: grpcio ships no type stubs


MAX_PAGE = 10_000
"""Most records in one Details answer (about 1.5 MB; a gRPC message is 4 MB at most)."""


def records_of(msg: reconcile_pb2.ReconcileDetails) -> list[reconcile.Record]:
    """A Details answer as records (the client side)."""
    return [
        reconcile.Record(**{f: getattr(r, f) for f in reconcile.Record.__dataclass_fields__})
        for r in msg.records
    ]


async def all_details(
    stub: reconcile_pb2_grpc.ReconcileServiceStub,
    *,
    page_timeout_s: float = 60,
    page_size: int = MAX_PAGE,
    **query: str,
) -> list[reconcile.Record]:
    """Every record a node's Details gives for ``query``, page by page (the client side)."""
    out: list[reconcile.Record] = []
    token = ""
    while True:
        page = await stub.Details(
            reconcile_pb2.ReconcileQuery(page_size=page_size, page_token=token, **query),
            timeout=page_timeout_s,
        )
        out += records_of(page)
        token = page.next_page_token
        if not token:
            return out


def _page_token(r: reconcile.Record) -> str:
    return f"{r.setl_time}|{r.setl_id}"


def _after(token: str) -> tuple[str, str]:
    setl_time, sep, setl_id = token.partition("|")
    try:
        clock.parse_time(setl_time)
    except ValueError:
        raise InvalidField("page_token", token, "a next_page_token from a Details answer") from None
    if not sep or not setl_id:
        raise InvalidField("page_token", token, "a next_page_token from a Details answer")
    return setl_time, setl_id


class ReconcileServicer(reconcile_pb2_grpc.ReconcileServiceServicer):
    """``tables`` maps a role ("treatment", "insured", or "" at the hub) to its settlements
    table; ``side`` says which province column the counterpart is for each role."""

    def __init__(
        self,
        db: Database,
        tables: dict[str, Table],
        counterpart_of: Callable[[str, str], dict[str, str]],
    ) -> None:
        self.db = db
        self.tables = tables
        self.counterpart_of = counterpart_of

    async def _records(
        self,
        q: reconcile_pb2.ReconcileQuery,
        *,
        after: tuple[str, str] | None = None,
        limit: int | None = None,
    ) -> list[reconcile.Record]:
        if q.role not in self.tables:
            raise InvalidField("role", q.role, f"one of {', '.join(sorted(self.tables))}")
        for name in ("begndate", "enddate"):
            if getattr(q, name):
                check_date(name, getattr(q, name))
        if q.counterpart and (len(q.counterpart) != 2 or not q.counterpart.isdigit()):
            raise InvalidField("counterpart", q.counterpart, "a two-digit province code")
        where = self.counterpart_of(q.role, q.counterpart) if q.counterpart else {}
        records: list[reconcile.Record] = await self.db.transact(
            reconcile_store.read,
            self.tables[q.role],
            begndate=q.begndate,
            enddate=q.enddate,
            after=after,
            limit=limit,
            **where,
        )
        return records

    @rpc("3201")
    async def Totals(
        self, request: reconcile_pb2.ReconcileQuery, context: Ctx
    ) -> reconcile_pb2.ReconcileTotals:
        rows = reconcile.totals(await self._records(request))
        return reconcile_pb2.ReconcileTotals(
            rows=[reconcile_pb2.ReconcileTotalsRow(**asdict(r)) for r in rows]
        )

    @rpc("3202")
    async def Details(
        self, request: reconcile_pb2.ReconcileQuery, context: Ctx
    ) -> reconcile_pb2.ReconcileDetails:
        size = request.page_size
        if not 0 <= size <= MAX_PAGE:
            raise InvalidField("page_size", str(size), f"0 (all) or 1 to {MAX_PAGE}")
        after = _after(request.page_token) if request.page_token else None
        # One more than asked says whether another page follows.
        rows = await self._records(request, after=after, limit=(size or MAX_PAGE) + 1)
        more = len(rows) > (size or MAX_PAGE)
        if more and not size:
            raise InvalidField(
                "page_size",
                "0",
                f"page the answer: the period has more than "
                f"{MAX_PAGE} records, more than one message holds; give "
                f"page_size 1 to {MAX_PAGE} and follow next_page_token",
            )
        rows = rows[:size] if more else rows
        return reconcile_pb2.ReconcileDetails(
            records=[reconcile_pb2.ReconcileRecord(**asdict(r)) for r in rows],
            next_page_token=_page_token(rows[-1]) if more else "",
        )
