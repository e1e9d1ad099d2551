"""Dry runs at the insured place: a call evaluated as the node would have answered it at an
earlier moment, then rolled back — nothing of it stays (``settlenet replay``).

A caller allowed to call InsuredService (the hub's certificate) asks for one with the request
metadata ``x-settlenet-dry-run``: ``now`` evaluates the call on the node's present state; a
setl_id evaluates it as of just before that record (a settlement or a revocation) was made:
every record of the person — and of the mutual-aid holder whose account they draw on — made from
it on is set aside first (its effect on the accumulators and accounts undone, the record
removed), newest first. Then the call runs through the same code as a real one (checks, split,
journal, ledger) and the unit is rolled back. The answer carries trailing metadata
``x-settlenet-dry-run: rolled back; N record(s) set aside``, so a caller knows the node honoured
it (a node that does not know the key answers for real and without it).

Only this person's (and holder's) records are set aside: another beneficiary of the same holder
settling in between is not (rare; ``docs/replay.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from provincial_nodes.adapters.settlements import record_seq
from provincial_nodes.adapters.unit_of_work import UnitOfWork
from services.values.errors import InvalidField, NotFound

KEY = "x-settlenet-dry-run"
"""Request metadata asking for a dry run; trailing metadata of its answer."""
NOW = "now"


class Evaluated(Exception):
    """Raised out of a dry run's unit so that it is rolled back; carries the answer."""

    def __init__(self, result: Any, set_aside: int) -> None:
        super().__init__("dry run rolled back")
        self.result = result
        self.set_aside = set_aside


def check_as_of(as_of: str) -> str:
    """``now`` or a setl_id of this node's form; "" for now."""
    if as_of == NOW:
        return ""
    if record_seq(as_of) < 0 or len(as_of) > 40:
        raise InvalidField(KEY, as_of, "must be 'now' or a setl_id made by this node")
    return as_of


def set_aside(uow: UnitOfWork, psn_no: str, as_of: str) -> int:
    """Undo, in this unit, every record of ``psn_no`` (and its account's holder) made from
    record ``as_of`` on, newest first; how many."""
    if not as_of:
        return 0
    if uow.settlements.get(as_of) is None:
        raise NotFound(KEY, as_of, "no settlement or revocation record with this setl_id here")
    person = uow.persons.by_psn_no(psn_no)
    holder = person.mulaid_psn_no if person is not None else ""
    rows = uow.settlements.since([p for p in (psn_no, holder) if p], record_seq(as_of))
    for row in rows:
        uow.persons.apply(
            row.psn_no, row.holder, row.bucket, row.setl_date, row.delta.negated(), row.setl_id
        )
        uow.settlements.remove(row.setl_id)
    return len(rows)


def evaluate(
    uow: UnitOfWork,
    who: Callable[[UnitOfWork], str],
    as_of: str,
    op: Callable[..., Any],
    *args: Any,
) -> NoReturn:
    """The unit of a dry run: set aside what came after ``as_of`` for the person ``who`` names,
    run ``op(uow, *args)``, and raise :class:`Evaluated` with its answer (rolling it all back).
    An error of ``op`` is raised as it is (and rolled back too)."""
    n = set_aside(uow, who(uow), as_of)
    raise Evaluated(op(uow, *args), n)
