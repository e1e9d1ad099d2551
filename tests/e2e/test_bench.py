"""``settlenet bench --quick`` runs every scenario against real processes and reports each real
figure beside its bare ceiling. Only the shape of the output is checked, never a speed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_quick_bench_reports_every_scenario_and_its_ratio(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scripts.cli",
            "bench",
            "--quick",
            "--seconds",
            "1",
            "--warmup",
            "0.3",
            "--population",
            "300",
            "--report",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "SETTLENET_CACHE": str(tmp_path / "cache")},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(out.read_text())
    for name in (
        "bare_relay",
        "hub_routing",
        "bare_3hop",
        "settle_path",
        "settle_http",
        "bare_visit",
        "full_visit",
    ):
        r = doc["results"][name]
        assert r["ok"] > 0 and r["errors"] == {}, (name, r)
    assert set(doc["ratios"]) == {"hub_routing", "settle_path", "settle_http", "full_visit"}
    assert "mutual TLS" in doc["settings"]["security"]  # the echo nodes pay the same checks
    assert doc["environment"]["cpu_count"] and doc["environment"]["versions"]["grpcio"]
    assert all(v for v in doc["peak_rss_mb"].values())
    assert "ratio to ceiling" in proc.stdout
