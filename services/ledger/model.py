"""A double-entry ledger in the manner of TigerBeetle, one per node and one at the hub.

Accounts are named by a code (``fund:310100``, ``due_to_province:11``, ...) and created the
first time a transfer names them; they are never edited. A transfer moves ``amount_fen`` (> 0)
from its debit account to its credit account; transfers are never edited or deleted — a mistake
or a revocation is fixed by a new transfer the other way. The transfer id makes a retry safe: the
same id with the same fields posts nothing; the same id with other fields is refused
(``EXISTS_WITH_DIFFERENT_FIELDS``). Balances are derived from the transfers (sums), so they
cannot drift from them; and since every transfer has one debit and one credit of one amount, the
ledger balances by construction — :func:`trial_balance` checks it anyway.

Posting rules (which transfers a settlement makes) live with each node: the pure rules in
``provincial_nodes/domain/postings.py`` and ``national_hub/domain/postings.py``. This module
is the pure model; ``services/ledger/store.py`` stores and reads transfers, in the caller's
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.values.errors import FailedPrecondition
from services.values.reasons import Reason


@dataclass(frozen=True)
class Transfer:
    id: str
    debit: str
    credit: str
    amount_fen: int
    ref: str = ""
    """What it is for: a setl_id, a clearing id."""
    kind: str = ""
    """"settle", "revoke", "clearing", "top_up", ..."""

    def __post_init__(self) -> None:
        if self.amount_fen <= 0:
            raise ValueError(
                f"transfer {self.id}: amount_fen must be positive, got {self.amount_fen}"
            )
        if self.debit == self.credit:
            raise ValueError(f"transfer {self.id}: debit and credit are the same account")


def moving(
    id: str, debit: str, credit: str, amount_fen: int, ref: str, kind: str
) -> list[Transfer]:
    """A transfer for a signed amount: a negative amount (a revocation's record) moves the
    other way; zero moves nothing."""
    if amount_fen == 0:
        return []
    if amount_fen < 0:
        debit, credit, amount_fen = credit, debit, -amount_fen
    return [Transfer(id, debit, credit, amount_fen, ref, kind)]


class TransferExists(FailedPrecondition):
    """A transfer id already posted with other fields (TigerBeetle's exists_with_different_*)."""

    def __init__(self, new: Transfer, old: Transfer) -> None:
        super().__init__(
            "transfer.id",
            new.id,
            f"already posted as {old}, not {new}",
            reason=Reason.EXISTS_WITH_DIFFERENT_FIELDS,
        )


@dataclass(frozen=True)
class Balance:
    debits_fen: int
    credits_fen: int

    @property
    def net_fen(self) -> int:
        """Debits minus credits."""
        return self.debits_fen - self.credits_fen
