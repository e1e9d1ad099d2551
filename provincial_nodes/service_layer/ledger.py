"""The one place a province node makes ledger postings: a settlement or revocation recorded at
either place is posted here, by the rules of :mod:`provincial_nodes.domain.postings`, in the
same unit of work as the record."""

from __future__ import annotations

from provincial_nodes.adapters.unit_of_work import UnitOfWork
from provincial_nodes.domain.postings import Place, postings
from provincial_nodes.domain.settlement import Settlement


def post(uow: UnitOfWork, s: Settlement, place: Place) -> None:
    """Post ``s`` at ``place`` (a retry with the same transfer ids changes nothing)."""
    uow.ledger.post(postings(s, place))
