"""The insured place's filing desk: create (2501), change (2510) and revoke (2502) filings,
certify (2503) and revoke (2504) chronic-disease qualifications, and answer queries (5304, 5301).

Each change is one transaction: the journal entry that makes it idempotent by msgid, the row, and
an outbox event for the hub's national filing registry (sent after commit by :class:`Publisher`,
retried until the hub acknowledges, so a change is never lost between the two).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date

import structlog

from provincial_nodes.adapters.unit_of_work import UnitOfWork, Units
from provincial_nodes.domain.chronic import Qualification, check_disease
from provincial_nodes.domain.filing import Category, Filing, check_new, default_enddate
from provincial_nodes.domain.person import Person
from services.rpc.envelope import Envelope
from services.values.errors import FailedPrecondition, InvalidField, NotFound
from services.values.reasons import Reason

log = structlog.get_logger("filing")


@dataclass(frozen=True)
class FilingChange:
    """A change to publish: what changed, and the destination before it (for a change)."""

    env: Envelope
    filing: Filing | None = None
    qualification: Qualification | None = None
    previous_dest_admdvs: str = ""


# encode(change) -> (the response to journal and return, the FilingEvent for the hub)
Encode = Callable[[FilingChange], tuple[bytes, bytes]]


@dataclass(frozen=True)
class CreateFiling:
    env: Envelope
    psn_no: str
    category: str
    dest_admdvs: str
    begndate: date
    enddate: date | None
    evidence: str
    channel: str
    memo: str = ""


@dataclass(frozen=True)
class ChangeFiling:
    env: Envelope
    psn_no: str
    filing_id: str
    dest_admdvs: str = ""
    begndate: date | None = None
    enddate: date | None = None
    evidence: str = ""
    channel: str = ""
    memo: str = ""


@dataclass(frozen=True)
class RevokeFiling:
    env: Envelope
    psn_no: str
    filing_id: str
    memo: str = ""


@dataclass(frozen=True)
class QualifyChronic:
    env: Envelope
    psn_no: str
    opsp_dise_code: str
    begndate: date
    enddate: date | None
    hosp_name: str = ""


@dataclass(frozen=True)
class RevokeQualification:
    env: Envelope
    psn_no: str
    qual_id: str


class FilingRole:
    def __init__(self, regions: dict[str, str]) -> None:
        self.regions = regions

    def _person(self, uow: UnitOfWork, env: Envelope, psn_no: str) -> Person:
        if env.insuplc_admdvs not in self.regions:
            raise NotFound(
                "header.insuplc_admdvs",
                env.insuplc_admdvs,
                f"this node insures {', '.join(self.regions)}",
            )
        person = uow.persons.by_psn_no(psn_no)
        if person is None or person.insuplc_admdvs != env.insuplc_admdvs:
            raise NotFound(
                "psn_no", psn_no, f"no insured person with this psn_no in {env.insuplc_admdvs}"
            )
        uow.persons.lock(psn_no)  # one change at a time per person
        return person

    def _commit(self, uow: UnitOfWork, change: FilingChange, encode: Encode) -> bytes:
        env = change.env
        if change.filing is not None:
            uow.filings.put(change.filing)
        if change.qualification is not None:
            uow.filings.put_qualification(change.qualification)
        response, event = encode(change)
        uow.outbox.add(env.msgid, event)
        uow.journal.record(env, response)
        return response

    @staticmethod
    def _replay(uow: UnitOfWork, env: Envelope) -> bytes | None:
        return uow.journal.replay(env)

    def _begin(
        self, uow: UnitOfWork, env: Envelope, psn_no: str
    ) -> tuple[Person | None, bytes | None]:
        """Start a change: the journal's first answer for a msgid seen before, else the person,
        locked — looking in the journal again once the lock is held, since a duplicate may have
        committed while this one waited."""
        prior = self._replay(uow, env)
        if prior is not None:
            return None, prior
        person = self._person(uow, env, psn_no)
        return person, self._replay(uow, env)

    # ---- 2501 --------------------------------------------------------------------------
    def create(self, uow: UnitOfWork, cmd: CreateFiling, encode: Encode) -> bytes:
        person, prior = self._begin(uow, cmd.env, cmd.psn_no)
        if prior is not None:
            return prior
        assert person is not None
        try:
            category = Category(cmd.category)
        except ValueError:
            raise InvalidField(
                "category", cmd.category, "one of " + ", ".join(c.value for c in Category)
            ) from None
        seq = uow.sequences.next_value("filing_id")
        filing = Filing(
            filing_id=f"F{person.insuplc_admdvs}{cmd.begndate:%Y%m%d}{seq:08d}",
            psn_no=person.psn_no,
            insuplc_admdvs=person.insuplc_admdvs,
            category=category,
            dest_admdvs=cmd.dest_admdvs,
            begndate=cmd.begndate,
            enddate=cmd.enddate or default_enddate(category, cmd.begndate),
            evidence=cmd.evidence or ("commitment" if category.long_term else "none"),
            channel=cmd.channel,
            memo=cmd.memo,
        )
        check_new(filing, uow.filings.for_person(person.psn_no))
        return self._commit(uow, FilingChange(cmd.env, filing=filing), encode)

    def _own_filing(self, uow: UnitOfWork, psn_no: str, filing_id: str) -> Filing:
        filing = uow.filings.get(filing_id)
        if filing is None or filing.psn_no != psn_no:
            raise NotFound("filing_id", filing_id, f"no filing with this id for {psn_no}")
        return filing

    # ---- 2510 --------------------------------------------------------------------------
    def change(self, uow: UnitOfWork, cmd: ChangeFiling, encode: Encode) -> bytes:
        person, prior = self._begin(uow, cmd.env, cmd.psn_no)
        if prior is not None:
            return prior
        assert person is not None
        old = self._own_filing(uow, cmd.psn_no, cmd.filing_id)
        if old.status != "active":
            raise FailedPrecondition(
                "filing_id", cmd.filing_id, "the filing is revoked", reason=Reason.FILING_REVOKED
            )
        new = replace(
            old,
            dest_admdvs=cmd.dest_admdvs or old.dest_admdvs,
            begndate=cmd.begndate or old.begndate,
            enddate=cmd.enddate if cmd.enddate is not None else old.enddate,
            evidence=cmd.evidence or old.evidence,
            channel=cmd.channel or old.channel,
            memo=cmd.memo or old.memo,
            version=old.version + 1,
        )
        if new == replace(old, version=new.version):
            raise InvalidField(
                "filing_id",
                cmd.filing_id,
                "nothing to change: give at least "
                "one of dest_admdvs, begndate, enddate, evidence, channel, memo",
            )
        check_new(new, uow.filings.for_person(cmd.psn_no))
        return self._commit(
            uow, FilingChange(cmd.env, filing=new, previous_dest_admdvs=old.dest_admdvs), encode
        )

    # ---- 2502 --------------------------------------------------------------------------
    def revoke(self, uow: UnitOfWork, cmd: RevokeFiling, encode: Encode) -> bytes:
        person, prior = self._begin(uow, cmd.env, cmd.psn_no)
        if prior is not None:
            return prior
        assert person is not None
        old = self._own_filing(uow, cmd.psn_no, cmd.filing_id)
        if old.status != "active":
            raise FailedPrecondition(
                "filing_id",
                cmd.filing_id,
                "the filing is already revoked",
                reason=Reason.FILING_REVOKED,
            )
        new = replace(old, status="revoked", version=old.version + 1, memo=cmd.memo or old.memo)
        return self._commit(uow, FilingChange(cmd.env, filing=new), encode)

    # ---- 2503 / 2504 ---------------------------------------------------------------------
    def qualify(self, uow: UnitOfWork, cmd: QualifyChronic, encode: Encode) -> bytes:
        person, prior = self._begin(uow, cmd.env, cmd.psn_no)
        if prior is not None:
            return prior
        assert person is not None
        check_disease("opsp_dise_code", cmd.opsp_dise_code)
        if cmd.enddate is not None and cmd.enddate < cmd.begndate:
            raise InvalidField(
                "enddate",
                cmd.enddate.isoformat(),
                f"end date is before the start date {cmd.begndate}",
            )
        for q in uow.filings.qualifications(person.psn_no):
            if (
                q.status == "active"
                and q.opsp_dise_code == cmd.opsp_dise_code
                and q.begndate <= (cmd.enddate or date.max)
                and cmd.begndate <= (q.enddate or date.max)
            ):
                raise FailedPrecondition(
                    "opsp_dise_code",
                    cmd.opsp_dise_code,
                    f"qualification {q.qual_id} for this disease is active from {q.begndate} to "
                    f"{q.enddate or 'open'}; revoke it first",
                    reason=Reason.QUALIFICATION_OVERLAPS,
                )
        seq = uow.sequences.next_value("qual_id")
        qual = Qualification(
            f"Q{person.insuplc_admdvs}{cmd.begndate:%Y%m%d}{seq:08d}",
            person.psn_no,
            cmd.opsp_dise_code,
            cmd.begndate,
            cmd.enddate,
            hosp_name=cmd.hosp_name,
        )
        return self._commit(uow, FilingChange(cmd.env, qualification=qual), encode)

    def revoke_qualification(
        self, uow: UnitOfWork, cmd: RevokeQualification, encode: Encode
    ) -> bytes:
        person, prior = self._begin(uow, cmd.env, cmd.psn_no)
        if prior is not None:
            return prior
        assert person is not None
        found = [q for q in uow.filings.qualifications(cmd.psn_no) if q.qual_id == cmd.qual_id]
        if not found:
            raise NotFound(
                "qual_id", cmd.qual_id, f"no qualification with this id for {cmd.psn_no}"
            )
        if found[0].status != "active":
            raise FailedPrecondition(
                "qual_id", cmd.qual_id, "already revoked", reason=Reason.QUALIFICATION_REVOKED
            )
        return self._commit(
            uow, FilingChange(cmd.env, qualification=replace(found[0], status="revoked")), encode
        )

    # ---- 5304 / 5301 ---------------------------------------------------------------------
    def filings(self, uow: UnitOfWork, env: Envelope, psn_no: str) -> list[Filing]:
        self._person(uow, env, psn_no)
        return uow.filings.for_person(psn_no)

    def qualifications(self, uow: UnitOfWork, env: Envelope, psn_no: str) -> list[Qualification]:
        self._person(uow, env, psn_no)
        return uow.filings.qualifications(psn_no)


# ---- the outbox ----------------------------------------------------------------------------


def pending(uow: UnitOfWork, limit: int = 100) -> list[tuple[str, bytes]]:
    return uow.outbox.pending(limit)


def delivered(uow: UnitOfWork, event_id: str) -> None:
    uow.outbox.delivered(event_id)


class Publisher:
    """Sends outbox events to the hub's registry in order; what the hub has not acknowledged
    stays in the outbox and is sent again (the registry is idempotent by event_id)."""

    def __init__(
        self, units: Units, send: Callable[[bytes], Awaitable[None]], retry_s: float = 2.0
    ) -> None:
        self.units = units
        self.send = send
        self.retry_s = retry_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())
        self._wake.set()  # anything left from before a restart

    def poke(self) -> None:
        self._wake.set()

    async def flush(self) -> bool:
        """Send what is pending now; False when something could not be delivered yet."""
        while True:
            batch = await self.units.run(pending)
            if not batch:
                return True
            for event_id, payload in batch:
                try:
                    await self.send(payload)
                except Exception as exc:  # the hub is down or slow: keep it, try later
                    log.warning("filing_publish_failed", event_id=event_id, error=str(exc)[:200])
                    return False
                await self.units.run(delivered, event_id)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                done = await self.flush()
            except Exception as exc:  # e.g. the database is closing
                log.warning("filing_publisher_error", error=str(exc)[:200])
                done = False
            if not done:
                await asyncio.sleep(self.retry_s)
                self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
