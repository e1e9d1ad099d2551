"""``settlenet msgid``: what the network knows of a msgid (5203-style), and its 2601 correction.

    settlenet msgid --target var/net/network.json MSGID --insured 130100
    settlenet msgid --target var/net/network.json MSGID --insured 130100 --correct --psn-no P

The msgid's first 12 characters name the hospital; the command speaks for it to its treatment
node (found in network.json), which asks the hub and the insured node. ``--correct`` sends a
2601 for a 2207 whose outcome the hospital does not know: the insured place reverses it if it
took effect, or burns it; either way it is closed on every node.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict

from scripts import connect, target
from scripts.clients.retrying_his import RetryingHis
from scripts.options import Subparsers


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "msgid",
        help="a msgid's status on every node, or its 2601 correction",
        description="Ask the hospital's treatment node, the hub and the insured "
        "node what they know of a msgid (5203-style); with --correct, correct it "
        "(2601): reversed if it took effect, burned if it did not.",
    )
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("msgid", help="the 30-character msgid (it starts with the hospital's code)")
    p.add_argument(
        "--insured",
        required=True,
        metavar="ADMDVS",
        help="the insured place (insuplc_admdvs) the call went to, e.g. 130100",
    )
    p.add_argument("--correct", action="store_true", help="send a 2601 correction for it")
    p.add_argument("--psn-no", help="the person of the call (needed with --correct)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _hospital(doc: dict[str, Any], code: str) -> tuple[str, str]:
    """(treatment node endpoint, the hospital's admdvs) for an institution code."""
    for p in doc["provinces"].values():
        for inst in p.get("institutions", []):
            if inst["fixmedins_code"] == code:
                return str(p["endpoint"]), str(inst["admdvs"])
    raise target.TargetError(
        f"no institution {code} in network.json (the msgid's first 12 characters name its hospital)"
    )


async def run(
    doc: dict[str, Any], msgid: str, insured: str, psn_no: str | None, correct: bool
) -> dict[str, Any]:
    endpoint, admdvs = _hospital(doc, msgid[:12])
    async with connect.channel(doc, endpoint, signer=connect.keyring(doc)) as ch:
        his = RetryingHis(ch, msgid[:12], admdvs, patience=3)
        out: dict[str, Any] = {}
        if correct:
            assert psn_no
            out["correction"] = MessageToDict(
                await his.correct(insured, psn_no, msgid), preserving_proto_field_name=True
            )
        out["status"] = MessageToDict(
            await his.message_status(insured, msgid, follow=True), preserving_proto_field_name=True
        )
        return out


def render(report: dict[str, Any]) -> str:
    lines = []
    if "correction" in report:
        c = report["correction"]
        lines.append(f"2601 correction of {c.get('omsgid')}: {c.get('outcome')}")
        if c.get("reversal"):
            lines.append(
                f"  reversed settlement {c['original']['setl_id']} by {c['reversal']['setl_id']}"
            )
    s = report["status"]
    for node in (s, s.get("hub", {}), s.get("insured", {})):
        if not node:
            continue
        setl = node.get("setlinfo", {}).get("setl_id", "")
        rev = node.get("reversal", {}).get("setl_id", "")
        lines.append(
            f"  {node.get('node', '?'):<13} {node.get('state', '?'):<10}"
            + (f" settlement {setl}" if setl else "")
            + (f", reversed by {rev}" if rev else "")
        )
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    if args.correct and not args.psn_no:
        print("settlenet msgid: --correct needs --psn-no", file=sys.stderr)
        return 2
    try:
        report, code = target.run(
            "msgid",
            args.target,
            lambda doc: run(doc, args.msgid, args.insured, args.psn_no, args.correct),
        )
    except Exception as exc:  # GaveUp: no answer from the treatment node
        print(f"settlenet msgid: {exc}", file=sys.stderr)
        return 1
    if code or report is None:
        return code
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render(report))
    return 0
