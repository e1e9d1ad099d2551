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
from sqlalchemy import Connection, delete, insert, select

from provincial_nodes.adapters import filings as filing_repo
from provincial_nodes.adapters import persons as person_repo
from provincial_nodes.adapters import sequences
from provincial_nodes.adapters.tables import filing_outbox, journal
from provincial_nodes.domain.chronic import Qualification, check_disease
from provincial_nodes.domain.filing import Category, Filing, check_new, default_enddate
from provincial_nodes.domain.person import Person
from services.rpc.envelope import Envelope
from services.storage import journal as msg_journal
from services.storage.database import Database
from services.values import clock
from services.values.errors import FailedPrecondition, InvalidField, NotFound

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

    def _person(self, conn: Connection, env: Envelope, psn_no: str) -> Person:
        if env.insuplc_admdvs not in self.regions:
            raise NotFound(
                "header.insuplc_admdvs",
                env.insuplc_admdvs,
                f"this node insures {', '.join(self.regions)}",
            )
        person = person_repo.by_psn_no(conn, psn_no)
        if person is None or person.insuplc_admdvs != env.insuplc_admdvs:
            raise NotFound(
                "psn_no", psn_no, f"no insured person with this psn_no in {env.insuplc_admdvs}"
            )
        person_repo.lock(conn, psn_no)  # one change at a time per person
        return person

    def _commit(self, conn: Connection, change: FilingChange, encode: Encode) -> bytes:
        env = change.env
        if change.filing is not None:
            filing_repo.put(conn, change.filing)
        if change.qualification is not None:
            filing_repo.put_qualification(conn, change.qualification)
        response, event = encode(change)
        conn.execute(
            insert(filing_outbox).values(
                event_id=env.msgid, payload=event, created_at=clock.format_time(clock.now())
            )
        )
        msg_journal.record(conn, journal, env.msgid, env.infno, env.digest, response)
        return response

    @staticmethod
    def _replay(conn: Connection, env: Envelope) -> bytes | None:
        return msg_journal.replay(conn, journal, env.msgid, env.infno, env.digest)

    def _begin(
        self, conn: Connection, env: Envelope, psn_no: str
    ) -> tuple[Person | None, bytes | None]:
        """Start a change: the journal's first answer for a msgid seen before, else the person,
        locked — looking in the journal again once the lock is held, since a duplicate may have
        committed while this one waited."""
        prior = self._replay(conn, env)
        if prior is not None:
            return None, prior
        person = self._person(conn, env, psn_no)
        return person, self._replay(conn, env)

    # ---- 2501 --------------------------------------------------------------------------
    def create(self, conn: Connection, cmd: CreateFiling, encode: Encode) -> bytes:
        person, prior = self._begin(conn, cmd.env, cmd.psn_no)
        if prior is not None:
            return prior
        assert person is not None
        try:
            category = Category(cmd.category)
        except ValueError:
            raise InvalidField(
                "category", cmd.category, "one of " + ", ".join(c.value for c in Category)
            ) from None
        seq = sequences.next_value(conn, "filing_id")
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
        check_new(filing, filing_repo.for_person(conn, person.psn_no))
        return self._commit(conn, FilingChange(cmd.env, filing=filing), encode)

    def _own_filing(self, conn: Connection, psn_no: str, filing_id: str) -> Filing:
        filing = filing_repo.get(conn, filing_id)
        if filing is None or filing.psn_no != psn_no:
            raise NotFound("filing_id", filing_id, f"no filing with this id for {psn_no}")
        return filing

    # ---- 2510 --------------------------------------------------------------------------
    def change(self, conn: Connection, cmd: ChangeFiling, encode: Encode) -> bytes:
        person, prior = self._begin(conn, cmd.env, cmd.psn_no)
        if prior is not None:
            return prior
        assert person is not None
        old = self._own_filing(conn, cmd.psn_no, cmd.filing_id)
        if old.status != "active":
            raise FailedPrecondition(
                "filing_id", cmd.filing_id, "the filing is revoked", reason="FILING_REVOKED"
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
        check_new(new, filing_repo.for_person(conn, cmd.psn_no))
        return self._commit(
            conn, FilingChange(cmd.env, filing=new, previous_dest_admdvs=old.dest_admdvs), encode
        )

    # ---- 2502 --------------------------------------------------------------------------
    def revoke(self, conn: Connection, cmd: RevokeFiling, encode: Encode) -> bytes:
        person, prior = self._begin(conn, cmd.env, cmd.psn_no)
        if prior is not None:
            return prior
        assert person is not None
        old = self._own_filing(conn, cmd.psn_no, cmd.filing_id)
        if old.status != "active":
            raise FailedPrecondition(
                "filing_id", cmd.filing_id, "the filing is already revoked", reason="FILING_REVOKED"
            )
        new = replace(old, status="revoked", version=old.version + 1, memo=cmd.memo or old.memo)
        return self._commit(conn, FilingChange(cmd.env, filing=new), encode)

    # ---- 2503 / 2504 ---------------------------------------------------------------------
    def qualify(self, conn: Connection, cmd: QualifyChronic, encode: Encode) -> bytes:
        person, prior = self._begin(conn, cmd.env, cmd.psn_no)
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
        for q in filing_repo.qualifications(conn, person.psn_no):
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
                    reason="QUALIFICATION_OVERLAPS",
                )
        seq = sequences.next_value(conn, "qual_id")
        qual = Qualification(
            f"Q{person.insuplc_admdvs}{cmd.begndate:%Y%m%d}{seq:08d}",
            person.psn_no,
            cmd.opsp_dise_code,
            cmd.begndate,
            cmd.enddate,
            hosp_name=cmd.hosp_name,
        )
        return self._commit(conn, FilingChange(cmd.env, qualification=qual), encode)

    def revoke_qualification(
        self, conn: Connection, cmd: RevokeQualification, encode: Encode
    ) -> bytes:
        person, prior = self._begin(conn, cmd.env, cmd.psn_no)
        if prior is not None:
            return prior
        assert person is not None
        found = [
            q for q in filing_repo.qualifications(conn, cmd.psn_no) if q.qual_id == cmd.qual_id
        ]
        if not found:
            raise NotFound(
                "qual_id", cmd.qual_id, f"no qualification with this id for {cmd.psn_no}"
            )
        if found[0].status != "active":
            raise FailedPrecondition(
                "qual_id", cmd.qual_id, "already revoked", reason="QUALIFICATION_REVOKED"
            )
        return self._commit(
            conn, FilingChange(cmd.env, qualification=replace(found[0], status="revoked")), encode
        )

    # ---- 5304 / 5301 ---------------------------------------------------------------------
    def filings(self, conn: Connection, env: Envelope, psn_no: str) -> list[Filing]:
        self._person(conn, env, psn_no)
        return filing_repo.for_person(conn, psn_no)

    def qualifications(self, conn: Connection, env: Envelope, psn_no: str) -> list[Qualification]:
        self._person(conn, env, psn_no)
        return filing_repo.qualifications(conn, psn_no)


# ---- the outbox ----------------------------------------------------------------------------


def pending(conn: Connection, limit: int = 100) -> list[tuple[str, bytes]]:
    rows = conn.execute(
        select(filing_outbox.c.event_id, filing_outbox.c.payload)
        .order_by(filing_outbox.c.created_at, filing_outbox.c.event_id)
        .limit(limit)
    ).all()
    return [(r.event_id, bytes(r.payload)) for r in rows]


def delivered(conn: Connection, event_id: str) -> None:
    conn.execute(delete(filing_outbox).where(filing_outbox.c.event_id == event_id))


class Publisher:
    """Sends outbox events to the hub's registry in order; what the hub has not acknowledged
    stays in the outbox and is sent again (the registry is idempotent by event_id)."""

    def __init__(
        self, db: Database, send: Callable[[bytes], Awaitable[None]], retry_s: float = 2.0
    ) -> None:
        self.db = db
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
            batch = await self.db.transact(pending)
            if not batch:
                return True
            for event_id, payload in batch:
                try:
                    await self.send(payload)
                except Exception as exc:  # the hub is down or slow: keep it, try later
                    log.warning("filing_publish_failed", event_id=event_id, error=str(exc)[:200])
                    return False
                await self.db.transact(delivered, event_id)

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
