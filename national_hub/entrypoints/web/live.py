"""The live snapshot: one task in the hub reads what the routed-message log added each second
(one indexed query, off the routing path: routing pays nothing for the view, and every process
of a scaled-out hub sharing the database sees every line), keeps the rolling window
(``national_hub/domain/live.py``), and publishes a snapshot that every open page receives over
server-sent events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import structlog

from national_hub.domain.live import Seen, Window
from national_hub.entrypoints.web import present
from national_hub.service_layer.in_doubt import HubInDoubt
from national_hub.service_layer.view import View
from services.rpc.version import settlenet_version
from services.values import clock

log = structlog.get_logger("web")

TICK_S = 1.0
HEALTH_EVERY = 5
"""Ticks between two health probes of the nodes."""


def version() -> str:
    return settlenet_version()


class Monitor:
    def __init__(self, view: View, in_doubt: HubInDoubt, hub_endpoint: str) -> None:
        self.view = view
        self.in_doubt = in_doubt
        self.hub_endpoint = hub_endpoint
        self.window = Window()
        self.seq = -1
        self.tick = 0
        self.health: dict[str, str] = {}
        self.latest: dict[str, Any] = {}
        self._encoded = ""
        self._pending: set[str] = set()
        self.resolved: list[dict[str, Any]] = []
        """Messages seen in doubt here that are no longer (the latest 20), as they ended."""
        self.narration: list[dict[str, Any]] = []
        """What ``settlenet demo --web`` tells, step by step (the latest 50)."""
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.closed = False

    async def start(self) -> None:
        self.seq = await self.view.last_seq()  # count from now, not the whole history
        await self.step()
        self._task = asyncio.get_running_loop().create_task(self._run())

    def narrate(self, item: dict[str, Any]) -> None:
        self.narration = [*self.narration[-49:], item]
        if self.latest:
            self.latest = {**self.latest, "narration": self.narration}
            self._publish()

    def _publish(self) -> None:
        self._encoded = _event(self.latest)  # once, whatever the number of open pages
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def stop(self) -> None:
        self.closed = True
        self._changed.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            try:
                await self.step()
            except Exception as exc:  # a bad second must not stop the view
                log.warning("web_snapshot_failed", error=str(exc)[:300])

    async def step(self) -> None:
        now = time.monotonic()
        for r in await self.view.routed_since(self.seq):
            self.seq = r.seq
            self.window.add(
                Seen(now, r.infno, r.from_province, r.to_province, r.outcome == "OK", r.latency_ms)
            )
        if self.tick % HEALTH_EVERY == 0:
            self.health = await self.view.health()
        self.tick += 1
        advances = await self.view.advances()
        pending = await self.in_doubt.count()
        in_doubt = await self.view.in_doubt(20)
        now_pending = {f.msgid for f in in_doubt}
        gone = sorted(self._pending - now_pending)
        self._pending = now_pending
        ended = [f for f in await self.view.forwards(gone) if f.state != "pending"]
        self.resolved = [*(present.forward(f) for f in ended), *self.resolved][:20]
        c = self.window.counters
        self.latest = {
            "seq": self.seq,
            "at": clock.format_time(clock.now()),
            "hub": {"endpoint": self.hub_endpoint, "version": version(), "role": "hub"},
            "counters": {
                "routed": c.routed,
                "settled": c.settled,
                "revoked": c.revoked,
                "errors": c.errors,
                "in_doubt": pending,
            },
            "pairs": [present.pair(p) for p in self.window.pairs(now)],
            "nodes": [
                present.node(n, self.health.get(n.province_code, "UNKNOWN"))
                for n in self.view.registry.nodes()
            ],
            "in_doubt": [present.forward(f) for f in in_doubt],
            "resolved": self.resolved,
            "advances": [present.advance(a) for a in advances],
            "narration": self.narration,
        }
        self._publish()

    async def stream(self) -> AsyncIterator[str]:
        """Server-sent events: the snapshot now, then each new one, until the hub stops."""
        yield self._encoded
        while not self.closed:
            await self._changed.wait()
            if self.closed:
                return
            yield self._encoded


def _event(doc: dict[str, Any]) -> str:
    return f"event: snapshot\ndata: {json.dumps(doc, ensure_ascii=False)}\n\n"
