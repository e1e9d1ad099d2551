"""The hub's record of what it routed (``hub_settlements``): each settlement and revocation
record once, by setl_id, for reconciliation, clearing and the advance's re-sizing."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, func, insert, select

from national_hub.adapters.tables import hub_settlements
from national_hub.domain.model import RoutedSettlement
from services.reconcile import store as reconcile_store
from services.reconcile.records import Record
from services.storage.prepared import run

_FIRST_MSGID = select(hub_settlements.c.msgid).where(
    hub_settlements.c.setl_id == bindparam("setl_id")
)
_INSERT = insert(hub_settlements)


class SettlementRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def first_msgid(self, setl_id: str) -> str | None:
        """The msgid that recorded ``setl_id``, None when the hub has not."""
        known = run(self.conn, _FIRST_MSGID, {"setl_id": setl_id}).first()
        return None if known is None else str(known.msgid)

    def add(self, s: RoutedSettlement, msgid: str) -> None:
        run(
            self.conn,
            _INSERT,
            {
                "setl_id": s.setl_id,
                "msgid": msgid,
                "mdtrt_id": s.mdtrt_id,
                "psn_no": s.psn_no,
                "insuplc_admdvs": s.insuplc_admdvs,
                "mdtrtarea_admvs": s.mdtrtarea_admvs,
                "fixmedins_code": s.fixmedins_code,
                "setl_time": s.setl_time,
                "refd_setl_flag": s.refd_setl_flag,
                "medfee_sumamt": s.medfee_sumamt,
                "fund_pay_sumamt": s.fund_pay_sumamt,
                "acct_pay": s.acct_pay,
                "psn_cash_pay": s.psn_cash_pay,
            },
        )

    def records(self, begndate: str, enddate: str) -> list[Record]:
        """Reconciliation records of a period."""
        return reconcile_store.read(self.conn, hub_settlements, begndate=begndate, enddate=enddate)

    def paid_in_year(self, code: str, year: int) -> int:
        """Funds' and accounts' payments of ``code``'s insured in ``year``."""
        t = hub_settlements
        total = self.conn.execute(
            select(func.coalesce(func.sum(t.c.fund_pay_sumamt + t.c.acct_pay), 0)).where(
                t.c.insuplc_admdvs.startswith(code), t.c.setl_time.startswith(f"{year:04d}")
            )
        ).scalar_one()
        return int(total)
