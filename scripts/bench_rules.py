"""``settlenet bench-rules``: throughput of the pure rules, no I/O — classification of fee lines
under a treatment place's catalogue, and the insured place's split — on the default data.

    settlenet bench-rules [--visits 20000] [--lines-per-visit 8] [--seed 1] [--json]

Inputs are generated before the clock starts (seeded), so only the rules are timed: lines/s for
``classify_line`` alone, splits/s for ``split`` alone, and visits/s for a whole visit (classify
its lines, total them, split). Each figure is the best of ``--repeat`` rounds.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from provincial_nodes import config
from provincial_nodes.domain.catalogue import (
    ClaimTotals,
    FeeLine,
    VisitContext,
    classify_line,
)
from provincial_nodes.domain.filing import Basis, Coverage
from provincial_nodes.domain.person import PersonState
from provincial_nodes.domain.split import Claim, split
from scripts.options import Subparsers, at_least_one
from services.values.money import line_amount_fen

DAY = date(2026, 10, 15)


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "bench-rules",
        help="throughput of classification and split (pure)",
        description="Measure lines/s (classification), splits/s and visits/s of "
        "the pure rules on the default data; no gRPC, no database.",
    )
    p.add_argument(
        "--visits", type=at_least_one, default=20_000, help="visits per round (default 20000)"
    )
    p.add_argument(
        "--lines-per-visit", type=at_least_one, default=8, help="fee lines per visit (8)"
    )
    p.add_argument(
        "--repeat", type=at_least_one, default=3, help="rounds; the best is reported (3)"
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--treat", default="11", help="treatment province (catalogue), default 11")
    p.add_argument("--insured", default="13", help="insured province (policy), default 13")
    p.add_argument("--json", action="store_true")


@dataclass(frozen=True)
class Visit:
    entries: list[Any]
    lines: list[FeeLine]
    ctx: VisitContext
    person: Any
    state: PersonState
    coverage: Coverage


def _visits(args: argparse.Namespace) -> tuple[list[Visit], Any]:
    treat = config.load(config.province_folder(args.treat))
    insured = config.load(config.province_folder(args.insured))
    rng = random.Random(args.seed)
    entries = [e for e in treat.catalogue.entries() if e.valid_on(DAY)]
    persons = insured.persons
    out = []
    for _ in range(args.visits):
        chosen = [rng.choice(entries) for _ in range(args.lines_per_visit)]
        lines = []
        for n, e in enumerate(chosen):
            cnt = Decimal(rng.randint(1, 4))
            pric = max(1, (e.pric_uplmt_amt or 3000) * rng.randint(80, 120) // 100)
            lines.append(
                FeeLine(f"{n:04d}", e.med_list_codg, cnt, pric, line_amount_fen(cnt, pric), DAY)
            )
        out.append(
            Visit(
                chosen,
                lines,
                VisitContext(medins_lv=rng.choice("123"), diag_codes=("E11.900",)),
                rng.choice(persons),
                PersonState(
                    dedc_used_year=rng.choice([0, 10_000, 200_000]),
                    fund_paid_year=rng.randint(0, 100_000),
                    fund_paid_month=rng.randint(0, 20_000),
                    acct_balc=rng.randint(0, 300_000),
                ),
                Coverage(rng.choice([Basis.FILED, Basis.UNFILED, Basis.EMERGENCY])),
            )
        )
    return out, insured.policy


def _best(fn: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def run(args: argparse.Namespace) -> dict[str, Any]:
    visits, policy = _visits(args)
    region = next(iter(policy.regions()))
    params = {
        insutype: policy.params(policy.key_for(region, insutype, "11"), DAY)
        for insutype in ("310", "390")
    }
    classified = [
        [classify_line(e, ln, v.ctx) for e, ln in zip(v.entries, v.lines, strict=True)]
        for v in visits
    ]
    claims = [
        Claim(ClaimTotals.of(c), v.ctx.medins_lv, True, DAY, v.coverage, "110000")
        for v, c in zip(visits, classified, strict=True)
    ]

    def classify_all() -> None:
        for v in visits:
            for e, ln in zip(v.entries, v.lines, strict=True):
                classify_line(e, ln, v.ctx)

    def split_all() -> None:
        for v, claim in zip(visits, claims, strict=True):
            split(params[v.person.insutype], v.person, v.state, claim)

    def whole_visits() -> None:
        for v in visits:
            lines = [classify_line(e, ln, v.ctx) for e, ln in zip(v.entries, v.lines, strict=True)]
            claim = Claim(ClaimTotals.of(lines), v.ctx.medins_lv, True, DAY, v.coverage, "110000")
            split(params[v.person.insutype], v.person, v.state, claim)

    n_lines = args.visits * args.lines_per_visit
    t_cls = _best(classify_all, args.repeat)
    t_split = _best(split_all, args.repeat)
    t_visit = _best(whole_visits, args.repeat)
    return {
        "visits": args.visits,
        "lines_per_visit": args.lines_per_visit,
        "repeat": args.repeat,
        "seed": args.seed,
        "catalogue": args.treat,
        "policy": args.insured,
        "lines_per_s": round(n_lines / t_cls),
        "splits_per_s": round(args.visits / t_split),
        "visits_per_s": round(args.visits / t_visit),
        "us_per_line": round(t_cls / n_lines * 1e6, 2),
        "us_per_split": round(t_split / args.visits * 1e6, 2),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def main(args: argparse.Namespace) -> int:
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"settlenet bench-rules — pure functions, no I/O (Python {result['python']}, "
        f"{args.visits} visits × {args.lines_per_visit} lines, best of {args.repeat})"
    )
    print(
        f"  classification  {result['lines_per_s']:>12,} lines/s   "
        f"({result['us_per_line']} µs per line)"
    )
    print(
        f"  split           {result['splits_per_s']:>12,} splits/s  "
        f"({result['us_per_split']} µs per split)"
    )
    print(
        f"  whole visit     {result['visits_per_s']:>12,} visits/s  "
        f"(classify {args.lines_per_visit} lines + total + split)"
    )
    return 0
