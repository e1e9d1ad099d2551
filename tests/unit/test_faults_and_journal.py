"""The fault transport's draws are a function of the seed and the call (so a seed replays), its
plan is checked; a journal closes a msgid for good (burned or corrected) and refuses it after."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData, create_engine

from services.faults import transport as faults
from services.storage import journal
from services.values.errors import DuplicateMessage, FailedPrecondition

M = "H11010100001202610150000000001"


def _draws(seed: int) -> list[str | None]:
    inj = faults.FaultInjector(
        faults.FaultPlan(seed=seed, rates={"treatment->hub": {"drop_request": 0.2, "delay": 0.2}})
    )
    return [
        inj.decide("treatment->hub", "Settle", f"{M[:-4]}{n:04d}")
        for n in range(200)
        for _ in range(2)
    ]  # each msgid twice: a first try and a retry


def test_the_same_seed_draws_the_same_faults_and_another_seed_others() -> None:
    first = _draws(7)
    assert first == _draws(7)
    assert first != _draws(8)
    share = sum(d is not None for d in first) / len(first)
    assert 0.3 < share < 0.5  # 40% asked for
    assert {d for d in first} == {None, "drop_request", "delay"}


def test_a_plan_names_what_is_wrong_with_it_and_forced_faults_come_first() -> None:
    with pytest.raises(ValueError, match="unknown hop"):
        faults.FaultPlan(seed=1, rates={"hub->moon": {}})
    with pytest.raises(ValueError, match="unknown fault kind"):
        faults.FaultPlan(seed=1, rates={"hub->insured": {"explode": 0.1}})
    with pytest.raises(ValueError, match="more than 1"):
        faults.FaultPlan(seed=1, rates={"hub->insured": {"delay": 0.6, "duplicate": 0.6}})
    inj = faults.FaultInjector(
        faults.FaultPlan(
            seed=1,
            rates={},
            methods=frozenset({"Settle"}),
            forced={("hub->insured", M): "duplicate"},
        )
    )
    assert inj.decide("hub->insured", "QueryPerson", M) is None  # not a chosen method
    assert inj.decide("hub->insured", "Settle", M) == "duplicate"
    assert inj.decide("hub->insured", "Settle", M) is None  # the retry: no rate, no fault
    assert inj.summary() == {"hub->insured duplicate": 1}


def test_a_closed_msgid_is_refused_with_its_reason_and_stays_closed() -> None:
    meta = MetaData()
    table = journal.journal_table(meta)
    engine = create_engine("sqlite://")
    meta.create_all(engine)
    with engine.begin() as conn:
        assert journal.close(conn, table, M, "2207", "C1", took_effect=False) == "burned"
        with pytest.raises(FailedPrecondition) as err:
            journal.replay(conn, table, M, "2207", "digest")
        assert err.value.reason == "MSGID_BURNED" and "C1" in err.value.problem
        assert journal.close(conn, table, M, "2207", "C2", took_effect=True) == "burned"
        assert journal.state(conn, table, M)[0] == "burned"

        done = M[:-1] + "2"
        journal.record(conn, table, done, "2207", "d", b"answer")
        with pytest.raises(DuplicateMessage):
            journal.replay(conn, table, done, "2207", "other body")
        assert journal.close(conn, table, done, "2207", "C3", took_effect=True) == "corrected"
        with pytest.raises(FailedPrecondition) as err:
            journal.replay(conn, table, done, "2207", "d")
        assert err.value.reason == "MSGID_CORRECTED"
        assert journal.state(conn, table, done) == ("corrected", "2207", b"answer")
        assert journal.state(conn, table, M[:-1] + "9") == ("unknown", "", b"")
    engine.dispose()
