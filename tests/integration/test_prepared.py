"""Prepared statements answer exactly as SQLAlchemy's own execution does, on SQLite and on
PostgreSQL: rows by position and by name, row counts, many rows at once, a driver error as
SQLAlchemy's IntegrityError (so a lost race is retried), and what the fast path cannot do
handed to SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from services.storage import prepared
from services.storage.database import make_engine, sqlite_url
from services.storage.prepared import run
from tests.integration import test_postgres as pg

meta = MetaData()
things = Table(
    "things",
    meta,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("k", String(16), nullable=False, unique=True),
    Column("amount_fen", BigInteger, nullable=False),
    Column("blob", LargeBinary, nullable=False),
    Column("note", String(16), nullable=False, default="python-side"),
)

_INSERT = insert(things)
_BY_K = select(things.c.k, things.c.amount_fen, things.c.blob).where(things.c.k == bindparam("k"))
_ADD = (
    update(things)
    .where(things.c.k == bindparam("k_k"))
    .values(amount_fen=things.c.amount_fen + bindparam("add"))
)
_SUM = select(func.coalesce(func.sum(things.c.amount_fen), 0))
_IN = select(things.c.k).where(things.c.k.in_(bindparam("ks", expanding=True))).order_by(things.c.k)
_CONST = select(things.c.k).where(things.c.note == literal("python-side")).order_by(things.c.k)

pg_cluster = pg.pg_cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(sqlite_url(tmp_path / "p.db"))
    else:
        sock, port = request.getfixturevalue("pg_cluster")
        eng = make_engine(pg._createdb(sock, port, "settlenet_prepared"))
    meta.create_all(eng)
    yield eng
    eng.dispose()


def _row(k: str, amount_fen: int) -> dict[str, object]:
    return {"k": k, "amount_fen": amount_fen, "blob": k.encode() * 3, "note": "n"}


def test_rows_counts_and_many_match_sqlalchemy(engine: Engine) -> None:
    with engine.begin() as conn:
        assert run(conn, _INSERT, _row("a", 10)).rowcount == 1
        run(conn, _INSERT, [_row("b", 20), _row("c", 30)])
        fast, slow = run(conn, _BY_K, {"k": "b"}).first(), conn.execute(_BY_K, {"k": "b"}).first()
        assert tuple(fast) == tuple(slow) == ("b", 20, b"bbb")
        assert (fast.k, fast.amount_fen, fast._mapping["blob"]) == ("b", 20, b"bbb")
        assert run(conn, _BY_K, {"k": "zz"}).first() is None
        assert run(conn, _ADD, {"k_k": "a", "add": 5}).rowcount == 1
        assert run(conn, _ADD, {"k_k": "zz", "add": 5}).rowcount == 0
        assert run(conn, _SUM).scalar() == 65 == run(conn, _SUM).scalar_one()
        # an expanding IN is SQLAlchemy's to run
        assert [r.k for r in run(conn, _IN, {"ks": ["c", "a"]})] == ["a", "c"]


def test_python_side_defaults_and_constants_are_applied(engine: Engine) -> None:
    with engine.begin() as conn:
        run(conn, _INSERT, {"k": "d", "amount_fen": 1, "blob": b""})  # note: the column default
        assert run(conn, _CONST).all() == conn.execute(_CONST).all() == [("d",)]


def test_a_driver_error_is_sqlalchemys_integrity_error_and_changes_nothing(engine: Engine) -> None:
    with engine.begin() as conn:
        run(conn, _INSERT, _row("a", 10))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        run(conn, _INSERT, _row("e", 1))
        run(conn, _INSERT, _row("a", 99))
    with engine.begin() as conn:
        assert run(conn, _SUM).scalar() == 10
        assert run(conn, _BY_K, {"k": "e"}).first() is None


def test_a_missing_parameter_is_named(engine: Engine) -> None:
    with pytest.raises(KeyError, match="'k'"), engine.begin() as conn:
        run(conn, _BY_K, {})


def test_each_statement_is_compiled_once_per_dialect_and_parameters(engine: Engine) -> None:
    with engine.begin() as conn:
        run(conn, _INSERT, _row("f", 1))
        before = len(prepared._plans)
        for i in range(5):
            run(conn, _INSERT, _row(f"g{i}", i))
        assert len(prepared._plans) == before
