"""``settlenet up``: the hub and the default provinces as separate processes on loopback.

Each node logs JSON lines to DIR/logs/<node>.log and keeps its SQLite database in DIR. Once
every node serves, DIR/network.json is written. Ctrl-C or SIGTERM stops every node cleanly.
A node that dies is reported and the others keep serving, as in the real network where one
province going down does not stop the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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


def external_nodes(specs: list[str]) -> dict[str, str]:
    """``["13=10.0.0.5:7013"]`` → ``{"13": "10.0.0.5:7013"}``, each checked."""
    out: dict[str, str] = {}
    for spec in specs:
        code, sep, endpoint = spec.partition("=")
        host, colon, port = endpoint.rpartition(":")
        if not sep or not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"--external {spec}: must be CODE=HOST:PORT, e.g. 13=127.0.0.1:7013")
        seed.province_codes(code)  # a known province code, or ValueError naming it
        if code in out:
            raise ValueError(f"--external {spec}: province {code} is given twice")
        out[code] = endpoint
    return out


def write_topology(path: Path, external: dict[str, str]) -> Path:
    """The hub's topology file: the external nodes it routes to before they register."""
    from provincial_nodes import config

    provinces = []
    for code, endpoint in external.items():
        data = config.load(config.province_folder(code))
        provinces.append(
            {"code": code, "endpoint": endpoint, "admdvs": sorted(data.regions), "name": data.name}
        )
    path.write_text(json.dumps({"provinces": provinces}, ensure_ascii=False, indent=1))
    return path


class ExternalWatch:
    """Follows the external nodes while ``up`` runs: says when each first answers, and
    rewrites network.json when the hub learns a new endpoint or HTTP interface for one (it
    registers itself once it starts)."""

    EVERY_S = 2.0

    def __init__(self, path: Path, doc: dict[str, Any], external: dict[str, str]) -> None:
        self.path, self.doc, self.external = path, doc, external
        self.serving: set[str] = set()
        self.next = 0.0

    def poll(self) -> None:
        if time.monotonic() < self.next:
            return
        self.next = time.monotonic() + self.EVERY_S
        from scripts import nodes

        try:
            known = asyncio.run(nodes.listing(self.doc))
        except Exception as exc:  # the hub is reported by the process watch
            _say(f"could not ask the hub about external nodes: {str(exc)[:200]}")
            return
        changed = False
        for n in known:
            code = n["province_code"]
            if code not in self.external:
                continue
            entry = self.doc["provinces"][code]
            http = n["http_endpoint"] or None
            if entry["endpoint"] != n["endpoint"] or entry.get("http") != http:
                entry["endpoint"], entry["http"] = n["endpoint"], http
                changed = True
            if n["health"] == "SERVING" and code not in self.serving:
                self.serving.add(code)
                _say(f"province {code} (external) is serving at {n['endpoint']}")
        if changed:
            network.write_network_json(self.path, self.doc)
            _say(f"{self.path} updated from the hub's registry")


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
        "--external",
        action="append",
        default=[],
        metavar="CODE=HOST:PORT",
        help="province CODE is served by a node someone else runs at HOST:PORT (repeat): it "
        "is not started here; the hub routes to it from the start, its certificate and "
        "credentials are in DIR/tls (or `settlenet certs issue`), and network.json names it",
    )
    up.add_argument(
        "--admit-latency-ms",
        type=int,
        default=0,
        metavar="MS",
        help="every province node started here with admission control at this target "
        "(`settlenet province --admit-latency-ms`; default 0: off)",
    )
    up.add_argument(
        "--behaviour",
        action="append",
        default=[],
        metavar="CODE=FILE",
        help="behaviour rules for province CODE's node (repeat; docs/behaviour.md)",
    )
    up.add_argument(
        "--population",
        type=int,
        default=0,
        help="extra generated insured persons per province (seeded)",
    )


def main(args: argparse.Namespace) -> int:
    if args.admit_latency_ms < 0:
        _say(
            f"--admit-latency-ms {args.admit_latency_ms}: give a latency in ms above 0, or 0 (off)"
        )
        return 2
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
    try:
        codes = seed.province_codes(args.provinces)
        external = external_nodes(args.external)
    except ValueError as exc:
        _say(str(exc))
        return 2
    codes += [c for c in external if c not in codes]
    behaviour: dict[str, str] = {}
    for given in args.behaviour:
        code, _, file = given.partition("=")
        if code not in codes or not file or not Path(file).is_file():
            _say(f"--behaviour {given}: want CODE=FILE, a province of the network and a file")
            return 2
        if code in external:
            _say(f"--behaviour {given}: province {code} is external (its node is not ours)")
            return 2
        behaviour[code] = str(Path(file).resolve())
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (data / "network.json").unlink(missing_ok=True)
    if args.insecure:
        _say("\n" + INSECURE_BANNER)
        security: dict[str, Any] = certs.INSECURE
        tls_args: dict[str, list[str]] = {}
        probe: TlsFiles | None = None
    else:
        hosts = [*pki.default_hosts(), *args.host]
        security = certs.prepare(data / "tls", codes, hosts, keep=frozenset(external))
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
        if external:
            hub_args += ["--topology", str(write_topology(data / "topology.json", external))]
        procs.append(_start("hub", hub_args, data, log, probe))
        hub, web, web_token = procs[-1].endpoint, procs[-1].web, procs[-1].web_token
        _say(f"hub serving on {hub} (log {log})")
        nodes: dict[str, tuple[str, str]] = {}
        http: dict[str, str] = {}
        for code, endpoint in external.items():
            nodes[code] = (endpoint, "")
            http[code] = ""
        for i, code in enumerate(codes):
            if code in external:
                continue
            log = logs / f"province-{code}.log"
            url = sqlite_url(data / f"province-{code}.db")
            port = args.base_port + i if args.base_port else 0
            started = time.monotonic()
            province_args = ["province", "--code", code, "--hub", hub, "--port", str(port)]
            if args.base_port:
                province_args += ["--http-port", str(args.base_port + 100 + i)]
            province_args += ["--db", url, "--population", str(args.population)]
            province_args += node_security if args.admin else [*node_security, "--no-admin"]
            if code in behaviour:
                province_args += ["--behaviour", behaviour[code]]
            if args.admit_latency_ms:
                province_args += ["--admit-latency-ms", str(args.admit_latency_ms)]
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
        for code, endpoint in external.items():
            host, _, port = endpoint.rpartition(":")
            _say(
                f"province {code} is external: the hub routes its insured places to {endpoint}; "
                f"start its node there, e.g. settlenet province --code {code} --hub {hub} "
                f"--host {host} --port {port} "
                + (
                    "--insecure"
                    if args.insecure
                    else f"--tls-dir {data / 'tls'} (or certificates from `settlenet certs issue "
                    f"--target {data / 'network.json'} --province {code}`)"
                )
            )
        watch = ExternalWatch(data / "network.json", doc, external) if external else None
        _say("Ctrl-C stops every node")
        exited: set[str] = set()
        while not stopping:
            if watch is not None:
                watch.poll()
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
