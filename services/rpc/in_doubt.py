"""The in-doubt table on the wire: ``ListInDoubt`` / ``ResolveInDoubt`` (correction.proto),
served by the treatment nodes and the hub alike."""

from __future__ import annotations

from services.pb.settlenet.v1 import correction_pb2
from services.values.errors import InvalidField
from services.values.forward import Forward

MAX_ROWS = 10_000


def message(node: str, f: Forward) -> correction_pb2.InDoubtMessage:
    """One row of ``node``'s in-doubt table as an InDoubtMessage."""
    return correction_pb2.InDoubtMessage(
        msgid=f.msgid,
        infno=f.infno,
        node=node,
        downstream=f.downstream,
        insuplc_admdvs=f.insuplc_admdvs,
        psn_no=f.psn_no,
        mdtrt_id=f.mdtrt_id,
        state=f.state,
        created_at=f.created_at,
        resolved_at=f.resolved_at,
        outcome=f.outcome,
        attempts=f.attempts,
    )


def answer(node: str, rows: list[Forward], limit: int) -> correction_pb2.InDoubtList:
    return correction_pb2.InDoubtList(messages=[message(node, f) for f in rows[:limit]])


def query(request: correction_pb2.InDoubtQuery) -> tuple[list[str], int]:
    """The msgids an InDoubtQuery names (each checked) and its row limit."""
    for i, m in enumerate(request.msgids):
        if not m or len(m) > 40 or not m.isalnum():
            raise InvalidField(f"msgids[{i}]", m, "a msgid: 1 to 40 letters and digits")
    if not 0 <= request.limit <= MAX_ROWS:
        raise InvalidField("limit", str(request.limit), f"0 (1,000) to {MAX_ROWS:,}")
    return list(request.msgids), request.limit or 1000
