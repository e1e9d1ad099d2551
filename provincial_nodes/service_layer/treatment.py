"""The treatment role's handlers: 1101, 2201, 2204, 2206, 2207, 2208 and the 5203 query (2202,
2203, 2205 and 5204, which change or show a visit before settlement, are in
``service_layer/visit_changes.py``).

Database steps run as one unit of work each; calls to the hub happen between them, never inside
a transaction. A settlement is recorded here only after the insured place committed it.

A 2207 is forwarded as the hub forwards it on (``docs/exactly-once.md``): the unit that checks
the journal also writes the msgid to the in-doubt table; the forward and the recording of its
answer run as one task that the hospital going away does not stop (``services/rpc/inflight.py``);
and a forward that ends without an answer is resolved by this node
(``service_layer/in_doubt.py``), at once, at the next start, or by the periodic resolver. A
hospital's retry of a msgid still in doubt resolves it first and is answered with what it became
— never forwarded twice.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from provincial_nodes.adapters.hub_client import HubClient, Prepared
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
from provincial_nodes.domain.visit import (
    CANCELLED,
    SETTLED,
    LineOrigin,
    Visit,
    check_not_cancelled,
)
from provincial_nodes.service_layer import ledger
from provincial_nodes.service_layer.filing_cache import FilingCache
from provincial_nodes.service_layer.insured import PersonLookup, RevokeCommand, SettleCommand
from services.reconcile.records import Record
from services.rpc.envelope import Envelope, node_msgid
from services.rpc.inflight import ELSEWHERE, InFlight, wait_elsewhere
from services.rpc.status import uncertain
from services.values import clock
from services.values.errors import FailedPrecondition, InvalidField, NotFound, Unavailable
from services.values.forward import DONE, PENDING, Forward
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
    ipt_otp_no: str = ""


@dataclass(frozen=True)
class UploadCommand:
    env: Envelope
    mdtrt_id: str
    psn_no: str
    lines: list[FeeLine]
    origins: list[LineOrigin]
    chrg_bchno: str = ""


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
        inflight: InFlight | None = None,
    ) -> None:
        self.inflight = inflight or InFlight()
        """The forwards running now, shielded from their callers' cancellation."""
        self.resolve_now: Callable[[str], Awaitable[object]] = _nothing
        """Resolve one msgid in doubt now (``service_layer/in_doubt.py`` sets it)."""
        self.resolve_soon: Callable[[str], None] = lambda msgid: None
        """Resolve one msgid in doubt in the background, with a short backoff."""
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
            view.person.psn_no,
            view.person.insuplc_admdvs,
            view.filings,
            view.chronic,
            view.person.insutype,
        )
        return view

    # ---- 2201 --------------------------------------------------------------------------
    async def admit(self, cmd: RegisterCommand) -> None:
        """Before 2201 opens a visit: the institution is ours, and the insured place knows the
        person, insured in ``insuplc_admdvs`` under ``insutype``.

        What a 1101 through this node learnt in the last ``FilingCache.ttl_s`` answers at no
        cost (a hospital reads the card, 1101, then registers, 2201); otherwise this node asks
        the insured place one 1101 through the hub, with a msgid of its own, and remembers the
        answer. An unknown person is the insured place's NOT_FOUND, passed on."""
        env = cmd.env
        self.institution(env)
        known = self.filings.person(cmd.psn_no)
        if known is None:
            asked = replace(
                env,
                infno="1101",
                msgid=node_msgid(env.fixmedins_code),
                inf_time=clock.format_time(clock.now()),
                digest="",
            )
            view = await self.query_person(PersonLookup(asked, "", cmd.psn_no, ""))
            known = (view.person.insuplc_admdvs, view.person.insutype)
        insuplc, insutype = known
        if insuplc != env.insuplc_admdvs:
            raise NotFound(
                "psn_no",
                cmd.psn_no,
                f"no insured person with this psn_no in {env.insuplc_admdvs}",
            )
        if insutype and insutype != cmd.insutype:
            raise InvalidField(
                "insutype", cmd.insutype, f"the person is insured under insutype {insutype}"
            )

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
                ipt_otp_no=cmd.ipt_otp_no,
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
        visit = self.own_visit(uow, env, cmd.mdtrt_id, cmd.psn_no)
        check_not_cancelled(visit)
        if visit.status != "open":
            raise FailedPrecondition(
                "mdtrt_id",
                cmd.mdtrt_id,
                "visit is settled; revoke the settlement before adding fees",
                reason=Reason.VISIT_SETTLED,
            )
        known, counts = uow.visits.line_numbers_and_counts(cmd.mdtrt_id)
        for i, line in enumerate(cmd.lines):
            if line.feedetl_sn in known:
                raise FailedPrecondition(
                    f"feedetail[{i}].feedetl_sn",
                    line.feedetl_sn,
                    "line already uploaded for this visit",
                    reason=Reason.LINE_ALREADY_UPLOADED,
                )
        classified = self.classify(cmd.lines, visit.medins_lv, visit.diag_codes, counts)
        uow.visits.add_lines(cmd.mdtrt_id, env.msgid, cmd.chrg_bchno, cmd.origins, classified)
        payload = encode(classified)
        uow.journal.record(env, payload)
        return payload

    def classify(
        self,
        lines: list[FeeLine],
        medins_lv: str,
        diag_codes: tuple[str, ...],
        counts: dict[str, Decimal],
    ) -> list[LineClassification]:
        """Classify ``lines`` in order under this node's catalogue, for a visit that already
        holds ``counts`` of each catalogue code (quantity restrictions count them)."""
        ctx_counts = dict(counts)
        classified = []
        for line in lines:
            ctx = VisitContext(medins_lv=medins_lv, diag_codes=diag_codes, cnt_already=ctx_counts)
            entry = self.catalogue.entry_on(line.med_list_codg, line.fee_ocur_date)
            result = classify_line(
                entry, line, ctx, code_known=self.catalogue.knows(line.med_list_codg)
            )
            classified.append(result)
            ctx_counts = {
                **ctx_counts,
                line.med_list_codg: ctx_counts.get(line.med_list_codg, Decimal(0)) + line.cnt,
            }
        return classified

    # ---- 2206 / 2207 -------------------------------------------------------------------
    def claim(self, uow: UnitOfWork, cmd: SettleVisit) -> SettleCommand:
        """The insured-place claim for a visit, checked against what the hospital declares."""
        visit = self.own_visit(uow, cmd.env, cmd.mdtrt_id, cmd.psn_no)
        check_not_cancelled(visit)
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
        """2207: forward, then record, in a task the caller going away does not stop."""
        return await self.inflight.run(cmd.env.msgid, lambda: self._settle(cmd, encode))

    async def _settle(self, cmd: SettleVisit, encode: Callable[[Settlement], bytes]) -> bytes:
        env = cmd.env
        first: bytes | Prepared | str | None = None
        since, resolved = time.monotonic(), 0
        while True:
            first = await self.units.run(self._unless_done, self._claim_forward, cmd)
            if isinstance(first, bytes):
                return first
            if isinstance(first, Prepared):
                break
            if first == ELSEWHERE and await wait_elsewhere(since):
                continue  # another process of this node forwards it: wait for its outcome
            if resolved == 2:
                break
            # Forwarded before and still in doubt: resolve it now, then answer what it became.
            resolved += 1
            await self.resolve_now(env.msgid)
        if not isinstance(first, Prepared):
            raise Unavailable(
                "header.msgid",
                env.msgid,
                "this 2207 was forwarded before and its outcome is still being resolved "
                "(the hub or the insured place does not answer); retry later or ask its "
                "status (5203)",
            )
        assert isinstance(first, Prepared)
        sent = first
        try:
            settlement = await self.hub.send_settle(sent)
        except Exception as exc:
            await self.forward_ended(env.msgid, exc)
            raise
        return await self.units.run(self._record, env, settlement, encode, "settled")

    def _claim_forward(self, uow: UnitOfWork, cmd: SettleVisit) -> Prepared | str | None:
        """The claim ready to forward, written to the in-doubt table in this unit; None when the
        msgid was forwarded before and its outcome is not known yet, ELSEWHERE when another
        process of this node is forwarding or resolving it now."""
        env = cmd.env
        known = uow.in_doubt.get(env.msgid)
        if known is not None and known.state == PENDING:
            return ELSEWHERE if uow.in_doubt.leased_elsewhere(known) else None
        claim = self.claim(uow, cmd)
        sent = self.hub.prepare_settle(claim)
        forward = Forward(
            msgid=env.msgid,
            infno=env.infno,
            downstream="hub",
            insuplc_admdvs=env.insuplc_admdvs,
            psn_no=cmd.psn_no,
            mdtrt_id=cmd.mdtrt_id,
            body_sha256=env.digest,
            request=sent.data,
        )
        uow.in_doubt.add(forward)
        return sent

    async def forward_ended(self, msgid: str, exc: BaseException) -> None:
        """A forward raised ``exc``: a refusal removes its row (it took effect nowhere); no
        answer leaves it pending and resolves it in the background."""
        if uncertain(exc):
            await self.units.run(_attempted, msgid, f"forward: {exc}")
            self.resolve_soon(msgid)
        else:
            await self.units.run(_refused, msgid)

    # ---- 2208 --------------------------------------------------------------------------
    async def revoke(self, cmd: RevokeCommand, encode: Callable[[Settlement], bytes]) -> bytes:
        """2208: forward, then record, in a task the caller going away does not stop (a lost
        2208 is safe to retry with its msgid)."""
        return await self.inflight.run(cmd.env.msgid, lambda: self._revoke(cmd, encode))

    async def _revoke(self, cmd: RevokeCommand, encode: Callable[[Settlement], bytes]) -> bytes:
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
        self.own_visit(uow, cmd.env, cmd.mdtrt_id, cmd.psn_no)
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
        uow.in_doubt.finish(env.msgid, DONE, f"answered: {s.setl_id}")
        prior = uow.journal.replay(env)
        if prior is not None:  # a concurrent duplicate recorded it first
            return prior
        payload = encode(s)
        self.record_settlement(uow, s, env.msgid)
        uow.visits.set_status(s.mdtrt_id, status)
        uow.journal.record(env, payload)
        return payload

    @staticmethod
    def standing_settlement(uow: UnitOfWork, mdtrt_id: str) -> str:
        """The setl_id of the visit's settlement that stands (not revoked), or ""."""
        rows = uow.visits.settlements(mdtrt_id)
        undone = {r[2] for r in rows if r[2]}
        live = [r[0] for r in rows if r[1] == "0" and r[0] not in undone]
        return live[-1] if live else ""

    @classmethod
    def refresh_status(cls, uow: UnitOfWork, mdtrt_id: str) -> None:
        """The visit is settled while one of its settlements stands, else open again (a visit
        its 2202 cancelled stays cancelled: it had none standing and none in doubt)."""
        visit = uow.visits.get(mdtrt_id)
        if visit is not None and visit.status == CANCELLED:
            return
        standing = cls.standing_settlement(uow, mdtrt_id)
        uow.visits.set_status(mdtrt_id, SETTLED if standing else "open")

    def record_settlement(self, uow: UnitOfWork, s: Settlement, msgid: str) -> None:
        """Record a settlement (or revocation) the insured place committed, and post it."""
        uow.visits.record_settlement(s, msgid, self.encode_setl(s))
        ledger.post(uow, s, Place.TREATMENT)

    # ---- 5203 --------------------------------------------------------------------------
    def settlements(self, uow: UnitOfWork, env: Envelope, mdtrt_id: str) -> list[bytes]:
        self.own_visit(uow, env, mdtrt_id, None)
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

    def own_visit(self, uow: UnitOfWork, env: Envelope, mdtrt_id: str, psn_no: str | None) -> Visit:
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


async def _nothing(msgid: str) -> None:
    return None


def _attempted(uow: UnitOfWork, msgid: str, note: str) -> None:
    uow.in_doubt.attempted(msgid, note)


def _refused(uow: UnitOfWork, msgid: str) -> None:
    uow.in_doubt.drop(msgid)
