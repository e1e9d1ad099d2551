"""Malformed requests to every mutating RPC of TreatmentService (and the cheap 1101 and 5204)
against a real in-process network: none gets UNKNOWN or INTERNAL, a refused one changes no row
of any node's database, and every node still answers its health check.

Examples per RPC: ``SETTLENET_FUZZ_EXAMPLES`` (default 50; the slow run sets 2000).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.clients.his import His, Line
from services.pb.settlenet.v1 import common_pb2, insured_pb2, treatment_pb2, treatment_pb2_grpc
from tests.fuzz.fuzznet import EXAMPLES, LiveNetwork, Target, exercise

REGION = "130100"
VISIT_TIME = "2026-10-15 09:00:00"
FEE_TIME = "2026-10-15 09:20:00"
STUB = treatment_pb2_grpc.TreatmentServiceStub
pytestmark = pytest.mark.slow if EXAMPLES > 200 else []


class Hospital:
    """A Beijing tertiary hospital treating Hebei persons, with the visits the bases need."""

    def __init__(self, live: LiveNetwork) -> None:
        self.live = live
        beijing = live.net.provinces["11"].data
        inst = next(i for i in beijing.institutions.values() if i.medins_lv == "3")
        self.his = His(live.channels["11"], inst.fixmedins_code, inst.admdvs)
        self.persons = live.net.provinces["13"].data.persons
        catalogue = {e.name: e.med_list_codg for e in beijing.catalogue.entries()}
        self.code = next(c for n, c in catalogue.items() if n.startswith("二甲双胍片"))
        self.sn = itertools.count(1)
        self.uploading = self._open(self.persons[0])
        self.settling = self._open(self.persons[1])
        self.settled = self._settled(self.persons[2])
        self.cancelling = self._open(self.persons[5])
        self.taking_back = self._open(self.persons[0])  # a second visit of theirs
        self.diagnosing = self._open(self.persons[3])

    def _open(self, person: Any) -> tuple[str, Any]:
        mdtrt_id = self.live.run(
            self.his.register(REGION, person.psn_no, person.insutype, VISIT_TIME)
        )
        self._lines(mdtrt_id, person)
        return mdtrt_id, person

    def _lines(self, mdtrt_id: str, person: Any) -> None:
        line = Line(self.code, "2", 1449)
        self.live.run(
            self.his.upload(REGION, mdtrt_id, person.psn_no, [line], FEE_TIME, chrg_bchno="B0001")
        )

    def _settled(self, person: Any) -> tuple[str, str, Any]:
        mdtrt_id, _ = self._open(person)
        res = self.live.run(self.his.settle(REGION, mdtrt_id, person.psn_no, person.insutype, 2898))
        return res.setlinfo.setl_id, mdtrt_id, person

    # ---- valid requests ------------------------------------------------------------------

    def query(self) -> insured_pb2.PersonQuery:
        p = self.persons[3]
        return insured_pb2.PersonQuery(
            header=self.his.header("1101", REGION),
            mdtrt_cert_type="02",
            mdtrt_cert_no=p.certno,
            psn_cert_type="01",
            certno=p.certno,
            psn_name=p.psn_name,
        )

    def register(self) -> treatment_pb2.RegisterVisitRequest:
        p = self.persons[4]
        return treatment_pb2.RegisterVisitRequest(
            header=self.his.header("2201", REGION),
            psn_no=p.psn_no,
            insutype=p.insutype,
            begntime=VISIT_TIME,
            mdtrt_cert_type="02",
            mdtrt_cert_no=p.certno,
            ipt_otp_no="OP000001",
            atddr_no="D001",
            dr_name="医生",
            dept_code="A03",
            dept_name="内科",
            caty="A03",
            med_type="11",
            diseinfo=[common_pb2.Diagnosis(diag_code="J06.900", diag_name="上呼吸道感染")],
            refl_flag="0",
        )

    def upload(self) -> treatment_pb2.UploadFeeDetailsRequest:
        mdtrt_id, p = self.uploading
        return treatment_pb2.UploadFeeDetailsRequest(
            header=self.his.header("2204", REGION),
            mdtrt_id=mdtrt_id,
            psn_no=p.psn_no,
            chrg_bchno="B0001",
            feedetail=[
                treatment_pb2.FeeDetail(
                    feedetl_sn=f"F{next(self.sn):06d}",
                    fee_ocur_time=FEE_TIME,
                    med_list_codg=self.code,
                    medins_list_codg="M0001",
                    cnt="2",
                    pric=1449,
                    det_item_fee_sumamt=2898,
                    bilg_dept_codg="A03",
                    bilg_dr_codg="D001",
                    rx_circ_flag="0",
                )
            ],
        )

    def settle_request(self, infno: str) -> treatment_pb2.SettleRequest:
        mdtrt_id, p = self.settling
        req = self.his.settle_request(infno, REGION, mdtrt_id, p.psn_no, p.insutype, 2898)
        req.chrg_bchno = "B0001"
        req.invono = "INV0001"
        return req

    def revoke(self) -> treatment_pb2.RevokeSettlementRequest:
        setl_id, mdtrt_id, p = self.settled
        return treatment_pb2.RevokeSettlementRequest(
            header=self.his.header("2208", REGION),
            setl_id=setl_id,
            mdtrt_id=mdtrt_id,
            psn_no=p.psn_no,
        )

    def cancel_registration(self) -> treatment_pb2.CancelRegistrationRequest:
        mdtrt_id, p = self.cancelling
        return treatment_pb2.CancelRegistrationRequest(
            header=self.his.header("2202", REGION),
            psn_no=p.psn_no,
            mdtrt_id=mdtrt_id,
            ipt_otp_no=f"OP{p.psn_no[-6:]}",
        )

    def cancel_fee_details(self) -> treatment_pb2.CancelFeeDetailsRequest:
        mdtrt_id, p = self.taking_back
        return treatment_pb2.CancelFeeDetailsRequest(
            header=self.his.header("2205", REGION),
            mdtrt_id=mdtrt_id,
            chrg_bchno="B0001",
            psn_no=p.psn_no,
        )

    def upload_diagnoses(self) -> treatment_pb2.UploadDiagnosesRequest:
        mdtrt_id, p = self.diagnosing
        return treatment_pb2.UploadDiagnosesRequest(
            header=self.his.header("2203", REGION),
            mdtrtinfo=treatment_pb2.MdtrtInfo(
                mdtrt_id=mdtrt_id,
                psn_no=p.psn_no,
                med_type="11",
                begntime=VISIT_TIME,
                main_cond_dscr="咳嗽三天",
                dise_codg="",
                dise_name="",
                birctrl_type="",
                birctrl_matn_date="2026-01-01",
                matn_type="",
                geso_val=0,
            ),
            diseinfo=[
                common_pb2.Diagnosis(
                    diag_code="J06.900",
                    diag_name="上呼吸道感染",
                    diag_type="1",
                    diag_srt_no=1,
                    diag_dept="内科",
                    dise_dor_no="D001",
                    dise_dor_name="医生",
                    diag_time=VISIT_TIME,
                    vali_flag="1",
                )
            ],
        )

    def query_fee_details(self) -> treatment_pb2.QueryFeeDetailsRequest:
        setl_id, mdtrt_id, p = self.settled
        return treatment_pb2.QueryFeeDetailsRequest(
            header=self.his.header("5204", REGION),
            psn_no=p.psn_no,
            setl_id=setl_id,
            mdtrt_id=mdtrt_id,
        )

    # ---- after an accepted call ----------------------------------------------------------

    def settled_one(self, response: Any) -> None:
        self.settling = self._open(self.settling[1])

    def revoked_one(self, response: Any) -> None:
        self.settled = self._settled(self.settled[2])

    def cancelled_one(self, response: Any) -> None:
        self.cancelling = self._open(self.cancelling[1])

    def took_back(self, response: Any) -> None:
        self._lines(*self.taking_back)


@pytest.fixture(scope="module")
def hospital(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hospital]:
    live = LiveNetwork(Path(tmp_path_factory.mktemp("fuzz-treatment")))
    try:
        yield Hospital(live)
    finally:
        live.close()


TARGETS = {
    "QueryPerson": lambda h: Target("11", STUB, "QueryPerson", h.query),
    "RegisterVisit": lambda h: Target("11", STUB, "RegisterVisit", h.register),
    "UploadFeeDetails": lambda h: Target("11", STUB, "UploadFeeDetails", h.upload),
    "PreSettle": lambda h: Target("11", STUB, "PreSettle", lambda: h.settle_request("2206")),
    "Settle": lambda h: Target(
        "11", STUB, "Settle", lambda: h.settle_request("2207"), h.settled_one
    ),
    "RevokeSettlement": lambda h: Target("11", STUB, "RevokeSettlement", h.revoke, h.revoked_one),
    "CancelRegistration": lambda h: Target(
        "11", STUB, "CancelRegistration", h.cancel_registration, h.cancelled_one
    ),
    "CancelFeeDetails": lambda h: Target(
        "11", STUB, "CancelFeeDetails", h.cancel_fee_details, h.took_back
    ),
    "UploadDiagnoses": lambda h: Target("11", STUB, "UploadDiagnoses", h.upload_diagnoses),
    "QueryFeeDetails": lambda h: Target("11", STUB, "QueryFeeDetails", h.query_fee_details),
}


@pytest.mark.parametrize("rpc", list(TARGETS))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(data=st.data())
def test_malformed_treatment_requests_get_no_unknown_and_change_nothing(
    hospital: Hospital, rpc: str, data: st.DataObject
) -> None:
    exercise(hospital.live, TARGETS[rpc](hospital), data)
