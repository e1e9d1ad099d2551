"""Domain values ↔ protobuf messages, for what the province node exchanges with the hub as a
client (claims out, settlements, filings, qualifications and identities back) and stores
(settlements as serialized ``SetlInfo``). The servicers' conversion module
(:mod:`provincial_nodes.entrypoints.convert`) re-exports these.

The claims are read structurally (:class:`ClaimOut`, :class:`RevocationOut`), so this adapter does
not import the service layer's commands.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from provincial_nodes.domain.catalogue import ClaimTotals
from provincial_nodes.domain.chronic import Qualification
from provincial_nodes.domain.correction import Outcome, Status
from provincial_nodes.domain.filing import CATEGORY_NAMES, Category, Filing, VisitKind
from provincial_nodes.domain.person import Identity
from provincial_nodes.domain.settlement import Settlement
from provincial_nodes.domain.split import FundPayment, Step
from services.pb.settlenet.v1 import common_pb2, correction_pb2, insured_pb2
from services.rpc.envelope import Envelope
from services.values.money import format_ratio, parse_ratio


class ClaimOut(Protocol):
    """What a 2206/2207 claim to the insured place carries (the service layer's
    ``SettleCommand``)."""

    @property
    def env(self) -> Envelope: ...
    @property
    def psn_no(self) -> str: ...
    @property
    def insutype(self) -> str: ...
    @property
    def med_type(self) -> str: ...
    @property
    def mdtrt_id(self) -> str: ...
    @property
    def medins_lv(self) -> str: ...
    @property
    def setl_date(self) -> date: ...
    @property
    def acct_used(self) -> bool: ...
    @property
    def totals(self) -> ClaimTotals: ...
    @property
    def opsp_dise_code(self) -> str: ...
    @property
    def kind(self) -> VisitKind: ...
    @property
    def diag_codes(self) -> tuple[str, ...]: ...


class RevocationOut(Protocol):
    """What a 2208 to the insured place carries (the service layer's ``RevokeCommand``)."""

    @property
    def env(self) -> Envelope: ...
    @property
    def setl_id(self) -> str: ...
    @property
    def mdtrt_id(self) -> str: ...
    @property
    def psn_no(self) -> str: ...


class CorrectionOut(Protocol):
    """What a 2601 forwarded to the hub carries (the service layer's ``CorrectCommand``)."""

    @property
    def env(self) -> Envelope: ...
    @property
    def psn_no(self) -> str: ...
    @property
    def omsgid(self) -> str: ...
    @property
    def oinfno(self) -> str: ...


class PersonQuestion(Protocol):
    """What a 1101 asks (the service layer's ``PersonLookup``)."""

    @property
    def env(self) -> Envelope: ...
    @property
    def certno(self) -> str: ...
    @property
    def psn_no(self) -> str: ...
    @property
    def psn_name(self) -> str: ...


def iso_or_empty(d: date | None) -> str:
    return d.isoformat() if d else ""


def filing_to_proto(f: Filing) -> common_pb2.FilingInfo:
    return common_pb2.FilingInfo(
        filing_id=f.filing_id,
        psn_no=f.psn_no,
        insuplc_admdvs=f.insuplc_admdvs,
        category=f.category.value,
        category_name=CATEGORY_NAMES[f.category],
        dest_admdvs=f.dest_admdvs,
        begndate=f.begndate.isoformat(),
        enddate=iso_or_empty(f.enddate),
        evidence=f.evidence,
        channel=f.channel,
        status=f.status,
        version=f.version,
        memo=f.memo,
    )


def filing_from_proto(m: common_pb2.FilingInfo) -> Filing:
    return Filing(
        filing_id=m.filing_id,
        psn_no=m.psn_no,
        insuplc_admdvs=m.insuplc_admdvs,
        category=Category(m.category),
        dest_admdvs=m.dest_admdvs,
        begndate=date.fromisoformat(m.begndate),
        enddate=date.fromisoformat(m.enddate) if m.enddate else None,
        evidence=m.evidence,
        channel=m.channel,
        status=m.status,
        version=m.version,
        memo=m.memo,
    )


def qualification_to_proto(q: Qualification) -> common_pb2.ChronicQualInfo:
    return common_pb2.ChronicQualInfo(
        qual_id=q.qual_id,
        psn_no=q.psn_no,
        opsp_dise_code=q.opsp_dise_code,
        opsp_dise_name=q.opsp_dise_name,
        begndate=q.begndate.isoformat(),
        enddate=iso_or_empty(q.enddate),
        status=q.status,
        hosp_name=q.hosp_name,
    )


def qualification_from_proto(m: common_pb2.ChronicQualInfo) -> Qualification:
    return Qualification(
        qual_id=m.qual_id,
        psn_no=m.psn_no,
        opsp_dise_code=m.opsp_dise_code,
        begndate=date.fromisoformat(m.begndate),
        enddate=date.fromisoformat(m.enddate) if m.enddate else None,
        status=m.status,
        hosp_name=m.hosp_name,
    )


def settle_claim(cmd: ClaimOut) -> insured_pb2.SettleClaim:
    t = cmd.totals
    return insured_pb2.SettleClaim(
        header=cmd.env.to_header(common_pb2.RequestHeader),
        psn_no=cmd.psn_no,
        insutype=cmd.insutype,
        med_type=cmd.med_type,
        mdtrt_id=cmd.mdtrt_id,
        medins_lv=cmd.medins_lv,
        setl_date=cmd.setl_date.isoformat(),
        acct_used_flag="1" if cmd.acct_used else "0",
        medfee_sumamt=t.medfee_sumamt,
        fulamt_ownpay_amt=t.fulamt_ownpay_amt,
        overlmt_selfpay=t.overlmt_selfpay,
        preselfpay_amt=t.preselfpay_amt,
        inscp_scp_amt=t.inscp_scp_amt,
        fixmedins_code=cmd.env.fixmedins_code,
        opsp_dise_code=cmd.opsp_dise_code,
        refl_flag="1" if cmd.kind is VisitKind.REFERRAL else "0",
        diseinfo=[common_pb2.Diagnosis(diag_code=c) for c in cmd.diag_codes],
    )


def revoke_claim(cmd: RevocationOut) -> insured_pb2.RevokeClaim:
    return insured_pb2.RevokeClaim(
        header=cmd.env.to_header(common_pb2.RequestHeader),
        setl_id=cmd.setl_id,
        mdtrt_id=cmd.mdtrt_id,
        psn_no=cmd.psn_no,
    )


# ---- settlement ---------------------------------------------------------------------------


def settlement_to_proto(s: Settlement) -> common_pb2.SetlInfo:
    t = s.totals
    return common_pb2.SetlInfo(
        mdtrt_id=s.mdtrt_id,
        setl_id=s.setl_id,
        psn_no=s.psn_no,
        psn_name=s.psn_name,
        psn_cert_type="01",
        certno=s.certno,
        insutype=s.insutype,
        psn_type=s.psn_type,
        cvlserv_flag=s.cvlserv_flag,
        setl_time=s.setl_time,
        med_type=s.med_type,
        medfee_sumamt=t.medfee_sumamt,
        fulamt_ownpay_amt=t.fulamt_ownpay_amt,
        overlmt_selfpay=t.overlmt_selfpay,
        preselfpay_amt=t.preselfpay_amt,
        inscp_scp_amt=t.inscp_scp_amt,
        act_pay_dedc=s.act_pay_dedc,
        hifp_pay=s.hifp_pay,
        pool_prop_selfpay=format_ratio(s.ratio_bp),
        cvlserv_pay=s.cvlserv_pay,
        hifes_pay=s.hifes_pay,
        hifmi_pay=s.hifmi_pay,
        hifob_pay=s.hifob_pay,
        maf_pay=s.maf_pay,
        oth_pay=s.oth_pay,
        fund_pay_sumamt=s.fund_pay_sumamt,
        psn_part_amt=s.psn_part_amt,
        acct_pay=s.acct_pay,
        psn_cash_pay=s.psn_cash_pay,
        hosp_part_amt=s.hosp_part_amt,
        balc=s.balc,
        acct_mulaid_pay=s.acct_mulaid_pay,
        medins_setl_id=s.medins_setl_id,
        clr_optins=s.clr_optins,
        clr_way=s.clr_way,
        clr_type=s.clr_type,
        insuplc_admdvs=s.insuplc_admdvs,
        mdtrtarea_admvs=s.mdtrtarea_admvs,
        fixmedins_code=s.fixmedins_code,
        init_setl_id=s.init_setl_id,
        refd_setl_flag=s.refd_setl_flag,
        crt_payb_lmt_amt=s.crt_payb_lmt_amt,
        setldetail=[
            common_pb2.SetlDetail(
                fund_pay_type=f.fund_pay_type,
                inscp_scp_amt=f.inscp_scp_amt,
                crt_payb_lmt_amt=f.crt_payb_lmt_amt,
                fund_payamt=f.fund_payamt,
                fund_pay_type_name=f.name,
                setl_proc_info=f.info,
            )
            for f in s.funds
        ],
        setl_proc_info=[
            common_pb2.SetlProcStep(step=x.step, desc=x.desc, amount=x.amount) for x in s.steps
        ],
        opsp_dise_code=s.opsp_dise_code,
        filing_category=s.filing_category,
        filing_id=s.filing_id,
        ratio_reduction=format_ratio(s.ratio_reduction_bp),
    )


def settlement_from_proto(p: common_pb2.SetlInfo) -> Settlement:
    return Settlement(
        setl_id=p.setl_id,
        mdtrt_id=p.mdtrt_id,
        psn_no=p.psn_no,
        psn_name=p.psn_name,
        certno=p.certno,
        insutype=p.insutype,
        psn_type=p.psn_type,
        cvlserv_flag=p.cvlserv_flag,
        setl_time=p.setl_time,
        med_type=p.med_type,
        totals=ClaimTotals(
            p.medfee_sumamt,
            p.fulamt_ownpay_amt,
            p.overlmt_selfpay,
            p.preselfpay_amt,
            p.inscp_scp_amt,
        ),
        act_pay_dedc=p.act_pay_dedc,
        hifp_pay=p.hifp_pay,
        ratio_bp=parse_ratio(p.pool_prop_selfpay or "0"),
        fund_pay_sumamt=p.fund_pay_sumamt,
        psn_part_amt=p.psn_part_amt,
        acct_pay=p.acct_pay,
        psn_cash_pay=p.psn_cash_pay,
        balc=p.balc,
        crt_payb_lmt_amt=p.crt_payb_lmt_amt,
        medins_setl_id=p.medins_setl_id,
        insuplc_admdvs=p.insuplc_admdvs,
        mdtrtarea_admvs=p.mdtrtarea_admvs,
        fixmedins_code=p.fixmedins_code,
        funds=tuple(
            FundPayment(
                d.fund_pay_type,
                d.fund_pay_type_name,
                d.inscp_scp_amt,
                d.crt_payb_lmt_amt,
                d.fund_payamt,
                d.setl_proc_info,
            )
            for d in p.setldetail
        ),
        steps=tuple(Step(x.step, x.desc, x.amount) for x in p.setl_proc_info),
        cvlserv_pay=p.cvlserv_pay,
        hifes_pay=p.hifes_pay,
        hifmi_pay=p.hifmi_pay,
        hifob_pay=p.hifob_pay,
        maf_pay=p.maf_pay,
        oth_pay=p.oth_pay,
        hosp_part_amt=p.hosp_part_amt,
        acct_mulaid_pay=p.acct_mulaid_pay,
        init_setl_id=p.init_setl_id,
        refd_setl_flag=p.refd_setl_flag or "0",
        clr_way=p.clr_way or "1",
        clr_type=p.clr_type or "11",
        opsp_dise_code=p.opsp_dise_code,
        filing_category=p.filing_category,
        filing_id=p.filing_id,
        ratio_reduction_bp=parse_ratio(p.ratio_reduction or "0"),
    )


def encode_settlement(s: Settlement) -> bytes:
    return bytes(settlement_to_proto(s).SerializeToString(deterministic=True))


def decode_settlement(raw: bytes) -> Settlement:
    return settlement_from_proto(common_pb2.SetlInfo.FromString(raw))


def identity_from_proto(m: insured_pb2.IdetInfo) -> Identity:
    return Identity(
        m.psn_idet_type,
        date.fromisoformat(m.begntime),
        date.fromisoformat(m.endtime) if m.endtime else None,
    )


# ---- correction ----------------------------------------------------------------------------


def correction_request(cmd: CorrectionOut) -> correction_pb2.CorrectionRequest:
    return correction_pb2.CorrectionRequest(
        header=cmd.env.to_header(common_pb2.RequestHeader),
        psn_no=cmd.psn_no,
        omsgid=cmd.omsgid,
        oinfno=cmd.oinfno,
    )


def status_from_proto(msg: correction_pb2.MessageStatus) -> Status:
    """A node's answer to 5203 as a value ("unknown" when the message is empty)."""
    return Status(
        msg.state or "unknown",
        msg.infno,
        settlement_from_proto(msg.setlinfo) if msg.setlinfo.setl_id else None,
        settlement_from_proto(msg.reversal) if msg.reversal.setl_id else None,
    )


def outcome_from_proto(msg: correction_pb2.CorrectionResult) -> Outcome:
    return Outcome(
        msg.outcome,
        settlement_from_proto(msg.original) if msg.original.setl_id else None,
        settlement_from_proto(msg.reversal) if msg.reversal.setl_id else None,
    )
