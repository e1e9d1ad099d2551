"""A fault-injecting transport for tests: a grpc.aio client interceptor that, on a named hop,
drops the request, drops the response, duplicates the call, or delivers it after the caller
gave up (past its deadline).

Hops are the three links of a settlement: ``his->treatment`` (a hospital's channel),
``treatment->hub`` (a province node's hub client) and ``hub->insured`` (the hub's channels to
insured nodes). :func:`install` puts a plan in force for the channels opened afterwards in this
process (``services.server.open_channel`` asks :func:`interceptors` for its hop).

Each decision is drawn from a generator seeded with ``(seed, hop, method, msgid, attempt)``, so
the same seed makes the same faults for the same calls whatever the interleaving of concurrent
visits: a failing run replays from its seed.

What each fault does (the caller always sees a failure it cannot tell from a real one):

- ``drop_request``: the call never leaves; the caller gets UNAVAILABLE.
- ``drop_response``: the call is made and completes on the server; the caller gets
  DEADLINE_EXCEEDED instead of its answer.
- ``duplicate``: the call is sent twice at once; the caller gets the first answer.
- ``delay``: the caller gets DEADLINE_EXCEEDED at once; the request reaches the server
  ``delay_s`` later (a late arrival, the case a 2601 correction's burn exists for).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import grpc

KINDS = ("drop_request", "drop_response", "duplicate", "delay")
HOPS = ("his->treatment", "treatment->hub", "hub->insured")


@dataclass(frozen=True)
class FaultPlan:
    seed: int
    rates: dict[str, dict[str, float]]
    """hop → fault kind → probability per call (the kinds' sum at most 1)."""
    methods: frozenset[str] = frozenset()
    """Only calls of these methods (the last part of the gRPC method name, e.g. "Settle");
    empty: every method."""
    delay_s: float = 0.2
    forced: dict[tuple[str, str], str] = field(default_factory=dict)
    """(hop, msgid) → kind, for a call's first attempt on that hop whatever the draw."""

    def __post_init__(self) -> None:
        for hop, kinds in self.rates.items():
            if hop not in HOPS:
                raise ValueError(f"unknown hop {hop!r}; one of {', '.join(HOPS)}")
            unknown = set(kinds) - set(KINDS)
            if unknown:
                raise ValueError(f"unknown fault kind(s) {sorted(unknown)} on {hop}")
            if sum(kinds.values()) > 1:
                raise ValueError(f"fault probabilities on {hop} add up to more than 1")


class FaultInjector:
    """Draws the faults of a plan and keeps count of what it did."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self.attempts: Counter[tuple[str, str, str]] = Counter()
        self.counts: Counter[tuple[str, str]] = Counter()
        """(hop, kind) → how many faults were injected."""
        self.calls: Counter[str] = Counter()
        """hop → calls seen."""
        self._late: set[asyncio.Task[Any]] = set()

    def decide(self, hop: str, method: str, msgid: str) -> str | None:
        self.calls[hop] += 1
        if self.plan.methods and method not in self.plan.methods:
            return None
        key = (hop, method, msgid)
        attempt = self.attempts[key]
        self.attempts[key] += 1
        kind: str | None = None
        if attempt == 0 and (hop, msgid) in self.plan.forced:
            kind = self.plan.forced[(hop, msgid)]
        else:
            draw = random.Random(f"{self.plan.seed}|{hop}|{method}|{msgid}|{attempt}").random()
            acc = 0.0
            for k in KINDS:
                acc += self.plan.rates.get(hop, {}).get(k, 0.0)
                if draw < acc:
                    kind = k
                    break
        if kind is not None:
            self.counts[(hop, kind)] += 1
        return kind

    def deliver_late(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._late.add(task)
        task.add_done_callback(self._late.discard)

    async def drain(self) -> None:
        """Wait for every delayed request still on its way (call before checking state)."""
        while self._late:
            await asyncio.gather(*list(self._late), return_exceptions=True)

    def summary(self) -> dict[str, int]:
        return {f"{hop} {kind}": n for (hop, kind), n in sorted(self.counts.items())}


def _failed(code: grpc.StatusCode, details: str) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(
        code, grpc.aio.Metadata(), grpc.aio.Metadata(), details=f"fault injected: {details}"
    )


class FaultInterceptor(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    def __init__(self, injector: FaultInjector, hop: str) -> None:
        self.injector = injector
        self.hop = hop

    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        method = (
            details.method.decode() if isinstance(details.method, bytes) else str(details.method)
        )
        header = getattr(request, "header", None)
        msgid = header.msgid if header is not None else ""
        kind = self.injector.decide(self.hop, method.rsplit("/", 1)[-1], msgid)
        if kind is None:
            return await continuation(details, request)
        if kind == "drop_request":
            raise _failed(grpc.StatusCode.UNAVAILABLE, f"{self.hop} request dropped")
        if kind == "drop_response":
            call = await continuation(details, request)
            try:
                await call
            except grpc.RpcError:
                pass
            raise _failed(grpc.StatusCode.DEADLINE_EXCEEDED, f"{self.hop} response dropped")
        if kind == "duplicate":
            first = await continuation(details, request)
            second = await continuation(details, request)
            await asyncio.gather(first, second, return_exceptions=True)
            return first
        # delay: the caller has given up by the time the request arrives
        self.injector.deliver_late(self._late(continuation, details, request))
        raise _failed(
            grpc.StatusCode.DEADLINE_EXCEEDED, f"{self.hop} request delayed past the deadline"
        )

    async def _late(self, continuation: Any, details: Any, request: Any) -> None:
        await asyncio.sleep(self.injector.plan.delay_s)
        try:
            await (await continuation(details, request))
        except grpc.RpcError:
            pass


ENV = "SETTLENET_FAULTS"
"""``SEED:RATE`` — run a node process (``settlenet hub``/``province``, or every node of
``settlenet up --faults``) with faults on the network's own hops (treatment → hub, hub →
insured): each of the four kinds at RATE per mutating call, drawn from SEED. For a province
team testing how its HIS or node copes with a bad link."""
NETWORK_METHODS = frozenset({"Settle", "CommitSettlement", "RevokeSettlement", "Correct"})


def plan_from_spec(spec: str) -> FaultPlan:
    """A plan from ``SEED:RATE`` (e.g. ``7:0.03``); ValueError naming what is wrong."""
    try:
        seed_text, rate_text = spec.split(":")
        seed, rate = int(seed_text), float(rate_text)
    except ValueError:
        raise ValueError(f"{ENV}={spec!r}: expected SEED:RATE, e.g. 7:0.03") from None
    if not 0 <= rate <= 0.25:
        raise ValueError(f"{ENV}={spec!r}: RATE is per fault kind, between 0 and 0.25")
    kinds = {k: rate for k in KINDS}
    return FaultPlan(
        seed=seed, rates={"treatment->hub": kinds, "hub->insured": kinds}, methods=NETWORK_METHODS
    )


def install_from_env() -> FaultInjector | None:
    """Install the plan ``$SETTLENET_FAULTS`` names, if any (a node process at start)."""
    import os

    spec = os.environ.get(ENV, "")
    return install(plan_from_spec(spec)) if spec else None


_active: FaultInjector | None = None


def install(plan: FaultPlan) -> FaultInjector:
    """Put ``plan`` in force for channels opened from now on in this process."""
    global _active
    _active = FaultInjector(plan)
    return _active


def uninstall() -> None:
    global _active
    _active = None


def interceptors(hop: str) -> list[grpc.aio.ClientInterceptor]:
    """The interceptors a channel on ``hop`` gets: none unless a plan is installed."""
    if _active is None or not hop:
        return []
    return [FaultInterceptor(_active, hop)]
