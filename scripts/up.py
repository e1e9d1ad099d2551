"""``settlenet up``: the hub and the default provinces as separate processes on loopback.

Each node logs JSON lines to DIR/logs/<node>.log and keeps its SQLite database in DIR. Once
every node serves, DIR/network.json is written. Ctrl-C or SIGTERM stops every node cleanly.
A node that dies is reported and the others keep serving, as in the real network where one
province going down does not stop the rest.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from national_hub.domain.advance import DEFAULT_SIZE_FEN as DEFAULT_ADVANCE_FEN
from provincial_nodes import seed
from scripts import certs, launcher, network
from scripts.options import Subparsers, positive_fen
from scripts.serve import INSECURE_BANNER
from services.security import pki
from services.security.client import TlsFiles
from services.storage.database import sqlite_url
from services.values import clock

READY_TIMEOUT_S = 60.0


def _say(message: str) -> None:
    print(f"settlenet up: {message}", file=sys.stderr, flush=True)


def _start(
    name: str, args: list[str], data: Path, log: Path, tls: TlsFiles | None
) -> launcher.Process:
    # Each node in a session of its own: Ctrl-C reaches us, we stop them in order.
    return launcher.start_node(
        name,
        [*launcher.CLI, *args, "--log-json"],
        data,
        log=log,
        timeout=READY_TIMEOUT_S,
        tls=tls,
    )


def add_parser(sub: Subparsers) -> None:
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
        help="first province port; the next provinces take the following ports, and their "
        "HTTP interfaces the ports 100 above (default any free ports)",
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
        type=positive_fen,
        default=DEFAULT_ADVANCE_FEN,
        help="the advance fund each province is opened with, in fen (default "
        f"{DEFAULT_ADVANCE_FEN:,}; load tests want more)",
    )
    up.add_argument(
        "--insecure",
        action="store_true",
        help="plaintext gRPC without certificates or credentials: anyone may call anything "
        "(a quick look only; the default is mutual TLS under DIR/tls and x-tif credentials)",
    )
    up.add_argument(
        "--admin",
        action="store_true",
        help="serve AdminService on the province nodes (only to the admin certificate, "
        "DIR/tls/admin.pem); off by default",
    )
    up.add_argument(
        "--host",
        action="append",
        default=[],
        help="a DNS name or address the certificates also carry (repeat; loopback and this "
        "machine's name always)",
    )
    up.add_argument(
        "--population",
        type=int,
        default=0,
        help="extra generated insured persons per province (seeded)",
    )


def main(args: argparse.Namespace) -> int:
    if getattr(args, "faults", None):
        from services.faults import transport as faults

        try:
            faults.plan_from_spec(args.faults)
        except ValueError as exc:
            _say(str(exc))
            return 2
        os.environ[faults.ENV] = args.faults  # every node process inherits it
    # One clock for every node: a SETTLENET_CLOCK moment becomes one offset they all inherit.
    if clock.offset_s():
        os.environ[clock.OFFSET_ENV] = str(clock.offset_s())
    data: Path = args.data.resolve()
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (data / "network.json").unlink(missing_ok=True)
    try:
        codes = seed.province_codes(args.provinces)
    except ValueError as exc:
        _say(str(exc))
        return 2
    if args.insecure:
        _say("\n" + INSECURE_BANNER)
        security: dict[str, Any] = certs.INSECURE
        tls_args: dict[str, list[str]] = {}
        probe: TlsFiles | None = None
    else:
        hosts = [*pki.default_hosts(), *args.host]
        security = certs.prepare(data / "tls", codes, hosts)
        tls_args = {"": ["--tls-dir", str(data / "tls")]}
        probe = TlsFiles(
            Path(security["ca"]),
            Path(security["certificates"]["operator"]["cert"]),
            Path(security["certificates"]["operator"]["key"]),
        )
        _say(f"mutual TLS on: the network's CA, certificates and credentials in {data / 'tls'}")
    node_security = tls_args.get("", ["--insecure"])
    procs: list[launcher.Process] = []
    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        log = logs / "hub.log"
        hub_url = sqlite_url(data / "hub.db")
        hub_args = ["hub", "--port", str(args.hub_port), "--db", hub_url]
        hub_args += ["--advance-size-fen", str(args.advance_size_fen), *node_security]
        procs.append(_start("hub", hub_args, data, log, probe))
        hub, web, web_token = procs[-1].endpoint, procs[-1].web, procs[-1].web_token
        _say(f"hub serving on {hub} (log {log})")
        nodes: dict[str, tuple[str, str]] = {}
        http: dict[str, str] = {}
        for i, code in enumerate(codes):
            log = logs / f"province-{code}.log"
            url = sqlite_url(data / f"province-{code}.db")
            port = args.base_port + i if args.base_port else 0
            started = time.monotonic()
            province_args = ["province", "--code", code, "--hub", hub, "--port", str(port)]
            if args.base_port:
                province_args += ["--http-port", str(args.base_port + 100 + i)]
            province_args += ["--db", url, "--population", str(args.population)]
            province_args += node_security if args.admin else [*node_security, "--no-admin"]
            procs.append(_start(f"province {code}", province_args, data, log, probe))
            endpoint = procs[-1].endpoint
            nodes[code] = (endpoint, url)
            http[code] = procs[-1].http
            _say(
                f"province {code} serving on {endpoint} and {procs[-1].http} after "
                f"{time.monotonic() - started:.1f}s (log {log})"
            )
        doc = network.describe(hub, nodes, data, args.population, security, http, web)
        network.write_network_json(data / "network.json", doc)
        _say(f"network ready: {data / 'network.json'}")
        if web:
            _say(f"web view (one-time token; docs/web.md): {web}?token={web_token}")
        _say(f"try: settlenet visit --target {data / 'network.json'}")
        if not args.insecure:
            _say(
                f"     settlenet call --target {data / 'network.json'} HubService/ListNodes "
                "(as the operator; --as H11010100001 for a hospital)"
            )
        _say("Ctrl-C stops every node")
        exited: set[str] = set()
        while not stopping:
            for p in procs:
                if p.name not in exited and not p.alive():
                    exited.add(p.name)
                    _say(
                        f"{p.name} exited with code {p.proc.returncode}; the "
                        "other nodes keep serving; calls that need it fail until the network is "
                        "restarted"
                    )
            if len(exited) == len(procs):
                _say("every node has exited")
                return 1
            time.sleep(0.2)
        return 0
    except launcher.LaunchError as exc:
        _say(str(exc))
        return 1
    finally:
        for p in reversed(procs):
            p.signal(signal.SIGTERM)
        for p in reversed(procs):
            p.stop()
        _say("stopped")
        for f in data.glob("*.ready"):
            f.unlink(missing_ok=True)
