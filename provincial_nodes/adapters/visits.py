"""Repository of visits, their fee lines and the settlements recorded at the treatment place.

Recording a settlement here posts nothing: the ledger postings are made by the service layer
(:mod:`provincial_nodes.service_layer.ledger`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from provincial_nodes.adapters.tables import amount_values, fee_lines, treatment_settlements, visits
from provincial_nodes.domain.catalogue import LineClassification, Reason
from provincial_nodes.domain.settlement import Settlement
from provincial_nodes.domain.visit import LineOrigin, UploadedLine, Visit
from services.storage.prepared import run

# Hot-path statements, built once (building a Core statement per call costs more than running
# it). Parameters named like a column they set are reserved in UPDATE, hence the ``k_`` key.
_INSERT_VISIT = insert(visits)
_GET = select(visits).where(visits.c.mdtrt_id == bindparam("mdtrt_id"))
_LOCK = (
    select(visits.c.mdtrt_id).where(visits.c.mdtrt_id == bindparam("mdtrt_id")).with_for_update()
)
_SET_STATUS = (
    update(visits)
    .where(visits.c.mdtrt_id == bindparam("k_mdtrt_id"))
    .values(status=bindparam("status"))
)
_LINE_COUNTS = select(fee_lines.c.feedetl_sn, fee_lines.c.med_list_codg, fee_lines.c.cnt).where(
    fee_lines.c.mdtrt_id == bindparam("mdtrt_id")
)
_INSERT_LINES = insert(fee_lines)
_LINES = (
    select(fee_lines)
    .where(fee_lines.c.mdtrt_id == bindparam("mdtrt_id"))
    .order_by(fee_lines.c.feedetl_sn)
)
_INSERT_SETTLEMENT = insert(treatment_settlements)
_SETTLEMENTS = (
    select(
        treatment_settlements.c.setl_id,
        treatment_settlements.c.refd_setl_flag,
        treatment_settlements.c.init_setl_id,
        treatment_settlements.c.setlinfo,
    )
    .where(treatment_settlements.c.mdtrt_id == bindparam("mdtrt_id"))
    .order_by(treatment_settlements.c.setl_time, treatment_settlements.c.setl_id)
)
_KNOWN = select(treatment_settlements.c.setl_id).where(
    treatment_settlements.c.setl_id == bindparam("setl_id")
)

__all__ = ["Visit"]  # re-exported: the value this repository stores


def add(conn: Connection, v: Visit, msgid: str, created_at: str) -> None:
    run(
        conn,
        _INSERT_VISIT,
        {
            "mdtrt_id": v.mdtrt_id,
            "msgid": msgid,
            "psn_no": v.psn_no,
            "insuplc_admdvs": v.insuplc_admdvs,
            "mdtrtarea_admvs": v.mdtrtarea_admvs,
            "fixmedins_code": v.fixmedins_code,
            "medins_lv": v.medins_lv,
            "insutype": v.insutype,
            "med_type": v.med_type,
            "begntime": v.begntime,
            "diag_codes": ",".join(v.diag_codes),
            "status": v.status,
            "opsp_dise_code": v.opsp_dise_code,
            "refl_flag": v.refl_flag,
            "filing_id": v.filing_id,
            "filing_status": v.filing_status,
            "ipt_otp_no": v.ipt_otp_no,
            "created_at": created_at,
        },
    )


def get(conn: Connection, mdtrt_id: str) -> Visit | None:
    row = run(conn, _GET, {"mdtrt_id": mdtrt_id}).first()
    if row is None:
        return None
    return Visit(
        mdtrt_id=row.mdtrt_id,
        psn_no=row.psn_no,
        insuplc_admdvs=row.insuplc_admdvs,
        mdtrtarea_admvs=row.mdtrtarea_admvs,
        fixmedins_code=row.fixmedins_code,
        medins_lv=row.medins_lv,
        insutype=row.insutype,
        med_type=row.med_type,
        begntime=row.begntime,
        diag_codes=tuple(c for c in row.diag_codes.split(",") if c),
        status=row.status,
        opsp_dise_code=row.opsp_dise_code,
        refl_flag=row.refl_flag,
        filing_id=row.filing_id,
        filing_status=row.filing_status,
        ipt_otp_no=row.ipt_otp_no,
    )


def lock(conn: Connection, mdtrt_id: str) -> None:
    """Take the visit's row for update (PostgreSQL; SQLite serialises writers anyway), so two
    calls with one msgid on one visit run one after the other: the second then finds the
    first's journal entry instead of the state it left."""
    run(conn, _LOCK, {"mdtrt_id": mdtrt_id}).first()


def set_status(conn: Connection, mdtrt_id: str, status: str) -> None:
    run(conn, _SET_STATUS, {"k_mdtrt_id": mdtrt_id, "status": status})


def line_numbers_and_counts(conn: Connection, mdtrt_id: str) -> tuple[set[str], dict[str, Decimal]]:
    """Line serial numbers already uploaded, and the quantity uploaded per catalogue code."""
    rows = run(conn, _LINE_COUNTS, {"mdtrt_id": mdtrt_id}).all()
    counts: dict[str, Decimal] = {}
    for r in rows:
        counts[r.med_list_codg] = counts.get(r.med_list_codg, Decimal(0)) + Decimal(r.cnt)
    return {r.feedetl_sn for r in rows}, counts


def add_lines(
    conn: Connection,
    mdtrt_id: str,
    msgid: str,
    chrg_bchno: str,
    origins: list[LineOrigin],
    lines: list[LineClassification],
) -> None:
    run(
        conn,
        _INSERT_LINES,
        [
            {
                "mdtrt_id": mdtrt_id,
                "feedetl_sn": c.feedetl_sn,
                "msgid": msgid,
                "med_list_codg": c.med_list_codg,
                "med_list_name": c.med_list_name,
                "cnt": str(c.cnt),
                "pric": c.pric,
                "det_item_fee_sumamt": c.det_item_fee_sumamt,
                "fee_ocur_time": o.fee_ocur_time,
                "fulamt_ownpay_amt": c.fulamt_ownpay_amt,
                "overlmt_amt": c.overlmt_amt,
                "preselfpay_amt": c.preselfpay_amt,
                "inscp_scp_amt": c.inscp_scp_amt,
                "pric_uplmt_amt": c.pric_uplmt_amt,
                "selfpay_prop_bp": c.selfpay_prop_bp,
                "chrgitm_lv": c.chrgitm_lv,
                "med_chrgitm_type": c.med_chrgitm_type,
                "lmt_used_flag": c.lmt_used_flag,
                "list_type": c.list_type,
                "reason_codes": ",".join(r.value for r in c.reasons),
                "memo": c.memo,
                "chrg_bchno": chrg_bchno,
                "medins_list_codg": o.medins_list_codg,
                "bilg_dept_codg": o.bilg_dept_codg,
                "bilg_dr_codg": o.bilg_dr_codg,
                "rx_circ_flag": o.rx_circ_flag,
            }
            for c, o in zip(lines, origins, strict=True)
        ],
    )


def _classification(r: Any) -> LineClassification:
    return LineClassification(
        feedetl_sn=r.feedetl_sn,
        med_list_codg=r.med_list_codg,
        med_list_name=r.med_list_name,
        det_item_fee_sumamt=r.det_item_fee_sumamt,
        cnt=Decimal(r.cnt),
        pric=r.pric,
        pric_uplmt_amt=r.pric_uplmt_amt,
        selfpay_prop_bp=r.selfpay_prop_bp,
        fulamt_ownpay_amt=r.fulamt_ownpay_amt,
        overlmt_amt=r.overlmt_amt,
        preselfpay_amt=r.preselfpay_amt,
        inscp_scp_amt=r.inscp_scp_amt,
        chrgitm_lv=r.chrgitm_lv,
        med_chrgitm_type=r.med_chrgitm_type,
        lmt_used_flag=r.lmt_used_flag,
        list_type=r.list_type,
        reasons=tuple(Reason(x) for x in r.reason_codes.split(",") if x),
        memo=r.memo,
    )


def lines(conn: Connection, mdtrt_id: str) -> list[LineClassification]:
    rows = run(conn, _LINES, {"mdtrt_id": mdtrt_id}).all()
    return [_classification(r) for r in rows]


def uploaded_lines(conn: Connection, mdtrt_id: str) -> list[UploadedLine]:
    """The visit's fee lines with where they came from (5204), in feedetl_sn order."""
    rows = run(conn, _LINES, {"mdtrt_id": mdtrt_id}).all()
    return [
        UploadedLine(
            line=_classification(r),
            origin=LineOrigin(
                fee_ocur_time=r.fee_ocur_time,
                medins_list_codg=r.medins_list_codg,
                bilg_dept_codg=r.bilg_dept_codg,
                bilg_dr_codg=r.bilg_dr_codg,
                rx_circ_flag=r.rx_circ_flag,
            ),
            chrg_bchno=r.chrg_bchno,
            msgid=r.msgid,
        )
        for r in rows
    ]


def remove_lines(conn: Connection, mdtrt_id: str, chrg_bchno: str | None) -> list[str]:
    """Delete the visit's fee lines of one charge batch (all when ``chrg_bchno`` is None);
    their feedetl_sn, in order."""
    where = [fee_lines.c.mdtrt_id == mdtrt_id]
    if chrg_bchno is not None:
        where.append(fee_lines.c.chrg_bchno == chrg_bchno)
    gone = conn.execute(
        select(fee_lines.c.feedetl_sn).where(*where).order_by(fee_lines.c.feedetl_sn)
    ).all()
    conn.execute(delete(fee_lines).where(*where))
    return [r.feedetl_sn for r in gone]


def set_diagnoses(
    conn: Connection,
    mdtrt_id: str,
    med_type: str,
    opsp_dise_code: str,
    diag_codes: tuple[str, ...],
) -> None:
    conn.execute(
        update(visits)
        .where(visits.c.mdtrt_id == mdtrt_id)
        .values(med_type=med_type, opsp_dise_code=opsp_dise_code, diag_codes=",".join(diag_codes))
    )


def record_settlement(conn: Connection, s: Settlement, msgid: str, payload: bytes) -> None:
    run(
        conn,
        _INSERT_SETTLEMENT,
        {
            "setl_id": s.setl_id,
            "msgid": msgid,
            "mdtrt_id": s.mdtrt_id,
            "psn_no": s.psn_no,
            "insuplc_admdvs": s.insuplc_admdvs,
            "mdtrtarea_admvs": s.mdtrtarea_admvs,
            "fixmedins_code": s.fixmedins_code,
            "setl_time": s.setl_time,
            "refd_setl_flag": s.refd_setl_flag,
            "init_setl_id": s.init_setl_id or None,
            "setlinfo": payload,
            **amount_values(s),
        },
    )


def has_settlement(conn: Connection, setl_id: str) -> bool:
    return run(conn, _KNOWN, {"setl_id": setl_id}).first() is not None


def settlements(conn: Connection, mdtrt_id: str) -> list[tuple[str, str, str | None, bytes]]:
    """(setl_id, refd_setl_flag, init_setl_id, setlinfo) of a visit, oldest first."""
    rows = run(conn, _SETTLEMENTS, {"mdtrt_id": mdtrt_id}).all()
    return [(r.setl_id, r.refd_setl_flag, r.init_setl_id, bytes(r.setlinfo)) for r in rows]
