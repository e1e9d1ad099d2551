"""The ``settlenet`` command.

settlenet demo [--lang zh|en]   a sample cross-province visit on an in-process network
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

A command's options may come before or after its action (`settlenet filing --target X list P`
is `settlenet filing list P --target X`). `--dest` takes a 6-digit admdvs (110000) or a 2-digit
province code (11) wherever it appears. A usage error is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from types import ModuleType
from typing import Protocol, cast

from scripts import (
    admin,
    advance,
    bench_rules,
    clear,
    demo,
    filing,
    hub,
    msgid,
    province,
    reconcile,
    scenario,
    topup,
    up,
    visit,
)
from scripts.bench import command as bench_command
from scripts.loadtest import command as loadtest_command
from scripts.options import Parser, Subparsers, check_required


class Command(Protocol):
    """A command module: it declares its parser and runs from the parsed arguments."""

    def add_parser(self, sub: Subparsers) -> object: ...

    def main(self, args: argparse.Namespace) -> int: ...


def _command(module: ModuleType) -> Command:
    return cast(Command, module)


COMMANDS: dict[str, Command] = {
    "demo": _command(demo),
    "up": _command(up),
    "visit": _command(visit),
    "hub": _command(hub),
    "filing": _command(filing),
    "msgid": _command(msgid),
    "topup": _command(topup),
    "clear": _command(clear),
    "advance": _command(advance),
    "reconcile": _command(reconcile),
    "admin": _command(admin),
    "scenario": _command(scenario),
    "bench-rules": _command(bench_rules),
    "province": _command(province),
    "loadtest": _command(loadtest_command),
    "bench": _command(bench_command),
}
"""Every ``settlenet`` command, by name, in the order ``--help`` lists them."""

BROKEN_PIPE = 128 + 13
"""The exit code of a command whose reader closed the pipe (as a shell reports SIGPIPE)."""


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="settlenet",
        description="A simulated network for China's cross-provincial direct settlement of "
        "medical expenses (跨省异地就医直接结算).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS.values():
        command.add_parser(sub)
    return parser


def _quiet_broken_pipe() -> None:
    """Output piped to ``head`` ends quietly: the rest of stdout goes nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    problem = check_required(args, f"settlenet {args.command}")
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        code = COMMANDS[args.command].main(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # `settlenet ... | head`: the reader is gone; end as a tool killed by SIGPIPE would,
        # without a traceback (SIGPIPE itself stays ignored: the nodes' sockets need that).
        _quiet_broken_pipe()
        return BROKEN_PIPE
    return code


if __name__ == "__main__":
    raise SystemExit(main())
