"""``settlenet filing``: file remote treatment (备案) and chronic-disease qualifications with a
running insured node, and read the hub's national filing registry.

    settlenet filing --target var/net/network.json create 13010000000000000002 \\
        --category retiree_relocated --dest 110000 --begndate 2026-11-01
    settlenet filing --target var/net/network.json list 13010000000000000002
    settlenet filing --target var/net/network.json revoke 13010000000000000002 F1301...
    settlenet filing --target var/net/network.json qualify 13010000000000000002 M01600 \\
        --begndate 2026-01-01
    settlenet filing --target var/net/network.json registry [--psn-no P] [--dest 11]

The insured node is found from the person's psn_no (its first six characters are the insured
region); ``--channel`` says which channel files (window, app, mini_program, agency).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.json_format import MessageToDict

from scripts import target
from scripts.desk import Desk
from services.pb.settlenet.v1 import filing_pb2, filing_pb2_grpc


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "filing",
        help="file remote treatment; read the national registry",
        description="Create, change, revoke and list filings (备案) and "
        "chronic-disease qualifications at a running insured node, and read the "
        "hub's national filing registry.",
    )
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("--channel", default="window", help="window, app, mini_program or agency")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    c = acts.add_parser("create", help="2501 create a filing")
    c.add_argument("psn_no")
    c.add_argument("--category", required=True)
    c.add_argument("--dest", required=True, help="destination admdvs, e.g. 110000")
    c.add_argument("--begndate", required=True)
    c.add_argument("--enddate", default="")
    c.add_argument("--evidence", default="")
    ch = acts.add_parser("change", help="2510 change a filing")
    ch.add_argument("psn_no")
    ch.add_argument("filing_id")
    for opt in ("--dest", "--begndate", "--enddate", "--evidence", "--memo"):
        ch.add_argument(opt, default="")
    r = acts.add_parser("revoke", help="2502 revoke a filing")
    r.add_argument("psn_no")
    r.add_argument("filing_id")
    r.add_argument("--memo", default="")
    ls = acts.add_parser("list", help="5304 a person's filings and 5301 qualifications")
    ls.add_argument("psn_no")
    q = acts.add_parser("qualify", help="2503 certify a chronic-disease qualification")
    q.add_argument("psn_no")
    q.add_argument("opsp_dise_code")
    q.add_argument("--begndate", required=True)
    q.add_argument("--enddate", default="")
    rq = acts.add_parser("revoke-qualification", help="2504 revoke a qualification")
    rq.add_argument("psn_no")
    rq.add_argument("qual_id")
    reg = acts.add_parser("registry", help="the hub's national filing registry (history)")
    reg.add_argument("--psn-no", default="")
    reg.add_argument("--filing-id", default="")
    reg.add_argument("--dest", default="", help="destination province, e.g. 11")
    reg.add_argument("--limit", type=int, default=100)


def _endpoint_for(doc: dict[str, Any], psn_no: str, path: Path) -> tuple[str, str]:
    region = psn_no[:6]
    for code, p in doc["provinces"].items():
        if region in p["regions"]:
            return target.province_endpoint(doc, code, path), region
    raise target.TargetError(
        f"no province in {path} insures region {region} (from psn_no {psn_no})"
    )


async def _call(doc: dict[str, Any], args: argparse.Namespace) -> Any:
    if args.action == "registry":
        async with grpc.aio.insecure_channel(doc["hub"]["endpoint"]) as ch:
            return await filing_pb2_grpc.FilingRegistryServiceStub(ch).QueryRegistry(
                filing_pb2.RegistryQuery(
                    psn_no=args.psn_no,
                    filing_id=args.filing_id,
                    dest_admdvs=args.dest,
                    limit=args.limit,
                ),
                timeout=10,
            )
    endpoint, region = _endpoint_for(doc, args.psn_no, args.target)
    async with grpc.aio.insecure_channel(endpoint) as ch:
        desk = Desk(ch, region, args.channel)
        if args.action == "create":
            return await desk.create(
                args.psn_no, args.category, args.dest, args.begndate, args.enddate, args.evidence
            )
        if args.action == "change":
            fields = {
                k: v
                for k, v in (
                    ("dest_admdvs", args.dest),
                    ("begndate", args.begndate),
                    ("enddate", args.enddate),
                    ("evidence", args.evidence),
                    ("memo", args.memo),
                )
                if v
            }
            return await desk.change(args.psn_no, args.filing_id, **fields)
        if args.action == "revoke":
            return await desk.revoke(args.psn_no, args.filing_id, args.memo)
        if args.action == "qualify":
            return await desk.qualify(args.psn_no, args.opsp_dise_code, args.begndate, args.enddate)
        if args.action == "revoke-qualification":
            return await desk.revoke_qualification(args.psn_no, args.qual_id)
        return {
            "filings": [
                MessageToDict(f, preserving_proto_field_name=True)
                for f in await desk.filings(args.psn_no)
            ],
            "qualifications": [
                MessageToDict(q, preserving_proto_field_name=True)
                for q in await desk.qualifications(args.psn_no)
            ],
        }


def main(args: argparse.Namespace) -> int:
    answer, code = target.run("filing", args.target, lambda doc: _call(doc, args))
    if code:
        return code
    doc = (
        answer
        if isinstance(answer, dict)
        else MessageToDict(answer, preserving_proto_field_name=True)
    )
    if args.json or isinstance(answer, dict):
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    elif isinstance(answer, filing_pb2.RegistryResponse):
        for e in answer.entries:
            ev = e.event
            print(
                f"{e.received_at}  {ev.infno}  {ev.psn_no}  "
                + (
                    f"{ev.filing.filing_id} {ev.filing.category} → {ev.filing.dest_admdvs} "
                    f"{ev.filing.status} via {ev.filing.channel}"
                    if ev.HasField("filing")
                    else f"{ev.qualification.qual_id} {ev.qualification.opsp_dise_code} "
                    f"{ev.qualification.status}"
                )
                + f"  (by {ev.opter})"
            )
    else:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    return 0
