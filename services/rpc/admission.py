"""Admission control: how many new visits a node starts at once, adapted to how long they take.

Past its capacity a node that takes every call queues them all: each waits behind the others,
callers time out, retry, and the node spends its time on work nobody waits for any more. In an
open-loop run at five times a network's capacity, fewer than one visit in ten then completed
(docs/performance.md). A node with admission control refuses the calls that would *start* new
work (a hospital's 1101 person query and 2201 registration) once it has as many in progress as
its limit, answering RESOURCE_EXHAUSTED with reason ``OVERLOADED`` at once, so the visits it did
start finish in time and a refused hospital can retry a moment later. Calls that continue a
visit (2204, 2206, 2207, 2208, ...) are never refused here: finishing started work is what the
limit is for.

The limit adapts (additive increase, multiplicative decrease, as TCP's congestion window does):
each admitted call that takes longer than the target latency shrinks it by a tenth (at most once
per target interval, so one slow burst counts once); each one under the target while the limit
is at least half in use grows it by ``1/limit`` (about one per limit's worth of calls). It stays
between ``minimum`` and ``maximum``. Pure: the caller gives each call's latency and the time.
"""

from __future__ import annotations

from dataclasses import dataclass

ENTRY_INFNOS = frozenset({"1101", "2201"})
"""The transactions that start a visit at the place of treatment: subject to admission."""


@dataclass
class Admission:
    """One node process's adaptive limit on calls in progress that start new work."""

    target_s: float
    """The latency an admitted call should stay under."""
    limit: float = 32.0
    minimum: int = 4
    maximum: int = 512
    in_progress: int = 0
    admitted: int = 0
    refused: int = 0
    _last_decrease: float = float("-inf")
    _reported: int = 0
    _last_report: float = float("-inf")

    def __post_init__(self) -> None:
        if self.target_s <= 0:
            raise ValueError(f"target_s={self.target_s!r}: must be above 0")
        if not 1 <= self.minimum <= self.maximum:
            raise ValueError(
                f"minimum={self.minimum}, maximum={self.maximum}: need 1 <= min <= max"
            )
        self.limit = float(min(self.maximum, max(self.minimum, self.limit)))

    def enter(self) -> bool:
        """Admit one call (True) unless the limit is reached (False, counted as refused)."""
        if self.in_progress >= int(self.limit):
            self.refused += 1
            return False
        self.in_progress += 1
        self.admitted += 1
        return True

    def leave(self, latency_s: float, now: float) -> None:
        """An admitted call ended after ``latency_s``; ``now`` on a monotonic clock."""
        busy = self.in_progress
        self.in_progress = max(0, busy - 1)
        if latency_s > self.target_s:
            if now - self._last_decrease >= self.target_s:
                self.limit = max(float(self.minimum), self.limit * 0.9)
                self._last_decrease = now
        elif busy * 2 >= self.limit:
            self.limit = min(float(self.maximum), self.limit + 1.0 / self.limit)

    def report_due(self, now: float, every_s: float = 5.0) -> bool:
        """Whether to log a summary of the refusals now: some since the last one, and at most
        one every ``every_s`` (one line per refused call would flood the log and cost the
        overloaded node more)."""
        if self.refused == self._reported or now - self._last_report < every_s:
            return False
        self._reported, self._last_report = self.refused, now
        return True

    def snapshot(self) -> dict[str, float | int]:
        return {
            "limit": int(self.limit),
            "in_progress": self.in_progress,
            "admitted": self.admitted,
            "refused": self.refused,
            "target_ms": round(self.target_s * 1000),
        }
