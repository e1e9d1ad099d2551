"""The place of treatment resolves the 2207s it forwarded to the hub without learning how they
ended (``docs/exactly-once.md``).

A row of the in-doubt table still pending after its forward ended (the hub unreachable, a
deadline, this node killed mid-call) is resolved by asking the hub what it and the insured place
know of the msgid (5203 with ``follow``), then:

- the insured place committed it: record the settlement here (record, visit, postings, journal
  entry) exactly as the answer would have been recorded — it stands everywhere;
- a correction closed it there (burned, or reversed): record what it left and close the msgid
  here the same way;
- the insured place never saw it: presumed abort — burn it with a 2601 through the hub, which
  closes it on every node (and reverses it, should it commit meanwhile). The decision is
  written to the row before the 2601 goes out, and later attempts send the same 2601 again
  (idempotent by its msgid) instead of asking anew: a late "done" must not undo it.

While the hub still holds the msgid pending (its forward runs, or it is resolving it with the
insured place), the treatment node waits: the hub's answer comes first.

Each resolution runs at once after the forward failed (short backoff), for every pending row at
start, every ``interval_s`` seconds, on a hospital's retry or status query of the msgid, and on
``ResolveInDoubt``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import replace

import structlog

from provincial_nodes.adapters.unit_of_work import UnitOfWork
from provincial_nodes.domain.correction import Outcome, Status
from provincial_nodes.domain.settlement import Settlement
from provincial_nodes.service_layer.correction import CorrectCommand, TreatmentCorrection
from provincial_nodes.service_layer.treatment import TreatmentRole
from services.rpc.envelope import Envelope
from services.rpc.inflight import ForwardResolver
from services.rpc.status import RemoteStatus
from services.values import clock
from services.values.errors import DuplicateMessage, Unavailable
from services.values.forward import BURNED, CORRECTED, DONE, PENDING, Forward

log = structlog.get_logger("in_doubt")

"""Forwards resolved at once by one sweep."""


def _get(uow: UnitOfWork, msgid: str) -> Forward | None:
    return uow.in_doubt.get(msgid)


def _pending(uow: UnitOfWork) -> list[Forward]:
    return uow.in_doubt.pending()


def reused(exc: BaseException) -> bool:
    """Whether a call was refused because its msgid was taken by another message."""
    if isinstance(exc, DuplicateMessage):
        return True
    return isinstance(exc, RemoteStatus) and exc.code.name == "ALREADY_EXISTS"


def _correcting(uow: UnitOfWork, msgid: str, by_msgid: str) -> None:
    uow.in_doubt.correcting(msgid, by_msgid)


def _attempted(uow: UnitOfWork, msgid: str, note: str) -> None:
    uow.in_doubt.attempted(msgid, note)


def _claim(uow: UnitOfWork, msgid: str) -> bool:
    return uow.in_doubt.claim(msgid)


def listing(
    uow: UnitOfWork, msgids: list[str], include_resolved: bool, limit: int
) -> list[Forward]:
    return uow.in_doubt.listing(msgids, include_resolved, limit)


def in_doubt_count(uow: UnitOfWork, before: str = "") -> int:
    """Forwards still pending here (created before ``before`` when given)."""
    return uow.in_doubt.count_pending(before)


class TreatmentInDoubt(ForwardResolver):
    """The place of treatment's resolver of its in-doubt forwards."""

    def __init__(
        self,
        role: TreatmentRole,
        correction: TreatmentCorrection,
        follow: Callable[[Envelope], Awaitable[tuple[Status, Status]]],
        envelope_of: Callable[[bytes, str], Envelope],
        encode_answer: Callable[[str, Settlement], bytes],
        encode_correction: Callable[[CorrectCommand, Outcome], bytes],
        new_msgid: Callable[[str], str],
        interval_s: float = 5.0,
    ) -> None:
        self.role = role
        self.units = role.units
        self.correction = correction
        self.follow = follow
        """What the hub and the insured place know of a msgid (5203 with follow)."""
        self.envelope_of = envelope_of
        """The envelope of a stored request."""
        self.encode_answer = encode_answer
        """The hospital's 2207 answer for a settlement learnt by resolution."""
        self.encode_correction = encode_correction
        self.new_msgid = new_msgid
        """A fresh msgid of an institution (for the 2601 this node sends)."""
        super().__init__(role.inflight, interval_s)
        role.resolve_now = self.resolve
        role.resolve_soon = self.soon

    async def row(self, msgid: str) -> Forward | None:
        return await self.units.run(_get, msgid)

    async def _pending_rows(self) -> list[Forward]:
        return await self.units.run(_pending)

    async def _attempted(self, msgid: str, note: str) -> None:
        await self.units.run(_attempted, msgid, note)

    async def _claim(self, msgid: str) -> bool:
        return await self.units.run(_claim, msgid)

    async def _resolve(self, f: Forward) -> str:
        env = replace(self.envelope_of(f.request, f.infno), digest=f.body_sha256)
        if f.correction:  # decided before: send the same 2601 until its answer is recorded
            return await self._burn(f, env, f.correction)
        hub, insured = await self.follow(env)
        if hub.state == PENDING:
            # The hub is still forwarding it, or resolving it with the insured place: what the
            # insured place says now may change; ask again later.
            raise Unavailable("omsgid", f.msgid, "the hub is still resolving it")
        if insured.state == "done" and insured.setlinfo is not None:
            return await self.units.run(self._settled, f, env, insured.setlinfo)
        if insured.state in ("burned", "corrected"):
            return await self.units.run(self._closed, f, insured)
        # The insured place never committed it: presumed abort. The 2601 burns it there (or
        # reverses it, should it commit meanwhile) and closes it on the hub and here. The
        # decision is written first: every later attempt sends the same 2601.
        cmsgid = self.new_msgid(env.fixmedins_code)
        await self.units.run(_correcting, f.msgid, cmsgid)
        return await self._burn(f, env, cmsgid)

    async def _burn(self, f: Forward, env: Envelope, cmsgid: str) -> str:
        cenv = replace(
            env,
            infno="2601",
            msgid=cmsgid,
            inf_time=clock.format_time(clock.now()),
            # What the journal tells a retry of this 2601 from a reused msgid by.
            digest=hashlib.sha256(f"2601|{f.psn_no}|{f.msgid}|{f.infno}".encode()).hexdigest(),
        )
        cmd = CorrectCommand(env=cenv, psn_no=f.psn_no, omsgid=f.msgid, oinfno=f.infno)
        try:
            await self.correction.correct(cmd, lambda out: self.encode_correction(cmd, out))
        except Exception as exc:
            if reused(exc):  # the msgid was taken: the 2601 took effect nowhere; a new one next
                await self.units.run(_correcting, f.msgid, self.new_msgid(env.fixmedins_code))
            raise
        return f"corrected by {cmsgid}"

    def _settled(self, uow: UnitOfWork, f: Forward, env: Envelope, s: Settlement) -> str:
        """The insured place committed it: record it as the answer would have been."""
        uow.visits.lock(s.mdtrt_id)
        state, _, _ = uow.journal.state(f.msgid)
        if state == "unknown":
            if not uow.visits.has_settlement(s.setl_id):
                self.role.record_settlement(uow, s, f.msgid)
            uow.visits.set_status(s.mdtrt_id, "settled")
            uow.journal.record(env, self.encode_answer(f.msgid, s))
        uow.in_doubt.finish(f.msgid, DONE, f"resolved: settled as {s.setl_id} at the insured place")
        return DONE

    def _closed(self, uow: UnitOfWork, f: Forward, st: Status) -> str:
        """A correction closed it at the insured place: record what it left, close it here."""
        took = st.state == "corrected"
        by = st.reversal.medins_setl_id if st.reversal is not None else "at the insured place"
        visits: set[str] = set()
        for s, msgid in ((st.setlinfo, f.msgid), (st.reversal, by)):
            if s is None:
                continue
            uow.visits.lock(s.mdtrt_id)
            visits.add(s.mdtrt_id)
            if not uow.visits.has_settlement(s.setl_id):
                self.role.record_settlement(uow, s, msgid)
        for mdtrt_id in visits:
            self.role.refresh_status(uow, mdtrt_id)
        uow.journal.close(f.msgid, f.infno, by, took_effect=took)
        state = CORRECTED if took else BURNED
        uow.in_doubt.finish(f.msgid, state, f"resolved: {st.state} at the insured place")
        return state
