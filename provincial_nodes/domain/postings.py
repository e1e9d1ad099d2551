"""Ledger posting rules of a province node (pure): what a settlement, or its revocation,
posts on each side.

Insured place: each fund that paid (``setldetail``) and the personal accounts owe the province
of treatment — debit ``fund:<fund_pay_type>`` / ``personal_accounts``, credit
``due_to_province:<treatment province>``.

Place of treatment: it is owed the funds' and accounts' part by the insured province and the
cash by the patient, and owes the whole bill to the hospital — debit
``receivable_from_province:<insured province>`` and ``patient_cash``, credit
``payable_to_hospital:<fixmedins_code>``.

A revocation's record carries negative amounts, so the same rules post the exact reverse (with
its own transfer ids, from its own setl_id).
"""

from __future__ import annotations

from enum import Enum

from provincial_nodes.domain.settlement import Settlement
from services.ledger.model import Transfer, moving


class Place(Enum):
    """Which side of a settlement a node posts."""

    INSURED = "insured"
    TREATMENT = "treatment"


def _kind(s: Settlement) -> str:
    return "revoke" if s.refd_setl_flag == "1" else "settle"


def insured_postings(s: Settlement) -> list[Transfer]:
    due = f"due_to_province:{s.mdtrtarea_admvs[:2]}"
    out: list[Transfer] = []
    for f in s.funds:
        out += moving(
            f"{s.setl_id}:{f.fund_pay_type}",
            f"fund:{f.fund_pay_type}",
            due,
            f.fund_payamt,
            s.setl_id,
            _kind(s),
        )
    out += moving(f"{s.setl_id}:acct", "personal_accounts", due, s.acct_pay, s.setl_id, _kind(s))
    return out


def treatment_postings(s: Settlement) -> list[Transfer]:
    hospital = f"payable_to_hospital:{s.fixmedins_code}"
    return moving(
        f"{s.setl_id}:insured",
        f"receivable_from_province:{s.insuplc_admdvs[:2]}",
        hospital,
        s.fund_pay_sumamt + s.acct_pay,
        s.setl_id,
        _kind(s),
    ) + moving(f"{s.setl_id}:cash", "patient_cash", hospital, s.psn_cash_pay, s.setl_id, _kind(s))


def postings(s: Settlement, place: Place) -> list[Transfer]:
    """What ``s`` (a settlement or a revocation record) posts at ``place``."""
    return insured_postings(s) if place is Place.INSURED else treatment_postings(s)
