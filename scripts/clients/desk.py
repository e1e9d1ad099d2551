"""A sample filing desk client: a service window (窗口) or the national app filing remote
treatment (备案) and chronic-disease qualifications with the insured place (FilingService).
Used by the demo and the tests; a province team can read it as a worked example."""

from __future__ import annotations

import grpc

from scripts import connect
from services.pb.settlenet.v1 import common_pb2, filing_pb2, filing_pb2_grpc
from services.rpc.envelope import MsgidFactory
from services.values import clock

OPTER_TYPE = {"window": "1", "agency": "1", "app": "3", "mini_program": "3"}


def desk_code(admdvs: str, channel: str) -> str:
    """A desk's sender code, the first 12 characters of its msgids (and the code its x-tif
    credentials are bound to): S + the region's admdvs + the channel's first letter + 0001."""
    return f"S{admdvs}{channel[:1].upper()}0001"


class Desk:
    """The insured region ``admdvs``'s filing desk on the channel ``channel`` (window, app)."""

    def __init__(
        self,
        grpc_channel: grpc.aio.Channel,
        admdvs: str,
        channel: str = "app",
        *,
        timeout: float = 10.0,
    ) -> None:
        self.stub = filing_pb2_grpc.FilingServiceStub(grpc_channel)
        self.admdvs = admdvs
        self.channel = channel
        self.msgid = MsgidFactory(desk_code(admdvs, channel))
        self.timeout = timeout

    def header(self, infno: str, msgid: str | None = None) -> common_pb2.RequestHeader:
        return common_pb2.RequestHeader(
            infno=infno,
            msgid=msgid or self.msgid(),
            mdtrtarea_admvs=self.admdvs,
            insuplc_admdvs=self.admdvs,
            opter_type=OPTER_TYPE.get(self.channel, "1"),
            opter="DESK01",
            inf_time=clock.format_time(clock.now()),
        )

    async def create(
        self,
        psn_no: str,
        category: str,
        dest_admdvs: str,
        begndate: str,
        enddate: str = "",
        evidence: str = "",
        *,
        msgid: str | None = None,
    ) -> common_pb2.FilingInfo:
        res = await self.stub.CreateFiling(
            filing_pb2.CreateFilingRequest(
                header=self.header("2501", msgid),
                psn_no=psn_no,
                category=category,
                dest_admdvs=dest_admdvs,
                begndate=begndate,
                enddate=enddate,
                evidence=evidence,
                channel=self.channel,
            ),
            timeout=self.timeout,
        )
        out: common_pb2.FilingInfo = res.filing
        return out

    async def change(self, psn_no: str, filing_id: str, **fields: str) -> common_pb2.FilingInfo:
        res = await self.stub.ChangeFiling(
            filing_pb2.ChangeFilingRequest(
                header=self.header("2510"), psn_no=psn_no, filing_id=filing_id, **fields
            ),
            timeout=self.timeout,
        )
        out: common_pb2.FilingInfo = res.filing
        return out

    async def revoke(self, psn_no: str, filing_id: str, memo: str = "") -> common_pb2.FilingInfo:
        res = await self.stub.RevokeFiling(
            filing_pb2.RevokeFilingRequest(
                header=self.header("2502"), psn_no=psn_no, filing_id=filing_id, memo=memo
            ),
            timeout=self.timeout,
        )
        out: common_pb2.FilingInfo = res.filing
        return out

    async def filings(self, psn_no: str) -> list[common_pb2.FilingInfo]:
        res = await self.stub.QueryFilings(
            filing_pb2.QueryFilingsRequest(header=self.header("5304"), psn_no=psn_no),
            timeout=self.timeout,
        )
        return list(res.filings)

    async def qualify(
        self,
        psn_no: str,
        opsp_dise_code: str,
        begndate: str,
        enddate: str = "",
        hosp_name: str = "",
    ) -> common_pb2.ChronicQualInfo:
        res = await self.stub.QualifyChronic(
            filing_pb2.QualifyChronicRequest(
                header=self.header("2503"),
                psn_no=psn_no,
                opsp_dise_code=opsp_dise_code,
                begndate=begndate,
                enddate=enddate,
                hosp_name=hosp_name,
            ),
            timeout=self.timeout,
        )
        out: common_pb2.ChronicQualInfo = res.qualification
        return out

    async def revoke_qualification(self, psn_no: str, qual_id: str) -> common_pb2.ChronicQualInfo:
        res = await self.stub.RevokeQualification(
            filing_pb2.RevokeQualificationRequest(
                header=self.header("2504"), psn_no=psn_no, qual_id=qual_id
            ),
            timeout=self.timeout,
        )
        out: common_pb2.ChronicQualInfo = res.qualification
        return out

    async def qualifications(self, psn_no: str) -> list[common_pb2.ChronicQualInfo]:
        res = await self.stub.QueryQualifications(
            filing_pb2.QueryQualificationsRequest(header=self.header("5301"), psn_no=psn_no),
            timeout=self.timeout,
        )
        return list(res.qualifications)


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.clients.desk --target DIR/network.json PSN_NO``: a person's filings
    (5304) and chronic-disease qualifications (5301) read through this client."""
    import argparse
    import asyncio
    import json
    import sys
    from pathlib import Path

    from google.protobuf.json_format import MessageToDict

    from scripts import target
    from services.rpc.status import describe_rpc_error

    p = argparse.ArgumentParser(
        prog="python -m scripts.clients.desk",
        description="A sample filing desk (窗口 / app): read a person's filings and "
        "qualifications at their insured node of a running network (settlenet up).",
    )
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("psn_no", help="the person (its first six digits name the insured region)")
    p.add_argument("--channel", default="window", help="window, app, mini_program or agency")
    args = p.parse_args(argv)

    async def read() -> dict[str, list[dict[str, object]]]:
        doc = target.load(args.target)
        region = args.psn_no[:6]
        code = next((c for c, v in doc["provinces"].items() if region in v["regions"]), None)
        if code is None:
            raise target.TargetError(f"no province in {args.target} insures region {region}")
        target.province_endpoint(doc, code, args.target)  # a clear error if it is not there
        async with connect.hospitals(doc, code) as ch:
            desk = Desk(ch, region, args.channel)
            filings = await desk.filings(args.psn_no)
            quals = await desk.qualifications(args.psn_no)
        as_dict = dict(preserving_proto_field_name=True)
        return {
            "filings": [MessageToDict(f, **as_dict) for f in filings],
            "qualifications": [MessageToDict(q, **as_dict) for q in quals],
        }

    try:
        print(json.dumps(asyncio.run(read()), ensure_ascii=False, indent=2))
    except target.TargetError as exc:
        print(f"{p.prog}: {exc}", file=sys.stderr)
        return 2
    except grpc.RpcError as exc:
        print(f"{p.prog}: {describe_rpc_error(exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    from scripts.options import ends_quietly  # piped to head: ends quietly, as settlenet does

    raise SystemExit(ends_quietly(main))
