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
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import structlog

from services.rpc import handler
from services.values.forward import PENDING, Forward

T = TypeVar("T")
log = structlog.get_logger("in_doubt")

RETRY_BACKOFF_S = (0.2, 0.5, 1.0, 2.0)
"""Delays of the immediate attempts to resolve a forward that ended without an answer; after
them the periodic resolver keeps trying."""


ELSEWHERE = "elsewhere"
"""What the unit before a forward says when another process of the node (``--processes N``)
is forwarding or resolving the msgid now (its in-doubt row is leased to it)."""
ELSEWHERE_WAIT_S = 30.0
"""How long a duplicate waits for the other process's outcome before it resolves the msgid
itself (longer than a lease, ``services/storage/in_doubt.py``)."""


async def wait_elsewhere(since: float) -> bool:
    """Pause before looking again at a msgid another process of this node holds; False once
    ``ELSEWHERE_WAIT_S`` have passed since ``since`` (``time.monotonic()``)."""
    waited = time.monotonic() - since
    if waited >= ELSEWHERE_WAIT_S:
        return False
    await asyncio.sleep(min(0.25, 0.02 + waited / 4))
    return True


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


class ForwardResolver(ABC):
    """What the resolver of every forwarding node (the treatment node's, the hub's) shares:
    resolving one msgid at a time under a lock, sweeping every pending forward not in flight,
    retrying soon after a failed forward, the periodic task. A node says how it reads and marks
    its rows and how it resolves one (``docs/exactly-once.md``)."""

    CONCURRENCY = 16
    """Forwards resolved at once by a sweep."""

    def __init__(self, inflight: InFlight, interval_s: float) -> None:
        self.inflight = inflight
        self.resolver = Resolver(self.sweep, inflight, interval_s)
        self._locks: dict[str, asyncio.Lock] = {}

    @abstractmethod
    async def row(self, msgid: str) -> Forward | None:
        """The in-doubt row of ``msgid``, if this node forwarded it."""

    @abstractmethod
    async def _pending_rows(self) -> list[Forward]: ...

    @abstractmethod
    async def _attempted(self, msgid: str, note: str) -> None:
        """Count a failed attempt to resolve ``msgid`` (it stays pending)."""

    async def _claim(self, msgid: str) -> bool:
        """Take the row to resolve it (a node of several processes: unless another one holds
        it); True alone."""
        return True

    @abstractmethod
    async def _resolve(self, f: Forward) -> str:
        """Resolve one pending forward; how (raises when the next node does not answer)."""

    def start(self) -> None:
        self.resolver.start()

    async def stop(self) -> None:
        await self.resolver.stop()
        await self.inflight.stop()

    def soon(self, msgid: str) -> None:
        """Resolve ``msgid`` in the background, with a few attempts (after a failed forward)."""

        async def once() -> bool:
            f = await self.resolve(msgid)
            return f is None or f.state != PENDING

        self.resolver.soon(once)

    async def sweep(self, msgids: list[str] | None = None) -> list[Forward]:
        """Resolve every pending forward not in flight here (or those of ``msgids``); each as
        it stands afterwards."""
        if msgids:
            rows = [f for m in msgids if (f := await self.row(m)) is not None]
        else:
            rows = await self._pending_rows()
        gate = asyncio.Semaphore(self.CONCURRENCY)

        async def one(f: Forward) -> Forward:
            async with gate:
                return await self.resolve(f.msgid, sweep=True) or f

        return list(await asyncio.gather(*(one(f) for f in rows if f.state == PENDING))) + [
            f for f in rows if f.state != PENDING
        ]

    async def resolve(self, msgid: str, *, sweep: bool = False) -> Forward | None:
        """Resolve ``msgid`` if it is pending here (a sweep leaves one in flight alone); the
        row as it stands afterwards. A failed attempt is counted and leaves it pending."""
        lock = self._locks.setdefault(msgid, asyncio.Lock())
        try:
            async with lock:
                f = await self.row(msgid)
                if f is None or f.state != PENDING:
                    return f
                if sweep and self.inflight.running(msgid):
                    return f
                if not await self._claim(msgid):  # another process forwards or resolves it
                    return f
                try:
                    how = await self._resolve(f)
                    log.info("in_doubt_resolved", msgid=msgid, infno=f.infno, outcome=how)
                except Exception as exc:  # the next node still does not answer
                    log.info("in_doubt_unresolved", msgid=msgid, error=str(exc)[:200])
                    await self._attempted(msgid, f"resolve: {exc}")
                return await self.row(msgid)
        finally:
            if not lock.locked():
                self._locks.pop(msgid, None)
