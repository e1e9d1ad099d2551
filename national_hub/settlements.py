"""The hub's record of what it routed: each settlement and revocation record, posted to its
ledger (drawing the insured province's advance) in the caller's transaction — the one that
journals the message, or the one that records a correction."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection, bindparam, insert, select

from national_hub import advance
from national_hub.postings import hub_postings
from national_hub.tables import hub_settlements, ledger
from services.ledger import store as ledger_store
from services.pb.settlenet.v1 import common_pb2
from services.storage.prepared import run

_FIRST_MSGID = select(hub_settlements.c.msgid).where(
    hub_settlements.c.setl_id == bindparam("setl_id")
)
_INSERT = insert(hub_settlements)


def record_routed(
    conn: Connection, setl: common_pb2.SetlInfo, msgid: str, insured: str, treatment: str
) -> str | None:
    """Record a settlement (or revocation record) and post it, drawing the insured province's
    advance (a settlement that draws it past a threshold warns), unless the hub has it
    already. Returns None when it was new, else the msgid that recorded it first."""
    known = run(conn, _FIRST_MSGID, {"setl_id": setl.setl_id}).first()
    if known is not None:
        return str(known.msgid)
    before = advance.opened(conn, insured)
    amount_fen = setl.fund_pay_sumamt + setl.acct_pay
    ledger_store.post(conn, ledger, hub_postings(setl, insured, treatment))
    advance.draw(conn, insured, amount_fen)
    if setl.refd_setl_flag == "0":
        advance.after_posting(
            conn,
            insured,
            before.available_fen,
            replace(before, available_fen=before.available_fen - amount_fen),
        )
    run(
        conn,
        _INSERT,
        {
            "setl_id": setl.setl_id,
            "msgid": msgid,
            "mdtrt_id": setl.mdtrt_id,
            "psn_no": setl.psn_no,
            "insuplc_admdvs": setl.insuplc_admdvs,
            "mdtrtarea_admvs": setl.mdtrtarea_admvs,
            "fixmedins_code": setl.fixmedins_code,
            "setl_time": setl.setl_time,
            "refd_setl_flag": setl.refd_setl_flag,
            "medfee_sumamt": setl.medfee_sumamt,
            "fund_pay_sumamt": setl.fund_pay_sumamt,
            "acct_pay": setl.acct_pay,
            "psn_cash_pay": setl.psn_cash_pay,
        },
    )
    return None
