"""``settlenet scenario run FILE...``: run golden scenarios (the format: schema.py) against an
in-process network (default) or a running one (``--target DIR/network.json``)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

from scripts import target as target_file
from scripts.options import Shared, Subparsers
from scripts.scenario.report import report, to_json
from scripts.scenario.runner import run_against, run_in_process
from scripts.scenario.schema import expand


def add_parser(sub: Subparsers) -> None:
    shared = Shared()
    shared.add(
        "--target",
        type=Path,
        help="DIR/network.json of a running network (default: start one "
        "in-process); its nodes must serve AdminService",
    )
    shared.add("--json", action="store_true", help="print results as JSON")
    shared.add(
        "-v", "--verbose", action="store_true", help="also print each passing step's amounts"
    )
    p = shared.command_parser(
        sub,
        "scenario",
        help="run golden settlement scenarios",
        description="Run scenario files (policy, catalogue, persons, visits and "
        "their hand-computed results) and report pass/fail per step with a diff "
        "naming each field that differed. The file format: scripts/scenario/schema.py.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    run = shared.action_parser(actions, "run", help="run scenario files")
    run.add_argument("files", nargs="+", type=Path, help="scenario YAML files or folders")


def main(args: argparse.Namespace) -> int:
    from services.logs import setup as slog

    slog.configure("scenario", level="WARNING")
    paths = expand(args.files)
    missing = [p for p in paths if not p.is_file()]
    if missing or not paths:
        print(
            f"settlenet scenario: no such file: {missing[0] if missing else args.files}",
            file=sys.stderr,
        )
        return 2
    try:
        if args.target:
            results = asyncio.run(run_against(target_file.load(args.target), paths))
        else:
            with tempfile.TemporaryDirectory(prefix="settlenet-scenario-") as tmp:
                results = asyncio.run(run_in_process(paths, Path(tmp)))
    except target_file.TargetError as exc:
        print(f"settlenet scenario: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(to_json(results), ensure_ascii=False, indent=2))
    else:
        print(report(results, verbose=args.verbose))
    return 0 if all(r.ok for r in results) else 1
