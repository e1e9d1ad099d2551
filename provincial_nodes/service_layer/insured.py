"""The insured role's handlers: person lookup, compute a split, commit it, revoke it.

Each runs as one unit of work (its repositories, one transaction). Commit and revoke write the
msgid journal in the same transaction as the change, so a retried msgid replays the first
answer and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from provincial_nodes.adapters.settlements import StoredSettlement
from provincial_nodes.adapters.unit_of_work import UnitOfWork
from provincial_nodes.domain.catalogue import ClaimTotals
from provincial_nodes.domain.chronic import require_qualified
from provincial_nodes.domain.filing import VisitKind, coverage
from provincial_nodes.domain.person import Person, PersonView, StateDelta
from provincial_nodes.domain.policy import PolicyBook, SchemeKey
from provincial_nodes.domain.postings import Place
from provincial_nodes.domain.settlement import Settlement
from provincial_nodes.domain.split import Claim, split
from provincial_nodes.service_layer import ledger
from services.rpc.envelope import Envelope
from services.values import clock
from services.values.errors import FailedPrecondition, InvalidField, NotFound
from services.values.reasons import Reason

Encode = Callable[[Settlement], bytes]


@dataclass(frozen=True)
class PersonLookup:
    env: Envelope
    certno: str
    psn_no: str
    psn_name: str


@dataclass(frozen=True)
class SettleCommand:
    env: Envelope
    psn_no: str
    insutype: str
    med_type: str
    mdtrt_id: str
    medins_lv: str
    setl_date: date
    acct_used: bool
    totals: ClaimTotals
    opsp_dise_code: str = ""
    kind: VisitKind = VisitKind.ORDINARY
    diag_codes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class RevokeCommand:
    env: Envelope
    setl_id: str
    mdtrt_id: str
    psn_no: str


class InsuredRole:
    """The insured place of one province node."""

    def __init__(self, policy: PolicyBook, regions: dict[str, str]) -> None:
        self.policy = policy
        self.regions = regions

    # ---- 1101 --------------------------------------------------------------------------
    def lookup(self, uow: UnitOfWork, q: PersonLookup) -> PersonView:
        self._check_region(q.env.insuplc_admdvs)
        person = uow.persons.by_psn_no(q.psn_no) if q.psn_no else uow.persons.by_certno(q.certno)
        if person is None or (q.certno and person.certno != q.certno.upper()):
            field, value = (
                ("psn_no", q.psn_no) if q.psn_no and not q.certno else ("certno", q.certno)
            )
            raise NotFound(
                field, value, f"no insured person with this {field} in {q.env.insuplc_admdvs}"
            )
        if person.insuplc_admdvs != q.env.insuplc_admdvs:
            raise NotFound(
                "header.insuplc_admdvs",
                q.env.insuplc_admdvs,
                f"the person is insured in {person.insuplc_admdvs}, not here",
            )
        if q.psn_name and q.psn_name != person.psn_name:
            raise InvalidField("psn_name", q.psn_name, "does not match the insured person")
        return PersonView(
            person,
            uow.persons.balance(person.psn_no),
            tuple(uow.filings.for_person(person.psn_no)),
            tuple(uow.filings.qualifications(person.psn_no)),
        )

    # ---- 2206 --------------------------------------------------------------------------
    def compute(self, uow: UnitOfWork, cmd: SettleCommand) -> Settlement:
        person = self._person_for(uow, cmd)
        return self._settle(uow, cmd, person, setl_id="")[0]

    # ---- 2207 --------------------------------------------------------------------------
    def commit(self, uow: UnitOfWork, cmd: SettleCommand, encode: Encode) -> bytes:
        env = cmd.env
        prior = uow.insured_journal.replay(env)
        if prior is not None:
            return prior
        person = self._person_for(uow, cmd)
        # Serialise their claims; the balances read under the lock are the split's.
        balances = uow.persons.lock(person.psn_no, person.mulaid_psn_no)
        # A duplicate of this msgid may have committed while this transaction waited for the
        # lock: look again now that it is held.
        prior = uow.insured_journal.replay(env)
        if prior is not None:
            return prior
        active = uow.settlements.active_for_visit(cmd.mdtrt_id)
        if active is not None:
            raise FailedPrecondition(
                "mdtrt_id",
                cmd.mdtrt_id,
                f"visit already settled as {active}; revoke it first",
                reason=Reason.VISIT_ALREADY_SETTLED,
            )
        setl_id = (
            f"{env.insuplc_admdvs}{cmd.setl_date:%Y%m%d}{uow.sequences.next_value('setl_id'):010d}"
        )
        settlement, key, delta = self._settle(uow, cmd, person, setl_id=setl_id, balances=balances)
        balc = uow.persons.apply(
            person.psn_no, person.mulaid_psn_no, key.bucket, cmd.setl_date, delta, setl_id
        )
        assert balc == settlement.balc
        payload = encode(settlement)
        self._record(
            uow,
            settlement,
            env.msgid,
            cmd.setl_date,
            key.bucket,
            delta,
            person.mulaid_psn_no,
            payload,
        )
        uow.insured_journal.record(env, payload)
        return payload

    # ---- 2208 --------------------------------------------------------------------------
    def revoke(
        self,
        uow: UnitOfWork,
        cmd: RevokeCommand,
        decode: Callable[[bytes], Settlement],
        encode: Encode,
    ) -> bytes:
        env = cmd.env
        prior = uow.insured_journal.replay(env)
        if prior is not None:
            return prior
        self._check_region(env.insuplc_admdvs)
        if uow.persons.by_psn_no(cmd.psn_no) is None:
            raise NotFound("psn_no", cmd.psn_no, "no insured person with this psn_no")
        # Serialise with the person's claims; the mutual-aid holder the settlement drew on is
        # locked too, in the same order a settlement takes them.
        row = uow.settlements.get(cmd.setl_id)
        holder = row.holder if row is not None else ""
        uow.persons.lock(cmd.psn_no, holder)
        prior = uow.insured_journal.replay(env)
        if prior is not None:
            return prior
        if row is None:  # a settlement row never changes once written: only absence is re-read
            row = uow.settlements.get(cmd.setl_id)
        if row is None or row.refd_setl_flag != "0":
            raise NotFound("setl_id", cmd.setl_id, "no such settlement at the insured place")
        if row.mdtrt_id != cmd.mdtrt_id:
            raise InvalidField(
                "mdtrt_id",
                cmd.mdtrt_id,
                f"settlement {cmd.setl_id} belongs to visit {row.mdtrt_id}",
            )
        if row.psn_no != cmd.psn_no:
            raise InvalidField(
                "psn_no", cmd.psn_no, f"settlement {cmd.setl_id} belongs to another person"
            )
        already = uow.settlements.revoked_by(cmd.setl_id)
        if already is not None:
            raise FailedPrecondition(
                "setl_id",
                cmd.setl_id,
                f"already revoked by {already}",
                reason=Reason.ALREADY_REVOKED,
            )
        payload = self.reverse(uow, row, env.msgid, decode, encode)
        uow.insured_journal.record(env, payload)
        return payload

    def reverse(
        self,
        uow: UnitOfWork,
        row: StoredSettlement,
        msgid: str,
        decode: Callable[[bytes], Settlement],
        encode: Encode,
    ) -> bytes:
        """Reverse settlement ``row`` exactly (accumulators, accounts, record, ledger) as a new
        revocation record made by ``msgid`` (a 2208 or a 2601); the person is locked."""
        original = decode(row.setlinfo)
        neg = row.delta.negated()
        rev_id = (
            f"{row.insuplc_admdvs}{clock.now():%Y%m%d}{uow.sequences.next_value('setl_id'):010d}"
        )
        balc = uow.persons.apply(row.psn_no, row.holder, row.bucket, row.setl_date, neg, rev_id)
        reversal = original.reversal(rev_id, msgid, clock.format_time(clock.now()), balc)
        payload = encode(reversal)
        self._record(uow, reversal, msgid, row.setl_date, row.bucket, neg, row.holder, payload)
        return payload

    # ---- helpers -----------------------------------------------------------------------
    def _check_region(self, admdvs: str) -> None:
        if admdvs not in self.regions:
            raise NotFound(
                "header.insuplc_admdvs",
                admdvs,
                f"this node insures {', '.join(sorted(self.regions))}",
            )

    def _person_for(self, uow: UnitOfWork, cmd: SettleCommand) -> Person:
        self._check_region(cmd.env.insuplc_admdvs)
        person = uow.persons.by_psn_no(cmd.psn_no)
        if person is None or person.insuplc_admdvs != cmd.env.insuplc_admdvs:
            raise NotFound(
                "psn_no",
                cmd.psn_no,
                f"no insured person with this psn_no in {cmd.env.insuplc_admdvs}",
            )
        if person.insutype != cmd.insutype:
            raise FailedPrecondition(
                "insutype",
                cmd.insutype,
                f"the person is insured under {person.insutype}",
                reason=Reason.INSUTYPE_MISMATCH,
            )
        if person.psn_insu_stas != "1":
            raise FailedPrecondition(
                "psn_no", cmd.psn_no, "insurance is suspended", reason=Reason.INSURANCE_SUSPENDED
            )
        return person

    def _settle(
        self,
        uow: UnitOfWork,
        cmd: SettleCommand,
        person: Person,
        *,
        setl_id: str,
        balances: Mapping[str, int] | None = None,
    ) -> tuple[Settlement, SchemeKey, StateDelta]:
        """The split of ``cmd`` for ``person``; ``balances``: accounts already read under
        :meth:`PersonRepository.lock` in this unit."""
        region = cmd.env.insuplc_admdvs
        key = self.policy.key_for(region, cmd.insutype, cmd.med_type, cmd.opsp_dise_code)
        params = self.policy.params(key, cmd.setl_date)
        if cmd.med_type == "14":
            require_qualified(
                uow.filings.qualifications(person.psn_no),
                person.psn_no,
                cmd.opsp_dise_code,
                cmd.setl_date,
            )
        cov = coverage(
            uow.filings.for_person(person.psn_no),
            region,
            cmd.env.mdtrtarea_admvs,
            cmd.setl_date,
            cmd.kind,
        )
        state = uow.persons.state(person, key.bucket, cmd.setl_date, balances)
        result = split(
            params,
            person,
            state,
            Claim(
                totals=cmd.totals,
                medins_lv=cmd.medins_lv,
                acct_used=cmd.acct_used,
                setl_date=cmd.setl_date,
                coverage=cov,
                mdtrtarea_admvs=cmd.env.mdtrtarea_admvs,
            ),
        )
        settlement = Settlement(
            setl_id=setl_id,
            mdtrt_id=cmd.mdtrt_id,
            psn_no=person.psn_no,
            psn_name=person.psn_name,
            certno=person.certno,
            insutype=person.insutype,
            psn_type=person.psn_type,
            cvlserv_flag=person.cvlserv_flag,
            setl_time=clock.format_time(clock.now()),
            med_type=cmd.med_type,
            totals=cmd.totals,
            act_pay_dedc=result.act_pay_dedc,
            hifp_pay=result.hifp_pay,
            ratio_bp=result.ratio_bp,
            fund_pay_sumamt=result.fund_pay_sumamt,
            psn_part_amt=result.psn_part_amt,
            acct_pay=result.acct_pay,
            psn_cash_pay=result.psn_cash_pay,
            balc=result.balc,
            crt_payb_lmt_amt=result.crt_payb_lmt_amt,
            medins_setl_id=cmd.env.msgid,
            insuplc_admdvs=region,
            mdtrtarea_admvs=cmd.env.mdtrtarea_admvs,
            fixmedins_code=cmd.env.fixmedins_code,
            funds=result.funds,
            steps=result.steps,
            cvlserv_pay=result.cvlserv_pay,
            maf_pay=result.maf_pay,
            acct_mulaid_pay=result.acct_mulaid_pay,
            opsp_dise_code=key.opsp_dise_code,
            filing_category=cov.category,
            filing_id=cov.filing.filing_id if cov.filing is not None else "",
            ratio_reduction_bp=result.ratio_reduction_bp,
        )
        problems = settlement.identity_errors()
        if problems:  # a bug, never an input problem: refuse rather than commit bad money
            raise AssertionError(f"split identities fail: {problems}")
        return settlement, key, result.delta

    @staticmethod
    def _record(
        uow: UnitOfWork,
        s: Settlement,
        msgid: str,
        setl_date: date,
        bucket: str,
        delta: StateDelta,
        mulaid_psn_no: str,
        payload: bytes,
    ) -> None:
        uow.settlements.add(s, msgid, setl_date, bucket, delta, mulaid_psn_no, payload)
        ledger.post(uow, s, Place.INSURED)
