"""The ledger: a retry posts nothing twice, a changed retry is a named error, balances are sums
of transfers, and the books balance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, create_engine

from services.ledger.model import Transfer, TransferExists, moving
from services.ledger.store import balances, ledger_tables, post, trial_balance


@pytest.fixture
def db():
    meta = MetaData()
    tables = ledger_tables(meta)
    engine = create_engine("sqlite://")
    meta.create_all(engine)
    with engine.begin() as conn:
        yield conn, tables
    engine.dispose()


def test_a_retry_posts_nothing_twice_and_a_changed_retry_is_refused(db) -> None:
    conn, t = db
    tr = Transfer("S1:310100", "fund:310100", "due_to_province:11", 7000, "S1", "settle")
    assert post(conn, t, [tr]) == 1
    assert post(conn, t, [tr]) == 0
    with pytest.raises(TransferExists) as err:
        post(
            conn,
            t,
            [Transfer("S1:310100", "fund:310100", "due_to_province:11", 7001, "S1", "settle")],
        )
    assert err.value.reason == "EXISTS_WITH_DIFFERENT_FIELDS" and err.value.field == "transfer.id"
    assert balances(conn, t)["fund:310100"].debits_fen == 7000


def test_a_negative_amount_moves_the_other_way_and_zero_moves_nothing() -> None:
    [back] = moving("R1:310100", "fund:310100", "due_to_province:11", -7000, "R1", "revoke")
    assert (back.debit, back.credit, back.amount_fen) == ("due_to_province:11", "fund:310100", 7000)
    assert moving("Z", "a", "b", 0, "Z", "settle") == []
    with pytest.raises(ValueError):
        Transfer("X", "a", "a", 1)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abcd"), st.sampled_from("abcd"), st.integers(-10_000, 10_000)),
        max_size=30,
    )
)
def test_balances_are_sums_of_transfers_and_the_books_balance(moves) -> None:
    meta = MetaData()
    t = ledger_tables(meta)
    engine = create_engine("sqlite://")
    meta.create_all(engine)
    expected: dict[str, int] = {}
    with engine.begin() as conn:
        for i, (d, c, amount) in enumerate(moves):
            if d == c:
                continue
            post(conn, t, moving(f"T{i}", d, c, amount, f"R{i}", "test"))
            expected[d] = expected.get(d, 0) + amount
            expected[c] = expected.get(c, 0) - amount
        debits, credits = trial_balance(conn, t)
        assert debits == credits
        got = {a: b.net_fen for a, b in balances(conn, t).items()}
        assert {a: v for a, v in got.items() if v} == {a: v for a, v in expected.items() if v}
    engine.dispose()
