"""``settlenet bench``: its arguments (cheap to import)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

DESCRIPTION = """\
Measure, in one run on this machine and at one concurrency (closed loop):

  bare relay      client -> echo hub -> echo insured                    (2207 SettleClaim)
  hub routing     client -> real hub -> echo insured                    (ratio to bare relay)
  bare 3 hops     client -> echo treatment -> echo hub -> echo insured  (2207)
  settle path     client -> real treatment -> real hub -> real insured, 2207 of visits opened
                  (2201, 2204) before the timing                        (ratio to bare 3 hops)
  bare visit      1101, 2201, 2204, 2206, 2207 against the echo nodes
  full visit      the same against the real network                     (ratio to bare visit)

Every node is its own process; the echo nodes have the same services and messages with trivial
handlers (no validation, no database). Prints throughput, p50/p99, CPU per settlement, peak RSS
per node, versions, core count and settings; --report writes them as JSON."""


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "bench",
        help="real network vs the bare gRPC ceiling, side by side",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="short scenarios and a small population (finishes in under 30 s)",
    )
    p.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="concurrent requests in every scenario (default 16)",
    )
    p.add_argument(
        "--seconds", type=float, help="measured seconds per scenario (default 10; 2 with --quick)"
    )
    p.add_argument(
        "--warmup",
        type=float,
        help="unmeasured seconds before each scenario (default 2; 0.5 with --quick)",
    )
    p.add_argument(
        "--population",
        type=int,
        help="persons per province of the real network (default 100000; 2000 with --quick)",
    )
    p.add_argument(
        "--only",
        help="comma-separated scenarios to run (default all): "
        "bare_relay,hub_routing,bare_3hop,settle_path,bare_visit,full_visit",
    )
    p.add_argument(
        "--insecure",
        action="store_true",
        help="every node, echo nodes included, plaintext without credential checks (to "
        "measure what mutual TLS and authorization cost; default: both on, as settlenet up)",
    )
    p.add_argument("--report", type=Path, help="write the results as JSON")
    p.add_argument("--data", type=Path, help="keep the databases and logs here (default temp)")
    return p


def main(args: argparse.Namespace) -> int:
    from scripts.bench import run

    return run.main(args)
