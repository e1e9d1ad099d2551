"""``settlenet clear``: monthly clearing (清算) of a running network at the hub.

    settlenet clear --target var/net/network.json --month 2026-10 [--json] [--csv FILE]
    settlenet clear --target var/net/network.json --month 2026-10 --confirm 13

The hub reconciles the month with every node first and refuses when anything differs; then it
nets each province's payable and receivable, posts the clearing once (running it again posts
nothing) and issues a statement per province, which the province confirms.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict

from scripts import connect, target
from scripts.options import Subparsers, month
from services.pb.settlenet.v1 import clearing_pb2, clearing_pb2_grpc
from services.values.money import yuan


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "clear",
        help="monthly clearing at the hub, with statements",
        description="Clear a month: reconcile it with every node, net each "
        "province's payable and receivable, post once, print the statements.",
    )
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("--month", type=month, required=True, help="yyyy-MM")
    p.add_argument("--confirm", metavar="PROVINCE", help="confirm this province's statement")
    p.add_argument("--json", action="store_true", help="print the statements as JSON")
    p.add_argument("--csv", type=Path, help="also write the statement lines to this CSV file")


async def _call(doc: dict[str, Any], args: argparse.Namespace) -> Any:
    async with connect.operator(doc) as ch:
        stub = clearing_pb2_grpc.ClearingServiceStub(ch)
        if args.confirm:
            await stub.ConfirmStatement(
                clearing_pb2.ConfirmStatementRequest(month=args.month, province=args.confirm),
                timeout=60,
            )
            return await stub.GetClearing(
                clearing_pb2.GetClearingRequest(month=args.month), timeout=60
            )
        return await stub.ClearMonth(clearing_pb2.ClearMonthRequest(month=args.month), timeout=120)


def write_csv(answer: clearing_pb2.ClearMonthResponse, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "month",
                "province",
                "counterpart",
                "payable_fen",
                "payable_count",
                "receivable_fen",
                "receivable_count",
                "confirmed_at",
            ]
        )
        for s in answer.statements:
            for x in s.lines:
                w.writerow(
                    [
                        answer.month,
                        s.province,
                        x.counterpart,
                        x.payable_fen,
                        x.payable_count,
                        x.receivable_fen,
                        x.receivable_count,
                        s.confirmed_at,
                    ]
                )


def main(args: argparse.Namespace) -> int:
    answer, code = target.run("clear", args.target, lambda doc: _call(doc, args))
    if code or answer is None:
        return code
    if args.csv:
        write_csv(answer, args.csv)
    if args.json:
        print(
            json.dumps(
                MessageToDict(
                    answer,
                    preserving_proto_field_name=True,
                    always_print_fields_with_no_presence=True,
                ),
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    state = "cleared now" if answer.posted else "already cleared"
    print(f"clearing {answer.month}: {state} at {answer.cleared_at}, {answer.records} records")
    for s in answer.statements:
        mark = f"confirmed {s.confirmed_at}" if s.confirmed_at else "not confirmed"
        print(
            f"  province {s.province}: receivable {yuan(s.receivable_fen)}, payable "
            f"{yuan(s.payable_fen)}, net {yuan(s.net_fen)} ({mark})"
        )
        for x in s.lines:
            print(
                f"    with {x.counterpart}: pays {yuan(x.payable_fen)} ({x.payable_count}), "
                f"receives {yuan(x.receivable_fen)} ({x.receivable_count})"
            )
    return 0
