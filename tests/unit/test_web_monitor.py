"""The web view's snapshot task with the hub's reads stood in for: log lines become pair
statistics and counters, and a message that leaves the in-doubt list shows up as resolved, with
what it became."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from national_hub.adapters.views import Routed
from national_hub.entrypoints.web.live import Monitor
from services.values.forward import DONE, Forward


class FakeView:
    def __init__(self) -> None:
        self.lines: list[Routed] = []
        self.pending: list[Forward] = []
        self.rows: dict[str, Forward] = {}
        self.registry = self

    def nodes(self) -> list[Any]:
        return []

    async def last_seq(self) -> int:
        return 0

    async def routed_since(self, seq: int) -> list[Routed]:
        return [r for r in self.lines if r.seq > seq]

    async def health(self) -> dict[str, str]:
        return {}

    async def advances(self) -> list[Any]:
        return []

    async def in_doubt(self, limit: int) -> list[Forward]:
        return self.pending[:limit]

    async def forwards(self, msgids: list[str]) -> list[Forward]:
        return [self.rows[m] for m in msgids if m in self.rows]


class FakeInDoubt:
    def __init__(self, view: FakeView) -> None:
        self.view = view

    async def count(self) -> int:
        return len(self.view.pending)


async def test_a_message_that_leaves_doubt_is_shown_as_resolved() -> None:
    view = FakeView()
    monitor = Monitor(view, FakeInDoubt(view), "127.0.0.1:1")  # type: ignore[arg-type]
    fwd = Forward(
        "M1", "2207", "13", "130100", "P1", "V1", "sha", b"", created_at="2026-10-15 09:00:00"
    )
    view.pending = [fwd]
    view.lines = [Routed(1, "2207", "11", "13", "UNAVAILABLE", 3000)]
    await monitor.step()
    snap = monitor.latest
    assert [f["msgid"] for f in snap["in_doubt"]] == ["M1"] and snap["resolved"] == []
    assert snap["counters"]["in_doubt"] == 1 and snap["counters"]["errors"] == 1
    assert snap["pairs"][0]["errors"] == 1 and snap["pairs"][0]["p99_ms"] == 3000

    view.pending = []
    view.rows["M1"] = replace(fwd, state=DONE, outcome="settled", resolved_at="2026-10-15 09:01:00")
    view.lines.append(Routed(2, "2207", "11", "13", "OK", 20))
    await monitor.step()
    snap = monitor.latest
    assert snap["in_doubt"] == []
    assert [(f["msgid"], f["state"], f["outcome"]) for f in snap["resolved"]] == [
        ("M1", DONE, "settled")
    ]
    assert snap["resolved"][0]["psn_no"] == "**"  # masked
    assert snap["counters"]["settled"] == 1 and snap["seq"] == 2
    await monitor.stop()
