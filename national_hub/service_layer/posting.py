"""The one place the hub posts to its ledger: each transfer the domain's posting rules
(``national_hub/domain/postings.py``) make is posted here, in the caller's unit, together with
the advance row it moves (what is left of an advance is kept beside the ledger)."""

from __future__ import annotations

from national_hub.adapters.unit_of_work import Repositories
from national_hub.domain import advance, postings
from national_hub.domain.clearing import Pair
from national_hub.domain.model import RoutedSettlement
from services.ledger.holds import Hold


def routed(repos: Repositories, s: RoutedSettlement, insured: str, treatment: str) -> None:
    """A routed settlement (or revocation record) draws on the insured province's advance."""
    repos.ledger.post(postings.routed(s, insured, treatment))
    repos.advances.draw(insured, s.cleared_fen)


def fund(repos: Repositories, code: str, transfer_id: str, amount_fen: int, kind: str) -> None:
    """Move ``amount_fen`` from the province's bank into its advance (negative: back), once
    per ``transfer_id``."""
    if repos.ledger.post(postings.funding(code, transfer_id, amount_fen, kind)):
        repos.advances.draw(code, -amount_fen)


def cleared(repos: Repositories, month: str, by_pair: dict[tuple[str, str], Pair]) -> None:
    """A month's clearing; each insured province's advance is restored by what the month used,
    up to its size (a top-up may already have put some of it back)."""
    used: dict[str, int] = {}
    for (insured, _), p in by_pair.items():
        used[insured] = used.get(insured, 0) + p.amount_fen
    restored = {i: advance.restoration(u, repos.advances.status(i)) for i, u in used.items()}
    repos.ledger.post(postings.clearing(month, by_pair, restored))
    for insured, amount_fen in restored.items():
        repos.advances.draw(insured, -amount_fen)


def hold_top_up(repos: Repositories, code: str, hold_id: str, amount_fen: int) -> Hold:
    """Promise a top-up: a hold that moves nothing yet."""
    return repos.ledger.hold(postings.top_up_hold(code, hold_id, amount_fen))


def settle_top_up(
    repos: Repositories, code: str, hold_id: str, *, arrived: bool, amount_fen: int = 0
) -> tuple[Hold, bool]:
    """Post the promised top-up (all, or ``amount_fen`` of it) or void it; True when it was
    posted now (what is left of the advance grew by what arrived)."""
    if not arrived:
        return repos.ledger.void_hold(hold_id), False
    before = [h for h in repos.ledger.holds(f"advance:{code}") if h.id == hold_id]
    h = repos.ledger.post_hold(hold_id, amount_fen or None)
    if not before or before[0].outcome != "posted":
        repos.advances.draw(code, -h.posted_fen)
        return h, True
    return h, False
