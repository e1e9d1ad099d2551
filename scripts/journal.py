"""``settlenet journal``: what the hub routed, with requests and answers (ID numbers masked).

    settlenet journal --target DIR/network.json [--province 13] [--from T] [--to T]
        [--msgid M] [--jsonl] [--exact --out FILE] [--last N]

Reads the hub's routed-message log as the operator, oldest first: one line per message routed
to an insured node (1101, 2206, 2207, 2208, 2601 and what the hub resolved itself), with its
outcome, settlement, fund payment and time spent at the insured node. ``--jsonl`` writes one
JSON object per line with the request forwarded and the answer (names and ID numbers masked);
``--exact`` adds the messages' exact bytes (base64) so that ``settlenet replay`` needs nothing
else (the file then holds personal data: give ``--out``, written mode 0600). T is
"yyyy-MM-dd HH:mm:ss" or "yyyy-MM-dd".
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import deque
from pathlib import Path
from typing import Any

from scripts import recorded, target
from scripts.options import Subparsers
from services.security.pki import write_private


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "journal",
        help="dump what the hub routed, with requests and answers (ID numbers masked)",
        description="Read the hub's routed-message log as the operator, oldest first: every "
        "message routed to an insured node with its outcome and, as JSON lines, the request "
        "and the answer (names and ID numbers masked).",
    )
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("--province", help="only messages from or to this province (two digits)")
    p.add_argument("--from", dest="from_time", default="", help="routed at or after T")
    p.add_argument("--to", dest="to_time", default="", help="routed at or before T")
    p.add_argument("--msgid", default="", help="only this msgid")
    p.add_argument("--jsonl", action="store_true", help="one JSON object per line")
    p.add_argument(
        "--exact",
        action="store_true",
        help="with --jsonl: add the exact request and answer bytes (base64) for `settlenet "
        "replay` on another network; needs --out (the file holds personal data)",
    )
    p.add_argument("--out", type=Path, help="write to this file (mode 0600) instead of stdout")
    p.add_argument("--last", type=int, default=0, help="only the newest N lines")


def _row(e: dict[str, Any]) -> str:
    setl = e["setl_id"] or "-"
    fund = f"{e['fund_pay_sumamt'] / 100:.2f}" if e["setl_id"] else "-"
    text = (
        f"{e['seq']:>7} {e['routed_at']} {e['msgid']} {e['infno']} "
        f"{e['from_province']}→{e['to_province']} {e['outcome']:<18} {setl:<26} "
        f"{fund:>10} {e['latency_ms']:>5}ms"
    )
    if e["outcome"] != "OK" and e.get("error_reason"):
        text += f"  {e['error_reason']}"
    return text


def main(args: argparse.Namespace) -> int:
    if args.exact and not (args.jsonl and args.out):
        print("settlenet journal: --exact needs --jsonl and --out FILE", file=sys.stderr)
        return 2
    if args.last < 0:
        print(f"settlenet journal: --last {args.last}: must be 0 or more", file=sys.stderr)
        return 2
    window = recorded.Window(args.province or "", args.from_time, args.to_time, args.msgid)

    async def run(doc: dict[str, Any]) -> list[dict[str, Any]]:
        keep: deque[dict[str, Any]] = deque(maxlen=args.last or None)
        async for entry in recorded.entries(doc, window, bodies=args.jsonl):
            keep.append(recorded.line(entry, exact=args.exact))
        return list(keep)

    lines, code = target.run("journal", args.target, run)
    if code or lines is None:
        return code
    if args.jsonl:
        text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in lines)
    else:
        head = (
            f"{'seq':>7} {'routed at':<19} {'msgid':<30} inf  route  {'outcome':<18} "
            f"{'setl_id':<26} {'fund ¥':>10} {'wait':>7}"
        )
        text = "\n".join([head, *(_row(e) for e in lines), f"{len(lines)} message(s)"]) + "\n"
    if args.out:
        write_private(args.out, text.encode("utf-8"))
        print(f"{len(lines)} message(s) written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
