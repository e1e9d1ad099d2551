"""``settlenet advance``: the insured provinces' advance funds (预付金) at the hub.

settlenet advance --target var/net/network.json                 # every province's status
settlenet advance --target var/net/network.json top-up 13
settlenet advance --target var/net/network.json resize 13 --months 2 [--year 2025]
settlenet advance --target var/net/network.json resize 13 --size-fen 500000000
"""

from __future__ import annotations

import argparse
import json
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict

from scripts import connect, target
from scripts.options import Shared, Subparsers
from services.pb.settlenet.v1 import advance_pb2, advance_pb2_grpc
from services.values.money import yuan

COLOUR = {"green": "green", "yellow": "yellow", "red": "red", "exhausted": "bold red"}


def percent(ratio: str) -> str:
    """A share used as the table shows it: the contract's decimal ratio (``used_ratio``, 0.0018)
    as a percentage with 2 decimals (``0.18%``), rounded half up."""
    try:
        value = (Decimal(ratio) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    except InvalidOperation:
        return ratio
    return f"{value}%"


def add_parser(sub: Subparsers) -> None:
    shared = Shared()
    shared.add("--target", type=Path, required=True, help="DIR/network.json")
    shared.add("--json", action="store_true", help="print JSON")
    p = shared.command_parser(
        sub,
        "advance",
        help="advance funds at the hub: status, top-up, re-size",
        description="Show each insured province's advance fund (size, left, "
        "share used, warning level), top one up, or re-size it.",
    )
    acts = p.add_subparsers(dest="action", metavar="ACTION")
    t = shared.action_parser(acts, "top-up", help="restore an advance to its size")
    t.add_argument("province")
    r = shared.action_parser(
        acts, "resize", help="set the size (annual re-sizing) and fund the difference"
    )
    r.add_argument("province")
    r.add_argument(
        "--months", type=int, default=0, help="N months of the year's cross-province payments"
    )
    r.add_argument("--year", type=int, default=0, help="the year to size on (default last)")
    r.add_argument("--size-fen", type=int, default=0)


async def _call(doc: dict[str, Any], args: argparse.Namespace) -> Any:
    async with connect.operator(doc) as ch:
        stub = advance_pb2_grpc.AdvanceServiceStub(ch)
        request_id = uuid.uuid4().hex
        if args.action == "top-up":
            return await stub.TopUp(
                advance_pb2.TopUpRequest(province=args.province, request_id=request_id), timeout=30
            )
        if args.action == "resize":
            return await stub.Resize(
                advance_pb2.ResizeRequest(
                    province=args.province,
                    size_fen=args.size_fen,
                    months=args.months,
                    year=args.year,
                    request_id=request_id,
                ),
                timeout=30,
            )
        return await stub.QueryAdvances(advance_pb2.QueryAdvancesRequest(), timeout=30)


def main(args: argparse.Namespace) -> int:
    answer, code = target.run("advance", args.target, lambda doc: _call(doc, args))
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
    from rich.console import Console
    from rich.table import Table

    rows = list(answer.advances) if hasattr(answer, "advances") else [answer]
    table = Table(title="advance funds (预付金) at the hub")
    for col in ("province", "size (yuan)", "left (yuan)", "used (% of size)", "level", "flagged"):
        table.add_column(col, justify="left" if col in ("province", "level") else "right")
    for a in rows:
        table.add_row(
            a.province,
            yuan(a.size_fen),
            yuan(a.available_fen),
            percent(a.used_ratio),
            f"[{COLOUR[a.level]}]{a.level}[/]",
            str(a.flagged_count),
        )
    Console().print(table)
    if hasattr(answer, "exhausted_policy"):
        print(f"when exhausted: {answer.exhausted_policy}")
    return 0
