"""Open and closed loops, warm-up, preparation, drain, and the live progress bar.

**Open loop** (``--rate`` / ``--schedule``): operation k starts at its intended time from the
schedule, whether or not earlier ones finished; its latency counts from that intended time. A
generator that falls behind (the event loop was busy) starts operations late but still charges
the delay to them. At most ``max_in_flight`` operations run at once; an arrival beyond that is
not sent and counted as *dropped* (the generator, not the network, was saturated).

**Closed loop** (``--concurrency``): C workers, each starting its next operation when the last
one ended. Latency then counts from the actual start (a closed loop cannot see queueing).

Operations whose intended start falls in the warm-up are run but not measured. When the
schedule (or the count) is done, operations still running get ``drain_s`` to finish (every call
has a deadline); any left are cancelled and counted as unfinished.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from scripts.loadtest import schedule as sched
from scripts.loadtest.client import LoadClient, Outcome
from scripts.loadtest.model import Op, TrafficModel
from scripts.loadtest.stats import Recorder


@dataclass
class RunSettings:
    mode: str  # "open" or "closed"
    segments: list[sched.Segment] = field(default_factory=list)
    concurrency: int = 0
    duration_s: float | None = None
    count: int | None = None
    warmup_s: float = 0.0
    warmup_ops: int = 0
    max_in_flight: int = 5000
    drain_s: float = 15.0
    prepare_concurrency: int = 8
    progress: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "schedule": [
                {"rate_from": s.rate_from, "rate_to": s.rate_to, "seconds": s.seconds}
                for s in self.segments
            ],
            "concurrency": self.concurrency,
            "duration_s": self.duration_s,
            "count": self.count,
            "warmup_s": self.warmup_s,
            "warmup_ops": self.warmup_ops,
            "max_in_flight": self.max_in_flight,
            "drain_s": self.drain_s,
        }


@dataclass
class RunResult:
    started_wall: float
    measured_s: float
    """Seconds from the end of the warm-up to the last operation's end."""
    prepare_s: float
    prepared: int
    live: dict[str, int]


class _Live:
    """Counters for the progress bar (warm-up included, but its errors counted apart: the
    summary counts only what was measured)."""

    def __init__(self) -> None:
        self.started = 0
        self.done = 0
        self.errors = 0
        self.warmup_errors = 0
        self.in_flight = 0
        self.settled = 0
        self.window: list[tuple[float, int, int]] = []

    def rate(self, now: float) -> tuple[float, float]:
        self.window.append((now, self.done, self.errors))
        while len(self.window) > 2 and now - self.window[0][0] > 2.0:
            self.window.pop(0)
        t0, d0, e0 = self.window[0]
        span = now - t0
        if span <= 0:
            return 0.0, 0.0
        return (self.done - d0) / span, (self.errors - e0) / span


def planned_ops(model: TrafficModel, s: RunSettings) -> Iterator[Op]:
    ops = model.ops()
    if s.count is not None:
        return itertools.islice(ops, s.count + s.warmup_ops)
    return ops


CLOSED_LOOP_OPS_PER_WORKER_S = 20
"""What a closed loop with --duration prepares for: this many operations per worker and second
(above what two cores do); settle-only operations beyond it open their visit inline and are
reported as "settle_only (opened inline)"."""


def _expected_ops(s: RunSettings) -> int | None:
    if s.count is not None:
        return s.count + s.warmup_ops
    if s.mode == "open":
        first = s.segments[0].rate_from or s.segments[0].rate_to
        return int(sum(seg.count() for seg in s.segments) + s.warmup_s * first) + 2
    if s.duration_s is not None:
        return int(s.concurrency * (s.duration_s + s.warmup_s) * CLOSED_LOOP_OPS_PER_WORKER_S)
    return None


async def prepare(
    client: LoadClient, model: TrafficModel, s: RunSettings, limit: int, say: Callable[[str], None]
) -> tuple[int, float]:
    """Open the visits that the settle-only operations of the run will settle."""
    expected = _expected_ops(s)
    horizon = expected if expected is not None else limit
    todo = [
        op for op in itertools.islice(model.ops(), min(horizon, limit)) if op.kind == "settle_only"
    ]
    if not todo:
        return 0, 0.0
    say(f"preparing {len(todo)} visits for settle-only operations (not measured)")
    started = time.perf_counter()
    queue = iter(todo)
    failed = 0

    async def worker() -> None:
        nonlocal failed
        client.measuring = False  # this task's calls are preparation, not measured
        for op in queue:  # a few workers share one iterator: no task per visit
            try:
                await client.prepare(op)
            except Exception:  # counted; that operation will open its visit inline
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise asyncio.CancelledError from None  # interrupted: stop preparing
                failed += 1

    await asyncio.gather(*(worker() for _ in range(s.prepare_concurrency)))
    if failed:
        say(f"{failed} visits could not be prepared; those operations open them inline")
    return len(todo) - failed, time.perf_counter() - started


async def run(
    client: LoadClient, model: TrafficModel, s: RunSettings, recorder: Recorder, console: Console
) -> RunResult:
    live = _Live()
    loop_start = time.perf_counter()
    measure_from = loop_start + s.warmup_s
    last_end = [loop_start]

    def measuring(op: Op, intended: float) -> bool:
        if s.warmup_ops:
            return op.seq >= s.warmup_ops
        return intended >= measure_from

    async def execute(op: Op, intended: float) -> None:
        live.started += 1
        live.in_flight += 1
        measured = measuring(op, intended)
        second = int(intended - measure_from)
        if measured:
            recorder.offered(second)
        client.measuring = measured  # calls are recorded with their operation's phase
        try:
            outcome = await client.run(op)
        except asyncio.CancelledError:
            if measured:
                recorder.unfinished += 1
            raise
        except Exception as exc:  # a generator bug must not hide behind the run
            outcome = Outcome(f"CLIENT_ERROR:{type(exc).__name__}", kind=op.kind, pair=op.pair)
        finally:
            live.in_flight -= 1
        end = time.perf_counter()
        last_end[0] = max(last_end[0], end)
        live.done += 1
        live.settled += outcome.settled
        if outcome.code != "OK":
            if measured:
                live.errors += 1
            else:
                live.warmup_errors += 1
        recorder.op(
            outcome.kind or op.kind,
            outcome.pair or op.pair,
            end - intended,
            outcome.code,
            second=int(end - measure_from),
            measuring=measured,
            settled=outcome.settled,
            revoked=outcome.revoked,
        )

    total = _expected_ops(s)
    progress = Progress(
        TextColumn("[bold]loadtest[/]"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=console,
        disable=not s.progress,
        transient=False,
        refresh_per_second=4,
    )
    task_id = progress.add_task("run", total=total, status="")

    async def ticker() -> None:
        while True:
            now = time.perf_counter()
            rate, err_rate = live.rate(now)
            phase = (
                "warm-up"
                if now < measure_from or (s.warmup_ops and live.started <= s.warmup_ops)
                else "measuring"
            )
            warm = f" (+{live.warmup_errors} in warm-up)" if live.warmup_errors else ""
            progress.update(
                task_id,
                completed=live.done,
                status=(
                    f"{phase} · {rate:6.1f} ops/s · errors {live.errors}{warm} "
                    f"({err_rate:.1f}/s) · in flight {live.in_flight}"
                ),
            )
            await asyncio.sleep(0.25)

    tasks: set[asyncio.Task[None]] = set()
    with progress:
        tick = asyncio.create_task(ticker())
        try:
            if s.mode == "open":
                await _open_loop(s, model, execute, tasks, live, recorder, loop_start)
            else:
                await _closed_loop(s, model, execute, loop_start)
            if tasks:
                _, pending = await asyncio.wait(tasks, timeout=s.drain_s)
                for t in pending:
                    t.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
        finally:
            tick.cancel()
            await asyncio.gather(tick, return_exceptions=True)
            progress.update(task_id, completed=live.done)
    measured = max(0.0, last_end[0] - measure_from)
    return RunResult(
        time.time(),
        measured,
        0.0,
        0,
        {
            "started": live.started,
            "done": live.done,
            "errors": live.errors,
            "warmup_errors": live.warmup_errors,
            "settled": live.settled,
        },
    )


async def _open_loop(
    s: RunSettings,
    model: TrafficModel,
    execute: Any,
    tasks: set[asyncio.Task[None]],
    live: _Live,
    recorder: Recorder,
    loop_start: float,
) -> None:
    limit = s.count + s.warmup_ops if s.count is not None else None
    # The warm-up runs at the schedule's first rate, before the measured schedule.
    segs = list(s.segments)
    if s.warmup_s > 0:
        first = segs[0].rate_from or segs[0].rate_to
        segs = [sched.Segment(first, first, s.warmup_s), *segs]
    ops = model.ops()
    for at, op in zip(sched.arrivals(segs, limit=limit), ops, strict=False):
        intended = loop_start + at
        delay = intended - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if live.in_flight >= s.max_in_flight:
            if intended >= loop_start + s.warmup_s:
                recorder.dropped += 1
            continue
        task = asyncio.create_task(execute(op, intended))
        tasks.add(task)
        task.add_done_callback(tasks.discard)


async def _closed_loop(
    s: RunSettings, model: TrafficModel, execute: Any, loop_start: float
) -> None:
    ops = planned_ops(model, s)
    end = (loop_start + s.warmup_s + s.duration_s) if s.duration_s is not None else None

    async def worker() -> None:
        for op in ops:  # one shared iterator: each operation is taken by one worker
            if end is not None and time.perf_counter() >= end:
                return
            await execute(op, time.perf_counter())

    await asyncio.gather(*(worker() for _ in range(s.concurrency)))
