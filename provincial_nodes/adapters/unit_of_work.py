"""The unit of work handed to every handler of a province node: the repositories of one
transaction.

A handler is a function ``handler(uow, *args)``; :meth:`Units.run` runs it as one unit of
:class:`~services.storage.database.Database` — inside the group commit on SQLite, a plain
transaction elsewhere — so it commits when the handler returns and rolls back when it raises
(cosmicpython's ``unit_of_work.py``, wrapped around the group commit rather than replacing it).
Repositories are made on first use and only bind the unit's connection: a unit costs no database
round trip beyond the statements its handler runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from sqlalchemy import Connection, Table

from provincial_nodes.adapters import admin_documents, filings, outbox, persons, sequences, visits
from provincial_nodes.adapters import settlements as insured_settlements
from provincial_nodes.adapters.sign_ins import SignInRepository
from provincial_nodes.adapters.tables import in_doubt as in_doubt_table
from provincial_nodes.adapters.tables import insured_journal as insured_journal_table
from provincial_nodes.adapters.tables import insured_settlements as insured_table
from provincial_nodes.adapters.tables import journal as journal_table
from provincial_nodes.adapters.tables import ledger
from provincial_nodes.adapters.tables import treatment_settlements as treatment_table
from provincial_nodes.domain.catalogue import LineClassification
from provincial_nodes.domain.chronic import Qualification
from provincial_nodes.domain.filing import Filing
from provincial_nodes.domain.person import Person, PersonRecord, PersonState, StateDelta
from provincial_nodes.domain.settlement import Settlement
from provincial_nodes.domain.visit import LineOrigin, UploadedLine, Visit
from services.ledger import store as ledger_store
from services.ledger.model import Transfer
from services.reconcile import store as reconcile_store
from services.reconcile.records import Record
from services.rpc.envelope import Envelope
from services.storage import in_doubt as forwards
from services.storage import journal as msg_journal
from services.storage.database import Database
from services.values.forward import Forward

P = ParamSpec("P")
T = TypeVar("T")


class _Repository:
    __slots__ = ("conn",)

    def __init__(self, conn: Connection) -> None:
        self.conn = conn


class PersonRepository(_Repository):
    """Insured persons, their accumulators and personal accounts."""

    __slots__ = ()

    def by_psn_no(self, psn_no: str) -> Person | None:
        return persons.by_psn_no(self.conn, psn_no)

    def by_certno(self, certno: str) -> Person | None:
        return persons.by_certno(self.conn, certno)

    def balance(self, psn_no: str) -> int:
        return persons.balance(self.conn, psn_no)

    def lock(self, *psn_nos: str) -> dict[str, int]:
        """Take the persons' account rows for update; the balances read under the lock."""
        return persons.lock(self.conn, *psn_nos)

    def state(
        self, person: Person, bucket: str, day: date, locked: Mapping[str, int] | None = None
    ) -> PersonState:
        return persons.state(self.conn, person, bucket, day, locked)

    def apply(
        self,
        psn_no: str,
        mulaid_psn_no: str,
        bucket: str,
        day: date,
        delta: StateDelta,
        setl_id: str,
    ) -> int:
        return persons.apply(self.conn, psn_no, mulaid_psn_no, bucket, day, delta, setl_id)

    def add_many(self, records: Iterable[PersonRecord]) -> int:
        return persons.add_many(self.conn, records)

    def replace(self, record: PersonRecord) -> None:
        persons.replace(self.conn, record)

    def accumulator_rows(self, psn_no: str) -> list[tuple[str, str, int]]:
        return persons.accumulator_rows(self.conn, psn_no)


class FilingRepository(_Repository):
    """Filings (备案) and chronic-disease qualifications of the insured persons."""

    __slots__ = ()

    def put(self, f: Filing) -> None:
        filings.put(self.conn, f)

    def get(self, filing_id: str) -> Filing | None:
        return filings.get(self.conn, filing_id)

    def for_person(self, psn_no: str) -> list[Filing]:
        return filings.for_person(self.conn, psn_no)

    def put_qualification(self, q: Qualification) -> None:
        filings.put_qualification(self.conn, q)

    def qualifications(self, psn_no: str) -> list[Qualification]:
        return filings.qualifications(self.conn, psn_no)

    def qualification_owner(self, qual_id: str) -> str | None:
        return filings.qualification_owner(self.conn, qual_id)


class VisitRepository(_Repository):
    """Visits, fee lines and the settlements recorded at the place of treatment."""

    __slots__ = ()

    def add(self, v: Visit, msgid: str, created_at: str) -> None:
        visits.add(self.conn, v, msgid, created_at)

    def get(self, mdtrt_id: str) -> Visit | None:
        return visits.get(self.conn, mdtrt_id)

    def lock(self, mdtrt_id: str) -> None:
        visits.lock(self.conn, mdtrt_id)

    def set_status(self, mdtrt_id: str, status: str) -> None:
        visits.set_status(self.conn, mdtrt_id, status)

    def line_numbers_and_counts(self, mdtrt_id: str) -> tuple[set[str], dict[str, Decimal]]:
        return visits.line_numbers_and_counts(self.conn, mdtrt_id)

    def add_lines(
        self,
        mdtrt_id: str,
        msgid: str,
        chrg_bchno: str,
        origins: list[LineOrigin],
        lines: list[LineClassification],
    ) -> None:
        visits.add_lines(self.conn, mdtrt_id, msgid, chrg_bchno, origins, lines)

    def lines(self, mdtrt_id: str) -> list[LineClassification]:
        return visits.lines(self.conn, mdtrt_id)

    def uploaded_lines(self, mdtrt_id: str) -> list[UploadedLine]:
        """The visit's fee lines with where they came from (5204), in feedetl_sn order."""
        return visits.uploaded_lines(self.conn, mdtrt_id)

    def remove_lines(self, mdtrt_id: str, chrg_bchno: str | None) -> list[str]:
        """Delete the lines of one charge batch (all when None); their feedetl_sn."""
        return visits.remove_lines(self.conn, mdtrt_id, chrg_bchno)

    def set_diagnoses(
        self, mdtrt_id: str, med_type: str, opsp_dise_code: str, diag_codes: tuple[str, ...]
    ) -> None:
        visits.set_diagnoses(self.conn, mdtrt_id, med_type, opsp_dise_code, diag_codes)

    def record_settlement(self, s: Settlement, msgid: str, payload: bytes) -> None:
        visits.record_settlement(self.conn, s, msgid, payload)

    def has_settlement(self, setl_id: str) -> bool:
        return visits.has_settlement(self.conn, setl_id)

    def settlements(self, mdtrt_id: str) -> list[tuple[str, str, str | None, bytes]]:
        """(setl_id, refd_setl_flag, init_setl_id, setlinfo) of a visit, oldest first."""
        return visits.settlements(self.conn, mdtrt_id)

    def made_by(self, msgid: str) -> tuple[bytes, bytes | None] | None:
        """The stored settlement ``msgid`` made here and its reversal's, if any."""
        return insured_settlements.made_by(self.conn, treatment_table, msgid)

    def records(self, begndate: str, enddate: str, insured: str) -> list[Record]:
        """Reconciliation records of the settlements recorded here in a period."""
        return reconcile_store.read(
            self.conn, treatment_table, begndate=begndate, enddate=enddate, insured=insured
        )


class InsuredSettlementRepository(_Repository):
    """The settlements recorded at the insured place."""

    __slots__ = ()

    def active_for_visit(self, mdtrt_id: str) -> str | None:
        return insured_settlements.active_for_visit(self.conn, mdtrt_id)

    def get(self, setl_id: str) -> insured_settlements.StoredSettlement | None:
        return insured_settlements.get(self.conn, setl_id)

    def by_msgid(self, msgid: str) -> insured_settlements.StoredSettlement | None:
        return insured_settlements.by_msgid(self.conn, msgid)

    def revoked_by(self, setl_id: str) -> str | None:
        return insured_settlements.revoked_by(self.conn, setl_id)

    def reversal(self, setl_id: str) -> bytes | None:
        return insured_settlements.reversal(self.conn, setl_id)

    def since(self, psn_nos: list[str], seq: int) -> list[insured_settlements.StoredSettlement]:
        return insured_settlements.since(self.conn, psn_nos, seq)

    def remove(self, setl_id: str) -> None:
        insured_settlements.remove(self.conn, setl_id)

    def add(
        self,
        s: Settlement,
        msgid: str,
        setl_date: date,
        bucket: str,
        delta: StateDelta,
        mulaid_psn_no: str,
        payload: bytes,
    ) -> None:
        insured_settlements.add(
            self.conn, s, msgid, setl_date, bucket, delta, mulaid_psn_no, payload
        )

    def made_by(self, msgid: str) -> tuple[bytes, bytes | None] | None:
        """The stored settlement ``msgid`` made here and its reversal's, if any."""
        return insured_settlements.made_by(self.conn, insured_table, msgid)


class Journal:
    """One msgid journal: the first answer to each msgid, replayed to its retries."""

    __slots__ = ("conn", "table")

    def __init__(self, conn: Connection, table: Table) -> None:
        self.conn = conn
        self.table = table

    def replay(self, env: Envelope) -> bytes | None:
        """The first answer to ``env``'s msgid, None if unseen (DuplicateMessage if its body
        differs; refused if a correction closed it)."""
        return msg_journal.replay(self.conn, self.table, env.msgid, env.infno, env.digest)

    def record(self, env: Envelope, response: bytes) -> None:
        msg_journal.record(self.conn, self.table, env.msgid, env.infno, env.digest, response)

    def close(self, msgid: str, infno: str, by_msgid: str, *, took_effect: bool) -> str:
        return msg_journal.close(
            self.conn, self.table, msgid, infno, by_msgid, took_effect=took_effect
        )

    def state(self, msgid: str) -> tuple[str, str, bytes]:
        return msg_journal.state(self.conn, self.table, msgid)


class InDoubtRepository(_Repository):
    """What the place of treatment forwarded, until its outcome is recorded here."""

    __slots__ = ()

    def add(self, f: Forward) -> None:
        forwards.add(self.conn, in_doubt_table, f)

    def reopen(self, f: Forward) -> None:
        forwards.reopen(self.conn, in_doubt_table, f)

    def get(self, msgid: str) -> Forward | None:
        return forwards.get(self.conn, in_doubt_table, msgid)

    def finish(self, msgid: str, state: str, outcome: str = "") -> bool:
        return forwards.finish(self.conn, in_doubt_table, msgid, state, outcome)

    def correcting(self, msgid: str, by_msgid: str) -> None:
        forwards.correcting(self.conn, in_doubt_table, msgid, by_msgid)

    def drop(self, msgid: str) -> None:
        forwards.drop(self.conn, in_doubt_table, msgid)

    def attempted(self, msgid: str, note: str) -> None:
        forwards.attempted(self.conn, in_doubt_table, msgid, note)

    def claim(self, msgid: str) -> bool:
        """Take the pending row to resolve it, unless another process of this node holds it."""
        return forwards.claim(self.conn, in_doubt_table, msgid)

    @staticmethod
    def leased_elsewhere(f: Forward) -> bool:
        """Whether another process of this node is forwarding or resolving ``f`` now."""
        return forwards.leased_elsewhere(f)

    def pending(self, limit: int = 500) -> list[Forward]:
        return forwards.pending(self.conn, in_doubt_table, limit)

    def listing(self, msgids: list[str], include_resolved: bool, limit: int) -> list[Forward]:
        return forwards.listing(self.conn, in_doubt_table, msgids, include_resolved, limit)

    def count_pending(self, before: str = "") -> int:
        return forwards.count_pending(self.conn, in_doubt_table, before)

    def pending_for_visit(self, mdtrt_id: str) -> list[str]:
        """The msgids forwarded for the visit whose outcome is not known here yet."""
        return forwards.pending_for_visit(self.conn, in_doubt_table, mdtrt_id)


class OutboxRepository(_Repository):
    """Events for the hub's national filing registry, until it acknowledges them."""

    __slots__ = ()

    def add(self, event_id: str, payload: bytes) -> None:
        outbox.add(self.conn, event_id, payload)

    def pending(self, limit: int = 100) -> list[tuple[str, bytes]]:
        return outbox.pending(self.conn, limit)

    def delivered(self, event_id: str) -> None:
        outbox.delivered(self.conn, event_id)


class Sequences(_Repository):
    __slots__ = ()

    def next_value(self, name: str) -> int:
        return sequences.next_value(self.conn, name)


class DocumentRepository(_Repository):
    """Policy and catalogue documents loaded through AdminService."""

    __slots__ = ()

    def add(self, kind: str, source_name: str, text: str) -> int:
        return admin_documents.add(self.conn, kind, source_name, text)

    def all_in_order(self) -> list[tuple[str, str, str]]:
        return admin_documents.all_in_order(self.conn)

    def drop(self, kinds: list[str]) -> int:
        return admin_documents.drop(self.conn, kinds)


class LedgerRepository(_Repository):
    """The node's double-entry ledger (both places' postings)."""

    __slots__ = ()

    def post(self, transfers: list[Transfer]) -> int:
        return ledger_store.post(self.conn, ledger, transfers)


R = TypeVar("R")


class _Repo(Generic[R]):
    """A repository of the unit, made on first use and then kept in the instance's dict (a
    non-data descriptor: later reads are plain attribute reads; unlike
    ``functools.cached_property``, no lock is taken)."""

    def __init__(self, make: Callable[[Connection], R]) -> None:
        self.make = make
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, uow: UnitOfWork, owner: type | None = None) -> R:
        repo = uow.__dict__[self.name] = self.make(uow.conn)
        return repo


class UnitOfWork:
    """The repositories of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    persons = _Repo(PersonRepository)
    filings = _Repo(FilingRepository)
    visits = _Repo(VisitRepository)
    settlements = _Repo(InsuredSettlementRepository)
    """The insured place's settlements (the place of treatment's are in :attr:`visits`)."""
    journal = _Repo(functools.partial(Journal, table=journal_table))
    """The place of treatment's (and the filing desk's) msgid journal."""
    insured_journal = _Repo(functools.partial(Journal, table=insured_journal_table))
    """The insured place's msgid journal (2207, 2208 and 2601 from the hub)."""
    in_doubt = _Repo(InDoubtRepository)
    """The place of treatment's forwards to the hub whose outcome is not recorded yet."""
    outbox = _Repo(OutboxRepository)
    sequences = _Repo(Sequences)
    documents = _Repo(DocumentRepository)
    ledger = _Repo(LedgerRepository)
    sign_ins = _Repo(SignInRepository)
    """9001 sign-ins of the HTTP interface."""


def _unit(
    conn: Connection,
    handler: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    return handler(UnitOfWork(conn), *args, **kwargs)


class Units:
    """Runs handlers as units of work on the node's :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def run(
        self, handler: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``handler(uow, *args, **kwargs)`` in one transaction (joining the open group on
        SQLite); its result once committed."""
        result: T = await self.db.transact(_unit, handler, args, kwargs)
        return result

    def run_sync(
        self, handler: Callable[Concatenate[UnitOfWork, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """:meth:`run` from a thread without an event loop (start-up)."""
        result: T = self.db.transact_sync(_unit, handler, args, kwargs)
        return result
