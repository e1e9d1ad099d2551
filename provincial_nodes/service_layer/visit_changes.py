"""What a hospital changes or reads of a visit before it is settled: 2202 cancels the
registration, 2203 records its medical type and diagnoses, 2205 takes fee lines back, 5204 lists
them.

Each change is one unit of work with the visit locked, idempotent by msgid through the place of
treatment's journal like 2201 and 2204, and refused unless nothing of the visit is settled: no
settlement standing and no 2207 in doubt (``domain/visit.py``). Fee lines are not history: a
line taken back (or cancelled with its visit) is deleted, so it can be uploaded again under the
same feedetl_sn; settlements and their revocations stay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from provincial_nodes.adapters.unit_of_work import UnitOfWork
from provincial_nodes.domain.catalogue import FeeLine
from provincial_nodes.domain.visit import (
    ALL_BATCHES,
    CANCELLED,
    UploadedLine,
    Visit,
    check_changeable,
    check_not_cancelled,
)
from provincial_nodes.service_layer.treatment import TreatmentRole
from services.rpc.envelope import Envelope
from services.values import clock
from services.values.errors import FailedPrecondition, InvalidField, NotFound


@dataclass(frozen=True)
class CancelVisit:
    """2202."""

    env: Envelope
    mdtrt_id: str
    psn_no: str
    ipt_otp_no: str


@dataclass(frozen=True)
class CancelLines:
    """2205: one charge batch, or every line with ``ALL_BATCHES``."""

    env: Envelope
    mdtrt_id: str
    psn_no: str
    chrg_bchno: str


@dataclass(frozen=True)
class VisitDiagnoses:
    """2203: what the visit is to hold from now on."""

    env: Envelope
    mdtrt_id: str
    psn_no: str
    med_type: str
    opsp_dise_code: str
    diag_codes: tuple[str, ...]


@dataclass(frozen=True)
class FeeDetails:
    """5204's answer: the visit, its settlement standing ("" if none), its lines."""

    visit: Visit
    setl_id: str
    lines: list[UploadedLine]


class VisitChanges:
    """2202, 2203, 2205 and 5204 of the place of treatment."""

    def __init__(self, role: TreatmentRole) -> None:
        self.role = role

    # ---- 2202 --------------------------------------------------------------------------
    def cancel_registration(
        self, uow: UnitOfWork, cmd: CancelVisit, encode: Callable[[int], bytes]
    ) -> bytes:
        """Cancel the visit; ``encode(lines removed)`` makes the answer."""
        env = cmd.env
        uow.visits.lock(cmd.mdtrt_id)  # a duplicate of this msgid waits, then replays
        prior = uow.journal.replay(env)
        if prior is not None:
            return prior
        visit = self.role.own_visit(uow, env, cmd.mdtrt_id, cmd.psn_no)
        check_changeable(visit, uow.in_doubt.pending_for_visit(cmd.mdtrt_id), "cancelling it")
        if visit.ipt_otp_no and cmd.ipt_otp_no != visit.ipt_otp_no:
            raise InvalidField(
                "ipt_otp_no",
                cmd.ipt_otp_no,
                f"visit {cmd.mdtrt_id} was registered with ipt_otp_no {visit.ipt_otp_no}",
            )
        removed = uow.visits.remove_lines(cmd.mdtrt_id, None)
        uow.visits.set_status(cmd.mdtrt_id, CANCELLED)
        payload = encode(len(removed))
        uow.journal.record(env, payload)
        return payload

    # ---- 2205 --------------------------------------------------------------------------
    def cancel_fee_details(
        self, uow: UnitOfWork, cmd: CancelLines, encode: Callable[[list[str]], bytes]
    ) -> bytes:
        """Take back one batch's lines (all with "0000"); ``encode(feedetl_sn removed)``."""
        env = cmd.env
        uow.visits.lock(cmd.mdtrt_id)
        prior = uow.journal.replay(env)
        if prior is not None:
            return prior
        visit = self.role.own_visit(uow, env, cmd.mdtrt_id, cmd.psn_no)
        check_changeable(
            visit, uow.in_doubt.pending_for_visit(cmd.mdtrt_id), "taking fee lines back"
        )
        batch = None if cmd.chrg_bchno == ALL_BATCHES else cmd.chrg_bchno
        removed = uow.visits.remove_lines(cmd.mdtrt_id, batch)
        if batch is not None and not removed:
            raise NotFound(
                "chrg_bchno",
                cmd.chrg_bchno,
                f"no fee lines of this charge batch on visit {cmd.mdtrt_id} "
                f'("{ALL_BATCHES}" takes back all)',
            )
        payload = encode(removed)
        uow.journal.record(env, payload)
        return payload

    # ---- 2203 --------------------------------------------------------------------------
    def upload_diagnoses(
        self, uow: UnitOfWork, cmd: VisitDiagnoses, encode: Callable[[], bytes]
    ) -> bytes:
        """Record the visit's medical type and diagnoses. Lines already uploaded were
        classified under the diagnoses of the time: new ones are taken only if no line's
        classification changes under them (else 2205 first, then upload the lines again)."""
        env = cmd.env
        uow.visits.lock(cmd.mdtrt_id)
        prior = uow.journal.replay(env)
        if prior is not None:
            return prior
        visit = self.role.own_visit(uow, env, cmd.mdtrt_id, cmd.psn_no)
        check_changeable(
            visit, uow.in_doubt.pending_for_visit(cmd.mdtrt_id), "changing its diagnoses"
        )
        if cmd.diag_codes != visit.diag_codes:
            self._check_lines_keep(uow, visit, cmd.diag_codes)
        uow.visits.set_diagnoses(cmd.mdtrt_id, cmd.med_type, cmd.opsp_dise_code, cmd.diag_codes)
        payload = encode()
        uow.journal.record(env, payload)
        return payload

    def _check_lines_keep(self, uow: UnitOfWork, visit: Visit, diag_codes: tuple[str, ...]) -> None:
        held = uow.visits.uploaded_lines(visit.mdtrt_id)
        if not held:
            return
        lines = [
            FeeLine(
                feedetl_sn=u.line.feedetl_sn,
                med_list_codg=u.line.med_list_codg,
                cnt=u.line.cnt,
                pric=u.line.pric,
                det_item_fee_sumamt=u.line.det_item_fee_sumamt,
                fee_ocur_date=clock.parse_time(u.origin.fee_ocur_time).date(),
            )
            for u in held
        ]
        before = self.role.classify(lines, visit.medins_lv, visit.diag_codes, {})
        after = self.role.classify(lines, visit.medins_lv, diag_codes, {})
        changed = [a.feedetl_sn for a, b in zip(after, before, strict=True) if a != b]
        if changed:
            raise FailedPrecondition(
                "diseinfo",
                ",".join(diag_codes),
                f"fee line {changed[0]} of visit {visit.mdtrt_id} was classified under the "
                "visit's diagnoses of its upload and would change; take the lines back (2205) "
                "and upload them again after this 2203",
            )

    # ---- 5204 --------------------------------------------------------------------------
    def fee_details(
        self, uow: UnitOfWork, env: Envelope, mdtrt_id: str, psn_no: str, setl_id: str
    ) -> FeeDetails:
        visit = self.role.own_visit(uow, env, mdtrt_id, psn_no)
        check_not_cancelled(visit)
        standing = self.role.standing_settlement(uow, mdtrt_id)
        if setl_id and setl_id != standing:
            raise NotFound(
                "setl_id",
                setl_id,
                f"not the settlement standing for visit {mdtrt_id} "
                + (f"(that is {standing})" if standing else "(none stands)"),
            )
        return FeeDetails(visit, standing, uow.visits.uploaded_lines(mdtrt_id))
