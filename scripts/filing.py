"""``settlenet filing``: file remote treatment (备案) and chronic-disease qualifications with a
running insured node, and read the hub's national filing registry.

    settlenet filing --target var/net/network.json create 13010000000000000002 \\
        --category retiree_relocated --dest 110000 --begndate 2026-11-01
    settlenet filing --target var/net/network.json list 13010000000000000002
    settlenet filing --target var/net/network.json revoke 13010000000000000002 F1301...
    settlenet filing --target var/net/network.json qualify 13010000000000000002 M01600 \\
        --begndate 2026-01-01
    settlenet filing --target var/net/network.json registry [--psn-no P] [--dest 11]
    settlenet filing list 13010000000000000002 --target var/net/network.json --json

The insured node is found from the person's psn_no (its first six characters are the insured
region); ``--channel`` says which channel files (window, app, mini_program, agency). Answers
print as text, or as JSON with ``--json``; ``--dest`` takes a 6-digit admdvs or a 2-digit
province code (``11`` is ``110000``). Options may come before or after the action.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict

from scripts import connect, target
from scripts.clients.desk import Desk
from scripts.options import DEST_HELP, Shared, Subparsers, dest_code, optional_dest
from services.pb.settlenet.v1 import filing_pb2, filing_pb2_grpc


def add_parser(sub: Subparsers) -> None:
    shared = Shared()
    shared.add("--target", type=Path, required=True, help="DIR/network.json")
    shared.add("--channel", default="window", help="window, app, mini_program or agency")
    shared.add("--json", action="store_true", help="print the answer as JSON (default text)")
    p = shared.command_parser(
        sub,
        "filing",
        help="file remote treatment; read the national registry",
        description="Create, change, revoke and list filings (备案) and "
        "chronic-disease qualifications at a running insured node, and read the "
        "hub's national filing registry. Prints text; --json prints the answer as JSON. "
        "--target, --channel and --json may come before or after the action.",
    )
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    c = shared.action_parser(acts, "create", help="2501 create a filing")
    c.add_argument("psn_no")
    c.add_argument("--category", required=True)
    c.add_argument("--dest", type=dest_code, required=True, help=DEST_HELP)
    c.add_argument("--begndate", required=True)
    c.add_argument("--enddate", default="")
    c.add_argument("--evidence", default="")
    ch = shared.action_parser(acts, "change", help="2510 change a filing")
    ch.add_argument("psn_no")
    ch.add_argument("filing_id")
    ch.add_argument("--dest", type=optional_dest, default="", help=DEST_HELP)
    for opt in ("--begndate", "--enddate", "--evidence", "--memo"):
        ch.add_argument(opt, default="")
    r = shared.action_parser(acts, "revoke", help="2502 revoke a filing")
    r.add_argument("psn_no")
    r.add_argument("filing_id")
    r.add_argument("--memo", default="")
    ls = shared.action_parser(acts, "list", help="5304 a person's filings and 5301 qualifications")
    ls.add_argument("psn_no")
    q = shared.action_parser(acts, "qualify", help="2503 certify a chronic-disease qualification")
    q.add_argument("psn_no")
    q.add_argument("opsp_dise_code")
    q.add_argument("--begndate", required=True)
    q.add_argument("--enddate", default="")
    rq = shared.action_parser(acts, "revoke-qualification", help="2504 revoke a qualification")
    rq.add_argument("psn_no")
    rq.add_argument("qual_id")
    reg = shared.action_parser(
        acts, "registry", help="the hub's national filing registry (history)"
    )
    reg.add_argument("--psn-no", default="")
    reg.add_argument("--filing-id", default="")
    reg.add_argument(
        "--dest", type=optional_dest, default="", help=DEST_HELP + "; its province's filings"
    )
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
        async with connect.operator(doc) as ch:
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
    async with connect.channel(doc, endpoint, signer=connect.keyring(doc)) as ch:
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


def _filing_line(f: dict[str, Any]) -> str:
    return (
        f"{f.get('filing_id', '-')}  {f.get('category', '')} → {f.get('dest_admdvs', '')}  "
        f"{f.get('begndate', '')}..{f.get('enddate', '') or ''}  {f.get('status', '')}"
        + (f" via {f['channel']}" if f.get("channel") else "")
    )


def _qualification_line(q: dict[str, Any]) -> str:
    return (
        f"{q.get('qual_id', '-')}  {q.get('opsp_dise_code', '')}  "
        f"{q.get('begndate', '')}..{q.get('enddate', '') or ''}  {q.get('status', '')}"
    )


def render(answer: Any, doc: dict[str, Any]) -> str:
    """The answer as text: one line per filing, qualification or registry event."""
    if isinstance(answer, filing_pb2.RegistryResponse):
        lines = []
        for e in answer.entries:
            ev = e.event
            lines.append(
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
        return "\n".join(lines) if lines else "no registry entries"
    if "filings" in doc and "qualifications" in doc:
        lines = ["filings:"] + [f"  {_filing_line(f)}" for f in doc["filings"]]
        if not doc["filings"]:
            lines.append("  none")
        lines.append("qualifications:")
        lines += [f"  {_qualification_line(q)}" for q in doc["qualifications"]]
        if not doc["qualifications"]:
            lines.append("  none")
        return "\n".join(lines)
    if "qual_id" in doc:
        return _qualification_line(doc)
    if "filing_id" in doc:
        return _filing_line(doc)
    return "\n".join(f"{k}: {v}" for k, v in doc.items()) or "done"


def main(args: argparse.Namespace) -> int:
    answer, code = target.run("filing", args.target, lambda doc: _call(doc, args))
    if code or answer is None:
        return code
    doc = (
        answer
        if isinstance(answer, dict)
        else MessageToDict(answer, preserving_proto_field_name=True)
    )
    print(json.dumps(doc, ensure_ascii=False, indent=2) if args.json else render(answer, doc))
    return 0
