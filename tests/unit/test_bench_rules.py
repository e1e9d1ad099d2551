"""The pure-rules benchmark runs and reports its figures (the figures themselves are not
asserted: speed is measured, never tested)."""

from __future__ import annotations

from scripts import bench_rules
from scripts.cli import build_parser


def test_bench_rules_reports_lines_splits_and_visits_per_second() -> None:
    args = build_parser().parse_args(["bench-rules", "--visits", "50", "--repeat", "1"])
    result = bench_rules.run(args)
    assert result["visits"] == 50 and result["lines_per_visit"] == 8
    assert min(result["lines_per_s"], result["splits_per_s"], result["visits_per_s"]) > 0
