"""The province node's unit of work: a handler's repositories share one transaction, which
commits when the handler returns and rolls back when it raises."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from provincial_nodes.adapters.tables import metadata
from provincial_nodes.adapters.unit_of_work import UnitOfWork, Units
from services.storage.database import Database, sqlite_url


@pytest.fixture
def units(tmp_path: Path) -> Iterator[Units]:
    db = Database(sqlite_url(tmp_path / "node.db"), metadata)
    db.create_schema()
    yield Units(db)
    db.close()


def _load(uow: UnitOfWork, name: str) -> int:
    return uow.documents.add("policy", name, "schemes: {}")


def _load_then_fail(uow: UnitOfWork, name: str) -> None:
    uow.documents.add("policy", name, "schemes: {}")
    uow.sequences.next_value("setl_id")
    raise RuntimeError("the handler failed after writing")


def _documents(uow: UnitOfWork) -> list[tuple[str, str, str]]:
    return uow.documents.all_in_order()


def test_a_handler_that_returns_commits_what_it_wrote(units: Units) -> None:
    units.run_sync(_load, "first")
    assert [name for _, name, _ in units.run_sync(_documents)] == ["first"]


def test_a_handler_that_raises_leaves_nothing_behind(units: Units) -> None:
    with pytest.raises(RuntimeError):
        units.run_sync(_load_then_fail, "never")
    assert units.run_sync(_documents) == []
    assert units.run_sync(lambda uow: uow.sequences.next_value("setl_id")) == 1


def test_repositories_of_one_unit_share_its_connection(units: Units) -> None:
    def check(uow: UnitOfWork) -> None:
        assert uow.visits is uow.visits  # made once per unit
        assert uow.persons.conn is uow.journal.conn is uow.conn

    units.run_sync(check)


async def test_units_on_the_event_loop_commit_in_the_group(units: Units) -> None:
    await units.run(_load, "async")
    assert [name for _, name, _ in await units.run(_documents)] == ["async"]
