"""Forwards that outlive their caller, and the resolver that settles what they left in doubt.

A servicer that forwards a mutating call downstream runs the forward and the recording of its
outcome as one task of :class:`InFlight` and awaits it through :func:`asyncio.shield`: when the
caller goes away (a gRPC cancel, its deadline), the servicer's coroutine is cancelled but the
task runs on, so the node still records what the next node answered. A second call with the same
msgid (a hospital's retry) waits for the task in flight instead of forwarding again.

:class:`Resolver` is the node's background loop over its in-doubt table: once at start (what a
crash left pending), whenever poked (right after a forward ended without an answer, with a short
backoff), and every ``interval_s`` seconds.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import structlog

from services.rpc import handler

T = TypeVar("T")
log = structlog.get_logger("in_doubt")

RETRY_BACKOFF_S = (0.2, 0.5, 1.0, 2.0)
"""Delays of the immediate attempts to resolve a forward that ended without an answer; after
them the periodic resolver keeps trying."""


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Mark a finished task's exception as seen (its caller may be gone)."""
    if not task.cancelled():
        task.exception()


class InFlight:
    """The forwards running in this process, by msgid, and the node's background tasks."""

    def __init__(self) -> None:
        self._by_msgid: dict[str, asyncio.Task[Any]] = {}
        self._background: set[asyncio.Task[Any]] = set()

    def running(self, msgid: str) -> bool:
        return msgid in self._by_msgid

    async def wait(self, msgid: str) -> None:
        """Wait (without cancelling it) until the forward of ``msgid`` in flight has ended."""
        task = self._by_msgid.get(msgid)
        if task is None:
            return
        await asyncio.wait({task})

    async def run(self, msgid: str, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run ``make()`` as the task of ``msgid``, shielded from this caller's cancellation;
        a forward of the same msgid already in flight is waited for first."""
        while msgid in self._by_msgid:
            await self.wait(msgid)
        task: asyncio.Task[T] = asyncio.create_task(make())
        self._by_msgid[msgid] = task
        self._keep(task)

        def _done(t: asyncio.Task[Any]) -> None:
            if self._by_msgid.get(msgid) is t:
                del self._by_msgid[msgid]

        task.add_done_callback(_done)
        return await asyncio.shield(task)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` in the background, with no caller's deadline (a fresh context)."""
        task = asyncio.create_task(_detached(coro), context=contextvars.Context())
        self._keep(task)
        return task

    def _keep(self, task: asyncio.Task[Any]) -> None:
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_retrieve)

    async def stop(self, grace_s: float = 2.0) -> None:
        """Let running tasks finish for up to ``grace_s``, then cancel the rest (what they
        leave pending is resolved after the restart)."""
        tasks = set(self._background)
        if tasks:
            await asyncio.wait(tasks, timeout=grace_s)
        for t in tasks:
            if not t.done():
                t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)


async def _detached(coro: Coroutine[Any, Any, T]) -> T:
    handler.clear_deadline()
    return await coro


class Resolver:
    """Runs ``sweep()`` (resolve every pending forward this node is not running) at start,
    when poked, and every ``interval_s`` seconds."""

    def __init__(
        self, sweep: Callable[[], Awaitable[Any]], inflight: InFlight, interval_s: float = 5.0
    ) -> None:
        self.sweep = sweep
        self.inflight = inflight
        self.interval_s = interval_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(_detached(self._run()), context=contextvars.Context())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def poke(self) -> None:
        self._wake.set()

    def soon(self, resolve: Callable[[], Awaitable[bool]]) -> None:
        """Resolve one forward now in the background, with the short backoff; ``resolve``
        answers True once it is no longer pending."""

        async def attempts() -> None:
            for delay in RETRY_BACKOFF_S:
                await asyncio.sleep(delay)
                try:
                    if await resolve():
                        return
                except Exception as exc:  # the next node is still away: try again
                    log.info("resolve_attempt_failed", error=str(exc)[:200])

        self.inflight.spawn(attempts())

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the next node is down, the database is closing, ...
                log.warning("resolver_sweep_failed", error=str(exc)[:200])
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval_s)
            except TimeoutError:
                pass
            self._wake.clear()
