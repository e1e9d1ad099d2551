"""The Locust file drives a real network headless for a few seconds with the load generator's
traffic model: every call type is reported and none fails. Skipped where locust is missing
(it is in the ``test`` and ``load`` extras)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Never `import locust` here: importing it monkey-patches this process for gevent.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("locust") is None, reason="locust is not installed"
    ),
]
ROOT = Path(__file__).resolve().parents[2]


def test_locust_runs_headless_against_a_running_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scripts import launcher
    from scripts.loadtest import population

    env = {**os.environ, "SETTLENET_CACHE": str(tmp_path / "cache")}
    monkeypatch.setenv("SETTLENET_CACHE", env["SETTLENET_CACHE"])
    data = tmp_path / "net"
    population.seed_network(data, ["11", "13"], 200)
    up, _doc = launcher.start_network(data, ["--provinces", "11,13"], timeout=60, env=env)
    try:
        locust = shutil.which("locust", path=str(Path(sys.executable).parent)) or "locust"
        proc = subprocess.run(
            [
                locust,
                "-f",
                str(ROOT / "scripts" / "loadtest" / "locustfile.py"),
                "--headless",
                "-u",
                "4",
                "-r",
                "4",
                # Bounded by operations, not by seconds: a slow machine still gets its visits.
                "--stop-after",
                "24",
                "-t",
                "120s",
                "--network",
                str(data / "network.json"),
                "--json-file",
                str(tmp_path / "stats"),
                "--only-summary",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        # The final figures (the CSV writer runs on a timer and may miss the last of them).
        stats = json.loads((tmp_path / "stats.json").read_text())
        requests = {s["name"]: s["num_requests"] for s in stats}
        for name in (
            "1101 QueryPerson",
            "2201 RegisterVisit",
            "2204 UploadFeeDetails",
            "2206 PreSettle",
            "2207 Settle",
            "op visit",
        ):
            assert requests.get(name, 0) > 0, (name, requests)
        assert sum(s["num_failures"] for s in stats) == 0, stats
    finally:
        up.stop(timeout=30)
