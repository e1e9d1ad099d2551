"""``settlenet loadtest``: its arguments (cheap to import: ``settlenet --help`` builds them)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

DESCRIPTION = """\
Drive cross-province traffic at a network and report honest latency.

Open loop (--rate R or --schedule): operations start at their scheduled times whatever the
network does, and latency counts from each one's intended start. Closed loop (--concurrency C):
C workers back to back. Stop after --duration seconds or --count operations; the warm-up
(--warmup seconds, or --warmup-ops) runs first and is not measured.

Traffic (--model FILE, YAML or JSON; see scripts/loadtest/model.py): full visits
(1101 → 2201 → 2204 → 2206 → 2207), settle-only calls (2207 of visits opened before the timed
run) and revocations (2208); province pairs uniform or weighted toward Guangdong, Zhejiang,
Shanghai, Beijing and Jiangsu.

Without --target, a network is started (`settlenet up` as processes, or --in-process) with
--population persons per province, generated once and cached."""

EXAMPLES = """\
examples:
  settlenet loadtest --target var/net/network.json --rate 100 --duration 60
  settlenet loadtest --target var/net/network.json --concurrency 16 --count 5000
  settlenet loadtest --schedule 'ramp:10-200x60,200x30' --population 100000
  settlenet loadtest --in-process --population 500 --count 50 --rate 20
  settlenet loadtest --target var/net/network.json --via http --rate 100 --duration 60
  settlenet loadtest --target net.json --rate 50 --duration 60 --generator 1/2 --report a.json
  settlenet loadtest --target net.json --rate 50 --duration 60 --generator 2/2 --report b.json
  settlenet loadtest --merge a.json b.json --report merged.json
"""


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "loadtest",
        help="drive realistic traffic at a network; latency, errors, report, plot",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = p.add_argument_group("what to drive")
    where.add_argument(
        "--target", type=Path, help="DIR/network.json of a running network (default: start one)"
    )
    where.add_argument(
        "--via",
        choices=("grpc", "http", "both"),
        default="grpc",
        help="how the hospitals' calls reach the treatment nodes: grpc (default), http, the "
        "national HTTP/JSON interface (provinces.<code>.http of network.json; yuan, x-tif "
        "headers, one 9001 sign-in per institution), or both: every other operation over "
        "HTTP, its calls named '... (http)', to compare the two in one run",
    )
    where.add_argument(
        "--in-process",
        action="store_true",
        help="start the network in this process instead of as processes",
    )
    where.add_argument(
        "--provinces",
        default="11,13,44,51",
        help="provinces of a started network, or 'all' for the 32 of the national "
        "network (default 11,13,44,51)",
    )
    where.add_argument(
        "--population",
        type=int,
        default=100_000,
        help="persons per province of a started network (default 100000)",
    )
    where.add_argument("--data", type=Path, help="folder of a started network (default: temp)")
    where.add_argument(
        "--kill",
        metavar="NODE@SECONDS",
        help="fault injection: SIGKILL a node (e.g. 13 or hub) this many "
        "seconds after the run starts (warm-up included), in a network this "
        "command started or a --target whose data folder holds the nodes' "
        "process ids (settlenet up); the report records it under faults",
    )
    how = p.add_argument_group("load")
    how.add_argument("--rate", type=float, help="open loop: operations per second")
    how.add_argument(
        "--schedule",
        help="open loop: steps and ramps, e.g. '50x10,100x10' or 'ramp:10-200x60' (rate x seconds)",
    )
    how.add_argument("--concurrency", type=int, help="closed loop: concurrent workers")
    how.add_argument("--duration", type=float, help="seconds to measure")
    how.add_argument("--count", type=int, help="operations to measure")
    how.add_argument(
        "--warmup",
        type=float,
        help="seconds of warm-up, not measured (default 2 with --duration, 0 with --count)",
    )
    how.add_argument(
        "--warmup-ops",
        type=int,
        default=0,
        help="operations of warm-up, not measured (instead of --warmup)",
    )
    how.add_argument(
        "--generator",
        metavar="I/N",
        help="this run is generator I of N driving the same network at once (from several "
        "hosts): their msgids never collide; merge their reports with --merge",
    )
    how.add_argument("--timeout", type=float, default=10.0, help="deadline of each call, s")
    how.add_argument(
        "--max-in-flight",
        type=int,
        default=5000,
        help="open loop: arrivals beyond this many running operations are dropped "
        "and counted (default 5000)",
    )
    traffic = p.add_argument_group("traffic")
    traffic.add_argument("--model", type=Path, help="traffic model file (YAML or JSON)")
    traffic.add_argument("--seed", type=int, help="seed of the traffic (default: the model's, 1)")
    traffic.add_argument(
        "--pairs",
        choices=("weighted", "uniform"),
        help="province-pair distribution (default: the model's, weighted)",
    )
    out = p.add_argument_group("output")
    out.add_argument(
        "--report",
        type=Path,
        default=Path("loadtest-report.json"),
        help="JSON report (default loadtest-report.json)",
    )
    out.add_argument(
        "--merge",
        nargs="+",
        type=Path,
        metavar="REPORT",
        help="run nothing: merge the JSON reports of generators run at once (--generator I/N) "
        "into one --report (counts added, latency histograms merged, not percentiles)",
    )
    out.add_argument("--plot", type=Path, help="HTML plot (default: the report's name, .html)")
    out.add_argument("--no-progress", action="store_true", help="no live progress bar")
    out.add_argument(
        "--fail-on-errors", action="store_true", help="exit 1 when any operation failed"
    )
    return p


def main(args: argparse.Namespace) -> int:
    if args.merge:
        from scripts.loadtest import merge

        return merge.main(args)
    from scripts.loadtest import session

    return session.main(args)
