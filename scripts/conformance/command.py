"""``settlenet conformance``: run the contract checks of the catalogue against one province node
of a network (network.json), in its treatment role, its insured role or both, through the
public contract only. Exit code 0 when every check passes, 1 when one fails, 2 on a usage error
(bad options, an unknown node, a persons file that cannot be used)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from scripts import target
from scripts.conformance import report
from scripts.conformance.context import Options
from scripts.conformance.persons import PersonsError, load
from scripts.conformance.registry import INSURED, TREATMENT, Result, catalogue
from scripts.conformance.runner import Plan, UsageError, run
from scripts.options import Subparsers

ROLE_CHOICES = {"treatment": (TREATMENT,), "insured": (INSURED,), "both": (TREATMENT, INSURED)}


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "conformance",
        help="check one province node against the contract (docs/conformance.md)",
        description="Run the catalogue of contract checks (envelope and msgid rules, "
        "idempotency, 2206 commits nothing, 2207 then 2208 restores, the split's identities, "
        "error details, health and reflection, deadlines, the HTTP interface) against one node, "
        "through its public contract only (never AdminService). Exit 0 all passed, 1 a check "
        "failed, 2 usage error.",
    )
    p.add_argument("--target", type=Path, help="DIR/network.json (required)")
    p.add_argument("--node", help="two-digit province code of the node under test (required)")
    p.add_argument(
        "--role",
        choices=sorted(ROLE_CHOICES),
        default="both",
        help="treatment: as the place of treatment (its hospitals' calls); insured: as the "
        "insured place (visits routed to it from another province through the hub); both "
        "(default)",
    )
    p.add_argument(
        "--via",
        default="",
        help="treatment province of the insured role's visits "
        "(default: the first other province of network.json)",
    )
    p.add_argument(
        "--persons",
        type=Path,
        help="YAML of persons to settle for (psn_no, certno, "
        "insutype[, insuplc_admdvs]); default network.json's",
    )
    p.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PATTERN",
        help="run only checks matching PATTERN (glob, e.g. 'idempotency.*'); repeatable",
    )
    p.add_argument(
        "--deadline",
        type=float,
        default=3.0,
        help="seconds within which each transaction must answer (deadline checks; default 3)",
    )
    p.add_argument(
        "--timeout", type=float, default=30.0, help="seconds any other call may take (default 30)"
    )
    p.add_argument("--junit", type=Path, help="also write JUnit XML to this file")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--quiet", action="store_true", help="evidence of failed checks only")
    p.add_argument("--list", action="store_true", help="list the checks and exit")


def main(args: argparse.Namespace) -> int:
    if args.list:
        for c in catalogue().values():
            print(f"{c.name:<45} {'/'.join(c.roles):<18} {c.doc}")
        return 0
    if args.target is None or not args.node:
        return _usage("--target DIR/network.json and --node CODE are required")
    try:
        doc = target.load(args.target)
    except target.TargetError as exc:
        return _usage(str(exc))
    if args.deadline <= 0 or args.timeout <= 0:
        return _usage("--deadline and --timeout must be positive")
    node = str(args.node)
    plan = Plan(
        node=node,
        roles=ROLE_CHOICES[args.role],
        via=args.via,
        only=tuple(args.only),
        options=Options(deadline=args.deadline, timeout=args.timeout),
    )
    if node in (doc.get("provinces") or {}) and args.persons is not None:
        try:
            plan.persons = load(args.persons, str(doc["provinces"][node]["admdvs"]))
        except PersonsError as exc:
            return _usage(str(exc))

    def progress(r: Result) -> None:
        if not args.json:
            print(report.text(r, evidence=not args.quiet), flush=True)

    try:
        results = asyncio.run(run(doc, plan, progress))
    except UsageError as exc:
        return _usage(str(exc))
    if args.json:
        meta = {"node": node, "roles": list(plan.roles), "target": str(args.target)}
        print(report.to_json(results, meta))
    else:
        print(report.summary(results))
    if args.junit is not None:
        args.junit.write_bytes(report.junit(results, node))
    return 0 if all(r.passed for r in results) else 1


def _usage(problem: str) -> int:
    print(f"settlenet conformance: {problem}", file=sys.stderr)
    return 2
