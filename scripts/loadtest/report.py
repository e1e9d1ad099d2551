"""The JSON report of a load-test run and its terminal summary.

Counts add up: ``summary.ops = summary.ok + summary.errors`` is the sum over ``ops`` (by kind),
over ``pairs`` and over the ``timeline``; ``unfinished`` operations (cancelled at the end of the
drain) and ``dropped`` arrivals (never sent: the generator was saturated) are counted apart.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from typing import Any

from rich.console import Console
from rich.table import Table

from scripts.loadtest.stats import Recorder, encode, percentile

REPORT_VERSION = 1


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for pkg in ("settlenet", "grpcio", "protobuf", "SQLAlchemy", "hdrhistogram"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def environment() -> dict[str, Any]:
    return {
        "versions": versions(),
        "cpu_count": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def build(
    recorder: Recorder,
    *,
    settings: dict[str, Any],
    model: dict[str, Any],
    target: dict[str, Any],
    measured_s: float,
    prepare: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    ops = recorder.all_ops.to_dict()
    n_ok, n_err = ops["ok"], ops["errors"]
    calls_total = sum(t.ok + sum(t.errors.values()) for t in recorder.calls.values())
    timeline = []
    if recorder.timeline:
        for second in range(0, max(recorder.timeline) + 1):
            s = recorder.timeline.get(second)
            if s is None:
                timeline.append({"t": second, "offered": 0, "ok": 0, "errors": 0, "settled": 0})
                continue
            lat = sorted(s.latencies_ms)
            row: dict[str, Any] = {
                "t": second,
                "offered": s.offered,
                "ok": s.ok,
                "errors": s.errors,
                "settled": s.settled,
            }
            if lat:
                row.update(
                    p50_ms=round(percentile(lat, 50), 3),
                    p99_ms=round(percentile(lat, 99), 3),
                    max_ms=round(lat[-1], 3),
                )
            timeline.append(row)
    per_s = (lambda n: round(n / measured_s, 2)) if measured_s > 0 else (lambda n: 0.0)
    doc: dict[str, Any] = {
        "settlenet_loadtest": REPORT_VERSION,
        "settings": settings,
        "model": model,
        "target": target,
        "environment": environment(),
        "summary": {
            "ops": n_ok + n_err,
            "ok": n_ok,
            "errors": n_err,
            "measured_s": round(measured_s, 3),
            "ops_per_s": per_s(n_ok + n_err),
            "settlements": recorder.settled,
            "settlements_per_s": per_s(recorder.settled),
            "revocations": recorder.revoked,
            "calls": calls_total,
            "calls_per_s": per_s(calls_total),
            "latency_ms": ops["latency_ms"],
            "unfinished": recorder.unfinished,
            "dropped": recorder.dropped,
            "warmup_ops_excluded": recorder.warmup_ops,
            "warmup_calls_excluded": recorder.warmup_calls,
        },
        "errors_by_code": recorder.errors_by_code(),
        "ops": {k: t.to_dict(completed=True) for k, t in sorted(recorder.ops.items())},
        "calls": {k: t.to_dict() for k, t in sorted(recorder.calls.items())},
        "pairs": {k: t.to_dict() for k, t in sorted(recorder.pairs.items())},
        "error_samples": [
            {"call": c, "code": k, "details": d, "seen": n}
            for (c, k, d), n in sorted(recorder.error_samples.items(), key=lambda kv: -kv[1])
        ],
        "timeline": timeline,
        "prepare": prepare,
        "histograms": {
            "unit": "microseconds; HdrHistogram, compressed and base64 (hdrh encode)",
            "ops_all": encode(recorder.all_ops.hist),
            "ops": {k: encode(t.hist) for k, t in sorted(recorder.ops.items())},
            "ops_ok": {k: encode(t.ok_hist) for k, t in sorted(recorder.ops.items())},
            "calls": {k: encode(t.hist) for k, t in sorted(recorder.calls.items())},
            "pairs": {k: encode(t.hist) for k, t in sorted(recorder.pairs.items())},
        },
        "latency_note": (
            "ops latency counts from each operation's intended start (open loop: "
            "coordinated-omission safe; closed loop: the actual start); calls "
            "latency is one RPC's round trip as the client sees it"
        ),
    }
    if extra:
        doc.update(extra)
    return doc


def _fmt(lat: dict[str, Any], key: str) -> str:
    v = lat.get(key)
    return "-" if v is None else f"{v:.1f}"


def print_summary(doc: dict[str, Any], console: Console) -> None:
    s = doc["summary"]
    console.print(
        f"[bold]{s['ops']}[/] operations in {s['measured_s']:.1f}s measured: "
        f"[bold]{s['ops_per_s']}[/] ops/s, [bold]{s['settlements_per_s']}[/] settlements/s, "
        f"{s['calls_per_s']} calls/s; ok {s['ok']}, errors [bold]{s['errors']}[/], "
        f"unfinished {s['unfinished']}, dropped {s['dropped']} "
        f"(warm-up excluded: {s['warmup_ops_excluded']} ops)"
    )
    for title, section in (
        ("operation (from intended start)", doc["ops"]),
        ("call (round trip)", doc["calls"]),
    ):
        table = Table(title=None, show_lines=False)
        table.add_column(title)
        for col in ("count", "errors", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"):
            table.add_column(col, justify="right")
        rows = []
        for name, t in section.items():
            rows.append((name, str(t["count"]), str(t["errors"]), t["latency_ms"]))
            done = t.get("latency_ms_ok")
            if section is doc["ops"] and t["errors"] and done and done.get("count"):
                rows.append((f"{name}, completed", str(t["ok"]), "0", done))
        for name, count, errors, lat in rows:
            table.add_row(
                name,
                count,
                errors,
                _fmt(lat, "p50"),
                _fmt(lat, "p90"),
                _fmt(lat, "p99"),
                _fmt(lat, "p99.9"),
                _fmt(lat, "max"),
            )
        console.print(table)
    if doc["errors_by_code"]:
        console.print(
            "errors by gRPC code: "
            + ", ".join(f"{k} {v}" for k, v in doc["errors_by_code"].items())
        )
    for e in doc["error_samples"][:5]:
        console.print(f"  {e['seen']}× {e['call']} {e['code']}: {e['details'][:160]}")
    pairs = sorted(doc["pairs"].items(), key=lambda kv: -kv[1]["count"])
    console.print(
        "busiest pairs (treatment->insured): "
        + ", ".join(
            f"{k} {v['count']} (p99 {_fmt(v['latency_ms'], 'p99')} ms, {v['errors']} err)"
            for k, v in pairs[:6]
        )
    )
    rec = doc.get("reconciliation")
    if isinstance(rec, dict):
        style = (
            "red"
            if rec.get("lost") or rec.get("differences") or not rec.get("ran")
            else ("yellow" if rec.get("unreachable") else "green")
        )
        line = f"reconciliation: [{style}]{rec['verdict']}[/]"
        if rec.get("ran"):
            line += (
                f" ({rec['acknowledged']} acknowledged, {rec['hub_records']} on the hub's "
                f"records for {rec['period']['begndate']}…{rec['period']['enddate']}, "
                f"{rec['unacknowledged_at_hub']} settled after the caller gave up"
                + (
                    f", {rec['in_doubt_pending']} message(s) still in doubt after "
                    f"{rec['in_doubt_wait_s']}s"
                    if rec.get("in_doubt_pending")
                    else ""
                )
                + ")"
            )
        console.print(line)
        for text in rec.get("differences_sample", [])[:5]:
            console.print(f"  {text}")
        for code, why in rec.get("unreachable", {}).items():
            console.print(f"  province {code} not read: {why[:160]}")
