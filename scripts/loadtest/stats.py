"""The recorder: every call and every operation, in HdrHistograms (microseconds, 3 significant
digits, 1 µs to 10 minutes), with errors by gRPC status code, per call type, per operation kind
and per province pair, and a per-second timeline for the plot.

Two latencies are kept apart:

- a **call** latency is one RPC's round trip, from sending it to its answer (service time as the
  client sees it);
- an **operation** latency runs from the operation's *intended* start (its place in the open-loop
  schedule) to its end, so time spent waiting behind a slow system counts (coordinated-omission
  safe). In a closed loop the intended start is the actual start.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 600_000_000
DIGITS = 3
PERCENTILES = (50.0, 90.0, 99.0, 99.9)


def histogram() -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, DIGITS)


def encode(h: HdrHistogram) -> str:
    """A histogram as text for the JSON report (``settlenet loadtest --merge`` adds them up)."""
    return bytes(h.encode()).decode("ascii")


def decode(text: str) -> HdrHistogram:
    return HdrHistogram.decode(text.encode("ascii"))


def summary_ms(h: HdrHistogram) -> dict[str, float | int]:
    """Count, p50/p90/p99/p99.9, max and mean of a histogram, in milliseconds."""
    n = h.get_total_count()
    if n == 0:
        return {"count": 0}
    out: dict[str, float | int] = {"count": n}
    for p in PERCENTILES:
        out[f"p{p:g}"] = round(h.get_value_at_percentile(p) / 1000, 3)
    out["max"] = round(h.get_max_value() / 1000, 3)
    out["mean"] = round(h.get_mean_value() / 1000, 3)
    return out


@dataclass
class Tally:
    """Outcomes and latencies of one class of calls or operations."""

    hist: HdrHistogram = field(default_factory=histogram)
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    ok_hist: HdrHistogram = field(default_factory=histogram)
    """The completed ones alone (beside refusals answered at once, all latencies mislead)."""

    def add(self, latency_s: float, code: str) -> None:
        value = max(LOWEST_US, min(HIGHEST_US, int(latency_s * 1e6)))
        self.hist.record_value(value)
        if code == "OK":
            self.ok += 1
            self.ok_hist.record_value(value)
        else:
            self.errors[code] += 1

    def to_dict(self, completed: bool = False) -> dict[str, Any]:
        """Counts and latencies; ``completed``: also the latencies of the completed ones
        alone (``latency_ms_ok``; the report gives them for operations)."""
        total = self.ok + sum(self.errors.values())
        out = {
            "count": total,
            "ok": self.ok,
            "errors": sum(self.errors.values()),
            "errors_by_code": dict(sorted(self.errors.items())),
            "latency_ms": summary_ms(self.hist),
        }
        if completed:
            out["latency_ms_ok"] = summary_ms(self.ok_hist)
        return out


@dataclass
class Second:
    """One second of the run's timeline (by completion time)."""

    offered: int = 0
    ok: int = 0
    errors: int = 0
    settled: int = 0
    latencies_ms: list[float] = field(default_factory=list)


class Recorder:
    """Collects outcomes; one per run. ``measuring`` is False during warm-up."""

    def __init__(self) -> None:
        self.calls: dict[str, Tally] = defaultdict(Tally)
        self.ops: dict[str, Tally] = defaultdict(Tally)
        self.pairs: dict[str, Tally] = defaultdict(Tally)
        self.all_ops = Tally()
        self.timeline: dict[int, Second] = defaultdict(Second)
        self.warmup_ops = 0
        self.warmup_calls = 0
        self.settled = 0
        self.revoked = 0
        self.dropped = 0
        self.unfinished = 0
        self.error_samples: dict[tuple[str, str, str], int] = {}
        """(call, code, details) of failed calls: how often each was seen (at most 50 kinds)."""

    def call(
        self, name: str, latency_s: float, code: str, *, measuring: bool, details: str = ""
    ) -> None:
        if code != "OK":
            key = (name, code, details[:300])
            if key in self.error_samples or len(self.error_samples) < 50:
                self.error_samples[key] = self.error_samples.get(key, 0) + 1
        if measuring:
            self.calls[name].add(latency_s, code)
        else:
            self.warmup_calls += 1

    def offered(self, second: int) -> None:
        self.timeline[second].offered += 1

    def op(
        self,
        kind: str,
        pair: str,
        latency_s: float,
        code: str,
        *,
        second: int,
        measuring: bool,
        settled: int = 0,
        revoked: int = 0,
    ) -> None:
        if not measuring:
            self.warmup_ops += 1
            return
        self.ops[kind].add(latency_s, code)
        self.pairs[pair].add(latency_s, code)
        self.all_ops.add(latency_s, code)
        s = self.timeline[second]
        if code == "OK":
            s.ok += 1
        else:
            s.errors += 1
        s.settled += settled
        s.latencies_ms.append(latency_s * 1000)
        self.settled += settled
        self.revoked += revoked

    def errors_by_code(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for t in self.calls.values():
            total.update(t.errors)
        return dict(sorted(total.items()))

    def recent(self, now_second: int, window: int = 1) -> tuple[int, int]:
        """Operations completed and errors in the last ``window`` whole seconds."""
        done = err = 0
        for s in range(now_second - window, now_second):
            sec = self.timeline.get(s)
            if sec:
                done += sec.ok + sec.errors
                err += sec.errors
        return done, err


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]
