"""``settlenet loadtest --merge``: reports of generators run at once merge into the report one
generator seeing every operation would have written (counts added, histograms merged)."""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

import pytest

from scripts.loadtest import merge, report
from scripts.loadtest.session import generator_spec
from scripts.loadtest.stats import Recorder

Op = tuple[str, str, float, str, int]


def _ops(seed: int, n: int) -> list[Op]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        kind = rnd.choice(["full_visit", "settle_only"])
        pair = rnd.choice(["11->13", "13->11", "44->11"])
        latency = rnd.lognormvariate(-3.5, 0.8)  # around 30 ms, a long tail
        code = "OK" if rnd.random() > 0.05 else rnd.choice(["UNAVAILABLE", "DEADLINE_EXCEEDED"])
        out.append((kind, pair, latency, code, 1 if code == "OK" else 0))
    return out


def _report(ops: list[Op], measured_s: float) -> dict[str, Any]:
    rec = Recorder()
    for i, (kind, pair, latency, code, settled) in enumerate(ops):
        rec.call("2207", latency * 0.4, code, measuring=True, details="x" if code != "OK" else "")
        rec.op(kind, pair, latency, code, second=i % 5, measuring=True, settled=settled)
    doc = report.build(
        rec,
        settings={"mode": "open"},
        model={},
        target={"hub": "10.0.0.1:7000", "provinces": ["11", "13", "44"]},
        measured_s=measured_s,
        prepare={"visits": 0, "seconds": 0.0},
        extra={"reconciliation": {"ran": False, "verdict": "not run"}},
    )
    return json.loads(json.dumps(doc))  # as read back from the file


def test_merged_report_equals_one_generator_seeing_everything() -> None:
    a, b = _ops(1, 700), _ops(2, 300)
    merged = merge.merge([_report(a, 10.0), _report(b, 9.0)], ["a.json", "b.json"])
    whole = _report(a + b, 10.0)
    assert merged["summary"]["ops"] == 1000
    for key in ("ops", "ok", "errors", "settlements", "calls", "latency_ms", "ops_per_s"):
        assert merged["summary"][key] == whole["summary"][key], key
    assert merged["ops"] == whole["ops"]
    for kind, t in merged["ops"].items():  # completed ones alone, merged as histograms too
        assert t["latency_ms_ok"]["count"] == t["ok"] > 0, kind
        assert t["latency_ms_ok"]["max"] <= t["latency_ms"]["max"]
    assert merged["pairs"] == whole["pairs"]
    assert merged["calls"] == whole["calls"]
    assert merged["errors_by_code"] == whole["errors_by_code"]
    assert [(r["t"], r["ok"], r["errors"]) for r in merged["timeline"]] == [
        (r["t"], r["ok"], r["errors"]) for r in whole["timeline"]
    ]
    # Merged again (a merge of merges) it still adds up.
    twice = merge.merge([merged, _report(a, 10.0)])
    assert twice["summary"]["ops"] == 1700


def test_percentiles_are_not_averaged() -> None:
    fast = [("full_visit", "11->13", 0.010, "OK", 1)] * 990
    slow = [("full_visit", "11->13", 1.000, "OK", 1)] * 10
    merged = merge.merge([_report(fast, 5.0), _report(slow, 5.0)])
    lat = merged["summary"]["latency_ms"]
    assert lat["count"] == 1000
    assert 9.9 <= lat["p50"] <= 10.1  # the p50 of everything, not the mean of 10 and 1000
    assert 999 <= lat["max"] <= 1001


def test_a_report_without_histograms_is_refused_by_name(tmp_path: Path) -> None:
    doc = _report(_ops(3, 10), 1.0)
    del doc["histograms"]
    with pytest.raises(merge.MergeError, match="old.json: no latency histograms"):
        merge.merge([doc, doc], ["old.json", "old.json"])
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(_report(_ops(3, 10), 1.0)))
    bad.write_text("{not json")
    out = tmp_path / "out.json"
    args = argparse.Namespace(merge=[good, bad], report=out)
    assert merge.main(args) == 2 and not out.exists()
    args = argparse.Namespace(merge=[good, good], report=out)
    assert merge.main(args) == 0
    assert json.loads(out.read_text())["summary"]["ops"] == 20


def test_generator_spec() -> None:
    assert generator_spec(None) == (0, 1)
    assert generator_spec("2/3") == (1, 3)
    for bad in ("0/2", "3/2", "x", "1/", "1/0"):
        with pytest.raises(SystemExit, match="--generator"):
            generator_spec(bad)
