"""The ``settlenet`` command: a table of commands, one module each (:data:`COMMANDS`);
``settlenet --help`` ends with :data:`EPILOG`."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Protocol, cast

from scripts.options import Parser, Subparsers, check_required, ends_quietly
from services.storage import files

EPILOG = """\
settlenet demo [--lang zh|en] [--via http]    a sample cross-province visit, in process
                                (--web: narrated in the hub's web view)
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
settlenet resolve --target DIR/network.json    resolve every message left in doubt, now
settlenet admin --target DIR/network.json --province 13 load-policy FILE
                                load policy / catalogue / persons into a running node
settlenet scenario run FILE...  run golden scenarios (in-process, or --target)
settlenet bench-rules           throughput of classification and split (pure, no I/O)
settlenet hub --db URL          run the national hub (and its web view: --web-port, --no-web)
settlenet province --code 13 --hub HOST:PORT --db URL     run one province node
                                (hub and province: --processes N on PostgreSQL, one port)
settlenet loadtest --target DIR/network.json --rate 100 --duration 60     load test
                                (--via http: the national HTTP interface instead of gRPC)
settlenet loadtest --merge A.json B.json --report OUT.json    one report from generators
                                run at once (--generator 1/2, 2/2 on several hosts)
settlenet bench [--quick]       the real network beside the bare gRPC ceiling
settlenet call --target DIR/network.json --as H11010100001 TreatmentService/QueryPerson JSON
                                one RPC as an institution, desk, node, operator or admin
settlenet certs issue --target DIR/network.json --province 13    a certificate from the CA
settlenet certs init --out DIR --provinces 11,13 [--domain D]    a deployment's CA, certificates
                                and credentials (nodes on different hosts; docs/deploy.md)
settlenet health --address HOST:PORT --tls-dir DIR --as hub    is a node serving? (probes)
settlenet sign --target DIR/network.json --as H11010100001 [--curl]    fresh x-tif headers
settlenet nodes list|register|deregister --target DIR/network.json [--province 13 ...]
                                the hub's registry of province nodes (as the operator)
settlenet network --hub HOST:PORT --tls-dir DIR/tls > network.json
                                a network.json from the hub's registry (nodes started by hand)
settlenet journal --target DIR/network.json [--province 13] [--from T] [--to T] [--jsonl]
                                what the hub routed, with requests and answers (masked)
settlenet replay FILE --target DIR/network.json --node 13    recorded calls again; diffs
settlenet conformance --target DIR/network.json --node 13 [--role treatment|insured|both]
                                contract checks against one node (--junit FILE, --json)
settlenet behave --target DIR/network.json --node 13 FILE | --clear | --show | --calls
                                program a node's behaviour (delay, answer, drop, override)

A command's options may come before or after its action (`settlenet filing --target X list P`
is `settlenet filing list P --target X`). `--dest` takes a 6-digit admdvs (110000) or a 2-digit
province code (11) wherever it appears. A usage error is one line on stderr and exit code 2.
"""
"""The end of ``settlenet --help``: every command in one line (or two) and the rules they share."""


class Command(Protocol):
    """A command module: it declares its parser and runs from the parsed arguments."""

    def add_parser(self, sub: Subparsers) -> object: ...

    def main(self, args: argparse.Namespace) -> int: ...


COMMANDS: dict[str, str] = {
    "demo": "scripts.demo",
    "up": "scripts.up",
    "visit": "scripts.visit",
    "hub": "scripts.hub",
    "filing": "scripts.filing",
    "msgid": "scripts.msgid",
    "resolve": "scripts.resolve",
    "topup": "scripts.topup",
    "clear": "scripts.clear",
    "advance": "scripts.advance",
    "reconcile": "scripts.reconcile",
    "admin": "scripts.admin",
    "scenario": "scripts.scenario.command",
    "bench-rules": "scripts.bench_rules",
    "province": "scripts.province",
    "loadtest": "scripts.loadtest.command",
    "bench": "scripts.bench.command",
    "call": "scripts.call",
    "certs": "scripts.certs",
    "sign": "scripts.sign",
    "nodes": "scripts.nodes",
    "network": "scripts.network_file",
    "health": "scripts.health",
    "journal": "scripts.journal",
    "replay": "scripts.replay",
    "conformance": "scripts.conformance.command",
    "behave": "scripts.behave",
}
"""Every ``settlenet`` command: its name and the module that declares its parser and ``main``,
in the order ``--help`` lists them. A command's module is imported only when it is needed (a
node process loads its own command, not the load generator's)."""


NODE_COMMANDS = frozenset({"up", "hub", "province", "demo", "bench", "loadtest"})
"""Commands that run nodes: they start with umask 077, so every file they write is 0600."""


def command(name: str) -> Command:
    """The module of the command ``name``."""
    return cast(Command, importlib.import_module(COMMANDS[name]))


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``settlenet`` parser: every command's, or with ``only`` just that command's."""
    parser = Parser(
        prog="settlenet",
        description="A simulated network for China's cross-provincial direct settlement of "
        "medical expenses (跨省异地就医直接结算).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    # Every command's parser is a Parser (one-line errors); commands see it as an ArgumentParser.
    sub = cast(Subparsers, parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    for name in COMMANDS if only is None else (only,):
        command(name).add_parser(sub)
    return parser


def run(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default: the process's arguments) and run its command."""
    given = sys.argv[1:] if argv is None else argv
    parser = build_parser(given[0] if given and given[0] in COMMANDS else None)
    args = parser.parse_args(given)
    problem = check_required(args, f"settlenet {args.command}")
    if problem:
        print(problem, file=sys.stderr)
        return 2
    args.argv = given  # a node of several processes starts each with the same arguments
    if args.command in NODE_COMMANDS:
        files.private_umask()  # databases, logs, data: the operator's only (mode 0600)
    return command(args.command).main(args)


def main(argv: list[str] | None = None) -> int:
    """The ``settlenet`` command: output piped to ``head`` ends quietly."""
    return ends_quietly(lambda: run(argv))


if __name__ == "__main__":
    raise SystemExit(main())
