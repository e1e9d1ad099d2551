"""``settlenet resolve``: resolve now every message left in doubt, on every forwarding node.

    settlenet resolve --target var/net/network.json [--json]

Each treatment node, then the hub, resolves the forwards it holds pending (``ResolveInDoubt``):
it asks the next node what it knows of the msgid (5203, following the chain) and records that,
or corrects it (2601) — what its own resolver does every few seconds anyway
(``docs/exactly-once.md``). One line per msgid: the node, the msgid, its transaction and what it
became. Exit status 0 when nothing is left pending, 1 when something still is (a node it must
ask does not answer) or a node could not be asked.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.json_format import MessageToDict

from scripts import connect, target
from scripts.options import Subparsers
from services.pb.settlenet.v1 import correction_pb2, correction_pb2_grpc
from services.rpc.status import describe_rpc_error


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "resolve",
        help="resolve every message left in doubt on every node, now",
        description="Ask every treatment node and the hub to resolve the messages "
        "they forwarded without learning the outcome: each asks the next node and "
        "records what it knows, or corrects it (2601). Prints what each became.",
    )
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("--json", action="store_true", help="print JSON")


async def run(doc: dict[str, Any]) -> dict[str, Any]:
    """Resolve on every province node (as place of treatment), then on the hub."""
    nodes = [(f"province {c}", p["endpoint"]) for c, p in sorted(doc["provinces"].items())]
    nodes.append(("hub", doc["hub"]["endpoint"]))
    resolved: list[dict[str, Any]] = []
    failed: dict[str, str] = {}
    for name, endpoint in nodes:
        try:
            async with connect.operator(doc, endpoint) as ch:
                answer = await correction_pb2_grpc.CorrectionServiceStub(ch).ResolveInDoubt(
                    correction_pb2.InDoubtQuery(limit=10_000), timeout=120
                )
        except grpc.RpcError as exc:
            failed[name] = describe_rpc_error(exc)
            continue
        resolved += [
            MessageToDict(
                m, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
            )
            for m in answer.messages
        ]
    return {
        "resolved": resolved,
        "still_pending": sum(1 for m in resolved if m["state"] == "pending"),
        "unreachable": failed,
    }


def render(report: dict[str, Any]) -> str:
    lines = [
        f"{m['node']:<13} {m['msgid']} {m['infno']} {m['state']:<9} {m['outcome']}"
        for m in report["resolved"]
    ]
    lines += [f"{name} could not be asked: {why}" for name, why in report["unreachable"].items()]
    n = len(report["resolved"])
    lines.append(
        "nothing was in doubt"
        if not n
        else f"{n} message(s) looked at, {report['still_pending']} still pending"
    )
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    report, code = target.run("resolve", args.target, run)
    if code or report is None:
        return code
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render(report))
    return 0 if not report["still_pending"] and not report["unreachable"] else 1
