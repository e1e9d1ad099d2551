"""A sample hospital information system (HIS) client: drives a treatment node the way a
hospital does (1101 → 2201 → 2203 → 2204 → 2206 → 2207, and 2208; 2205 and 2202 to take lines
back or cancel the visit before settlement; 5203 and 5204 to ask). Used by the demo, the tests
and the load generator; a province team can read it as a worked example of the contract."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc

from services.pb.settlenet.v1 import common_pb2, insured_pb2, treatment_pb2, treatment_pb2_grpc
from services.rpc.envelope import MsgidFactory
from services.values import clock


@dataclass(frozen=True)
class Line:
    """A fee line to upload: catalogue code, quantity (exact decimal string), unit price fen."""

    code: str
    cnt: str
    pric: int

    def amount(self) -> int:
        from decimal import ROUND_HALF_UP, Decimal

        return int((Decimal(self.cnt) * self.pric).quantize(Decimal(1), ROUND_HALF_UP))


class His:
    """One institution's HIS talking to its treatment node."""

    def __init__(
        self,
        channel: grpc.aio.Channel,
        fixmedins_code: str,
        mdtrtarea_admvs: str,
        *,
        timeout: float = 10.0,
    ) -> None:
        self.stub = treatment_pb2_grpc.TreatmentServiceStub(channel)
        self.fixmedins_code = fixmedins_code
        self.mdtrtarea_admvs = mdtrtarea_admvs
        self.msgid = MsgidFactory(fixmedins_code)
        self.timeout = timeout

    def header(
        self, infno: str, insuplc_admdvs: str, msgid: str | None = None
    ) -> common_pb2.RequestHeader:
        return common_pb2.RequestHeader(
            infno=infno,
            msgid=msgid or self.msgid(),
            mdtrtarea_admvs=self.mdtrtarea_admvs,
            insuplc_admdvs=insuplc_admdvs,
            fixmedins_code=self.fixmedins_code,
            opter_type="1",
            opter="OP001",
            inf_time=clock.format_time(clock.now()),
        )

    async def query_person(self, insuplc_admdvs: str, certno: str) -> insured_pb2.PersonInfo:
        res: insured_pb2.PersonInfo = await self.stub.QueryPerson(
            insured_pb2.PersonQuery(
                header=self.header("1101", insuplc_admdvs),
                mdtrt_cert_type="02",
                mdtrt_cert_no=certno,
                psn_cert_type="01",
                certno=certno,
            ),
            timeout=self.timeout,
        )
        return res

    async def register_visit(
        self,
        insuplc_admdvs: str,
        psn_no: str,
        insutype: str,
        begntime: str,
        *,
        med_type: str = "11",
        diag: tuple[str, ...] = ("J06.900",),
        opsp_dise_code: str = "",
        refl_flag: str = "",
    ) -> treatment_pb2.RegisterVisitResponse:
        """2201. ``med_type`` "14" with ``opsp_dise_code`` for a chronic/special disease, "13"
        for emergency; ``refl_flag`` "1" for a referral."""
        res: treatment_pb2.RegisterVisitResponse = await self.stub.RegisterVisit(
            treatment_pb2.RegisterVisitRequest(
                header=self.header("2201", insuplc_admdvs),
                psn_no=psn_no,
                insutype=insutype,
                begntime=begntime,
                mdtrt_cert_type="01",
                mdtrt_cert_no=psn_no,
                ipt_otp_no=f"OP{psn_no[-6:]}",
                med_type=med_type,
                dept_code="A03",
                dept_name="内科",
                diseinfo=[common_pb2.Diagnosis(diag_code=d) for d in diag],
                opsp_dise_code=opsp_dise_code,
                refl_flag=refl_flag,
            ),
            timeout=self.timeout,
        )
        return res

    async def register(self, *args: Any, **kwargs: Any) -> str:
        """2201; returns the visit id (mdtrt_id)."""
        return str((await self.register_visit(*args, **kwargs)).mdtrt_id)

    async def upload(
        self,
        insuplc_admdvs: str,
        mdtrt_id: str,
        psn_no: str,
        lines: list[Line],
        fee_time: str,
        *,
        first_sn: int = 1,
        chrg_bchno: str = "",
        msgid: str | None = None,
    ) -> treatment_pb2.UploadFeeDetailsResponse:
        """2204. ``chrg_bchno`` names the charge batch (2205 takes a batch back by it)."""
        res: treatment_pb2.UploadFeeDetailsResponse = await self.stub.UploadFeeDetails(
            treatment_pb2.UploadFeeDetailsRequest(
                header=self.header("2204", insuplc_admdvs, msgid),
                mdtrt_id=mdtrt_id,
                psn_no=psn_no,
                chrg_bchno=chrg_bchno,
                feedetail=[
                    treatment_pb2.FeeDetail(
                        feedetl_sn=f"{first_sn + i:04d}",
                        fee_ocur_time=fee_time,
                        med_list_codg=x.code,
                        cnt=x.cnt,
                        pric=x.pric,
                        det_item_fee_sumamt=x.amount(),
                    )
                    for i, x in enumerate(lines)
                ],
            ),
            timeout=self.timeout,
        )
        return res

    def settle_request(
        self,
        infno: str,
        insuplc_admdvs: str,
        mdtrt_id: str,
        psn_no: str,
        insutype: str,
        medfee_sumamt: int,
        *,
        med_type: str = "11",
        acct_used: bool = True,
        msgid: str | None = None,
    ) -> treatment_pb2.SettleRequest:
        return treatment_pb2.SettleRequest(
            header=self.header(infno, insuplc_admdvs, msgid),
            psn_no=psn_no,
            mdtrt_cert_type="01",
            mdtrt_cert_no=psn_no,
            med_type=med_type,
            medfee_sumamt=medfee_sumamt,
            psn_setlway="01",
            mdtrt_id=mdtrt_id,
            acct_used_flag="1" if acct_used else "0",
            insutype=insutype,
        )

    async def pre_settle(self, *args: Any, **kwargs: Any) -> treatment_pb2.SettleResponse:
        res: treatment_pb2.SettleResponse = await self.stub.PreSettle(
            self.settle_request("2206", *args, **kwargs), timeout=self.timeout
        )
        return res

    async def settle(self, *args: Any, **kwargs: Any) -> treatment_pb2.SettleResponse:
        res: treatment_pb2.SettleResponse = await self.stub.Settle(
            self.settle_request("2207", *args, **kwargs), timeout=self.timeout
        )
        return res

    async def revoke(
        self,
        insuplc_admdvs: str,
        setl_id: str,
        mdtrt_id: str,
        psn_no: str,
        *,
        msgid: str | None = None,
    ) -> treatment_pb2.RevokeSettlementResponse:
        res: treatment_pb2.RevokeSettlementResponse = await self.stub.RevokeSettlement(
            treatment_pb2.RevokeSettlementRequest(
                header=self.header("2208", insuplc_admdvs, msgid),
                setl_id=setl_id,
                mdtrt_id=mdtrt_id,
                psn_no=psn_no,
            ),
            timeout=self.timeout,
        )
        return res

    async def upload_diagnoses(
        self,
        insuplc_admdvs: str,
        mdtrt_id: str,
        psn_no: str,
        begntime: str,
        diag: tuple[str, ...],
        *,
        med_type: str = "11",
        dise_codg: str = "",
        msgid: str | None = None,
    ) -> treatment_pb2.UploadDiagnosesResponse:
        """2203: the visit's medical type and diagnoses (the first is the main one);
        ``dise_codg`` the chronic/special disease of a med_type "14" visit."""
        res: treatment_pb2.UploadDiagnosesResponse = await self.stub.UploadDiagnoses(
            treatment_pb2.UploadDiagnosesRequest(
                header=self.header("2203", insuplc_admdvs, msgid),
                mdtrtinfo=treatment_pb2.MdtrtInfo(
                    mdtrt_id=mdtrt_id,
                    psn_no=psn_no,
                    med_type=med_type,
                    begntime=begntime,
                    dise_codg=dise_codg,
                ),
                diseinfo=[
                    common_pb2.Diagnosis(
                        diag_code=d,
                        diag_type="1",
                        diag_srt_no=i + 1,
                        diag_dept="内科",
                        dise_dor_no="D001",
                        dise_dor_name="医生",
                        diag_time=begntime,
                        vali_flag="1",
                    )
                    for i, d in enumerate(diag)
                ],
            ),
            timeout=self.timeout,
        )
        return res

    async def cancel_fee_details(
        self,
        insuplc_admdvs: str,
        mdtrt_id: str,
        psn_no: str,
        chrg_bchno: str = "0000",
        *,
        msgid: str | None = None,
    ) -> treatment_pb2.CancelFeeDetailsResponse:
        """2205: take back the lines of one charge batch ("0000": all of the visit's)."""
        res: treatment_pb2.CancelFeeDetailsResponse = await self.stub.CancelFeeDetails(
            treatment_pb2.CancelFeeDetailsRequest(
                header=self.header("2205", insuplc_admdvs, msgid),
                mdtrt_id=mdtrt_id,
                chrg_bchno=chrg_bchno,
                psn_no=psn_no,
            ),
            timeout=self.timeout,
        )
        return res

    async def cancel_registration(
        self,
        insuplc_admdvs: str,
        mdtrt_id: str,
        psn_no: str,
        *,
        ipt_otp_no: str | None = None,
        msgid: str | None = None,
    ) -> treatment_pb2.CancelRegistrationResponse:
        """2202: cancel the visit (``ipt_otp_no`` defaults to the one :meth:`register_visit`
        sends)."""
        res: treatment_pb2.CancelRegistrationResponse = await self.stub.CancelRegistration(
            treatment_pb2.CancelRegistrationRequest(
                header=self.header("2202", insuplc_admdvs, msgid),
                psn_no=psn_no,
                mdtrt_id=mdtrt_id,
                ipt_otp_no=ipt_otp_no if ipt_otp_no is not None else f"OP{psn_no[-6:]}",
            ),
            timeout=self.timeout,
        )
        return res

    async def query_fee_details(
        self, insuplc_admdvs: str, mdtrt_id: str, psn_no: str, *, setl_id: str = ""
    ) -> treatment_pb2.QueryFeeDetailsResponse:
        """5204: the visit's fee lines as the node holds them."""
        res: treatment_pb2.QueryFeeDetailsResponse = await self.stub.QueryFeeDetails(
            treatment_pb2.QueryFeeDetailsRequest(
                header=self.header("5204", insuplc_admdvs),
                psn_no=psn_no,
                setl_id=setl_id,
                mdtrt_id=mdtrt_id,
            ),
            timeout=self.timeout,
        )
        return res


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.clients.his --target DIR/network.json``: one sample visit (1101 →
    2201 → 2204 → 2206 → 2207 → 2208) through this client, as ``settlenet visit`` drives it."""
    import argparse
    from pathlib import Path

    from scripts import visit

    p = argparse.ArgumentParser(
        prog="python -m scripts.clients.his",
        description="A sample hospital information system (HIS): drive one cross-province "
        "visit against a running network (settlenet up) with this client.",
    )
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("--treat", default="11", help="treatment province code (default 11)")
    p.add_argument("--insured", default="13", help="insured province code (default 13)")
    p.add_argument("--keep", action="store_true", help="do not revoke the settlement")
    p.add_argument("--json", action="store_true", help="print JSON")
    return visit.main(p.parse_args(argv))


if __name__ == "__main__":
    from scripts.options import ends_quietly  # piped to head: ends quietly, as settlenet does

    raise SystemExit(ends_quietly(main))
