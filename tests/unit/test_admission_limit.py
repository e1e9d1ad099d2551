"""The adaptive admission limit (services/rpc/admission.py): refuses past its limit, shrinks on
slow calls at most once per target interval, grows on fast ones only while in use, stays in its
bounds whatever happens."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.rpc.admission import ENTRY_INFNOS, Admission


def test_refuses_past_the_limit_and_admits_again_after_one_leaves() -> None:
    a = Admission(0.3, limit=2, minimum=1, maximum=8)
    assert a.enter() and a.enter()
    assert not a.enter()
    assert (a.in_progress, a.admitted, a.refused) == (2, 2, 1)
    a.leave(0.01, now=1.0)
    assert a.enter()
    assert a.snapshot() == {
        "limit": 2,
        "in_progress": 2,
        "admitted": 3,
        "refused": 1,
        "target_ms": 300,
    }


def test_slow_calls_shrink_the_limit_once_per_target_interval() -> None:
    a = Admission(0.5, limit=20, minimum=4, maximum=64)
    for _ in range(10):
        assert a.enter()
    for _ in range(10):  # ten slow calls ending at the same moment count as one
        a.leave(2.0, now=100.0)
    assert a.limit == pytest.approx(18.0)
    for _ in range(3):
        a.enter()
    a.leave(2.0, now=100.6)  # one target interval later: shrinks again
    assert a.limit == pytest.approx(16.2)


def test_fast_calls_grow_the_limit_only_while_it_is_in_use() -> None:
    a = Admission(0.5, limit=10, minimum=4, maximum=64)
    a.enter()
    a.leave(0.01, now=1.0)  # one call of ten allowed: not in use, no growth
    assert a.limit == 10
    for _ in range(8):
        a.enter()
    a.leave(0.01, now=2.0)  # eight in progress: grows by 1/limit
    assert a.limit == pytest.approx(10.1)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="target_s"):
        Admission(0)
    with pytest.raises(ValueError, match="minimum"):
        Admission(0.3, minimum=8, maximum=4)
    assert Admission(0.3, limit=1000, minimum=4, maximum=64).limit == 64


def test_only_calls_that_start_a_visit_are_subject_to_it() -> None:
    assert ENTRY_INFNOS == {"1101", "2201"}


@given(
    st.lists(
        st.tuples(st.booleans(), st.floats(min_value=0, max_value=10), st.floats(0, 5)),
        max_size=300,
    )
)
def test_limit_stays_in_bounds_and_counts_add_up(steps: list[tuple[bool, float, float]]) -> None:
    a = Admission(0.2, limit=8, minimum=2, maximum=40)
    now, inside, attempts = 0.0, 0, 0
    for enter, latency, gap in steps:
        now += gap
        if enter or inside == 0:
            attempts += 1
            if a.enter():
                inside += 1
        else:
            a.leave(latency, now)
            inside -= 1
        assert 2 <= a.limit <= 40
        assert a.in_progress == inside
    assert a.admitted + a.refused == attempts
    assert a.admitted - a.in_progress == sum(1 for e, _, _ in steps if not e) - (
        attempts - sum(1 for e, _, _ in steps if e)
    )


def test_refusals_are_summarised_at_most_every_few_seconds() -> None:
    a = Admission(0.3, limit=1, minimum=1, maximum=1)
    assert not a.report_due(now=0.0)  # nothing refused yet
    a.enter()
    assert not a.enter() and not a.enter()
    assert a.report_due(now=10.0)
    assert not a.enter()
    assert not a.report_due(now=12.0)  # within five seconds of the last summary
    assert a.report_due(now=15.0)
    assert not a.report_due(now=30.0)  # no refusal since
