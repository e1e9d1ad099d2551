"""Echo nodes: the same services and messages as the real nodes, with trivial handlers (no
validation, no database, no policy): the bare gRPC ceiling a real node is compared with.

    python -m scripts.bench.echo insured --ready-file F
    python -m scripts.bench.echo hub --upstream INSURED_ADDR --ready-file F
    python -m scripts.bench.echo treatment --upstream HUB_ADDR --ready-file F

The echo treatment node answers 2201 and 2204 itself and relays 1101, 2206 and 2207 to its
upstream hub as the real one does (building the same SettleClaim); the echo hub relays to its
upstream insured node unchanged; the echo insured node answers with a canned, realistically
filled split. Each runs on ``services.server.start_server``, as the real nodes do; with
``--tls-dir`` each takes mutual TLS and applies the same authorization matrix and x-tif checks
as the real node in its place (the echo treatment node is province 11, the echo insured node
province 13), so the ceiling pays what the real nodes pay.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
from pathlib import Path
from typing import Any

from services.pb.settlenet.v1 import (
    common_pb2,
    hub_pb2_grpc,
    insured_pb2,
    insured_pb2_grpc,
    treatment_pb2,
    treatment_pb2_grpc,
)
from services.rpc.server import Tls, open_channel, start_server
from services.security import material

_UPSTREAM_TLS: Tls | None = None
"""The certificate an echo node calls its upstream with (set before its servicer is made)."""

_HEADER = common_pb2.ResponseHeader(
    inf_refmsgid="1000002026112500000000000001",
    refmsg_time="2026-11-25 10:00:00",
    respond_time="2026-11-25 10:00:00",
    infcode=0,
)
_SETL = common_pb2.SetlInfo(
    mdtrt_id="110000202611250000000001",
    setl_id="130100202611250000000001",
    psn_no="13010000000000001000",
    psn_name="张三",
    psn_cert_type="01",
    certno="130102196203155796",
    insutype="310",
    psn_type="12",
    cvlserv_flag="0",
    setl_time="2026-11-25 10:00:00",
    med_type="11",
    medfee_sumamt=25634,
    fulamt_ownpay_amt=402,
    overlmt_selfpay=0,
    preselfpay_amt=455,
    inscp_scp_amt=24777,
    act_pay_dedc=0,
    hifp_pay=17344,
    fund_pay_sumamt=17344,
    acct_pay=8290,
    psn_cash_pay=0,
    psn_part_amt=8290,
    balc=141710,
)
SETTLE_RESULT = insured_pb2.SettleResult(header=_HEADER, setlinfo=_SETL)
PERSON = insured_pb2.PersonInfo(
    baseinfo=insured_pb2.BaseInfo(
        psn_no="13010000000000001000",
        psn_cert_type="01",
        certno="130102196203155796",
        psn_name="张三",
        gend="1",
        brdy="1962-03-15",
        age=64,
    ),
    insuinfo=[
        insured_pb2.InsuInfo(
            balc=150000,
            insutype="310",
            psn_type="12",
            psn_insu_stas="1",
            psn_insu_date="2010-01-01",
            cvlserv_flag="0",
            insuplc_admdvs="130100",
        )
    ],
)


def _numbered(n: int) -> insured_pb2.SettleResult:
    """The canned result with its own setl_id, as a real insured node gives."""
    result = insured_pb2.SettleResult()
    result.CopyFrom(SETTLE_RESULT)
    result.setlinfo.setl_id = f"1301002026112{n:011d}"
    return result


class EchoInsured(insured_pb2_grpc.InsuredServiceServicer):
    def __init__(self) -> None:
        self._n = itertools.count(1)

    async def QueryPerson(self, request: Any, context: Any) -> Any:
        return PERSON

    async def ComputeSplit(self, request: Any, context: Any) -> Any:
        return SETTLE_RESULT

    async def CommitSettlement(self, request: Any, context: Any) -> Any:
        return _numbered(next(self._n))

    async def RevokeSettlement(self, request: Any, context: Any) -> Any:
        return _numbered(next(self._n))


class EchoHub(hub_pb2_grpc.HubServiceServicer):
    def __init__(self, upstream: str) -> None:
        self.stub = insured_pb2_grpc.InsuredServiceStub(open_channel(upstream, _UPSTREAM_TLS))

    async def QueryPerson(self, request: Any, context: Any) -> Any:
        return await self.stub.QueryPerson(request, timeout=10)

    async def PreSettle(self, request: Any, context: Any) -> Any:
        return await self.stub.ComputeSplit(request, timeout=10)

    async def Settle(self, request: Any, context: Any) -> Any:
        return await self.stub.CommitSettlement(request, timeout=10)

    async def RevokeSettlement(self, request: Any, context: Any) -> Any:
        return await self.stub.RevokeSettlement(request, timeout=10)


def _claim(request: Any) -> Any:
    return insured_pb2.SettleClaim(
        header=request.header,
        psn_no=request.psn_no,
        insutype=request.insutype,
        med_type=request.med_type,
        mdtrt_id=request.mdtrt_id,
        medins_lv="3",
        setl_date="2026-11-25",
        acct_used_flag=request.acct_used_flag,
        medfee_sumamt=request.medfee_sumamt,
        fulamt_ownpay_amt=402,
        overlmt_selfpay=0,
        preselfpay_amt=455,
        inscp_scp_amt=request.medfee_sumamt - 857,
        fixmedins_code=request.header.fixmedins_code,
    )


class EchoTreatment(treatment_pb2_grpc.TreatmentServiceServicer):
    def __init__(self, upstream: str) -> None:
        self.stub = hub_pb2_grpc.HubServiceStub(open_channel(upstream, _UPSTREAM_TLS))
        self.seq = 0

    async def QueryPerson(self, request: Any, context: Any) -> Any:
        return await self.stub.QueryPerson(request, timeout=10)

    async def RegisterVisit(self, request: Any, context: Any) -> Any:
        self.seq += 1
        return treatment_pb2.RegisterVisitResponse(
            header=_HEADER, mdtrt_id=f"110000{self.seq:018d}"
        )

    async def UploadFeeDetails(self, request: Any, context: Any) -> Any:
        return treatment_pb2.UploadFeeDetailsResponse(
            header=_HEADER,
            result=[
                treatment_pb2.FeeDetailResult(
                    feedetl_sn=d.feedetl_sn,
                    med_list_codg=d.med_list_codg,
                    det_item_fee_sumamt=d.det_item_fee_sumamt,
                    cnt=d.cnt,
                    pric=d.pric,
                    inscp_scp_amt=d.det_item_fee_sumamt,
                    chrgitm_lv="01",
                    list_type="101",
                )
                for d in request.feedetail
            ],
        )

    async def PreSettle(self, request: Any, context: Any) -> Any:
        res = await self.stub.PreSettle(_claim(request), timeout=10)
        return treatment_pb2.SettleResponse(header=res.header, setlinfo=res.setlinfo)

    async def Settle(self, request: Any, context: Any) -> Any:
        res = await self.stub.Settle(_claim(request), timeout=10)
        return treatment_pb2.SettleResponse(header=res.header, setlinfo=res.setlinfo)


ROLE_IDENTITY = {
    "insured": ("province-13", "13"),
    "hub": ("hub", ""),
    "treatment": ("province-11", "11"),
}
"""Each echo node's certificate and the node whose authorization matrix it applies."""


async def serve(role: str, upstream: str, ready_file: Path | None, tls_dir: Path | None) -> None:
    global _UPSTREAM_TLS
    name, node = ROLE_IDENTITY[role]
    security = material.load(tls_dir, name) if tls_dir else None
    _UPSTREAM_TLS = security.tls if security else None
    if role == "insured":
        services: list[tuple[Any, Any, str]] = [
            (
                insured_pb2_grpc.add_InsuredServiceServicer_to_server,
                EchoInsured(),
                "settlenet.v1.InsuredService",
            )
        ]
    elif role == "hub":
        services = [
            (
                hub_pb2_grpc.add_HubServiceServicer_to_server,
                EchoHub(upstream),
                "settlenet.v1.HubService",
            )
        ]
    else:
        services = [
            (
                treatment_pb2_grpc.add_TreatmentServiceServicer_to_server,
                EchoTreatment(upstream),
                "settlenet.v1.TreatmentService",
            )
        ]
    running = await start_server(
        services,
        tls=security.tls if security else None,
        guard=security.guard(node) if security else None,
    )
    if ready_file:
        tmp = ready_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"endpoint": f"127.0.0.1:{running.port}", "pid": os.getpid()}))
        tmp.replace(ready_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await running.stop(0.5)


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("role", choices=("insured", "hub", "treatment"))
    p.add_argument("--upstream", default="")
    p.add_argument("--ready-file", type=Path)
    p.add_argument(
        "--tls-dir",
        type=Path,
        help="mutual TLS and the same authorization and x-tif checks as a real node",
    )
    a = p.parse_args()
    asyncio.run(serve(a.role, a.upstream, a.ready_file, a.tls_dir))


if __name__ == "__main__":
    main()
