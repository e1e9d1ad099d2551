"""``settlenet topup``: two-phase top-ups of the advance funds at the hub (holds).

    settlenet topup --target var/net/network.json                       # every top-up
    settlenet topup --target var/net/network.json request 13 --id T1 [--amount-fen N]
    settlenet topup --target var/net/network.json arrived 13 --id T1 [--amount-fen N]
    settlenet topup --target var/net/network.json void 13 --id T1

A request is a promise (a hold: nothing moves); ``arrived`` posts it (all of it, or what came)
and the advance grows; ``void`` drops it. A red warning requests one by itself.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict

from scripts import connect, target
from scripts.options import Shared, Subparsers
from services.pb.settlenet.v1 import topup_pb2, topup_pb2_grpc
from services.values.money import yuan


def add_parser(sub: Subparsers) -> None:
    shared = Shared()
    shared.add("--target", type=Path, required=True, help="DIR/network.json")
    shared.add("--json", action="store_true", help="print JSON")
    p = shared.command_parser(
        sub,
        "topup",
        help="two-phase advance top-ups: request, arrived, void",
        description="List the advance top-ups at the hub, promise one (a hold "
        "that moves nothing), post it when the money arrives, or void it.",
    )
    acts = p.add_subparsers(dest="action", metavar="ACTION")
    for name, text in (
        ("request", "promise a top-up (default: what restores the size)"),
        ("arrived", "the money arrived: post the top-up"),
        ("void", "the money will not come: void the top-up"),
    ):
        a = shared.action_parser(acts, name, help=text)
        a.add_argument("province")
        a.add_argument("--id", required=True, dest="request_id", help="names the top-up")
        if name == "request":
            a.add_argument(
                "--amount-fen",
                type=int,
                default=0,
                help="the amount promised, in fen (default: what the advance lacks of its size, "
                "counting pending top-ups; refused as NOTHING_TO_TOP_UP when it lacks nothing)",
            )
        elif name == "arrived":
            a.add_argument(
                "--amount-fen",
                type=int,
                default=0,
                help="the amount that arrived, in fen, at most the promise (default: all of it)",
            )


async def _call(doc: dict[str, Any], args: argparse.Namespace) -> Any:
    async with connect.operator(doc) as ch:
        stub = topup_pb2_grpc.TopUpServiceStub(ch)
        if args.action == "request":
            return await stub.RequestTopUp(
                topup_pb2.RequestTopUpRequest(
                    province=args.province, request_id=args.request_id, amount_fen=args.amount_fen
                ),
                timeout=30,
            )
        if args.action in ("arrived", "void"):
            return await stub.SettleTopUp(
                topup_pb2.SettleTopUpRequest(
                    province=args.province,
                    request_id=args.request_id,
                    arrived=args.action == "arrived",
                    amount_fen=getattr(args, "amount_fen", 0),
                ),
                timeout=30,
            )
        return await stub.ListTopUps(topup_pb2.ListTopUpsRequest(), timeout=30)


def main(args: argparse.Namespace) -> int:
    answer, code = target.run("topup", args.target, lambda doc: _call(doc, args))
    if code or answer is None:
        return code
    if args.json:
        print(
            json.dumps(
                MessageToDict(
                    answer,
                    preserving_proto_field_name=True,
                    always_print_fields_with_no_presence=True,
                ),
                indent=2,
            )
        )
        return 0
    rows = list(answer.holds) if hasattr(answer, "holds") else [answer]
    if not rows:
        print("no top-ups")
    for h in rows:
        print(
            f"province {h.province} top-up {h.request_id}: {h.state}, promised "
            f"{yuan(h.amount_fen)}"
            + (f", arrived {yuan(h.posted_fen)}" if h.state == "posted" else "")
            + f" (advance left {yuan(h.available_fen)}, pending {yuan(h.pending_fen)})"
        )
    return 0
