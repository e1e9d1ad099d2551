"""Ledger posting rules of the hub (pure): which transfers each hub operation makes.

- A settlement routed from a place of treatment to an insured place draws on the insured
  province's advance fund (预付金) and grows what is owed to the treatment province — debit
  ``advance:<insured>``, credit ``owed_to_province:<treatment>``, for the funds' and the personal
  accounts' part. A revocation's record, with negative amounts, posts the reverse.
- Funding an advance (opening, one-step top-up, re-sizing): ``bank:<P>`` → ``advance:<P>``
  (negative: back). A two-phase top-up is a hold of the same transfer.
- Clearing a month, per (insured, treatment) pair: the hub pays the treatment province what it
  was owed (``owed_to_province:<T>`` → ``paid_to_province:<T>``), id
  ``clearing:<month>:<I>:<T>``; and per insured province, the province restores its advance by
  what the month used, but never beyond the advance's size: what a top-up already put back is
  not paid twice (``bank:<I>`` → ``advance:<I>``, id ``clearing:<month>:<I>:advance``). The ids
  name the month, so clearing twice posts nothing twice.
"""

from __future__ import annotations

from national_hub.domain.advance import account
from national_hub.domain.clearing import Pair
from national_hub.domain.model import RoutedSettlement
from services.ledger.model import Transfer, moving


def routed(s: RoutedSettlement, insured: str, treatment: str) -> list[Transfer]:
    return moving(
        f"{s.setl_id}:route",
        account(insured),
        f"owed_to_province:{treatment}",
        s.cleared_fen,
        s.setl_id,
        "revoke" if s.is_revocation else "settle",
    )


def funding(code: str, transfer_id: str, amount_fen: int, kind: str) -> list[Transfer]:
    return moving(transfer_id, f"bank:{code}", account(code), amount_fen, account(code), kind)


def top_up_hold(code: str, hold_id: str, amount_fen: int) -> Transfer:
    return Transfer(hold_id, f"bank:{code}", account(code), amount_fen, account(code), "top_up")


def clearing(
    month: str, by_pair: dict[tuple[str, str], Pair], restored: dict[str, int]
) -> list[Transfer]:
    """The month's clearing transfers; ``restored`` is what each insured province puts back into
    its advance (:func:`national_hub.domain.advance.restoration`)."""
    ref = f"clearing:{month}"
    out: list[Transfer] = []
    for (insured, treatment), p in by_pair.items():
        out += moving(
            f"{ref}:{insured}:{treatment}",
            f"owed_to_province:{treatment}",
            f"paid_to_province:{treatment}",
            p.amount_fen,
            ref,
            "clearing",
        )
    for insured, amount_fen in sorted(restored.items()):
        out += moving(
            f"{ref}:{insured}:advance",
            f"bank:{insured}",
            account(insured),
            amount_fen,
            ref,
            "clearing",
        )
    return out
