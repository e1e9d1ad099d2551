"""The hub's unit of work: its repositories bound to one transaction.

``await uow.run(fn, *args)`` runs ``fn(repos, *args)`` as one unit of
:meth:`services.storage.database.Database.transact` and returns what ``fn`` returned once it is
committed; if ``fn`` raises, nothing it wrote stands (its savepoint is rolled back) and the
caller gets the error. It wraps ``Database.transact`` rather than opening transactions of its
own, so on SQLite the hub's units still group-commit on the event loop (one commit for every unit
of a loop iteration), which is what keeps routing fast. Handlers write their state changes as
plain functions of :class:`Repositories`; they never see a connection or SQL.

The repositories are built on first use within a unit: a routing unit touches three or four of
the eight, and each is only a wrapper around the unit's connection.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection

from national_hub.adapters.advances import AdvanceRepository
from national_hub.adapters.clearing import ClearingRepository
from national_hub.adapters.filings import FilingRepository
from national_hub.adapters.journal import InDoubtRepository, JournalRepository, RoutedLog
from national_hub.adapters.ledger import LedgerRepository
from national_hub.adapters.nodes import NodeRepository
from national_hub.adapters.settlements import SettlementRepository
from national_hub.adapters.views import ViewRepository
from services.storage.database import Database

P = ParamSpec("P")
T = TypeVar("T")


class Repositories:
    """Every repository of the hub, on one open transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @cached_property
    def nodes(self) -> NodeRepository:
        return NodeRepository(self.conn)

    @cached_property
    def journal(self) -> JournalRepository:
        return JournalRepository(self.conn)

    @cached_property
    def in_doubt(self) -> InDoubtRepository:
        return InDoubtRepository(self.conn)

    @cached_property
    def routed(self) -> RoutedLog:
        return RoutedLog(self.conn)

    @cached_property
    def settlements(self) -> SettlementRepository:
        return SettlementRepository(self.conn)

    @cached_property
    def advances(self) -> AdvanceRepository:
        return AdvanceRepository(self.conn)

    @cached_property
    def ledger(self) -> LedgerRepository:
        return LedgerRepository(self.conn)

    @cached_property
    def filings(self) -> FilingRepository:
        return FilingRepository(self.conn)

    @cached_property
    def clearing(self) -> ClearingRepository:
        return ClearingRepository(self.conn)

    @cached_property
    def views(self) -> ViewRepository:
        """Read-only queries of the web view."""
        return ViewRepository(self.conn)


def _bound(
    conn: Connection,
    fn: Callable[Concatenate[Repositories, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    return fn(Repositories(conn), *args, **kwargs)


class UnitOfWork:
    """Runs handler functions as units of the hub's database (see the module docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def run(
        self,
        fn: Callable[Concatenate[Repositories, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``fn(repos, *args, **kwargs)`` in one transaction; its result once committed."""
        return await self.db.transact(_bound, fn, *args, **kwargs)

    def run_sync(
        self,
        fn: Callable[Concatenate[Repositories, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """The same from a thread with no event loop (tools, tests)."""
        result: T = self.db.transact_sync(_bound, fn, *args, **kwargs)
        return result
