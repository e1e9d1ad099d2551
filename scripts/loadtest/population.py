"""Large seeded populations for load tests: fast, cached, and with unique ID numbers.

``provincial_nodes.seed.population(code, n, seed)`` makes the persons (the same a node started
with ``--population n`` makes, ID numbers unique); this module files each for a destination and
caches the result.

Generating and inserting 100,000 persons takes seconds per province; the result is kept as a
template SQLite database of the province node's schema under the cache folder
(``$SETTLENET_CACHE`` or ``~/.cache/settlenet``), keyed by province, count, seed, generator and
schema. Seeding a network is then a file copy: the node finds the persons already there (it
inserts only persons that are missing) and starts at once.

A network seeded this way carries ``loadtest-population.json`` in its data folder, so the load
generator driving it (``--target DIR/network.json``) knows the same persons.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert

from provincial_nodes import config, seed
from provincial_nodes.adapters import filings as filing_repo
from provincial_nodes.adapters import persons as person_repo
from provincial_nodes.adapters.tables import filings, metadata
from provincial_nodes.domain.filing import Category, Filing, default_enddate
from provincial_nodes.domain.person import PersonRecord
from scripts.loadtest.model import PersonRef
from services.storage.database import Database, sqlite_url

GENERATOR = "settlenet-loadtest-population/1"
SIDECAR = "loadtest-population.json"


def cache_dir() -> Path:
    root = os.environ.get("SETTLENET_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "settlenet"


FILED_FROM = date(2025, 1, 1)


def generate(code: str, count: int, seed_value: int = 1) -> Iterator[dict[str, Any]]:
    """``count`` persons of province ``code``, as ``settlenet up --population`` makes them
    (``seed.population``: ID numbers unique)."""
    yield from seed.population(code, count, seed_value)


def destination(n: int, dests: list[str]) -> str:
    """The province the ``n``-th generated person filed remote treatment for ('' for none)."""
    return dests[n % len(dests)] if dests else ""


def _record(m: dict[str, Any], dest: str) -> PersonRecord:
    """A generated person, filed as a long-term resident of ``dest`` (a migrant who lives
    there) so that every insured place settles their visits there directly."""
    person = config.person_from_mapping(m)
    filings: tuple[Filing, ...] = ()
    if dest:
        category = Category.LONG_TERM_RESIDENT
        filings = (
            Filing(
                filing_id=f"F{person.psn_no}001",
                psn_no=person.psn_no,
                insuplc_admdvs=person.insuplc_admdvs,
                category=category,
                dest_admdvs=f"{dest}0000",
                begndate=FILED_FROM,
                enddate=default_enddate(category, FILED_FROM),
                evidence="commitment",
                channel="app",
            ),
        )
    return PersonRecord(person, acct_balc=m["acct_balc"], filings=filings)


def _key(code: str, count: int, seed_value: int, dests: list[str]) -> str:
    schema = "".join(sorted(str(t.c.keys()) + t.name for t in metadata.sorted_tables))
    source = (
        inspect.getsource(seed.make_person)
        + inspect.getsource(seed.population)
        + inspect.getsource(_record)
    )
    text = f"{GENERATOR}|{code}|{count}|{seed_value}|{dests}|{schema}|{source}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _paths(code: str, count: int, seed_value: int, dests: list[str]) -> tuple[Path, Path]:
    key = _key(code, count, seed_value, dests)
    base = cache_dir() / "population" / f"{code}-{count}-{seed_value}-{key}"
    return base.with_suffix(".db"), base.with_suffix(".persons.json")


def _build(
    code: str, count: int, seed_value: int, dests: list[str], db_path: Path, refs_path: Path
) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    mappings = list(generate(code, count, seed_value))
    records = [_record(m, destination(n, dests)) for n, m in enumerate(mappings)]
    with tempfile.TemporaryDirectory(dir=db_path.parent) as tmp:
        tmp_db = Path(tmp) / "template.db"
        db = Database(sqlite_url(tmp_db), metadata)
        try:
            db.create_schema()
            db.transact_sync(_add_fresh, records)
        finally:
            db.close()
        with sqlite3.connect(tmp_db) as raw:  # fold the WAL into the file before copying it
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.execute("PRAGMA journal_mode=DELETE")
        tmp_refs = Path(tmp) / "persons.json"
        tmp_refs.write_text(
            json.dumps(
                [
                    [
                        m["psn_no"],
                        m["certno"],
                        m["insutype"],
                        m["insuplc_admdvs"],
                        destination(n, dests),
                    ]
                    for n, m in enumerate(mappings)
                ]
            )
        )
        tmp_db.replace(db_path)
        tmp_refs.replace(refs_path)


def _add_fresh(conn: Connection, records: list[PersonRecord]) -> None:
    """Insert persons into an empty database: the repository's own insert, but the filings in
    one statement (the repository adds them one by one, minutes for 100,000)."""
    person_repo.add_many(conn, [replace(r, filings=()) for r in records])
    rows = [
        {"filing_id": f.filing_id, **filing_repo._values(f)}  # the repository's own rows
        for r in records
        for f in r.filings
    ]
    if rows:
        conn.execute(insert(filings), rows)


def template(
    code: str, count: int, seed_value: int = 1, dests: list[str] | None = None
) -> tuple[Path, Path, bool]:
    """The cached template database and person list for ``code`` (persons filed for
    ``dests`` in turn); built when missing. Returns (database, persons, whether built now)."""
    d = sorted(dests or [])
    db_path, refs_path = _paths(code, count, seed_value, d)
    if db_path.exists() and refs_path.exists():
        return db_path, refs_path, False
    _build(code, count, seed_value, d, db_path, refs_path)
    return db_path, refs_path, True


def refs(
    code: str, count: int, seed_value: int = 1, dests: list[str] | None = None
) -> list[PersonRef]:
    """The persons of a seeded population, as the load generator needs them."""
    _, refs_path, _ = template(code, count, seed_value, dests)
    return [PersonRef(*row) for row in json.loads(refs_path.read_text())]


def destinations(code: str, codes: list[str]) -> list[str]:
    return sorted(c for c in codes if c != code)


def seed_network(
    data_dir: Path, codes: list[str], count: int, seed_value: int = 1, say: Any = None
) -> dict[str, float]:
    """Put ``count`` persons per province into ``data_dir``'s province databases (copying the
    cached template where no database exists yet) and write the sidecar. Returns seconds spent
    per province."""
    data_dir.mkdir(parents=True, exist_ok=True)
    spent: dict[str, float] = {}
    for code in codes:
        started = time.perf_counter()
        dests = destinations(code, codes)
        db_path, _, built = template(code, count, seed_value, dests)
        target = data_dir / f"province-{code}.db"
        if not target.exists():
            shutil.copyfile(db_path, target)
        else:
            records = [
                _record(m, destination(n, dests))
                for n, m in enumerate(generate(code, count, seed_value))
            ]
            db = Database(sqlite_url(target), metadata)
            try:
                db.create_schema()
                db.transact_sync(person_repo.add_many, records)
            finally:
                db.close()
        spent[code] = round(time.perf_counter() - started, 3)
        if say:
            how = "generated and cached" if built else "from cache"
            say(f"province {code}: {count} persons {how} in {spent[code]:.1f}s")
    (data_dir / SIDECAR).write_text(
        json.dumps({"generator": GENERATOR, "count": count, "seed": seed_value, "provinces": codes})
    )
    return spent


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.loadtest.population DIR``: seed a data folder for `settlenet up`."""
    import argparse

    p = argparse.ArgumentParser(
        description="Seed DIR's province databases with a large "
        "population (cached) before `settlenet up --data DIR`."
    )
    p.add_argument("data", type=Path)
    p.add_argument("--provinces", default="11,13,44,51")
    p.add_argument("--population", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    codes = [c.strip() for c in a.provinces.split(",") if c.strip()]
    seed_network(a.data, codes, a.population, a.seed, say=print)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
