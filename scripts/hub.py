"""``settlenet hub``: run the national hub (routes by insured place, journals every routed
message, keeps the node registry)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from national_hub.domain.advance import DEFAULT_SIZE_FEN as DEFAULT_ADVANCE_FEN
from scripts.options import Subparsers, positive_fen
from scripts.serve import (
    add_serve_args,
    db_url,
    faults_from_env,
    security_from_args,
    serve_until_signal,
)


def add_parser(sub: Subparsers) -> None:
    hub = sub.add_parser(
        "hub",
        help="run the national hub",
        description="Run the national hub: routes by insured place, journals "
        "every routed message, keeps the node registry.",
    )
    add_serve_args(hub)
    hub.add_argument(
        "--advance-exhausted",
        choices=("refuse", "allow"),
        default="refuse",
        help="a settlement for a province whose advance fund is exhausted: "
        "refuse it, or allow it and flag it (default refuse)",
    )
    hub.add_argument(
        "--advance-size-fen",
        type=positive_fen,
        default=DEFAULT_ADVANCE_FEN,
        help="the advance fund (预付金) a province is opened with when the hub "
        f"first meets it, in fen (default {DEFAULT_ADVANCE_FEN:,})",
    )
    hub.add_argument(
        "--topology", type=Path, help="JSON file of province nodes to know before they register"
    )
    hub.add_argument(
        "--web-port",
        type=int,
        default=0,
        help="serve the live web view on this port (default 0: any free port; docs/web.md)",
    )
    hub.add_argument(
        "--web-host",
        default="127.0.0.1",
        help="address the web view listens on (default 127.0.0.1: loopback only)",
    )
    hub.add_argument("--no-web", action="store_true", help="do not serve the web view")
    hub.add_argument(
        "--no-journal-bodies",
        dest="journal_bodies",
        action="store_false",
        help="keep only each routed message's outcome, not its request and answer (then "
        "`settlenet journal` shows no bodies and `settlenet replay` has nothing to send)",
    )


def main(args: argparse.Namespace) -> int:
    from national_hub import bootstrap as hub_boot
    from services.logs import setup as slog
    from services.security.material import MaterialError

    if code := faults_from_env():
        return code
    if args.processes > 1:
        from scripts import workers

        return workers.main(args, "hub", db_url(args, "hub"))
    try:
        security = security_from_args(args, "hub")
    except MaterialError as exc:
        print(f"settlenet hub: {exc}", file=sys.stderr)
        return 2
    slog.configure("hub", json=args.log_json, level=args.log_level)
    if args.worker:  # one of several processes: say which in every line
        slog.bind_worker(args.worker)
    cfg = hub_boot.HubConfig(
        db_url=db_url(args, "hub"),
        journal_bodies=args.journal_bodies,
        host=args.host,
        port=args.port,
        topology=args.topology,
        advance_exhausted=args.advance_exhausted,
        advance_size_fen=args.advance_size_fen,
        resolve_interval_s=args.resolve_interval,
        security=security,
        # Of a hub of several processes, the first serves the web view (give --web-port).
        web_port=None if args.no_web or args.worker > 1 else args.web_port,
        web_host=args.web_host,
        worker=args.worker,
    )
    return asyncio.run(serve_until_signal(hub_boot.start(cfg), args.ready_file))
