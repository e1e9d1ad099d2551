"""2601 correction (冲正) and the 5203-style message status, for both roles of a province node.

The insured place decides, in one transaction with the person locked: if the original 2207
(``omsgid``) took effect it is reversed exactly as a 2208 would (a new revocation record made by
the correction's msgid), else the omsgid is burned; either way the omsgid is closed in its
journal, so a late or duplicated arrival is refused. The place of treatment forwards the
correction through the hub and then, in one transaction, records whatever of the original and
its reversal it lacked, reopens the visit when nothing of it stays settled, and closes the
omsgid in its own journal. Every step is idempotent by the correction's own msgid.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from provincial_nodes.adapters.unit_of_work import Journal, UnitOfWork
from provincial_nodes.domain.correction import Outcome, Status
from provincial_nodes.domain.settlement import Settlement
from provincial_nodes.service_layer.insured import InsuredRole
from provincial_nodes.service_layer.treatment import TreatmentRole
from services.rpc.envelope import Envelope
from services.values.errors import FailedPrecondition, InvalidField, NotFound
from services.values.forward import BURNED, CORRECTED
from services.values.reasons import Reason

CORRECTABLE = {"2207"}
"""Transactions a 2601 may name. A lost 2208 needs no correction: retrying its msgid is safe."""


@dataclass(frozen=True)
class CorrectCommand:
    env: Envelope
    psn_no: str
    omsgid: str
    oinfno: str


Decode = Callable[[bytes], Settlement]
Encode = Callable[[Settlement], bytes]


def _status(
    journal: Journal, made: tuple[bytes, bytes | None] | None, omsgid: str, decode: Decode
) -> Status:
    """What one role knows of ``omsgid``: its journal's state, the settlement the msgid made
    and the record that reverses it (``made``)."""
    state, infno, _ = journal.state(omsgid)
    if made is None:
        return Status(state, infno)
    original, undone = made
    return Status(state, infno, decode(original), decode(undone) if undone is not None else None)


def check_command(cmd: CorrectCommand) -> None:
    if cmd.oinfno not in CORRECTABLE:
        raise InvalidField(
            "oinfno",
            cmd.oinfno,
            f"a correction names a {' or '.join(sorted(CORRECTABLE))}; a lost "
            "2201, 2204 or 2208 is retried with its own msgid instead",
        )
    if len(cmd.omsgid) != 30 or not cmd.omsgid.isalnum():
        raise InvalidField(
            "omsgid", cmd.omsgid, "must be the 30-character msgid of the call to correct"
        )
    if cmd.omsgid == cmd.env.msgid:
        raise InvalidField("omsgid", cmd.omsgid, "a correction needs a msgid of its own")


class InsuredCorrection:
    """The insured place's side: reverse or burn."""

    def __init__(self, role: InsuredRole, decode: Decode, encode_setl: Encode) -> None:
        self.role = role
        self.decode = decode
        self.encode_setl = encode_setl

    def correct(
        self, uow: UnitOfWork, cmd: CorrectCommand, encode: Callable[[Outcome], bytes]
    ) -> bytes:
        env = cmd.env
        check_command(cmd)
        prior = uow.insured_journal.replay(env)
        if prior is not None:
            return prior
        self.role._check_region(env.insuplc_admdvs)
        if uow.persons.by_psn_no(cmd.psn_no) is None:
            raise NotFound("psn_no", cmd.psn_no, "no insured person with this psn_no")
        row = uow.settlements.by_msgid(cmd.omsgid)
        holder = row.holder if row is not None else ""
        # The same locks, in the same order, as the 2207 being corrected takes: a settlement
        # of the omsgid running now either committed already or will find it closed.
        uow.persons.lock(cmd.psn_no, holder)
        prior = uow.insured_journal.replay(env)
        if prior is not None:
            return prior
        state, infno, _ = uow.insured_journal.state(cmd.omsgid)
        if state in ("done", "corrected") and infno != cmd.oinfno:
            raise InvalidField("oinfno", cmd.oinfno, f"msgid {cmd.omsgid} carried a {infno}")
        row = uow.settlements.by_msgid(cmd.omsgid)
        if row is not None and row.psn_no != cmd.psn_no:
            raise InvalidField(
                "psn_no", cmd.psn_no, f"msgid {cmd.omsgid} settled for another person"
            )
        if state in ("unknown", "burned"):
            out = Outcome("burned")
        else:
            if row is None:
                raise FailedPrecondition(
                    "omsgid",
                    cmd.omsgid,
                    "took effect but its settlement is not here",
                    reason=Reason.NOT_A_SETTLEMENT,
                )
            original = self.decode(row.setlinfo)
            undone = uow.settlements.reversal(row.setl_id)
            if undone is not None:
                out = Outcome("already_reversed", original, self.decode(undone))
            else:
                payload = self.role.reverse(uow, row, env.msgid, self.decode, self.encode_setl)
                out = Outcome("reversed", original, self.decode(payload))
        uow.insured_journal.close(cmd.omsgid, cmd.oinfno, env.msgid, took_effect=out.took_effect)
        payload = encode(out)
        uow.insured_journal.record(env, payload)
        return payload

    def status(self, uow: UnitOfWork, omsgid: str) -> Status:
        return _status(uow.insured_journal, uow.settlements.made_by(omsgid), omsgid, self.decode)


class TreatmentCorrection:
    """The place of treatment's side: forward through the hub, then record what it lacked."""

    def __init__(
        self,
        role: TreatmentRole,
        hub_correct: Callable[[CorrectCommand], Awaitable[Outcome]],
        decode: Decode,
    ) -> None:
        self.role = role
        self.hub_correct = hub_correct
        """The hub's (and so the insured place's) answer to a correction."""
        self.decode = decode

    async def correct(self, cmd: CorrectCommand, encode: Callable[[Outcome], bytes]) -> bytes:
        """Forward the correction and record what it did, in a task the caller going away does
        not stop."""
        check_command(cmd)
        return await self.role.inflight.run(cmd.env.msgid, lambda: self._correct(cmd, encode))

    async def _correct(self, cmd: CorrectCommand, encode: Callable[[Outcome], bytes]) -> bytes:
        env = cmd.env
        units = self.role.units
        prior = await units.run(_replay, env)
        if prior is not None:
            return prior
        self.role.institution(env)
        if cmd.omsgid[:12] != env.fixmedins_code:
            raise InvalidField(
                "omsgid", cmd.omsgid, f"not a msgid of institution {env.fixmedins_code}"
            )
        out = await self.hub_correct(cmd)
        return await units.run(self._record, cmd, out, encode)

    def _record(
        self,
        uow: UnitOfWork,
        cmd: CorrectCommand,
        out: Outcome,
        encode: Callable[[Outcome], bytes],
    ) -> bytes:
        env = cmd.env
        for s in (out.original, out.reversal):
            if s is not None:  # after any late arrival of the original that is recording
                uow.visits.lock(s.mdtrt_id)
        prior = uow.journal.replay(env)
        if prior is not None:  # a concurrent duplicate recorded it first
            return prior
        visits = set()
        for s, msgid in ((out.original, cmd.omsgid), (out.reversal, env.msgid)):
            if s is None:
                continue
            visits.add(s.mdtrt_id)
            if not uow.visits.has_settlement(s.setl_id):
                self.role.record_settlement(uow, s, msgid)
        for mdtrt_id in visits:
            self.role.refresh_status(uow, mdtrt_id)
        uow.journal.close(cmd.omsgid, cmd.oinfno, env.msgid, took_effect=out.took_effect)
        uow.in_doubt.finish(
            cmd.omsgid,
            CORRECTED if out.took_effect else BURNED,
            f"2601 {env.msgid}: {out.outcome}",
        )
        payload = encode(out)
        uow.journal.record(env, payload)
        return payload

    def status(self, uow: UnitOfWork, omsgid: str) -> Status:
        return _status(uow.journal, uow.visits.made_by(omsgid), omsgid, self.decode)


def _replay(uow: UnitOfWork, env: Envelope) -> bytes | None:
    return uow.journal.replay(env)
