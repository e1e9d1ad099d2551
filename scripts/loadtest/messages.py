"""The request messages of each step, built from the traffic model's values: one place shared
by the asyncio generator (client.py) and the Locust file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from scripts.loadtest.model import FeeLineSpec, InstitutionRef, Op, PersonRef
from services.pb.settlenet.v1 import common_pb2, insured_pb2, treatment_pb2
from services.values import clock


@dataclass(frozen=True)
class OpenVisit:
    """A registered visit with its fee lines uploaded, ready to settle."""

    treat: str
    institution: InstitutionRef
    person: PersonRef
    mdtrt_id: str
    psn_no: str
    insutype: str
    medfee_sumamt: int


@dataclass(frozen=True)
class Settled:
    visit: OpenVisit
    setl_id: str


def header(
    infno: str, inst: InstitutionRef, insuplc_admdvs: str, msgid: str
) -> common_pb2.RequestHeader:
    return common_pb2.RequestHeader(
        infno=infno,
        msgid=msgid,
        mdtrtarea_admvs=inst.admdvs,
        insuplc_admdvs=insuplc_admdvs,
        fixmedins_code=inst.fixmedins_code,
        opter_type="1",
        opter="LOAD01",
        inf_time=clock.format_time(clock.now()),
    )


def person_query(op: Op, h: common_pb2.RequestHeader) -> insured_pb2.PersonQuery:
    p = op.person
    return insured_pb2.PersonQuery(
        header=h, mdtrt_cert_type="02", mdtrt_cert_no=p.certno, psn_cert_type="01", certno=p.certno
    )


def person_of(op: Op, info: insured_pb2.PersonInfo) -> tuple[str, str]:
    """psn_no and insutype from a 1101 answer, as a HIS takes them."""
    insutype = info.insuinfo[0].insutype if info.insuinfo else op.person.insutype
    return info.baseinfo.psn_no or op.person.psn_no, insutype


def register(
    op: Op, psn_no: str, insutype: str, h: common_pb2.RequestHeader, now: datetime
) -> treatment_pb2.RegisterVisitRequest:
    return treatment_pb2.RegisterVisitRequest(
        header=h,
        psn_no=psn_no,
        insutype=insutype,
        begntime=clock.format_time(now - timedelta(minutes=30)),
        mdtrt_cert_type="01",
        mdtrt_cert_no=psn_no,
        ipt_otp_no=f"OP{op.seq:010d}",
        med_type="11",
        dept_code="A03",
        dept_name="内科",
        diseinfo=[common_pb2.Diagnosis(diag_code="J06.900")],
    )


def upload(
    op: Op, mdtrt_id: str, psn_no: str, h: common_pb2.RequestHeader, now: datetime
) -> treatment_pb2.UploadFeeDetailsRequest:
    fee_time = clock.format_time(now - timedelta(minutes=20))
    return treatment_pb2.UploadFeeDetailsRequest(
        header=h,
        mdtrt_id=mdtrt_id,
        psn_no=psn_no,
        feedetail=[_fee(i, x, fee_time) for i, x in enumerate(op.lines)],
    )


def settle(v: OpenVisit, h: common_pb2.RequestHeader) -> treatment_pb2.SettleRequest:
    """2206 or 2207 (by the header's infno) of an open visit."""
    return treatment_pb2.SettleRequest(
        header=h,
        psn_no=v.psn_no,
        mdtrt_cert_type="01",
        mdtrt_cert_no=v.psn_no,
        med_type="11",
        medfee_sumamt=v.medfee_sumamt,
        psn_setlway="01",
        mdtrt_id=v.mdtrt_id,
        acct_used_flag="1",
        insutype=v.insutype,
    )


def revoke(s: Settled, h: common_pb2.RequestHeader) -> treatment_pb2.RevokeSettlementRequest:
    v = s.visit
    return treatment_pb2.RevokeSettlementRequest(
        header=h, setl_id=s.setl_id, mdtrt_id=v.mdtrt_id, psn_no=v.psn_no
    )


def _fee(i: int, x: FeeLineSpec, fee_time: str) -> treatment_pb2.FeeDetail:
    return treatment_pb2.FeeDetail(
        feedetl_sn=f"{i + 1:04d}",
        fee_ocur_time=fee_time,
        med_list_codg=x.code,
        cnt=x.cnt,
        pric=x.pric,
        det_item_fee_sumamt=x.amount(),
    )
