"""``settlenet admin``: load your own policy, catalogue and persons into a running province node
(AdminService), reset to the node's data files, or show a person's accumulators.

    settlenet admin --target var/net/network.json --province 13 load-policy my-policy.yaml
    settlenet admin --target var/net/network.json --province 13 person 13010000000000000002
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from scripts import connect, target
from scripts.options import Shared, Subparsers
from services.pb.settlenet.v1 import admin_pb2, admin_pb2_grpc

LOADS = {
    "load-policy": "LoadPolicy",
    "load-catalogue": "LoadCatalogue",
    "load-persons": "LoadPersons",
}


def add_parser(sub: Subparsers) -> None:
    shared = Shared()
    shared.add("--target", type=Path, required=True, help="DIR/network.json")
    shared.add("--province", required=True, help="province code of the node, e.g. 13")
    shared.add("--json", action="store_true", help="print the answer as JSON")
    p = shared.command_parser(
        sub,
        "admin",
        help="load policy, catalogue or persons into a running node",
        description="Administer a running province node through AdminService: "
        "load a policy, catalogue or persons document (the formats of the "
        "province data files; checked as strictly), reset to the data files, "
        "or show a person's balance and accumulators.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, rpc_name in LOADS.items():
        a = shared.action_parser(actions, name, help=f"{rpc_name}: load a YAML document")
        a.add_argument("file", type=Path, help="YAML file")
    reset = shared.action_parser(
        actions, "reset", help="drop loaded documents: back to the data files"
    )
    reset.add_argument("--policy", action="store_true")
    reset.add_argument("--catalogue", action="store_true")
    person = shared.action_parser(actions, "person", help="a person's balance and accumulators")
    person.add_argument("psn_no")


async def _call(doc: dict[str, Any], endpoint: str, args: argparse.Namespace) -> object:
    async with connect.channel(doc, endpoint, certificate="admin") as channel:
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        if args.action in LOADS:
            req = admin_pb2.LoadDocumentRequest(
                yaml=args.file.read_text(encoding="utf-8"), source_name=str(args.file)
            )
            return await getattr(stub, LOADS[args.action])(req, timeout=30)
        if args.action == "reset":
            return await stub.ResetData(
                admin_pb2.ResetDataRequest(
                    policy=args.policy or not args.catalogue,
                    catalogue=args.catalogue or not args.policy,
                ),
                timeout=30,
            )
        return await stub.GetPersonState(
            admin_pb2.PersonStateRequest(psn_no=args.psn_no), timeout=30
        )


def main(args: argparse.Namespace) -> int:
    answer, code = target.run(
        "admin",
        args.target,
        lambda doc: _call(doc, target.province_endpoint(doc, args.province, args.target), args),
    )
    if code or answer is None:
        return code
    if args.json:
        print(
            json_format.MessageToJson(
                answer,
                preserving_proto_field_name=True,
                always_print_fields_with_no_presence=True,
            )
        )
    elif isinstance(answer, admin_pb2.LoadDocumentResponse):
        print(answer.summary)
    elif isinstance(answer, admin_pb2.ResetDataResponse):
        print(f"{answer.dropped} loaded document(s) dropped; the node uses its data files")
    else:
        assert isinstance(answer, admin_pb2.PersonStateResponse)
        print(f"{answer.psn_no}: account balance {answer.balc} fen")
        for a in answer.accumulators:
            print(f"  {a.period:<8} {a.kind:<16} {a.amount:>12} fen")
    return 0
