"""``settlenet province``: run one province node (treatment and insured roles) and register it
with the hub."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from scripts.options import Subparsers
from scripts.serve import (
    add_serve_args,
    db_url,
    faults_from_env,
    security_from_args,
    serve_until_signal,
)


def add_parser(sub: Subparsers) -> None:
    province = sub.add_parser(
        "province",
        help="run one province node",
        description="Run one province node (treatment and insured roles) "
        "and register it with the hub.",
    )
    province.add_argument("--code", required=True, help="two-digit province code, e.g. 13")
    province.add_argument("--hub", required=True, help="hub address host:port")
    province.add_argument(
        "--province-data",
        type=Path,
        help="folder of province data folders (default: the built-in data)",
    )
    province.add_argument(
        "--population", type=int, default=0, help="extra generated insured persons (seeded)"
    )
    province.add_argument("--seed", type=int, default=1, help="population seed (default 1)")
    province.add_argument("--advertise-host", help="host other nodes use to reach this one")
    province.add_argument(
        "--no-admin",
        action="store_true",
        help="do not serve AdminService (loading policy, catalogue, persons)",
    )
    province.add_argument(
        "--http-port",
        type=int,
        default=0,
        help="port of the national HTTP interface (POST /fsi/api/rsfComIfsService/callService; "
        "HTTPS with --tls-dir); default 0: any free port",
    )
    province.add_argument(
        "--no-http", action="store_true", help="do not serve the national HTTP interface"
    )
    province.add_argument(
        "--admit-latency-ms",
        type=int,
        default=0,
        metavar="MS",
        help="admission control: the latency (ms) a hospital's 1101 or 2201 should stay "
        "under; past it the node starts fewer visits at once and refuses the rest at once "
        "with RESOURCE_EXHAUSTED (reason OVERLOADED), so the visits it started finish in "
        "time (default 0: off, every call is taken; docs/performance.md)",
    )
    province.add_argument(
        "--behaviour",
        type=Path,
        metavar="FILE",
        help="behaviour rules to load at start (YAML, docs/behaviour.md); change them at "
        "runtime with `settlenet behave`",
    )
    add_serve_args(province)


def main(args: argparse.Namespace) -> int:
    from provincial_nodes import bootstrap as prov_boot
    from services.logs import setup as slog
    from services.security.material import MaterialError
    from services.values.errors import ConfigError

    if code := faults_from_env():
        return code
    if args.admit_latency_ms < 0:
        print(
            f"settlenet province: --admit-latency-ms {args.admit_latency_ms}: give a latency "
            "in ms above 0, or 0 (off)",
            file=sys.stderr,
        )
        return 2
    if args.processes > 1:
        from scripts import workers

        return workers.main(args, "province", db_url(args, f"province-{args.code}"))
    try:
        security = security_from_args(args, f"province-{args.code}")
    except MaterialError as exc:
        print(f"settlenet province: {exc}", file=sys.stderr)
        return 2
    slog.configure(f"province-{args.code}", json=args.log_json, level=args.log_level)
    if args.worker:  # one of several processes: say which in every line
        slog.bind_worker(args.worker)
    cfg = prov_boot.NodeConfig(
        code=args.code,
        db_url=db_url(args, f"province-{args.code}"),
        hub=args.hub,
        data_root=args.province_data,
        host=args.host,
        port=args.port,
        advertise_host=args.advertise_host,
        population=args.population,
        seed=args.seed,
        admin=not args.no_admin,
        http_port=None if args.no_http else args.http_port,
        resolve_interval_s=args.resolve_interval,
        behaviour_file=args.behaviour,
        security=security,
        worker=args.worker,
        admit_latency_ms=args.admit_latency_ms,
    )
    try:
        return asyncio.run(serve_until_signal(prov_boot.start(cfg), args.ready_file))
    except ConfigError as exc:
        print(f"settlenet province: {exc}", file=sys.stderr)
        return 2
