"""The ``settlenet`` command.

settlenet demo                  a sample cross-province visit on an in-process network
settlenet up --data DIR         hub + default provinces as processes; DIR/network.json
settlenet visit --target DIR/network.json     one visit against a running network
settlenet filing --target DIR/network.json create PSN_NO --category C --dest 110000 ...
                                file remote treatment; `registry` reads the national one
settlenet reconcile --target DIR/network.json [--date D]    every node against the hub
settlenet advance --target DIR/network.json [top-up 13 | resize 13 --months 2]
settlenet clear --target DIR/network.json --month 2026-10     monthly clearing, statements
settlenet topup --target DIR/network.json [request|arrived|void 13 --id T1]
                                two-phase advance top-ups (holds)
settlenet msgid --target DIR/network.json MSGID --insured 130100 [--correct --psn-no P]
                                a msgid's status on every node (5203), or its 2601
settlenet admin --target DIR/network.json --province 13 load-policy FILE
                                load policy / catalogue / persons into a running node
settlenet scenario run FILE...  run golden scenarios (in-process, or --target)
settlenet bench-rules           throughput of classification and split (pure, no I/O)
settlenet hub --db URL          run the national hub
settlenet province --code 13 --hub HOST:PORT --db URL     run one province node
settlenet loadtest --target DIR/network.json --rate 100 --duration 60     load test
settlenet bench [--quick]       the real network beside the bare gRPC ceiling
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from national_hub.domain.advance import DEFAULT_SIZE_FEN as DEFAULT_ADVANCE_FEN
from services.storage.database import sqlite_url

DB_ENV = "SETTLENET_DB_URL"


def _positive_fen(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of fen") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} fen: must be more than 0")
    return value


def _add_serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port to bind (default 0: any free port)")
    p.add_argument(
        "--db",
        help=f"SQLAlchemy URL of this node's database (or ${DB_ENV}); "
        "default a SQLite file under --data",
    )
    p.add_argument(
        "--data",
        type=Path,
        default=Path("var"),
        help="folder for the SQLite database (default ./var)",
    )
    p.add_argument("--ready-file", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--log-json", action="store_true", help="log JSON lines instead of text")
    p.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="settlenet",
        description="A simulated network for China's cross-provincial direct settlement of "
        "medical expenses (跨省异地就医直接结算).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="tell the filing and settlement flow, step by step",
        description="Start an in-process network (hub + four provinces, "
        "SQLite in a temporary folder) and tell the story: a Hebei retiree "
        "files long-term residence in Beijing, the national registry, 1101, "
        "classification under Beijing's catalogue, Hebei's split, an unfiled "
        "neighbour side by side, a diabetes visit, a revocation, and what "
        "Hebei owes Beijing.",
    )
    demo.add_argument("--json", action="store_true", help="print a JSON transcript instead")
    demo.add_argument(
        "--step", action="store_true", help="wait for Enter between steps (for a live audience)"
    )
    demo.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="en",
        help="language of the narration and labels (default en)",
    )
    demo.add_argument("--data", type=Path, help="keep the databases in this folder")

    up = sub.add_parser(
        "up",
        help="run the hub and the default provinces as processes",
        description="Start the hub and the default provinces on loopback, each "
        "its own process with its own SQLite database under --data, and write "
        "DIR/network.json once every node serves. Ctrl-C or SIGTERM stops all.",
    )
    up.add_argument(
        "--data",
        type=Path,
        default=Path("var/network"),
        help="folder for databases, logs and network.json (default var/network)",
    )
    up.add_argument(
        "--provinces",
        default="11,13,44,51",
        help="comma-separated province codes, or 'all' for the 32 of the national "
        "network (default 11,13,44,51; all but these four are synthetic)",
    )
    up.add_argument("--hub-port", type=int, default=0, help="hub port (default any free port)")
    up.add_argument(
        "--base-port",
        type=int,
        default=0,
        help="first province port; the next provinces take the following ports "
        "(default any free ports)",
    )
    up.add_argument(
        "--faults",
        metavar="SEED:RATE",
        help="run the network's links (treatment→hub, hub→insured) through the "
        "test fault transport: each of drop request, drop response, duplicate, "
        "delay past deadline at RATE per settlement call, drawn from SEED",
    )
    up.add_argument(
        "--advance-size-fen",
        type=_positive_fen,
        default=DEFAULT_ADVANCE_FEN,
        help="the advance fund each province is opened with, in fen (default "
        f"{DEFAULT_ADVANCE_FEN:,}; load tests want more)",
    )
    up.add_argument(
        "--population",
        type=int,
        default=0,
        help="extra generated insured persons per province (seeded)",
    )

    visit = sub.add_parser(
        "visit",
        help="drive one sample visit against a running network",
        description="Using only network.json, run 1101 → 2201 → 2204 → 2206 → "
        "2207 → 2208 for a person insured in one province at a hospital of "
        "another, and print each answer.",
    )
    visit.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    visit.add_argument("--treat", default="11", help="treatment province code (default 11)")
    visit.add_argument("--insured", default="13", help="insured province code (default 13)")
    visit.add_argument("--keep", action="store_true", help="do not revoke the settlement")
    visit.add_argument("--json", action="store_true", help="print JSON")

    hub = sub.add_parser(
        "hub",
        help="run the national hub",
        description="Run the national hub: routes by insured place, journals "
        "every routed message, keeps the node registry.",
    )
    _add_serve_args(hub)
    hub.add_argument(
        "--advance-exhausted",
        choices=("refuse", "allow"),
        default="refuse",
        help="a settlement for a province whose advance fund is exhausted: "
        "refuse it, or allow it and flag it (default refuse)",
    )
    hub.add_argument(
        "--advance-size-fen",
        type=_positive_fen,
        default=DEFAULT_ADVANCE_FEN,
        help="the advance fund (预付金) a province is opened with when the hub "
        f"first meets it, in fen (default {DEFAULT_ADVANCE_FEN:,})",
    )
    hub.add_argument(
        "--topology", type=Path, help="JSON file of province nodes to know before they register"
    )

    from scripts import (
        admin,
        advance,
        bench_rules,
        clear,
        filing,
        msgid,
        reconcile,
        scenario,
        topup,
    )

    filing.add_parser(sub)
    msgid.add_parser(sub)
    topup.add_parser(sub)
    clear.add_parser(sub)
    advance.add_parser(sub)
    reconcile.add_parser(sub)
    admin.add_parser(sub)
    scenario.add_parser(sub)
    bench_rules.add_parser(sub)

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
    _add_serve_args(province)

    from scripts.bench import command as bench_command
    from scripts.loadtest import command as loadtest_command

    loadtest_command.add_parser(sub)
    bench_command.add_parser(sub)
    return parser


def _db_url(args: argparse.Namespace, name: str) -> str:
    if args.db:
        return str(args.db)
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    args.data.mkdir(parents=True, exist_ok=True)
    return sqlite_url(args.data / f"{name}.db")


async def _serve_until_signal(start: object, ready_file: Path | None) -> int:
    import structlog

    log = structlog.get_logger("cli")
    node = await start  # type: ignore[misc]
    if ready_file:
        tmp = ready_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"endpoint": node.endpoint, "pid": os.getpid()}))
        tmp.replace(ready_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping")
    await node.stop()
    return 0


def _faults_from_env() -> None:
    """A test network may run its links through the fault transport ($SETTLENET_FAULTS)."""
    from services.faults import transport as faults

    try:
        injector = faults.install_from_env()
    except ValueError as exc:
        raise SystemExit(f"settlenet: {exc}") from None
    if injector is not None:
        print(
            f"settlenet: fault transport on ({faults.ENV}="
            f"{os.environ[faults.ENV]}): calls on this node's links may be dropped, "
            "duplicated or delayed",
            file=sys.stderr,
        )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from services.logs import setup as slog
    from services.values.errors import ConfigError

    if args.command == "demo":
        from scripts import demo

        return demo.main(args)
    if args.command == "up":
        from scripts import up

        return up.main(args)
    if args.command == "clear":
        from scripts import clear

        return clear.main(args)
    if args.command == "advance":
        from scripts import advance

        return advance.main(args)
    if args.command == "reconcile":
        from scripts import reconcile

        return reconcile.main(args)
    if args.command == "topup":
        from scripts import topup

        return topup.main(args)
    if args.command == "msgid":
        from scripts import msgid

        return msgid.main(args)
    if args.command == "filing":
        from scripts import filing

        return filing.main(args)
    if args.command == "bench-rules":
        from scripts import bench_rules

        return bench_rules.main(args)
    if args.command == "scenario":
        from scripts import scenario

        slog.configure("scenario", level="WARNING")
        return scenario.main(args)
    if args.command == "admin":
        from scripts import admin

        return admin.main(args)
    if args.command == "visit":
        from scripts import visit

        return visit.main(args)
    if args.command == "bench":
        from scripts.bench import command as bench_command

        return bench_command.main(args)
    if args.command == "loadtest":
        from scripts.loadtest import command as loadtest_command

        return loadtest_command.main(args)
    if args.command in ("hub", "province"):
        _faults_from_env()
    if args.command == "hub":
        from national_hub import bootstrap as hub_boot

        slog.configure("hub", json=args.log_json, level=args.log_level)
        cfg = hub_boot.HubConfig(
            db_url=_db_url(args, "hub"),
            host=args.host,
            port=args.port,
            topology=args.topology,
            advance_exhausted=args.advance_exhausted,
            advance_size_fen=args.advance_size_fen,
        )
        return asyncio.run(_serve_until_signal(hub_boot.start(cfg), args.ready_file))
    if args.command == "province":
        from provincial_nodes import bootstrap as prov_boot

        slog.configure(f"province-{args.code}", json=args.log_json, level=args.log_level)
        pcfg = prov_boot.NodeConfig(
            code=args.code,
            db_url=_db_url(args, f"province-{args.code}"),
            hub=args.hub,
            data_root=args.province_data,
            host=args.host,
            port=args.port,
            advertise_host=args.advertise_host,
            population=args.population,
            seed=args.seed,
            admin=not args.no_admin,
        )
        try:
            return asyncio.run(_serve_until_signal(prov_boot.start(pcfg), args.ready_file))
        except ConfigError as exc:
            print(f"settlenet province: {exc}", file=sys.stderr)
            return 2
    raise AssertionError(args.command)


if __name__ == "__main__":
    raise SystemExit(main())
