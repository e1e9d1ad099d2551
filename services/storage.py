"""Storage: one SQLAlchemy engine per node, a transaction per state change, and worker threads
that keep blocking database work off the gRPC event loop.

Any SQLAlchemy URL works. SQLite (the embedded default) gets WAL and a single writer thread, so
the node's writes are serialised without "database is locked"; PostgreSQL gets a small pool of
threads and row locks (``SELECT ... FOR UPDATE``) where state is read then changed.

The unit of work is :meth:`Database.transact`: the function runs inside a transaction that
commits when it returns and rolls back when it raises, so a crash leaves the node before or
after a change, never in between. Its caller hears of the result only once it is committed.

On SQLite the writer thread **group-commits**: the units that queue up while one transaction
runs are taken together into the next one, each inside its own SAVEPOINT (a unit that raises
rolls back to its savepoint alone, and only its caller sees the error), and committed once.
One commit and one hand-back to the event loop serve the whole group instead of each unit
(``docs/performance.md`` has the figures). The units of a group run one after the other, so
each sees what the ones before it wrote, exactly as with one commit per unit.
"""

from __future__ import annotations

import asyncio
import functools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.exc import IntegrityError, OperationalError

P = ParamSpec("P")
T = TypeVar("T")

_RETRIES = 3
MAX_GROUP = 64
"""Most units committed together (a bound on how long the first of them waits)."""


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


def _lost_race(exc: BaseException, attempt: int) -> bool:
    """Whether a unit that raised ``exc`` should run again: another transaction inserted the
    same key first (it will now find what that one committed), or PostgreSQL chose it as a
    deadlock victim."""
    if attempt == _RETRIES - 1:
        return False
    if isinstance(exc, IntegrityError):
        return True
    return isinstance(exc, OperationalError) and "deadlock" in str(exc).lower()


@dataclass
class _Unit:
    """One caller's transaction function, and where its answer goes."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    result: Any = None
    error: BaseException | None = field(default=None)


def _settle(units: list[_Unit]) -> None:
    """On the event loop: hand each caller its result or error."""
    for unit in units:
        if unit.future.done():  # the caller was cancelled; its unit committed all the same
            continue
        if unit.error is not None:
            unit.future.set_exception(unit.error)
        else:
            unit.future.set_result(unit.result)


class _GroupWriter:
    """The SQLite writer thread: takes what is queued, runs it in one transaction, commits."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.queue: queue.SimpleQueue[_Unit | None] = queue.SimpleQueue()
        self.groups = 0
        self.units = 0
        self._conn: Connection | None = None
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _connection(self) -> Connection:
        """The writer's own connection, kept for its lifetime: checking one out of the pool
        per group (and the pool's reset when it is returned) cost more than the group's SQL."""
        if self._conn is None or self._conn.invalidated or self._conn.closed:
            self._conn = self.engine.connect()
        return self._conn

    def _run(self) -> None:
        try:
            self._serve()
        finally:
            if self._conn is not None:
                self._conn.close()

    def _serve(self) -> None:
        while True:
            first = self.queue.get()
            if first is None:
                return
            group = [first]
            stop = False
            while len(group) < MAX_GROUP:
                try:
                    more = self.queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                group.append(more)
            self._commit(group)
            self.groups += 1
            self.units += len(group)
            by_loop: dict[asyncio.AbstractEventLoop, list[_Unit]] = {}
            for unit in group:
                by_loop.setdefault(unit.loop, []).append(unit)
            for loop, units in by_loop.items():
                try:
                    loop.call_soon_threadsafe(_settle, units)
                except RuntimeError:  # that loop is closed: nobody is waiting any more
                    pass
            if stop:
                return

    def _commit(self, group: list[_Unit]) -> None:
        if len(group) == 1:
            self._alone(group[0])
            return
        try:
            conn = self._connection()
            with conn.begin():
                for unit in group:
                    self._in_savepoint(conn, unit)
        except BaseException as exc:  # the commit itself failed: nothing of the group stands
            for unit in group:
                if unit.error is None:
                    unit.error = exc

    @staticmethod
    def _in_savepoint(conn: Connection, unit: _Unit) -> None:
        # Savepoints straight on the sqlite3 connection: SQLAlchemy's begin_nested() costs
        # about 60 µs a pair here, the driver's about 2 µs (SQLAlchemy Core keeps no state a
        # rollback to a savepoint could leave stale).
        raw = conn.connection.dbapi_connection
        assert raw is not None
        for attempt in range(_RETRIES):
            raw.execute("SAVEPOINT unit")
            try:
                unit.result = unit.fn(conn, *unit.args, **unit.kwargs)
            except BaseException as exc:
                raw.execute("ROLLBACK TO unit")
                raw.execute("RELEASE unit")
                if _lost_race(exc, attempt):
                    continue
                unit.error = exc
                return
            raw.execute("RELEASE unit")
            return

    def _alone(self, unit: _Unit) -> None:
        for attempt in range(_RETRIES):
            try:
                conn = self._connection()
                with conn.begin():
                    unit.result = unit.fn(conn, *unit.args, **unit.kwargs)
                return
            except BaseException as exc:
                if _lost_race(exc, attempt):
                    continue
                unit.error = exc
                return

    def stop(self) -> None:
        self.queue.put(None)
        self.thread.join()


class Database:
    """A node's database: engine, schema and the worker threads that talk to it."""

    def __init__(self, url: str, metadata: MetaData) -> None:
        self.url = url
        self.metadata = metadata
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._writer = _GroupWriter(self.engine, "db-writer") if self.is_sqlite else None
        self._executor = None if self.is_sqlite else ThreadPoolExecutor(
            max_workers=8, thread_name_prefix="db")

    def create_schema(self) -> None:
        """Create every table that does not exist yet (first start), and every index a newer
        version declares on a table that already exists (``create_all`` skips those), so a
        node's database from before an index was added gets it at the next start."""
        self.metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            for table in self.metadata.sorted_tables:
                for index in table.indexes:
                    index.create(conn, checkfirst=True)

    def transact_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(conn, *args)`` in one transaction of its own, from the calling thread,
        retrying a lost race on a unique key."""
        for attempt in range(_RETRIES):
            try:
                with self.engine.begin() as conn:
                    return fn(conn, *args, **kwargs)
            except (IntegrityError, OperationalError) as exc:
                if not _lost_race(exc, attempt):
                    raise
        raise AssertionError("unreachable")

    async def transact(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(conn, *args)`` in a transaction on a worker thread; return once committed."""
        loop = asyncio.get_running_loop()
        if self._writer is None:
            assert self._executor is not None
            call = functools.partial(self.transact_sync, fn, *args, **kwargs)
            return await loop.run_in_executor(self._executor, call)
        future: asyncio.Future[T] = loop.create_future()
        self._writer.queue.put(_Unit(fn, args, kwargs, loop, future))
        return await future

    @property
    def group_stats(self) -> tuple[int, int]:
        """(transactions committed, units in them) by the SQLite writer so far."""
        return (self._writer.groups, self._writer.units) if self._writer else (0, 0)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.stop()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        self.engine.dispose()
