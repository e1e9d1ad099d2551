"""``settlenet loadtest`` as a capacity planner runs it: a short run completes without errors and
writes its report and plot; a node killed mid-run shows up as errors and the run still ends at
its duration. Nothing here depends on how fast the machine is."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "scripts.cli", "loadtest"]


def _run(args: list[str], tmp_path: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SETTLENET_CACHE": str(tmp_path / "cache")}
    return subprocess.run(
        [*CLI, *args, "--no-progress"],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=tmp_path,
    )


def test_a_short_in_process_run_settles_every_visit_and_writes_report_and_plot(
    tmp_path: Path,
) -> None:
    report = tmp_path / "out" / "report.json"
    proc = _run(
        [
            "--in-process",
            "--population",
            "300",
            "--count",
            "50",
            "--rate",
            "25",
            "--report",
            str(report),
            "--fail-on-errors",
        ],
        tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(report.read_text())
    s = doc["summary"]
    assert s["ops"] == 50 and s["errors"] == 0 and s["unfinished"] == 0 and s["dropped"] == 0
    assert sum(t["count"] for t in doc["ops"].values()) == 50
    assert sum(t["count"] for t in doc["pairs"].values()) == 50
    assert s["settlements"] + s["revocations"] == 50
    visits = doc["ops"]["visit"]["count"]
    assert doc["calls"]["1101 QueryPerson"]["count"] == visits
    assert doc["calls"]["2206 PreSettle"]["count"] == visits
    assert doc["target"]["persons"]["13"] >= 300
    rec = doc["reconciliation"]  # every acknowledged settlement is on every side's records
    assert rec["ran"] and rec["verdict"].startswith("nothing lost"), rec
    assert rec["acknowledged"] == s["settlements"] + s["revocations"] and rec["lost"] == 0
    assert rec["differences"] == 0 and not rec["unreachable"]
    assert rec["hub_records"] >= rec["acknowledged"]
    for name in ("p50", "p90", "p99", "p99.9", "max"):
        assert doc["ops"]["visit"]["latency_ms"][name] > 0
    page = report.with_suffix(".html").read_text()
    assert (
        page.startswith("<!doctype html>")
        and "<svg" in page
        and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )


def test_a_node_killed_mid_run_is_counted_and_the_run_ends_at_its_duration(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    proc = _run(
        [
            "--population",
            "200",
            "--provinces",
            "11,13,44",
            "--duration",
            "4",
            "--warmup",
            "0",
            "--rate",
            "15",
            "--timeout",
            "2",
            "--kill",
            "13@1.5",
            "--report",
            str(report),
            "--data",
            str(tmp_path / "net"),
        ],
        tmp_path,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(report.read_text())
    s = doc["summary"]
    assert s["errors"] > 0 and s["ok"] > 0
    assert "UNAVAILABLE" in doc["errors_by_code"]
    assert s["ops"] == s["ok"] + s["errors"]
    # Only pairs with province 13 on either side fail; the rest of the network keeps serving.
    failing = {k for k, v in doc["pairs"].items() if v["errors"]}
    assert failing and all("13" in k.split("->") for k in failing), failing
    rec = doc["reconciliation"]
    assert rec["ran"] and rec["lost"] == 0 and "13" in rec["unreachable"], rec
    assert rec["acknowledged"] >= s["settlements"] + s["revocations"] > 0
    assert s["measured_s"] < 4 + 2 + 5  # the duration, one call deadline, and the drain
    kill = doc["faults"]["kill"]  # the report says what was done to the network, and when
    assert kill["killed"] and kill["node"] == "province-13" and kill["at_s"] == 1.5, kill


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--concurrency", "0", "--count", "5"], "--concurrency 0: must be ≥ 1"),
        (["--rate", "0", "--duration", "5"], "--rate 0: must be > 0"),
        (["--rate", "5", "--duration", "-3"], "--duration -3: must be > 0"),
        (
            ["--rate", "5", "--duration", "5", "--target", "nowhere/network.json"],
            "nowhere/network.json: no such file",
        ),
        (
            ["--rate", "5", "--duration", "5", "--in-process", "--kill", "zz@1"],
            "--kill zz@1: node 'zz' is not in this network",
        ),
    ],
)
def test_bad_options_are_named_in_one_line_and_nothing_starts(
    tmp_path: Path, args: list[str], says: str
) -> None:
    proc = _run(args, tmp_path, timeout=60)
    assert proc.returncode != 0
    assert says in " ".join(proc.stderr.split()), proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "cache").exists()


def test_sigterm_mid_run_stops_the_network_it_started(tmp_path: Path) -> None:
    env = {**os.environ, "SETTLENET_CACHE": str(tmp_path / "cache")}
    data = tmp_path / "net"
    proc = subprocess.Popen(
        [
            *CLI,
            "--population",
            "200",
            "--provinces",
            "11,13",
            "--concurrency",
            "2",
            "--duration",
            "60",
            "--data",
            str(data),
            "--report",
            str(tmp_path / "r.json"),
            "--no-progress",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # the network serves once the persons are read
        if "persons known" in line:
            break
    proc.send_signal(signal.SIGTERM)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 130, rest
    assert "interrupted" in rest
    left = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(data) not in left, "a node of the interrupted run is still running"
