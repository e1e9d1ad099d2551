"""Holds (two-phase transfers): a hold moves nothing until posted; posting moves at most what is
held, once; a void moves nothing, once; retries are safe and changed retries are named errors;
what is pending is derived from the holds."""

from __future__ import annotations

import pytest
from sqlalchemy import MetaData, create_engine

from services.ledger import holds
from services.ledger.model import Transfer, TransferExists
from services.ledger.store import balances, ledger_tables, trial_balance
from services.values.errors import FailedPrecondition, NotFound


@pytest.fixture
def db():
    meta = MetaData()
    ledger, t = ledger_tables(meta), holds.hold_tables(meta)
    engine = create_engine("sqlite://")
    meta.create_all(engine)
    with engine.begin() as conn:
        yield conn, ledger, t
    engine.dispose()


def _h(id: str = "H1", amount: int = 5000) -> Transfer:
    return Transfer(id, "bank:13", "advance:13", amount, "advance:13", "top_up")


def test_a_hold_moves_nothing_until_posted_and_posts_at_most_once(db) -> None:
    conn, ledger, t = db
    assert holds.hold(conn, t, _h()).outcome == "pending"
    assert holds.hold(conn, t, _h()).outcome == "pending"  # a retry
    with pytest.raises(TransferExists):
        holds.hold(conn, t, _h(amount=5001))
    assert balances(conn, ledger) == {}
    assert holds.pending(conn, t)["advance:13"].credits_fen == 5000

    with pytest.raises(FailedPrecondition) as err:
        holds.post(conn, t, ledger, "H1", 5001)
    assert err.value.reason == "EXCEEDS_PENDING_AMOUNT"
    posted = holds.post(conn, t, ledger, "H1", 4000)
    assert (posted.outcome, posted.posted_fen) == ("posted", 4000)
    assert holds.post(conn, t, ledger, "H1", 4000).posted_fen == 4000  # a retry posts nothing
    with pytest.raises(FailedPrecondition) as err:
        holds.post(conn, t, ledger, "H1", 3000)
    assert err.value.reason == "PENDING_ALREADY_POSTED"
    with pytest.raises(FailedPrecondition) as err:
        holds.void(conn, t, "H1")
    assert err.value.reason == "PENDING_ALREADY_POSTED"
    assert balances(conn, ledger)["advance:13"].credits_fen == 4000
    assert holds.pending(conn, t) == {}
    debits, credits = trial_balance(conn, ledger)
    assert debits == credits == 4000


def test_a_void_moves_nothing_once_and_an_unknown_hold_is_named(db) -> None:
    conn, ledger, t = db
    holds.hold(conn, t, _h("H2", 700))
    assert holds.void(conn, t, "H2").outcome == "voided"
    assert holds.void(conn, t, "H2").outcome == "voided"
    with pytest.raises(FailedPrecondition) as err:
        holds.post(conn, t, ledger, "H2")
    assert err.value.reason == "PENDING_ALREADY_VOIDED"
    assert balances(conn, ledger) == {} and holds.pending(conn, t) == {}
    with pytest.raises(NotFound) as nf:
        holds.post(conn, t, ledger, "H9")
    assert nf.value.field == "hold_id"
    with pytest.raises(ValueError):
        holds.hold(conn, t, _h("H3", 0))
