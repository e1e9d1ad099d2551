"""Ledger posting rules of the hub (pure): a settlement routed from a place of treatment to an
insured place draws on the insured province's advance fund (预付金) and grows what is owed to
the treatment province — debit ``advance:<insured>``, credit ``owed_to_province:<treatment>``,
for the funds' and the personal accounts' part (what clearing moves between provinces). A
revocation's record, with negative amounts, posts the reverse."""

from __future__ import annotations

from typing import Any

from services.ledger.model import Transfer, moving


def hub_postings(setlinfo: Any, insured: str, treatment: str) -> list[Transfer]:
    kind = "revoke" if setlinfo.refd_setl_flag == "1" else "settle"
    return moving(
        f"{setlinfo.setl_id}:route",
        f"advance:{insured}",
        f"owed_to_province:{treatment}",
        setlinfo.fund_pay_sumamt + setlinfo.acct_pay,
        setlinfo.setl_id,
        kind,
    )
