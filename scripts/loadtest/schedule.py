"""Open-loop arrival schedules: when each operation is meant to start.

A schedule is a list of segments, each ``seconds`` long, whose rate goes linearly from
``rate_from`` to ``rate_to`` operations per second (a step is a segment with both equal). The
intended start of the k-th arrival is where the integral of the rate reaches k, so a constant
rate R gives k / R exactly, whatever the machine is doing: the generator never slows down
because the system under test does (no coordinated omission).

Spelled on the command line as ``--schedule``:

    100                     100/s for the whole --duration
    50x10,100x10,150x10     steps: 50/s for 10 s, then 100/s, then 150/s
    ramp:10-200x60          a ramp from 10/s to 200/s over 60 s
    ramp:10-200x60,200x30   a ramp, then a plateau
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    rate_from: float
    rate_to: float
    seconds: float

    def count(self) -> float:
        return (self.rate_from + self.rate_to) / 2 * self.seconds

    def time_of(self, n: float) -> float:
        """Seconds into this segment at which the cumulative arrivals reach ``n``."""
        a, b, s = self.rate_from, self.rate_to, self.seconds
        if abs(b - a) < 1e-12:
            return n / a
        k = (b - a) / s  # rate slope: N(t) = a t + k t² / 2
        return (-a + math.sqrt(a * a + 2 * k * n)) / k


class ScheduleError(ValueError):
    pass


def parse(text: str, duration: float | None) -> list[Segment]:
    """Segments from ``--schedule`` text; a bare rate lasts ``duration`` seconds."""
    segments = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        try:
            if part.startswith("ramp:"):
                rates, _, secs = part[5:].partition("x")
                lo, _, hi = rates.partition("-")
                segments.append(Segment(float(lo), float(hi), float(secs)))
            elif "x" in part:
                rate, _, secs = part.partition("x")
                segments.append(Segment(float(rate), float(rate), float(secs)))
            else:
                if duration is None:
                    raise ScheduleError(f"{part!r}: a bare rate needs --duration")
                segments.append(Segment(float(part), float(part), duration))
        except ValueError as exc:
            if isinstance(exc, ScheduleError):
                raise
            raise ScheduleError(f"cannot read schedule part {part!r} (see --help)") from None
    for s in segments:
        if s.seconds <= 0 or s.rate_from < 0 or s.rate_to < 0 or s.rate_from + s.rate_to == 0:
            raise ScheduleError(f"segment {s}: needs seconds > 0 and a positive rate")
    if not segments:
        raise ScheduleError("empty schedule")
    return segments


def total_seconds(segments: list[Segment]) -> float:
    return sum(s.seconds for s in segments)


def arrivals(segments: list[Segment], *, limit: int | None = None) -> Iterator[float]:
    """Intended start times (seconds from the schedule's start), at most ``limit`` of them.
    With ``limit`` beyond the schedule the last segment's end rate carries on."""
    produced = 0
    offset = 0.0
    k = 0.0  # the next arrival, counted from the current segment's start
    for seg in segments:
        count = seg.count()
        while k < count - 1e-9:
            if limit is not None and produced >= limit:
                return
            yield offset + seg.time_of(k)
            produced += 1
            k += 1.0
        k -= count
        offset += seg.seconds
    last = segments[-1].rate_to or segments[-1].rate_from
    while limit is not None and produced < limit:
        yield offset + k / last
        produced += 1
        k += 1.0
