"""``settlenet behave``: the behaviour rules of a running province node (docs/behaviour.md) —
replace them with a file, clear them, show them with their match counts, or list the calls the
node served.

    settlenet behave --target var/net/network.json --node 13 docs/behaviour/suspended.yaml
    settlenet behave --target var/net/network.json --node 13 --show
    settlenet behave --target var/net/network.json --node 13 --calls --limit 20
    settlenet behave --target var/net/network.json --node 13 --clear
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from google.protobuf import json_format

from scripts import connect, target
from scripts.options import Subparsers
from services.pb.settlenet.v1 import behaviour_pb2, behaviour_pb2_grpc


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "behave",
        help="program a running province node's behaviour; list the calls it served",
        description="Replace a running province node's behaviour rules with FILE (YAML, "
        "docs/behaviour.md; a file with any error is refused naming the rule and field, and "
        "the rules in force stay), --clear them, --show them with each rule's match count, or "
        "list the --calls the node served (newest last, ID numbers masked). As the operator "
        "(or --as admin).",
    )
    p.add_argument("file", nargs="?", type=Path, help="rules file (YAML) to put in force")
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("--node", required=True, help="province code of the node, e.g. 13")
    p.add_argument("--clear", action="store_true", help="drop every rule")
    p.add_argument("--show", action="store_true", help="the rules in force, with match counts")
    p.add_argument("--calls", action="store_true", help="the calls the node served")
    p.add_argument(
        "--limit", type=int, default=50, help="--calls: the newest N (default 50; 0: all kept)"
    )
    p.add_argument("--jsonl", action="store_true", help="--calls: one JSON object a line")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument(
        "--as",
        dest="who",
        default="operator",
        choices=("operator", "admin"),
        help="the certificate to call with (default operator)",
    )


def _what(args: argparse.Namespace) -> str | None:
    chosen = [
        name
        for name, given in (
            ("file", args.file is not None),
            ("clear", args.clear),
            ("show", args.show),
            ("calls", args.calls),
        )
        if given
    ]
    if len(chosen) > 1:
        return None
    return chosen[0] if chosen else "show"


async def _call(doc: dict[str, Any], endpoint: str, args: argparse.Namespace, what: str) -> Any:
    async with connect.channel(doc, endpoint, certificate=args.who) as channel:
        stub = behaviour_pb2_grpc.BehaviourServiceStub(channel)
        if what == "file":
            text = args.file.read_text(encoding="utf-8")
            request = behaviour_pb2.SetBehaviourRequest(yaml=text, source_name=str(args.file))
            return await stub.SetBehaviour(request, timeout=30)
        if what == "clear":
            return await stub.SetBehaviour(behaviour_pb2.SetBehaviourRequest(), timeout=30)
        if what == "calls":
            return await stub.ListCalls(
                behaviour_pb2.ListCallsRequest(limit=args.limit), timeout=30
            )
        return await stub.GetBehaviour(behaviour_pb2.GetBehaviourRequest(), timeout=30)


def _as_dict(message: Any) -> dict[str, Any]:
    return dict(
        json_format.MessageToDict(
            message,
            preserving_proto_field_name=True,
            always_print_fields_with_no_presence=True,
        )
    )


def _print_rules(node: str, state: behaviour_pb2.BehaviourState) -> None:
    if not state.rules:
        print(f"province {node}: no behaviour rules (every call served as usual)")
        return
    print(f"province {node}: {len(state.rules)} rule(s) from {state.source_name}, first match acts")
    width = max(len(r.name) for r in state.rules)
    for r in state.rules:
        print(f"  {r.index:>2} {r.name:<{width}} {r.matches:>7} matches  {r.match}  ->  {r.action}")


def _print_calls(calls: behaviour_pb2.CallList) -> None:
    print(
        f"{len(calls.calls)} call(s) shown of {calls.recorded} served "
        f"(the node keeps the newest {calls.capacity:,})"
    )
    for c in calls.calls:
        what = c.rpc + (f" {c.infno}" if c.infno else "")
        acted = f"  rule {c.rule}: {c.action}" if c.rule else ""
        who = c.psn_no or c.certno or "-"
        print(
            f"{c.time} {c.transport:<4} {what:<40} {c.msgid:<30} {who:<20} "
            f"{c.fixmedins_code or '-':<12} {c.status:<19} {c.latency_ms:>9.1f} ms{acted}"
        )


def main(args: argparse.Namespace) -> int:
    what = _what(args)
    if what is None:
        print("settlenet behave: give one of FILE, --clear, --show, --calls", file=sys.stderr)
        return 2
    answer, code = target.run(
        "behave",
        args.target,
        lambda doc: _call(doc, target.province_endpoint(doc, args.node, args.target), args, what),
    )
    if code or answer is None:
        return code
    if what == "calls":
        assert isinstance(answer, behaviour_pb2.CallList)
        if args.jsonl:
            for c in answer.calls:
                print(json.dumps(_as_dict(c), ensure_ascii=False))
        elif args.json:
            print(json.dumps(_as_dict(answer), ensure_ascii=False, indent=2))
        else:
            _print_calls(answer)
        return 0
    assert isinstance(answer, behaviour_pb2.BehaviourState)
    if args.json:
        print(json.dumps(_as_dict(answer), ensure_ascii=False, indent=2))
    else:
        _print_rules(args.node, answer)
    return 0
