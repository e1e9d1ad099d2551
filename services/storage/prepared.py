"""Prepared statements: the hot path's SQLAlchemy Core statements, compiled once per database
dialect and run straight on the DBAPI cursor of the caller's connection (its transaction).

    _GET = select(visits).where(visits.c.mdtrt_id == bindparam("mdtrt_id"))
    row = run(conn, _GET, {"mdtrt_id": mdtrt_id}).first()

SQLAlchemy still builds every statement (any dialect: SQLite, PostgreSQL) and runs the
transaction; only its per-execution machinery is skipped, which measured 28 µs of a 30 µs
primary-key SELECT on SQLite (``docs/performance.md``). What the fast path cannot do exactly as
SQLAlchemy would — expanding ``IN`` parameters, Python-side column defaults, escaped bind names,
RETURNING — it hands to ``conn.execute`` unchanged, so ``run`` is always safe to call.

Rows come back as tuples that also answer by column name (``row.msgid``, ``row._mapping``),
like SQLAlchemy's; bind and result type processors of the dialect are applied.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable, Insert
from sqlalchemy.sql.compiler import SQLCompiler

Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class Rows:
    """The part of SQLAlchemy's Result the hot path uses."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def all(self) -> list[Any]:
        return self._rows

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            raise LookupError(f"expected one row, got {len(self._rows)}")
        return self._rows[0][0]

    def __iter__(self) -> Any:
        return iter(self._rows)


def _row_type(names: list[str]) -> type:
    base = namedtuple("Row", names, rename=True)  # type: ignore[misc]

    def mapping(self: Any) -> dict[str, Any]:
        return dict(zip(names, self, strict=True))

    return type("Row", (base,), {"__slots__": (), "_mapping": property(mapping)})


@dataclass(frozen=True)
class _Plan:
    sql: str
    positional: bool
    binds: tuple[tuple[str, Any, bool], ...]
    """(name, default value, required) of each parameter, in the order the SQL takes them."""
    bind_processors: dict[str, Callable[[Any], Any]]
    row: type | None
    """Row type of a SELECT; None for a statement that returns no rows."""
    result_processors: tuple[Callable[[Any], Any] | None, ...]

    def values(self, params: Mapping[str, Any]) -> Any:
        out = []
        for name, default, required in self.binds:
            if name in params:
                value = params[name]
            elif required:
                raise KeyError(f"statement parameter {name!r} not given")
            else:
                value = default
            proc = self.bind_processors.get(name)
            out.append(proc(value) if proc is not None else value)
        if self.positional:
            return tuple(out)
        return {name: v for (name, _, _), v in zip(self.binds, out, strict=True)}

    def rows(self, fetched: Sequence[Any]) -> list[Any]:
        assert self.row is not None
        make = self.row._make  # type: ignore[attr-defined]
        if not any(self.result_processors):
            return [make(r) for r in fetched]
        procs = self.result_processors
        return [
            make(v if p is None else p(v) for p, v in zip(procs, r, strict=True)) for r in fetched
        ]


_plans: dict[tuple[int, str, tuple[str, ...]], tuple[Executable, _Plan | None]] = {}
"""Compiled plans by (statement, dialect, parameter names); None: SQLAlchemy runs it. The
statement is kept beside its plan so that its id is never reused by another."""


def _compile(stmt: Executable, conn: Connection, keys: tuple[str, ...]) -> _Plan | None:
    dialect = conn.dialect
    # Compiled as for executemany: no implicit RETURNING of the new primary key, which no
    # caller of the hot path reads (SQLAlchemy adds it on PostgreSQL for one row).
    compiled = stmt.compile(  # type: ignore[attr-defined]
        dialect=dialect,
        column_keys=list(keys),
        for_executemany=isinstance(stmt, Insert),
    )
    if not isinstance(compiled, SQLCompiler):
        return None
    if (
        compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.effective_returning
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.escaped_bind_names
        or any(b.expanding or b.callable is not None for b in compiled.binds.values())
    ):
        return None
    names = list(compiled.positiontup or []) if compiled.positional else list(compiled.binds)
    binds = tuple(
        (name, compiled.binds[name].value, bool(compiled.binds[name].required)) for name in names
    )
    row = None
    result_processors: tuple[Callable[[Any], Any] | None, ...] = ()
    if compiled._result_columns:
        cols = compiled._result_columns
        row = _row_type([c.keyname for c in cols])
        result_processors = tuple(c.type._cached_result_processor(dialect, None) for c in cols)
    processors: dict[str, Callable[[Any], Any]] = {}
    for name, proc in compiled._bind_processors.items():
        if not callable(proc):  # a tuple type's processors, one per element
            return None
        processors[name] = proc
    return _Plan(
        sql=compiled.string,
        positional=compiled.positional,
        binds=binds,
        bind_processors=processors,
        row=row,
        result_processors=result_processors,
    )


def run(conn: Connection, stmt: Executable, params: Params = None) -> Rows | Any:
    """Execute a prebuilt ``stmt`` with ``params`` (a dict, or a list of dicts for many) in
    ``conn``'s transaction."""
    many: list[Mapping[str, Any]] | None = params if isinstance(params, list) else None
    first: Mapping[str, Any] = (
        (many[0] if many else {})
        if many is not None
        else (params if isinstance(params, Mapping) else {})
    )
    keys = tuple(first)
    key = (id(stmt), conn.dialect.name, keys)
    found = _plans.get(key)
    if found is None:
        found = (stmt, _compile(stmt, conn, keys))
        _plans[key] = found
    plan = found[1]
    if plan is None or not conn.in_transaction():
        return conn.execute(stmt, params)
    raw = conn.connection.dbapi_connection
    assert raw is not None
    values: Any = [plan.values(p) for p in many] if many is not None else plan.values(first)
    cur = raw.cursor()
    try:
        if many is not None:
            cur.executemany(plan.sql, values)
            return Rows([], cur.rowcount)
        cur.execute(plan.sql, values)
        if plan.row is None:
            return Rows([], cur.rowcount)
        return Rows(plan.rows(cur.fetchall()), cur.rowcount)
    except conn.dialect.loaded_dbapi.Error as exc:
        # The driver's error as SQLAlchemy would raise it (IntegrityError, OperationalError,
        # ...), so that callers and Database.transact's retry of a lost race see one kind.
        raise DBAPIError.instance(
            plan.sql, values, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
        ) from exc
    finally:
        cur.close()
