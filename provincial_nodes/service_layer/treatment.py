"""The treatment role's handlers: 1101, 2201, 2204, 2206, 2207, 2208 and the 5203 query.

Database steps run as one unit of work each; calls to the hub happen between them, never inside
a transaction. A settlement is recorded here only after the insured place committed it; if this
node fails in between, the hospital's retry with the same msgid is answered by the insured
node's journal with the same settlement, and recorded then — never twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from provincial_nodes.adapters.hub_client import HubClient
from provincial_nodes.adapters.unit_of_work import UnitOfWork, Units
from provincial_nodes.domain.catalogue import (
    Catalogue,
    ClaimTotals,
    FeeLine,
    LineClassification,
    VisitContext,
    classify_line,
)
from provincial_nodes.domain.filing import VisitKind
from provincial_nodes.domain.institution import Institution
from provincial_nodes.domain.person import PersonView
from provincial_nodes.domain.postings import Place
from provincial_nodes.domain.settlement import Settlement
from provincial_nodes.domain.visit import Visit
from provincial_nodes.service_layer import ledger
from provincial_nodes.service_layer.filing_cache import FilingCache
from provincial_nodes.service_layer.insured import PersonLookup, RevokeCommand, SettleCommand
from services.reconcile.records import Record
from services.rpc.envelope import Envelope
from services.values import clock
from services.values.errors import FailedPrecondition, InvalidField, NotFound
from services.values.reasons import Reason

T = TypeVar("T")


@dataclass(frozen=True)
class RegisterCommand:
    env: Envelope
    psn_no: str
    insutype: str
    med_type: str
    begntime: str
    diag_codes: tuple[str, ...]
    opsp_dise_code: str = ""
    refl_flag: str = "0"


@dataclass(frozen=True)
class UploadCommand:
    env: Envelope
    mdtrt_id: str
    psn_no: str
    lines: list[FeeLine]
    fee_times: list[str]


@dataclass(frozen=True)
class SettleVisit:
    env: Envelope
    mdtrt_id: str
    psn_no: str
    med_type: str
    insutype: str
    medfee_sumamt: int
    acct_used: bool
    declared: ClaimTotals | None
    """2207's optional four totals from 2204; when given they must match this node's."""


class TreatmentRole:
    """The place of treatment of one province node."""

    def __init__(
        self,
        units: Units,
        catalogue: Catalogue,
        institutions: dict[str, Institution],
        hub: HubClient,
        encode_setl: Callable[[Settlement], bytes],
    ) -> None:
        self.encode_setl = encode_setl
        """How a settlement is stored (for 5203 queries and reconciliation)."""
        self.units = units
        self.catalogue = catalogue
        self.institutions = institutions
        self.hub = hub
        self.filings = FilingCache()
        """Filings learnt from 1101 answers; the hub's FilingChanged drops an entry."""

    def institution(self, env: Envelope) -> Institution:
        """The calling institution, checked: ours, open for cross-province, in its area."""
        inst = self.institutions.get(env.fixmedins_code)
        if inst is None:
            raise NotFound(
                "header.fixmedins_code",
                env.fixmedins_code,
                "not a designated institution of this treatment node",
            )
        if env.mdtrtarea_admvs != inst.admdvs:
            raise InvalidField(
                "header.mdtrtarea_admvs",
                env.mdtrtarea_admvs,
                f"institution {inst.fixmedins_code} is in {inst.admdvs}",
            )
        if not inst.cross_province:
            raise FailedPrecondition(
                "header.fixmedins_code",
                env.fixmedins_code,
                "institution is not open for cross-province direct settlement",
                reason=Reason.NOT_CROSS_PROVINCE_DESIGNATED,
            )
        return inst

    # ---- 1101 --------------------------------------------------------------------------
    async def query_person(self, q: PersonLookup) -> PersonView:
        self.institution(q.env)
        view = await self.hub.query_person(q)
        self.filings.learn(
            view.person.psn_no, view.person.insuplc_admdvs, view.filings, view.chronic
        )
        return view

    # ---- 2201 --------------------------------------------------------------------------
    def register(
        self, uow: UnitOfWork, cmd: RegisterCommand, encode: Callable[[str, str, str], bytes]
    ) -> bytes:
        """Open a visit; ``encode(mdtrt_id, filing_id, filing_status)`` makes the answer."""
        env = cmd.env
        prior = uow.journal.replay(env)
        if prior is not None:
            return prior
        inst = self.institution(env)
        begn = clock.parse_time(cmd.begntime)
        seq = uow.sequences.next_value("mdtrt_id")
        mdtrt_id = f"{env.mdtrtarea_admvs}{begn:%Y%m%d}{seq:010d}"
        kind = (
            VisitKind.EMERGENCY
            if cmd.med_type == "13"
            else VisitKind.REFERRAL
            if cmd.refl_flag == "1"
            else VisitKind.ORDINARY
        )
        filing_id, filing_status = self.filings.status(
            cmd.psn_no, env.mdtrtarea_admvs, begn.date(), kind
        )
        uow.visits.add(
            Visit(
                mdtrt_id=mdtrt_id,
                psn_no=cmd.psn_no,
                insuplc_admdvs=env.insuplc_admdvs,
                mdtrtarea_admvs=env.mdtrtarea_admvs,
                fixmedins_code=inst.fixmedins_code,
                medins_lv=inst.medins_lv,
                insutype=cmd.insutype,
                med_type=cmd.med_type,
                begntime=cmd.begntime,
                diag_codes=cmd.diag_codes,
                status="open",
                opsp_dise_code=cmd.opsp_dise_code,
                refl_flag=cmd.refl_flag,
                filing_id=filing_id,
                filing_status=filing_status,
            ),
            env.msgid,
            clock.format_time(clock.now()),
        )
        payload = encode(mdtrt_id, filing_id, filing_status)
        uow.journal.record(env, payload)
        return payload

    # ---- 2204 --------------------------------------------------------------------------
    def upload(
        self,
        uow: UnitOfWork,
        cmd: UploadCommand,
        encode: Callable[[list[LineClassification]], bytes],
    ) -> bytes:
        env = cmd.env
        uow.visits.lock(cmd.mdtrt_id)  # a duplicate of this msgid waits, then replays
        prior = uow.journal.replay(env)
        if prior is not None:
            return prior
        visit = self._visit(uow, env, cmd.mdtrt_id, cmd.psn_no)
        if visit.status != "open":
            raise FailedPrecondition(
                "mdtrt_id",
                cmd.mdtrt_id,
                "visit is settled; revoke the settlement before adding fees",
                reason=Reason.VISIT_SETTLED,
            )
        known, counts = uow.visits.line_numbers_and_counts(cmd.mdtrt_id)
        ctx_counts = dict(counts)
        classified = []
        for i, line in enumerate(cmd.lines):
            if line.feedetl_sn in known:
                raise FailedPrecondition(
                    f"feedetail[{i}].feedetl_sn",
                    line.feedetl_sn,
                    "line already uploaded for this visit",
                    reason=Reason.LINE_ALREADY_UPLOADED,
                )
            ctx = VisitContext(
                medins_lv=visit.medins_lv, diag_codes=visit.diag_codes, cnt_already=ctx_counts
            )
            entry = self.catalogue.entry_on(line.med_list_codg, line.fee_ocur_date)
            result = classify_line(
                entry, line, ctx, code_known=self.catalogue.knows(line.med_list_codg)
            )
            classified.append(result)
            ctx_counts = {
                **ctx_counts,
                line.med_list_codg: ctx_counts.get(line.med_list_codg, 0) + line.cnt,
            }
        uow.visits.add_lines(cmd.mdtrt_id, env.msgid, cmd.fee_times, classified)
        payload = encode(classified)
        uow.journal.record(env, payload)
        return payload

    # ---- 2206 / 2207 -------------------------------------------------------------------
    def claim(self, uow: UnitOfWork, cmd: SettleVisit) -> SettleCommand:
        """The insured-place claim for a visit, checked against what the hospital declares."""
        visit = self._visit(uow, cmd.env, cmd.mdtrt_id, cmd.psn_no)
        if visit.status != "open":
            raise FailedPrecondition(
                "mdtrt_id",
                cmd.mdtrt_id,
                "visit is already settled",
                reason=Reason.VISIT_ALREADY_SETTLED,
            )
        if cmd.med_type != visit.med_type:
            raise InvalidField(
                "med_type", cmd.med_type, f"visit was registered with med_type {visit.med_type}"
            )
        if cmd.insutype != visit.insutype:
            raise InvalidField(
                "insutype", cmd.insutype, f"visit was registered with insutype {visit.insutype}"
            )
        lines = uow.visits.lines(cmd.mdtrt_id)
        if not lines:
            raise FailedPrecondition(
                "mdtrt_id", cmd.mdtrt_id, "no fee lines uploaded (2204)", reason=Reason.NO_FEE_LINES
            )
        totals = ClaimTotals.of(lines)
        if cmd.medfee_sumamt != totals.medfee_sumamt:
            raise InvalidField(
                "medfee_sumamt",
                cmd.medfee_sumamt,
                f"the visit's uploaded lines total {totals.medfee_sumamt} fen",
            )
        if cmd.declared is not None:
            for name in ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt"):
                if getattr(cmd.declared, name) != getattr(totals, name):
                    raise InvalidField(
                        name,
                        getattr(cmd.declared, name),
                        f"this node's 2204 classification gives {getattr(totals, name)} fen",
                    )
        return SettleCommand(
            env=cmd.env,
            psn_no=cmd.psn_no,
            insutype=visit.insutype,
            med_type=visit.med_type,
            mdtrt_id=visit.mdtrt_id,
            medins_lv=visit.medins_lv,
            setl_date=clock.parse_time(visit.begntime).date(),
            acct_used=cmd.acct_used,
            totals=totals,
            opsp_dise_code=visit.opsp_dise_code,
            kind=visit.kind,
            diag_codes=visit.diag_codes,
        )

    async def pre_settle(self, cmd: SettleVisit) -> Settlement:
        claim = await self.units.run(self.claim, cmd)
        return await self.hub.pre_settle(claim)

    async def settle(self, cmd: SettleVisit, encode: Callable[[Settlement], bytes]) -> bytes:
        env = cmd.env
        claim = await self.units.run(self._unless_done, self.claim, cmd)
        if isinstance(claim, bytes):
            return claim
        settlement = await self.hub.settle(claim)
        return await self.units.run(self._record, env, settlement, encode, "settled")

    # ---- 2208 --------------------------------------------------------------------------
    async def revoke(self, cmd: RevokeCommand, encode: Callable[[Settlement], bytes]) -> bytes:
        env = cmd.env
        prior = await self.units.run(self._unless_done, self._check_revocable, cmd)
        if isinstance(prior, bytes):
            return prior
        reversal = await self.hub.revoke(cmd)
        return await self.units.run(self._record, env, reversal, encode, "open")

    @staticmethod
    def _unless_done(uow: UnitOfWork, check: Callable[[UnitOfWork, Any], T], cmd: Any) -> bytes | T:
        """The first answer to the msgid if it was done, else ``check(cmd)`` — in one
        transaction, so a duplicate that finished a moment ago is replayed, never refused
        by the check (e.g. "visit already settled" by the duplicate itself)."""
        env = cmd.env
        uow.visits.lock(cmd.mdtrt_id)  # after a duplicate that is recording, not during
        prior = uow.journal.replay(env)
        return prior if prior is not None else check(uow, cmd)

    def _check_revocable(self, uow: UnitOfWork, cmd: RevokeCommand) -> None:
        self._visit(uow, cmd.env, cmd.mdtrt_id, cmd.psn_no)
        rows = uow.visits.settlements(cmd.mdtrt_id)
        if not any(r[0] == cmd.setl_id and r[1] == "0" for r in rows):
            raise NotFound("setl_id", cmd.setl_id, f"no settlement of visit {cmd.mdtrt_id}")
        by = next((r[0] for r in rows if r[2] == cmd.setl_id), None)
        if by is not None:
            raise FailedPrecondition(
                "setl_id", cmd.setl_id, f"already revoked by {by}", reason=Reason.ALREADY_REVOKED
            )

    def _record(
        self,
        uow: UnitOfWork,
        env: Envelope,
        s: Settlement,
        encode: Callable[[Settlement], bytes],
        status: str,
    ) -> bytes:
        uow.visits.lock(s.mdtrt_id)
        prior = uow.journal.replay(env)
        if prior is not None:  # a concurrent duplicate recorded it first
            return prior
        payload = encode(s)
        self.record_settlement(uow, s, env.msgid)
        uow.visits.set_status(s.mdtrt_id, status)
        uow.journal.record(env, payload)
        return payload

    def record_settlement(self, uow: UnitOfWork, s: Settlement, msgid: str) -> None:
        """Record a settlement (or revocation) the insured place committed, and post it."""
        uow.visits.record_settlement(s, msgid, self.encode_setl(s))
        ledger.post(uow, s, Place.TREATMENT)

    # ---- 5203 --------------------------------------------------------------------------
    def settlements(self, uow: UnitOfWork, env: Envelope, mdtrt_id: str) -> list[bytes]:
        self._visit(uow, env, mdtrt_id, None)
        return [r[3] for r in uow.visits.settlements(mdtrt_id)]

    # ---- 3201 / 3202 -------------------------------------------------------------------
    def hospital_records(
        self, uow: UnitOfWork, env: Envelope, begndate: str, enddate: str, insured: str
    ) -> list[Record]:
        """Reconciliation records of the calling institution's settlements in a period."""
        return [
            r
            for r in uow.visits.records(begndate, enddate, insured)
            if r.fixmedins_code == env.fixmedins_code
        ]

    def _visit(self, uow: UnitOfWork, env: Envelope, mdtrt_id: str, psn_no: str | None) -> Visit:
        self.institution(env)
        visit = uow.visits.get(mdtrt_id)
        if visit is None or visit.fixmedins_code != env.fixmedins_code:
            raise NotFound("mdtrt_id", mdtrt_id, "no such visit at this institution")
        if psn_no is not None and visit.psn_no != psn_no:
            raise InvalidField("psn_no", psn_no, f"visit {mdtrt_id} belongs to another person")
        if env.insuplc_admdvs != visit.insuplc_admdvs:
            raise InvalidField(
                "header.insuplc_admdvs",
                env.insuplc_admdvs,
                f"visit {mdtrt_id} was registered for {visit.insuplc_admdvs}",
            )
        return visit


def today() -> date:
    return clock.now().date()
