"""``settlenet sign``: a fresh set of x-tif headers for an institution or a desk, for curl or any
HTTP client (a nonce is good once: sign again for every request).

    curl --cacert CA $(settlenet sign --target DIR/network.json --as H11010100001 --curl) ...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scripts import connect, target
from scripts.options import Subparsers
from services.security import credentials


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "sign",
        help="print fresh x-tif headers for an institution or desk (for curl)",
        description="Print a fresh set of the national gateway's headers (x-tif-paasid, "
        "x-tif-timestamp, x-tif-nonce, x-tif-signature) signed with the credentials "
        "network.json holds for the institution or desk --as names. A nonce is accepted once: "
        "sign again for every request.",
    )
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("--as", dest="who", required=True, help="fixmedins_code or desk code")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--curl", action="store_true", help="as curl options: -H name:value ...")
    form.add_argument("--json", action="store_true", help="as a JSON object")


def main(args: argparse.Namespace) -> int:
    try:
        doc = target.load(args.target)
        account = connect.account(doc, args.who)
    except (target.TargetError, connect.IdentityError) as exc:
        print(f"settlenet sign: {exc}", file=sys.stderr)
        return 2
    headers = credentials.sign(account.paasid, account.token)
    if args.curl:
        print(" ".join(f"-H {name}:{value}" for name, value in headers))
    elif args.json:
        print(json.dumps(dict(headers)))
    else:
        for name, value in headers:
            print(f"{name}: {value}")
    return 0
