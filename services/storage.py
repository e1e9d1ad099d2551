"""Storage: one SQLAlchemy engine per node, a transaction per state change, and a thread pool
that keeps blocking database work off the gRPC event loop.

Any SQLAlchemy URL works. SQLite (the embedded default) gets WAL and a single writer thread, so
the node's writes are serialised without "database is locked"; PostgreSQL gets a small pool of
threads and row locks (``SELECT ... FOR UPDATE``) where state is read then changed.

The unit of work is :meth:`Database.transact`: the function runs inside ``engine.begin()``, which
commits when it returns and rolls back when it raises, so a crash leaves the node before or
after a change, never in between.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.exc import IntegrityError, OperationalError

P = ParamSpec("P")
T = TypeVar("T")

_RETRIES = 3


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets the pragmas a small durable node wants."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _: Any) -> None:
            # Let SQLAlchemy emit BEGIN itself (pysqlite's own transaction handling is off).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_size=8, max_overflow=4, pool_pre_ping=True)


class Database:
    """A node's database: engine, schema and the worker threads that talk to it."""

    def __init__(self, url: str, metadata: MetaData) -> None:
        self.url = url
        self.metadata = metadata
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._executor = ThreadPoolExecutor(
            max_workers=1 if self.is_sqlite else 8, thread_name_prefix="db"
        )

    def create_schema(self) -> None:
        """Create every table that does not exist yet (first start)."""
        self.metadata.create_all(self.engine)

    def transact_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(conn, *args)`` in one transaction, retrying a lost race on a unique key."""
        for attempt in range(_RETRIES):
            try:
                with self.engine.begin() as conn:
                    return fn(conn, *args, **kwargs)
            except IntegrityError:
                # Another transaction inserted the same key (e.g. the same msgid) first: run
                # again, and the function will now find what that transaction committed.
                if attempt == _RETRIES - 1:
                    raise
            except OperationalError as exc:
                if "deadlock" not in str(exc).lower() or attempt == _RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    async def transact(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(conn, *args)`` in one transaction on a worker thread."""
        loop = asyncio.get_running_loop()
        call = functools.partial(self.transact_sync, fn, *args, **kwargs)
        return await loop.run_in_executor(self._executor, call)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()
