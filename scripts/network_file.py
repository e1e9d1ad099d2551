"""``settlenet network``: write a network.json from the hub's registry alone.

    settlenet network --hub HOST:PORT --tls-dir DIR/tls [--out DIR/network.json]
    settlenet network --hub HOST:PORT --insecure > network.json

For nodes started by hand or elsewhere (``settlenet hub``, ``settlenet province``, someone's own
node): asks the hub (as the operator, with the certificates and credentials of the network's
TLS folder) which province nodes it knows, and writes the same document ``settlenet up``
writes — endpoints, HTTP interfaces, sample persons, institutions and catalogue codes per
province (from settlenet's data for that province code) and the network's security — so every
``--target`` command works against that network. Written mode 0600 (it holds credentials).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import grpc

from scripts import certs, connect, network
from scripts.options import Subparsers
from services.pb.settlenet.v1 import hub_pb2, hub_pb2_grpc
from services.rpc.status import describe_rpc_error
from services.security.material import MaterialError


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "network",
        help="write a network.json from the hub's registry (nodes started by hand)",
        description="Ask the hub which province nodes it knows and write the network.json "
        "that `settlenet up` would have written for them, so that every --target command "
        "works against a network whose nodes were started by hand or elsewhere.",
    )
    p.add_argument("--hub", required=True, help="the hub's HOST:PORT")
    sec = p.add_mutually_exclusive_group(required=True)
    sec.add_argument(
        "--tls-dir", type=Path, help="the network's TLS folder (its CA, certificates, credentials)"
    )
    sec.add_argument("--insecure", action="store_true", help="the network runs --insecure")
    p.add_argument(
        "--data",
        type=Path,
        help="the network's data folder to name in the file (default the TLS folder's parent)",
    )
    p.add_argument("--out", type=Path, help="write here (mode 0600) instead of to stdout")
    p.add_argument(
        "--expect",
        type=certs.province_codes,
        default=[],
        metavar="CODES",
        help="province nodes that must be registered, comma-separated (e.g. 11,13,44,51): "
        "with --wait, ask again until they are (a deployment's job starting with its nodes)",
    )
    p.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="keep asking for this long while the hub is unreachable or an --expect node is "
        "missing (default 0: ask once)",
    )


async def registry(doc: dict[str, Any]) -> list[hub_pb2.NodeInfo]:
    async with connect.operator(doc) as ch:
        answer = await hub_pb2_grpc.HubServiceStub(ch).ListNodes(
            hub_pb2.ListNodesRequest(), timeout=10
        )
    return list(answer.nodes)


async def registry_with(
    doc: dict[str, Any], expect: list[str], wait_s: float
) -> list[hub_pb2.NodeInfo]:
    """The hub's registry once every ``expect`` node is in it, asking again for up to
    ``wait_s`` seconds while the hub is unreachable or a node is missing; raises
    :class:`Missing` (or the last RPC error) when the time is up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while True:
        try:
            nodes = await registry(doc)
            missing = sorted(set(expect) - {n.province_code for n in nodes})
            if not missing:
                return nodes
            if loop.time() >= deadline:
                raise Missing(missing)
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.UNAVAILABLE or loop.time() >= deadline:
                raise
        await asyncio.sleep(1.0)


class Missing(Exception):
    """Province nodes the hub has not registered (``--expect``)."""


def build(
    hub: str,
    security: dict[str, Any],
    data: Path,
    expect: Sequence[str] = (),
    wait_s: float = 0.0,
) -> dict[str, Any]:
    """The network.json of the network behind ``hub``."""
    doc = {"hub": {"endpoint": hub}, "security": security}
    nodes = asyncio.run(registry_with(doc, list(expect), wait_s))
    endpoints = {n.province_code: (n.endpoint, "") for n in nodes}
    http = {n.province_code: n.http_endpoint for n in nodes if n.http_endpoint}
    doc = network.describe(hub, endpoints, data, 0, security, http)
    doc["generated_from"] = {"hub": hub, "nodes": len(nodes)}
    return doc


def main(args: argparse.Namespace) -> int:
    try:
        if args.insecure:
            security: dict[str, Any] = certs.INSECURE
            data = args.data or Path.cwd()
        else:
            security = certs.security_of(args.tls_dir.resolve())
            data = args.data or args.tls_dir.resolve().parent
        doc = build(args.hub, security, data.resolve(), args.expect, args.wait)
    except MaterialError as exc:
        print(f"settlenet network: {exc}", file=sys.stderr)
        return 2
    except Missing as exc:
        print(
            f"settlenet network: the hub at {args.hub} has not registered province node(s) "
            f"{', '.join(exc.args[0])} (after {args.wait:g} s)",
            file=sys.stderr,
        )
        return 1
    except grpc.RpcError as exc:
        print(
            f"settlenet network: the hub at {args.hub}: {describe_rpc_error(exc)}", file=sys.stderr
        )
        return 1
    if args.out:
        network.write_network_json(args.out, doc)
        print(
            f"{args.out}: {len(doc['provinces'])} province node(s) from the hub at {args.hub}",
            file=sys.stderr,
        )
    else:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    return 0
