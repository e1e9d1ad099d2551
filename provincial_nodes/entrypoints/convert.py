"""Proto ↔ domain conversion for the province node, in one place.

Request parsing validates every field it converts and raises :class:`InvalidField` naming the
field (``feedetail[2].cnt``) and the value, so handlers only ever see well-formed values.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from provincial_nodes.domain.catalogue import ClaimTotals, FeeLine, LineClassification
from provincial_nodes.domain.chronic import Qualification, check_disease
from provincial_nodes.domain.filing import CATEGORY_NAMES, Category, Filing, VisitKind
from provincial_nodes.domain.person import Identity, PersonView
from provincial_nodes.domain.policy import LEVELS
from provincial_nodes.domain.settlement import Settlement
from provincial_nodes.domain.split import FundPayment, Step
from provincial_nodes.service_layer.insured import PersonLookup, RevokeCommand, SettleCommand
from services.pb.settlenet.v1 import common_pb2, insured_pb2, treatment_pb2
from services.rpc.envelope import Envelope
from services.values import certno as certnos
from services.values import clock
from services.values.errors import InvalidField
from services.values.money import (
    MAX_AMOUNT_FEN,
    format_cnt,
    format_ratio,
    line_amount_fen,
    parse_cnt,
    parse_ratio,
)

INSUTYPES = {"310", "390"}
MED_TYPES = {"11", "13", "14"}
MDTRT_CERT_TYPES = {"01", "02", "03"}
LINE_TOLERANCE_FEN = 1
"""|cnt × pric − det_item_fee_sumamt| may be at most this (rounding of the hospital's system)."""
MAX_LINES = 500


def code(field: str, value: str, allowed: set[str], what: str) -> str:
    if value not in allowed:
        raise InvalidField(field, value, f"unknown {what}; one of {', '.join(sorted(allowed))}")
    return value


def required(field: str, value: str, max_len: int = 64) -> str:
    if not value:
        raise InvalidField(field, value, "required")
    if len(value) > max_len:
        raise InvalidField(field, value, f"longer than {max_len} characters")
    return value


def amount(field: str, value: int) -> int:
    if value < 0:
        raise InvalidField(field, value, "amount must not be negative (fen)")
    if value > MAX_AMOUNT_FEN:
        raise InvalidField(field, value, f"absurd amount (more than {MAX_AMOUNT_FEN} fen)")
    return value


def check_certno(field: str, value: str) -> str:
    problem = certnos.problem(value)
    if problem:
        raise InvalidField(field, value, problem)
    return value.upper()


def parse_date(field: str, value: str) -> date:
    try:
        return clock.parse_date(value)
    except ValueError:
        raise InvalidField(field, value, "must be a date yyyy-MM-dd") from None


def parse_time_date(field: str, value: str) -> date:
    try:
        return clock.parse_time(value).date()
    except ValueError:
        raise InvalidField(field, value, "must be a time yyyy-MM-dd HH:mm:ss") from None


# ---- person ------------------------------------------------------------------------------


def person_lookup(req: insured_pb2.PersonQuery, env: Envelope) -> PersonLookup:
    certno = req.certno
    if req.mdtrt_cert_type:
        code("mdtrt_cert_type", req.mdtrt_cert_type, MDTRT_CERT_TYPES, "certificate type")
        if req.mdtrt_cert_type == "02" and not certno:
            certno = req.mdtrt_cert_no
    if certno:
        check_certno("certno" if req.certno else "mdtrt_cert_no", certno)
    elif not req.psn_no:
        raise InvalidField(
            "certno", "", "give certno (or mdtrt_cert_type 02 with mdtrt_cert_no, or psn_no)"
        )
    return PersonLookup(env=env, certno=certno.upper(), psn_no=req.psn_no, psn_name=req.psn_name)


def _day(d: date | None) -> str:
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
        enddate=_day(f.enddate),
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
        enddate=_day(q.enddate),
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


def person_to_proto(view: PersonView, today: date) -> insured_pb2.PersonInfo:
    person, balc = view.person, view.balc
    return insured_pb2.PersonInfo(
        baseinfo=insured_pb2.BaseInfo(
            psn_no=person.psn_no,
            psn_cert_type="01",
            certno=person.certno,
            psn_name=person.psn_name,
            gend=person.gend,
            brdy=person.brdy.isoformat(),
            age=person.age_on(today),
        ),
        insuinfo=[
            insured_pb2.InsuInfo(
                balc=balc,
                insutype=person.insutype,
                psn_type=person.psn_type,
                psn_insu_stas=person.psn_insu_stas,
                psn_insu_date=person.psn_insu_date.isoformat(),
                cvlserv_flag=person.cvlserv_flag,
                insuplc_admdvs=person.insuplc_admdvs,
                emp_name=person.emp_name,
            )
        ],
        idetinfo=[
            insured_pb2.IdetInfo(
                psn_idet_type=i.psn_idet_type,
                begntime=i.begntime.isoformat(),
                endtime=_day(i.endtime),
            )
            for i in person.identities
        ],
        fileinfo=[filing_to_proto(f) for f in view.filings],
        opspinfo=[qualification_to_proto(q) for q in view.chronic],
    )


# ---- claims -------------------------------------------------------------------------------


def totals_of(msg: Any, overlmt_field: str = "overlmt_selfpay") -> ClaimTotals:
    totals = ClaimTotals(
        medfee_sumamt=amount("medfee_sumamt", msg.medfee_sumamt),
        fulamt_ownpay_amt=amount("fulamt_ownpay_amt", msg.fulamt_ownpay_amt),
        overlmt_selfpay=amount(overlmt_field, getattr(msg, overlmt_field)),
        preselfpay_amt=amount("preselfpay_amt", msg.preselfpay_amt),
        inscp_scp_amt=amount("inscp_scp_amt", msg.inscp_scp_amt),
    )
    if not totals.balanced():
        raise InvalidField(
            "medfee_sumamt",
            msg.medfee_sumamt,
            "must equal fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt + inscp_scp_amt",
        )
    return totals


def disease_for(med_type: str, opsp_dise_code: str) -> str:
    """A med_type 14 visit names one of the cross-province diseases; others name none."""
    if med_type == "14":
        if not opsp_dise_code:
            raise InvalidField(
                "opsp_dise_code", "", "required for a med_type 14 (chronic/special disease) visit"
            )
        return check_disease("opsp_dise_code", opsp_dise_code)
    if opsp_dise_code:
        raise InvalidField(
            "opsp_dise_code",
            opsp_dise_code,
            "only a med_type 14 visit names a chronic/special disease",
        )
    return ""


def visit_kind(med_type: str, refl_flag: str) -> VisitKind:
    if med_type == "13":
        return VisitKind.EMERGENCY
    return VisitKind.REFERRAL if refl_flag == "1" else VisitKind.ORDINARY


def settle_command(req: insured_pb2.SettleClaim, env: Envelope) -> SettleCommand:
    med_type = code("med_type", req.med_type, MED_TYPES, "medical type")
    refl = code("refl_flag", req.refl_flag or "0", {"0", "1"}, "flag")
    return SettleCommand(
        env=env,
        psn_no=required("psn_no", req.psn_no, 32),
        insutype=code("insutype", req.insutype, INSUTYPES, "insurance type"),
        med_type=med_type,
        mdtrt_id=required("mdtrt_id", req.mdtrt_id, 40),
        medins_lv=code("medins_lv", req.medins_lv, set(LEVELS), "institution level"),
        setl_date=parse_date("setl_date", req.setl_date),
        acct_used=code("acct_used_flag", req.acct_used_flag or "0", {"0", "1"}, "flag") == "1",
        totals=totals_of(req),
        opsp_dise_code=disease_for(med_type, req.opsp_dise_code),
        kind=visit_kind(med_type, refl),
        diag_codes=tuple(
            required(f"diseinfo[{i}].diag_code", d.diag_code, 20)
            for i, d in enumerate(req.diseinfo)
        ),
    )


def settle_claim(cmd: SettleCommand) -> insured_pb2.SettleClaim:
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


def revoke_command(req: Any, env: Envelope) -> RevokeCommand:
    return RevokeCommand(
        env=env,
        setl_id=required("setl_id", req.setl_id, 40),
        mdtrt_id=required("mdtrt_id", req.mdtrt_id, 40),
        psn_no=required("psn_no", req.psn_no, 32),
    )


def revoke_claim(cmd: RevokeCommand) -> insured_pb2.RevokeClaim:
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


# ---- fee lines ----------------------------------------------------------------------------


def fee_lines(req: treatment_pb2.UploadFeeDetailsRequest) -> list[FeeLine]:
    if not req.feedetail:
        raise InvalidField("feedetail", "[]", "at least one fee line is required")
    if len(req.feedetail) > MAX_LINES:
        raise InvalidField("feedetail", len(req.feedetail), f"at most {MAX_LINES} lines per call")
    seen: set[str] = set()
    lines = []
    for i, d in enumerate(req.feedetail):
        at = f"feedetail[{i}]"
        sn = required(f"{at}.feedetl_sn", d.feedetl_sn, 40)
        if sn in seen:
            raise InvalidField(f"{at}.feedetl_sn", sn, "repeated within this upload")
        seen.add(sn)
        list_code = required(f"{at}.med_list_codg", d.med_list_codg, 50)
        try:
            cnt = parse_cnt(d.cnt)
        except ValueError as exc:
            raise InvalidField(f"{at}.cnt", d.cnt, str(exc)) from None
        pric = amount(f"{at}.pric", d.pric)
        total = amount(f"{at}.det_item_fee_sumamt", d.det_item_fee_sumamt)
        expected = line_amount_fen(cnt, pric)
        if abs(expected - total) > LINE_TOLERANCE_FEN:
            raise InvalidField(
                f"{at}.det_item_fee_sumamt",
                total,
                f"cnt × pric = {format_cnt(cnt)} × {pric} = {expected} fen; the "
                f"line amount may differ by at most {LINE_TOLERANCE_FEN} fen",
            )
        day = parse_time_date(f"{at}.fee_ocur_time", d.fee_ocur_time)
        lines.append(
            FeeLine(
                feedetl_sn=sn,
                med_list_codg=list_code,
                cnt=cnt,
                pric=pric,
                det_item_fee_sumamt=total,
                fee_ocur_date=day,
            )
        )
    return lines


def line_result(c: LineClassification) -> treatment_pb2.FeeDetailResult:
    return treatment_pb2.FeeDetailResult(
        feedetl_sn=c.feedetl_sn,
        med_list_codg=c.med_list_codg,
        med_list_name=c.med_list_name,
        det_item_fee_sumamt=c.det_item_fee_sumamt,
        cnt=format_cnt(c.cnt),
        pric=c.pric,
        pric_uplmt_amt=c.pric_uplmt_amt,
        selfpay_prop=format_ratio(c.selfpay_prop_bp),
        fulamt_ownpay_amt=c.fulamt_ownpay_amt,
        overlmt_amt=c.overlmt_amt,
        preselfpay_amt=c.preselfpay_amt,
        inscp_scp_amt=c.inscp_scp_amt,
        chrgitm_lv=c.chrgitm_lv,
        med_chrgitm_type=c.med_chrgitm_type,
        lmt_used_flag=c.lmt_used_flag,
        list_type=c.list_type,
        reason_codes=[r.value for r in c.reasons],
        memo=c.memo,
    )


def identity_from_proto(m: insured_pb2.IdetInfo) -> Identity:
    return Identity(
        m.psn_idet_type,
        date.fromisoformat(m.begntime),
        date.fromisoformat(m.endtime) if m.endtime else None,
    )
