"""``settlenet nodes``: the hub's registry of province nodes, read and changed by the operator.

    settlenet nodes list --target DIR/network.json [--json]
    settlenet nodes register --target DIR/network.json --province 13 --endpoint HOST:PORT
        [--admdvs 130100 ...] [--name NAME] [--http https://HOST:PORT/fsi/...]
    settlenet nodes deregister --target DIR/network.json --province 13

``list`` shows every registered node with its gRPC health (asked of the node itself, as the
operator); ``register`` puts a node (someone else's, started by hand or elsewhere) in the
registry so that the hub routes its insured places to it — a node registers itself when it
starts, so this is for a node that cannot, or to point the hub at another one; ``deregister``
takes it out (calls insured there then fail with NOT_FOUND until a node registers again).
Registering under a province code replaces that province's previous node.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.json_format import MessageToDict
from grpc_health.v1 import health_pb2, health_pb2_grpc

from provincial_nodes import config
from scripts import connect, target
from scripts.options import Subparsers
from services.pb.settlenet.v1 import hub_pb2, hub_pb2_grpc

HEALTH_TIMEOUT_S = 3.0


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "nodes",
        help="list, register or deregister province nodes at the hub",
        description="The hub's registry of province nodes, as the operator: list them with "
        "their health, register a node someone started elsewhere (its insured places are then "
        "routed to it), or deregister one.",
    )
    p.add_argument("action", choices=("list", "register", "deregister"))
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("--province", help="two-digit province code (register, deregister)")
    p.add_argument("--endpoint", help="HOST:PORT where the node serves gRPC (register)")
    p.add_argument(
        "--admdvs",
        nargs="+",
        help="insured regions it answers for (register; default the province's known regions)",
    )
    p.add_argument("--name", help="a name for people (register; default the province's)")
    p.add_argument("--http", default="", help="its national HTTP interface's URL (register)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _default_regions(code: str) -> tuple[list[str], str]:
    """The insured regions and name settlenet knows for province ``code`` (its built-in data)."""
    try:
        data = config.load(config.province_folder(code))
    except Exception:  # an unknown code: the caller must say
        return [], ""
    return sorted(data.regions), data.name


async def _health(doc: dict[str, Any], endpoint: str) -> str:
    try:
        async with connect.operator(doc, endpoint) as ch:
            answer = await health_pb2_grpc.HealthStub(ch).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=HEALTH_TIMEOUT_S
            )
    except grpc.RpcError as exc:
        return f"unreachable ({exc.code().name})"
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status))


async def listing(doc: dict[str, Any]) -> list[dict[str, Any]]:
    async with connect.operator(doc) as ch:
        answer = await hub_pb2_grpc.HubServiceStub(ch).ListNodes(
            hub_pb2.ListNodesRequest(), timeout=10
        )
    nodes = [
        MessageToDict(
            n, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
        )
        for n in answer.nodes
    ]
    healths = await asyncio.gather(*(_health(doc, n["endpoint"]) for n in nodes))
    for node, health in zip(nodes, healths, strict=True):
        node["health"] = health
    return nodes


def render(nodes: list[dict[str, Any]]) -> str:
    if not nodes:
        return "the hub knows no province node"
    lines = [f"{'code':<5}{'name':<12}{'endpoint':<24}{'health':<18}registered"]
    for n in nodes:
        lines.append(
            f"{n['province_code']:<5}{n['name'][:11]:<12}{n['endpoint']:<24}"
            f"{n['health']:<18}{n['registered_at']}"
        )
        lines.append(
            f"     insures {', '.join(n['admdvs'])}; http {n['http_endpoint'] or '-'}; "
            f"version {n['version'] or '-'}"
        )
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    if args.action in ("register", "deregister") and not args.province:
        print(f"settlenet nodes {args.action}: --province is required", file=sys.stderr)
        return 2
    if args.action == "register" and not args.endpoint:
        print("settlenet nodes register: --endpoint HOST:PORT is required", file=sys.stderr)
        return 2

    async def run(doc: dict[str, Any]) -> Any:
        if args.action == "list":
            return await listing(doc)
        async with connect.operator(doc) as ch:
            hub = hub_pb2_grpc.HubServiceStub(ch)
            if args.action == "deregister":
                gone = await hub.DeregisterNode(
                    hub_pb2.DeregisterNodeRequest(province_code=args.province), timeout=10
                )
                return {"deregistered": args.province, "node_count": gone.node_count}
            regions, name = _default_regions(args.province)
            admdvs = args.admdvs or regions
            made = await hub.RegisterNode(
                hub_pb2.RegisterNodeRequest(
                    province_code=args.province,
                    endpoint=args.endpoint,
                    admdvs=admdvs,
                    name=args.name or name,
                    http_endpoint=args.http,
                ),
                timeout=10,
            )
            return {
                "registered": args.province,
                "endpoint": args.endpoint,
                "admdvs": admdvs,
                "node_count": made.node_count,
                "health": await _health(doc, args.endpoint),
            }

    answer, code = target.run(f"nodes {args.action}", args.target, run)
    if code or answer is None:
        return code
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    elif args.action == "list":
        print(render(answer))
    elif args.action == "register":
        print(
            f"province {answer['registered']} → {answer['endpoint']} (insures "
            f"{', '.join(answer['admdvs'])}; health {answer['health']}); the hub knows "
            f"{answer['node_count']} node(s)"
        )
    else:
        print(
            f"province {answer['deregistered']} deregistered; the hub knows "
            f"{answer['node_count']} node(s)"
        )
    return 0
