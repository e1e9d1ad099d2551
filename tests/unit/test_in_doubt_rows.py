"""The in-doubt table's rules that need no network: what counts as pending for a month (what
clearing asks), which failures leave a forward in doubt, and the msgids a node makes itself."""

from __future__ import annotations

from pathlib import Path

import grpc

from national_hub.adapters.tables import metadata
from national_hub.adapters.unit_of_work import UnitOfWork
from national_hub.service_layer.in_doubt import in_doubt_count
from services.rpc.envelope import MSGID_RE, node_msgid
from services.rpc.status import RemoteStatus, uncertain
from services.storage.database import Database, sqlite_url
from services.values import errors
from services.values.forward import DONE, Forward


def _forward(msgid: str) -> Forward:
    return Forward(msgid, "2207", "13", "130100", "P1", "M1", "d" * 64, b"request")


def test_in_doubt_count_counts_pending_forwards_written_before_the_month_ended(
    tmp_path: Path,
) -> None:
    db = Database(sqlite_url(tmp_path / "hub.db"), metadata)
    db.create_schema()
    uow = UnitOfWork(db)
    try:
        for m in ("A" * 30, "B" * 30, "C" * 30):
            uow.run_sync(lambda r, m=m: r.in_doubt.add(_forward(m)))
        uow.run_sync(lambda r: r.in_doubt.finish("B" * 30, DONE, "answered"))
        uow.run_sync(
            lambda r: r.conn.exec_driver_sql(
                "UPDATE in_doubt SET created_at = '2026-11-30 23:59:59' WHERE msgid = ?",
                ("C" * 30,),
            )
        )
        assert uow.run_sync(in_doubt_count) == 2  # A and C are pending
        assert uow.run_sync(in_doubt_count, "2026-11") == 1  # only C was written in November
        assert uow.run_sync(in_doubt_count, "2026-10") == 0
        assert uow.run_sync(in_doubt_count, "2026-12") == 2
    finally:
        db.close()


def test_no_answer_leaves_a_forward_in_doubt_and_a_refusal_does_not() -> None:
    assert uncertain(errors.Unavailable("f", "v", "no answer"))
    assert not uncertain(errors.NotFound("f", "v", "no such person"))
    refused = RemoteStatus(grpc.Status(), grpc.StatusCode.FAILED_PRECONDITION, "refused")
    broken = RemoteStatus(grpc.Status(), grpc.StatusCode.INTERNAL, "bug")
    assert not uncertain(refused) and uncertain(broken)
    assert uncertain(ConnectionError("reset"))


def test_node_msgids_are_valid_never_a_hospitals_and_never_repeat() -> None:
    made = [node_msgid("H11010100001") for _ in range(3000)]
    assert len(set(made)) == len(made)
    assert all(MSGID_RE.match(m) and m.startswith("H11010100001") for m in made)
    assert all(m[26] == "R" and not m[26:].isdigit() for m in made)
