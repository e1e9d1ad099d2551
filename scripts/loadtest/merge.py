"""``settlenet loadtest --merge A.json B.json --report OUT.json``: one report from generators run
at once against the same network (``--generator I/N`` on several hosts).

Counts add up; latencies are merged as histograms (each report carries its HdrHistograms,
encoded, under ``histograms``), never by averaging percentiles: the merged p99 is the p99 of
every operation of every generator. The runs overlap in time, so the merged rate is the total
divided by the longest measured time. The per-second timeline is added second by second (from
each run's own start); a second's percentiles cannot be merged without its samples, so the
merged timeline keeps the counts and the worst ``max_ms`` only. Each generator's reconciliation
stays in ``generators``; the merged one adds the settlements lost, and takes the worst of the
differences (every generator reconciled the same network).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from rich.console import Console

from scripts.loadtest import report
from scripts.loadtest.stats import Tally, decode, encode, histogram

MERGE_VERSION = 1


class MergeError(Exception):
    """A report that cannot be merged (not a report, or one without histograms)."""


def _tally(sections: list[tuple[dict[str, Any], str]], ok: list[str] | None = None) -> Tally:
    """One tally from (the report's counts of a class, its encoded histogram), and the
    encoded histograms of the completed ones when every report has them."""
    t = Tally(hist=histogram())
    for encoded in ok or ():
        t.ok_hist.add(decode(encoded))
    for counts, encoded in sections:
        t.hist.add(decode(encoded))
        t.ok += int(counts.get("ok", 0))
        t.errors.update({k: int(v) for k, v in counts.get("errors_by_code", {}).items()})
    return t


def _section(docs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    keys = sorted({k for d in docs for k in d[name]})
    out = {}
    for key in keys:
        parts = [(d[name][key], d["histograms"][name][key]) for d in docs if key in d[name]]
        ok = [d["histograms"].get(f"{name}_ok", {}).get(key) for d in docs if key in d[name]]
        # Completed latencies: for operations, when every report kept them.
        kept = name == "ops" and all(ok)
        out[key] = _tally(parts, [e for e in ok if e] if kept else None).to_dict(completed=kept)
    return out


def _timeline(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"offered": 0, "ok": 0, "errors": 0, "settled": 0}
    )
    for d in docs:
        for r in d.get("timeline", []):
            row = rows[int(r["t"])]
            for k in ("offered", "ok", "errors", "settled"):
                row[k] += int(r.get(k, 0))
            if "max_ms" in r:
                row["max_ms"] = max(row.get("max_ms", 0.0), float(r["max_ms"]))
    return [{"t": t} | rows[t] for t in sorted(rows)]


def _reconciliation(docs: list[dict[str, Any]]) -> dict[str, Any]:
    recs = [d.get("reconciliation") or {} for d in docs]
    if not all(r.get("ran") for r in recs):
        return {
            "ran": False,
            "verdict": "not checked by every generator (see generators)",
            "generators": recs,
        }
    lost = sum(int(r["lost"]) for r in recs)
    differences = max(int(r["differences"]) for r in recs)
    unreachable: dict[str, str] = {}
    for r in recs:
        unreachable.update(r.get("unreachable") or {})
    if lost:
        verdict = f"LOST: {lost} acknowledged settlement(s) are not on the hub's records"
    elif differences:
        verdict = f"{differences} difference(s) between the nodes and the hub (see generators)"
    elif unreachable:
        verdict = f"nothing lost at the hub; province(s) {', '.join(unreachable)} not read"
    else:
        verdict = "nothing lost: every node agrees with the hub"
    return {
        "ran": True,
        "period": {
            "begndate": min(r["period"]["begndate"] for r in recs),
            "enddate": max(r["period"]["enddate"] for r in recs),
        },
        "verdict": verdict,
        "acknowledged": sum(int(r["acknowledged"]) for r in recs),
        "hub_records": max(int(r["hub_records"]) for r in recs),
        "lost": lost,
        # Each generator counts the others' settlements as unacknowledged: the least of them
        # is an upper bound of the settlements no generator was told of.
        "unacknowledged_at_hub": min(int(r["unacknowledged_at_hub"]) for r in recs),
        "differences": differences,
        "differences_real": max(int(r.get("differences_real", 0)) for r in recs),
        "differences_sample": [t for r in recs for t in r.get("differences_sample", [])][:20],
        "in_doubt_pending": max(int(r.get("in_doubt_pending", 0)) for r in recs),
        "in_doubt_wait_s": max(float(r.get("in_doubt_wait_s", 0)) for r in recs),
        "unreachable": unreachable,
        "generators": recs,
    }


def merge(docs: list[dict[str, Any]], names: list[str] | None = None) -> dict[str, Any]:
    """One report from the reports ``docs`` of generators run at once."""
    names = names or [f"report {i + 1}" for i in range(len(docs))]
    for name, d in zip(names, docs, strict=True):
        if not isinstance(d, dict) or "settlenet_loadtest" not in d:
            raise MergeError(f"{name}: not a settlenet loadtest report")
        if "histograms" not in d:
            raise MergeError(
                f"{name}: no latency histograms in it (written by an older settlenet "
                "loadtest): its latencies cannot be merged"
            )
    all_ops = _tally([(d["summary"] | _counts(d), d["histograms"]["ops_all"]) for d in docs])
    sums = Counter[str]()
    for d in docs:
        for k in (
            "settlements",
            "revocations",
            "calls",
            "unfinished",
            "dropped",
            "warmup_ops_excluded",
            "warmup_calls_excluded",
        ):
            sums[k] += int(d["summary"].get(k, 0))
    measured_s = max(float(d["summary"]["measured_s"]) for d in docs)
    ops = all_ops.to_dict()

    def per_s(n: int) -> float:
        return round(n / measured_s, 2) if measured_s > 0 else 0.0

    errors_by_code: Counter[str] = Counter()
    samples: Counter[tuple[str, str, str]] = Counter()
    for d in docs:
        errors_by_code.update({k: int(v) for k, v in d.get("errors_by_code", {}).items()})
        for e in d.get("error_samples", []):
            samples[(e["call"], e["code"], e["details"])] += int(e["seen"])
    sections = {name: _section(docs, name) for name in ("ops", "calls", "pairs")}
    first = docs[0]
    return {
        "settlenet_loadtest": report.REPORT_VERSION,
        "merged": {
            "version": MERGE_VERSION,
            "reports": names,
            "how": "counts added; latencies from the merged histograms; rates over the "
            "longest measured time (the generators ran at once)",
        },
        "settings": {"generators": [d["settings"] for d in docs]},
        "model": first.get("model", {}),
        "target": first["target"]
        | {"provinces": sorted({p for d in docs for p in d["target"].get("provinces", [])})},
        "environment": {"generators": [d.get("environment") for d in docs]},
        "summary": {
            "ops": ops["count"],
            "ok": ops["ok"],
            "errors": ops["errors"],
            "measured_s": round(measured_s, 3),
            "ops_per_s": per_s(ops["count"]),
            "settlements": sums["settlements"],
            "settlements_per_s": per_s(sums["settlements"]),
            "revocations": sums["revocations"],
            "calls": sums["calls"],
            "calls_per_s": per_s(sums["calls"]),
            "latency_ms": ops["latency_ms"],
            "unfinished": sums["unfinished"],
            "dropped": sums["dropped"],
            "warmup_ops_excluded": sums["warmup_ops_excluded"],
            "warmup_calls_excluded": sums["warmup_calls_excluded"],
        },
        "errors_by_code": dict(sorted(errors_by_code.items())),
        **sections,
        "error_samples": [
            {"call": c, "code": k, "details": t, "seen": n}
            for (c, k, t), n in samples.most_common(50)
        ],
        "timeline": _timeline(docs),
        "prepare": {"generators": [d.get("prepare") for d in docs]},
        "histograms": {
            "unit": first["histograms"].get("unit", "microseconds"),
            "ops_all": encode(all_ops.hist),
            **{
                name: {
                    key: encode(
                        _merged_hist(
                            [
                                d["histograms"][name][key]
                                for d in docs
                                if key in d["histograms"][name]
                            ]
                        )
                    )
                    for key in sections[name]
                }
                for name in ("ops", "calls", "pairs")
            },
            "ops_ok": {
                key: encode(
                    _merged_hist([d["histograms"]["ops_ok"][key] for d in docs if key in d["ops"]])
                )
                for key in sections["ops"]
                if all(key in d["histograms"].get("ops_ok", {}) for d in docs if key in d["ops"])
            },
        },
        "latency_note": first.get("latency_note", ""),
        "reconciliation": _reconciliation(docs),
        "faults": {"generators": [d.get("faults") or {} for d in docs]},
        "resources": {"generators": [d.get("resources") or {} for d in docs]},
        "generators": [
            {"report": n, "settings": d["settings"], "summary": d["summary"]}
            for n, d in zip(names, docs, strict=True)
        ],
    }


def _counts(d: dict[str, Any]) -> dict[str, Any]:
    """The ok count and errors by code of a report's operations (the summary has no codes)."""
    by_code: Counter[str] = Counter()
    for t in d["ops"].values():
        by_code.update({k: int(v) for k, v in t.get("errors_by_code", {}).items()})
    return {"ok": d["summary"]["ok"], "errors_by_code": dict(by_code)}


def _merged_hist(encoded: list[str]) -> Any:
    h = histogram()
    for e in encoded:
        h.add(decode(e))
    return h


def main(args: argparse.Namespace) -> int:
    docs, names = [], []
    for path in args.merge:
        try:
            docs.append(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            print(f"settlenet loadtest --merge: {path}: {exc}", file=sys.stderr)
            return 2
        names.append(str(path))
    try:
        doc = merge(docs, names)
    except MergeError as exc:
        print(f"settlenet loadtest --merge: {exc}", file=sys.stderr)
        return 2
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    report.print_summary(doc, Console(stderr=False, width=120))
    print(f"merged {len(docs)} reports into {args.report}", file=sys.stderr)
    return 0
