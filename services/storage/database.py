"""Storage: one SQLAlchemy engine per node, a transaction per state change.

Any SQLAlchemy URL works. SQLite (the embedded default) gets WAL and one connection that
writes, used only from the node's event loop, so the node's writes are serialised without
"database is locked"; PostgreSQL gets a small pool of worker threads (blocking network calls
stay off the event loop) and row locks (``SELECT ... FOR UPDATE``) where state is read then
changed.

The unit of work is :meth:`Database.transact`: the function runs inside a transaction that
commits when it returns and rolls back when it raises, so a crash leaves the node before or
after a change, never in between. Its caller hears of the result only once it is committed.

On SQLite the units **group-commit on the event loop**: the first unit of a loop iteration
opens the transaction and schedules its commit for the next iteration; every unit that comes
in meanwhile joins it inside its own SAVEPOINT (a unit that raises rolls back to its savepoint
alone, and only its caller sees the error); then one commit, and every caller is answered. The
units of a group run one after the other, so each sees what the ones before it wrote, exactly
as with one commit per unit. A unit is a few SQLite calls on a file that is in the page cache
(``synchronous=NORMAL`` in WAL: no fsync per commit), cheaper than the hand-off to a writer
thread and back that this replaced (about 100 µs of CPU a round trip; with 32 provinces on two
cores, 15–18 % more operations per second, ``docs/performance.md``). Units must therefore stay
short: reads of a bounded page, not scans of a whole table.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Column, Connection, Engine, MetaData, create_engine, event, inspect, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.schema import CreateColumn

from services.storage import files

P = ParamSpec("P")
T = TypeVar("T")

_RETRIES = 3
_SCHEMA_LOCK = 19_0001
"""The PostgreSQL advisory lock held while a node creates or upgrades its schema."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets the pragmas a small durable node wants."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        path = (
            Path(engine.url.database) if engine.url.database not in (None, "", ":memory:") else None
        )
        if path is not None:
            files.private_file(path)  # 0600 before SQLite opens it; its -wal/-shm follow its mode

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _: Any) -> None:
            # Let SQLAlchemy emit BEGIN itself (pysqlite's own transaction handling is off).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL
            cur.execute("PRAGMA foreign_keys=ON")
            # Sorts and temporary b-trees in memory: on disk each one is a file created and
            # unlinked (a snapshot of the hub's web view made several a second).
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.close()
            if path is not None:  # made by SQLite: private even if they predate this version
                for suffix in ("-wal", "-shm"):
                    files.private_if_present(path.with_name(path.name + suffix))

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # Straight to the driver: through exec_driver_sql the statement pays SQLAlchemy's
            # whole execution path (about 60 µs here), once per group of units.
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("BEGIN IMMEDIATE")

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
    """One caller's transaction function, and what it gave."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    result: Any = None
    error: BaseException | None = field(default=None)


def _in_savepoint(conn: Connection, unit: _Unit) -> None:
    """Run ``unit`` inside a savepoint of ``conn``'s open transaction, again after a lost
    race; a unit that raises leaves nothing behind."""
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


class _LoopWriter:
    """The SQLite writer: units run on the calling event loop's thread, one group (one
    transaction) per loop iteration. The connection is kept for the node's life."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.groups = 0
        self.units = 0
        self._conn: Connection | None = None
        self._trans: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0
        self._waiting: list[tuple[asyncio.Future[Any], Any]] = []
        self._lock = threading.Lock()
        """Held while a group is open: another thread's unit, and close(), wait for it."""

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.invalidated or self._conn.closed:
            self._conn = self.engine.connect()
        return self._conn

    def run(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> asyncio.Future[Any]:
        """Run the unit now, in the open group (opening one); the future is answered once
        the group commits."""
        loop = asyncio.get_running_loop()
        if self._trans is None or self._loop is not loop:
            self._lock.acquire()  # another loop's group: wait for its commit
            try:
                self._trans = self._connection().begin()
            except BaseException:
                self._lock.release()
                raise
            self._loop, self._thread = loop, threading.get_ident()
            loop.call_soon(self.flush)
        future: asyncio.Future[Any] = loop.create_future()
        unit = _Unit(fn, args, kwargs)
        assert self._conn is not None
        _in_savepoint(self._conn, unit)
        self.units += 1
        if unit.error is not None:  # rolled back to its savepoint: nothing of it stands
            future.set_exception(unit.error)
        else:
            self._waiting.append((future, unit.result))
        return future

    def flush(self) -> None:
        """Commit the open group and answer its callers."""
        if self._trans is None:
            return
        trans, waiting = self._trans, self._waiting
        self._trans, self._waiting, self._loop = None, [], None
        error: BaseException | None = None
        try:
            trans.commit()
        except BaseException as exc:  # the commit itself failed: nothing of the group stands
            error = exc
            try:
                trans.rollback()  # leave the connection usable for the next group
            except Exception:  # the commit's error is the one to report
                pass
        finally:
            self.groups += 1
            self._lock.release()
        for future, result in waiting:
            if future.done():  # the caller was cancelled; its unit committed all the same
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    def stop(self) -> None:
        """Commit what is open (when called on its loop's thread) and close the connection."""
        if self._trans is not None and self._thread == threading.get_ident():
            self.flush()
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _add_column(conn: Connection, table: str, column: Column[Any]) -> None:
    """``ALTER TABLE ... ADD COLUMN`` as the dialect spells the column (with its default)."""
    spec = CreateColumn(column).compile(dialect=conn.dialect)
    conn.execute(text(f'ALTER TABLE "{table}" ADD COLUMN {spec}'))


class Database:
    """A node's database: engine, schema and the writer (SQLite) or worker threads that talk
    to it."""

    def __init__(self, url: str, metadata: MetaData) -> None:
        self.url = url
        self.metadata = metadata
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._writer = _LoopWriter(self.engine) if self.is_sqlite else None
        self._executor = (
            None if self.is_sqlite else ThreadPoolExecutor(max_workers=8, thread_name_prefix="db")
        )

    def create_schema(self) -> None:
        """Create every table that does not exist yet (first start), and every index a newer
        version declares on a table that already exists (``create_all`` skips those), so a
        node's database from before an index was added gets it at the next start. A column a
        newer version adds to an existing table is added too, when it has a server default (the
        value the rows from before take) or may be null (they have none)."""
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                # Several processes of one node start at once on one database: one at a time.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            self.metadata.create_all(conn)
            known = inspect(conn)
            for table in self.metadata.sorted_tables:
                have = {c["name"] for c in known.get_columns(table.name)}
                for column in table.columns:
                    addable = column.server_default is not None or column.nullable
                    if column.name not in have and addable:
                        _add_column(conn, table.name, column)
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
        """Run ``fn(conn, *args)`` in a transaction (SQLite: on this event loop, in its group;
        otherwise on a worker thread); return once committed."""
        if self._writer is not None:
            result: T = await self._writer.run(fn, args, kwargs)
            return result
        assert self._executor is not None
        call = functools.partial(self.transact_sync, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

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
