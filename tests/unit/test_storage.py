"""The SQLite writer's group commit: units queued together share one transaction, yet each
stands or falls alone, a lost race runs again, and a caller hears only of committed work."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, insert, select

from services.storage.database import Database, sqlite_url

meta = MetaData()
items = Table(
    "items", meta, Column("k", String(8), primary_key=True), Column("v", Integer, nullable=False)
)


class Refused(Exception):
    pass


def add(conn: Connection, k: str, v: int, *, fail_after: bool = False) -> str:
    conn.execute(insert(items).values(k=k, v=v))
    if fail_after:
        raise Refused(k)
    return k


def stored(path: Path) -> dict[str, int]:
    """What another connection sees: committed rows only."""
    with sqlite3.connect(path) as raw:
        return dict(raw.execute("SELECT k, v FROM items").fetchall())


@pytest.fixture
def db(tmp_path: Path):
    database = Database(sqlite_url(tmp_path / "t.db"), meta)
    database.create_schema()
    yield database, tmp_path / "t.db"
    database.close()


async def test_a_failing_unit_rolls_back_alone(db) -> None:
    database, path = db
    calls = [database.transact(add, f"k{i}", i, fail_after=i % 3 == 0) for i in range(60)]
    results = await asyncio.gather(*calls, return_exceptions=True)
    for i, result in enumerate(results):
        if i % 3 == 0:
            assert isinstance(result, Refused) and result.args == (f"k{i}",)
        else:
            assert result == f"k{i}"
    assert stored(path) == {f"k{i}": i for i in range(60) if i % 3}
    transactions, units = database.group_stats
    assert units == 60 and transactions < units  # they were grouped


async def test_a_lost_race_on_a_key_runs_again_without_its_first_writes(db) -> None:
    database, path = db
    tries: list[int] = []

    def add_once(conn: Connection) -> int:
        tries.append(1)
        current = conn.execute(select(items.c.v).where(items.c.k == "same")).scalar()
        if current is not None:
            return int(current)
        if len(tries) == 1:  # a write, then the key another writer took: IntegrityError
            conn.execute(insert(items).values(k="half", v=7))
            conn.execute(insert(items).values(k="x", v=9))
        conn.execute(insert(items).values(k="same", v=8))
        return 8

    results = await asyncio.gather(database.transact(add, "x", 1), database.transact(add_once))
    assert results == ["x", 8]
    assert len(tries) == 2
    assert stored(path) == {"x": 1, "same": 8}  # the first try's write was rolled back


async def test_the_caller_hears_only_after_the_commit(db) -> None:
    database, path = db
    for i in range(5):
        await database.transact(add, f"c{i}", i)
        assert stored(path)[f"c{i}"] == i  # visible to another connection at once


async def test_later_units_of_a_group_see_earlier_ones(db) -> None:
    database, _ = db

    def read(conn: Connection, k: str) -> int | None:
        return conn.execute(select(items.c.v).where(items.c.k == k)).scalar()

    results = await asyncio.gather(database.transact(add, "a", 1), database.transact(read, "a"))
    assert results == ["a", 1]


def test_an_index_added_later_is_created_on_an_existing_database(tmp_path: Path) -> None:
    from sqlalchemy import Index

    path = tmp_path / "old.db"
    old = MetaData()
    Table("rows", old, Column("k", String(8), primary_key=True), Column("v", Integer))
    database = Database(sqlite_url(path), old)
    database.create_schema()
    database.close()
    new = MetaData()
    Table(
        "rows",
        new,
        Column("k", String(8), primary_key=True),
        Column("v", Integer),
        Index("ix_rows_v", "v"),
    )
    database = Database(sqlite_url(path), new)
    database.create_schema()
    database.create_schema()  # a second start finds it there
    database.close()
    with sqlite3.connect(path) as raw:
        plan = raw.execute("EXPLAIN QUERY PLAN SELECT k FROM rows WHERE v = 1").fetchall()
    assert "ix_rows_v" in " ".join(str(r[-1]) for r in plan)


async def test_close_commits_the_open_group_first(db) -> None:
    database, path = db
    pending = asyncio.ensure_future(database.transact(add, "late", 5))
    await asyncio.sleep(0)  # the unit has run; its group commits on the next iteration
    database.close()  # on the loop's own thread: the open group is committed, not lost
    assert await pending == "late"
    assert stored(path) == {"late": 5}


def test_a_unit_from_another_threads_loop_waits_for_the_open_group(tmp_path: Path) -> None:
    import threading
    import time

    database = Database(sqlite_url(tmp_path / "two.db"), meta)
    database.create_schema()
    results: list[object] = []

    def other_loop() -> None:
        results.append(asyncio.run(database.transact(add, "other", 2)))

    async def main() -> None:
        first = asyncio.ensure_future(database.transact(add, "mine", 1))
        await asyncio.sleep(0)  # this loop's group is open now
        thread = threading.Thread(target=other_loop)
        thread.start()
        time.sleep(0.3)  # noqa: ASYNC251 - holds this loop and its open group meanwhile
        await first
        await asyncio.to_thread(thread.join, 10)

    asyncio.run(main())
    assert database.group_stats == (2, 2)  # its own group, on its own loop, not this one's
    database.close()
    assert results == ["other"]
    assert stored(tmp_path / "two.db") == {"mine": 1, "other": 2}


def test_a_hub_database_from_before_the_journal_bodies_gets_them(tmp_path: Path) -> None:
    """A hub.db whose routed-message log and node registry predate the request/answer and
    HTTP columns: the next start adds them (old rows have none) and new rows use them."""
    from sqlalchemy import BigInteger, insert, select

    from national_hub.adapters.tables import metadata as hub_metadata
    from national_hub.adapters.tables import routed_messages

    path = tmp_path / "hub.db"
    old = MetaData()
    Table(
        "routed_messages",
        old,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        *(Column(n, String(40), nullable=False) for n in ("msgid", "infno", "from_province")),
        *(Column(n, String(40), nullable=False) for n in ("to_province", "outcome", "setl_id")),
        Column("fund_pay_sumamt", BigInteger, nullable=False),
        Column("routed_at", String(19), nullable=False),
        Column("latency_ms", BigInteger, nullable=False),
    )
    database = Database(sqlite_url(path), old)
    database.create_schema()
    database.close()
    database = Database(sqlite_url(path), hub_metadata)
    database.create_schema()
    with database.engine.begin() as conn:
        row = dict(msgid="M", infno="2207", from_province="11", to_province="13", outcome="OK")
        row |= dict(setl_id="S", fund_pay_sumamt=1, routed_at="2026-12-01 00:00:00")
        conn.execute(insert(routed_messages), [{**row, "latency_ms": 1, "request": b"\x01"}])
        got = conn.execute(select(routed_messages.c.request, routed_messages.c.error_reason)).one()
    database.close()
    assert got == (b"\x01", "")
