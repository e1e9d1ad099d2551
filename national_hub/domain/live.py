"""The live network view's rolling window (pure): what the hub routed in the last minutes, per
(treatment, insured) pair — settlements per second, p99 latency, errors — and counters since the
view started. Fed with the routed-message log's new lines and the time they were seen (the
caller reads the clock)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

WINDOW_S = 300
"""How far back the pair statistics look."""
RATE_S = 10
"""The rate is over the last this many seconds."""


@dataclass(frozen=True, slots=True)
class Seen:
    at_s: float
    infno: str
    treatment: str
    insured: str
    ok: bool
    latency_ms: int


@dataclass(frozen=True)
class PairStats:
    treatment: str
    insured: str
    settlements_per_s: float
    """2207s answered, per second over the last :data:`RATE_S` seconds."""
    messages: int
    """Messages routed in the window."""
    settlements: int
    errors: int
    p99_ms: int


@dataclass
class Counters:
    routed: int = 0
    settled: int = 0
    revoked: int = 0
    errors: int = 0


def p99(values: list[int]) -> int:
    """The 99th percentile (nearest rank); 0 of nothing."""
    if not values:
        return 0
    ordered = sorted(values)
    rank = max(1, -(-99 * len(ordered) // 100))
    return ordered[rank - 1]


@dataclass
class Window:
    window_s: float = WINDOW_S
    seen: deque[Seen] = field(default_factory=deque)
    counters: Counters = field(default_factory=Counters)

    def add(self, line: Seen) -> None:
        self.seen.append(line)
        c = self.counters
        c.routed += 1
        if not line.ok:
            c.errors += 1
        elif line.infno == "2207":
            c.settled += 1
        elif line.infno == "2208":
            c.revoked += 1

    def expire(self, now_s: float) -> None:
        while self.seen and self.seen[0].at_s < now_s - self.window_s:
            self.seen.popleft()

    def pairs(self, now_s: float) -> list[PairStats]:
        self.expire(now_s)
        grouped: dict[tuple[str, str], list[Seen]] = {}
        for s in self.seen:
            grouped.setdefault((s.treatment, s.insured), []).append(s)
        out = []
        for (treatment, insured), lines in sorted(grouped.items()):
            recent = [s for s in lines if s.ok and s.infno == "2207" and s.at_s > now_s - RATE_S]
            out.append(
                PairStats(
                    treatment,
                    insured,
                    round(len(recent) / RATE_S, 2),
                    len(lines),
                    sum(1 for s in lines if s.ok and s.infno == "2207"),
                    sum(1 for s in lines if not s.ok),
                    p99([s.latency_ms for s in lines]),
                )
            )
        return out
