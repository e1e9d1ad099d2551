"""Proto ↔ domain conversion for the province node, in one place.

The conversions of domain values that the hub client uses too (settlements, filings,
qualifications, identities) live in :mod:`provincial_nodes.adapters.proto` and are re-exported
here. Request parsing validates every field it converts and raises :class:`InvalidField` naming the
field (``feedetail[2].cnt``) and the value, so handlers only ever see well-formed values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from provincial_nodes.adapters.proto import (
    decode_settlement,
    encode_settlement,
    filing_from_proto,
    filing_to_proto,
    identity_from_proto,
    iso_or_empty,
    qualification_from_proto,
    qualification_to_proto,
    settlement_from_proto,
    settlement_to_proto,
)
from provincial_nodes.domain.catalogue import ClaimTotals, FeeLine, LineClassification
from provincial_nodes.domain.chronic import check_disease
from provincial_nodes.domain.filing import VisitKind
from provincial_nodes.domain.person import PersonView
from provincial_nodes.domain.policy import LEVELS
from provincial_nodes.domain.visit import LineOrigin, UploadedLine, Visit
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
)

__all__ = [
    "decode_settlement",
    "encode_settlement",
    "filing_from_proto",
    "filing_to_proto",
    "identity_from_proto",
    "qualification_from_proto",
    "qualification_to_proto",
    "settlement_from_proto",
    "settlement_to_proto",
]

INSUTYPES = {"310", "390"}
MED_TYPES = {"11", "13", "14"}
MDTRT_CERT_TYPES = {"01", "02", "03"}
DIAG_TYPES = {"1", "2", "3"}
"""Western medicine, TCM main disease, TCM syndrome."""
LINE_TOLERANCE_FEN = 1
"""|cnt × pric − det_item_fee_sumamt| may be at most this (rounding of the hospital's system)."""
MAX_LINES = 500


def code(field: str, value: str, allowed: set[str], what: str) -> str:
    if value not in allowed:
        raise InvalidField(field, value, f"unknown {what}; one of {', '.join(sorted(allowed))}")
    return value


def required(field: str, value: str) -> str:
    """``value``, which must not be empty (its length is bounded by ``services.rpc.bounds``)."""
    if not value:
        raise InvalidField(field, value, "required")
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


def diagnosis_codes(
    diseinfo: Sequence[common_pb2.Diagnosis], *, at_least_one: bool = False
) -> tuple[str, ...]:
    """The visit's diagnosis codes from the spec's diseinfo (2201, 2203): each entry checked,
    those marked not valid (vali_flag "0") left out, in diag_srt_no order, each code once."""
    if at_least_one and not diseinfo:
        raise InvalidField("diseinfo", "[]", "at least one diagnosis is required")
    valid: list[tuple[int, int, str]] = []
    seen: set[tuple[str, int]] = set()
    for i, d in enumerate(diseinfo):
        at = f"diseinfo[{i}]"
        diag_code = required(f"{at}.diag_code", d.diag_code)
        if d.diag_type:
            code(f"{at}.diag_type", d.diag_type, DIAG_TYPES, "diagnosis type")
        if not 0 <= d.diag_srt_no <= 99:
            raise InvalidField(f"{at}.diag_srt_no", d.diag_srt_no, "must be 1 to 99 (0: not given)")
        if d.diag_srt_no:
            key = (d.diag_type, d.diag_srt_no)
            if key in seen:
                raise InvalidField(
                    f"{at}.diag_srt_no", d.diag_srt_no, "repeated for this diag_type"
                )
            seen.add(key)
        if d.diag_time:
            parse_time_date(f"{at}.diag_time", d.diag_time)
        flag = code(f"{at}.vali_flag", d.vali_flag or "1", {"0", "1"}, "flag")
        if flag == "1":
            valid.append((d.diag_srt_no or 100, i, diag_code))
    codes: list[str] = []
    for _, _, diag_code in sorted(valid):
        if diag_code not in codes:
            codes.append(diag_code)
    return tuple(codes)


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
                endtime=iso_or_empty(i.endtime),
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


def disease_for(med_type: str, opsp_dise_code: str, field: str = "opsp_dise_code") -> str:
    """A med_type 14 visit names one of the cross-province diseases; others name none."""
    if med_type == "14":
        if not opsp_dise_code:
            raise InvalidField(
                field, "", "required for a med_type 14 (chronic/special disease) visit"
            )
        return check_disease(field, opsp_dise_code)
    if opsp_dise_code:
        raise InvalidField(
            field,
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
        psn_no=required("psn_no", req.psn_no),
        insutype=code("insutype", req.insutype, INSUTYPES, "insurance type"),
        med_type=med_type,
        mdtrt_id=required("mdtrt_id", req.mdtrt_id),
        medins_lv=code("medins_lv", req.medins_lv, set(LEVELS), "institution level"),
        setl_date=parse_date("setl_date", req.setl_date),
        acct_used=code("acct_used_flag", req.acct_used_flag or "0", {"0", "1"}, "flag") == "1",
        totals=totals_of(req),
        opsp_dise_code=disease_for(med_type, req.opsp_dise_code),
        kind=visit_kind(med_type, refl),
        diag_codes=tuple(
            required(f"diseinfo[{i}].diag_code", d.diag_code) for i, d in enumerate(req.diseinfo)
        ),
    )


def revoke_command(req: Any, env: Envelope) -> RevokeCommand:
    return RevokeCommand(
        env=env,
        setl_id=required("setl_id", req.setl_id),
        mdtrt_id=required("mdtrt_id", req.mdtrt_id),
        psn_no=required("psn_no", req.psn_no),
    )


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
        sn = required(f"{at}.feedetl_sn", d.feedetl_sn)
        if sn in seen:
            raise InvalidField(f"{at}.feedetl_sn", sn, "repeated within this upload")
        seen.add(sn)
        list_code = required(f"{at}.med_list_codg", d.med_list_codg)
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


def line_origins(req: treatment_pb2.UploadFeeDetailsRequest) -> list[LineOrigin]:
    """What 2204 says of each line beyond what classifies it (kept as given, for 5204)."""
    return [
        LineOrigin(
            fee_ocur_time=d.fee_ocur_time,
            medins_list_codg=d.medins_list_codg,
            bilg_dept_codg=d.bilg_dept_codg,
            bilg_dr_codg=d.bilg_dr_codg,
            rx_circ_flag=d.rx_circ_flag,
        )
        for d in req.feedetail
    ]


def fee_record(u: UploadedLine, visit: Visit, setl_id: str) -> treatment_pb2.FeeDetailRecord:
    """5204: one line as the visit holds it."""
    return treatment_pb2.FeeDetailRecord(
        result=line_result(u.line),
        mdtrt_id=visit.mdtrt_id,
        setl_id=setl_id,
        med_type=visit.med_type,
        fee_ocur_time=u.origin.fee_ocur_time,
        chrg_bchno=u.chrg_bchno,
        medins_list_codg=u.origin.medins_list_codg,
        bilg_dept_codg=u.origin.bilg_dept_codg,
        bilg_dr_codg=u.origin.bilg_dr_codg,
        rx_circ_flag=u.origin.rx_circ_flag,
        upload_msgid=u.msgid,
    )


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
