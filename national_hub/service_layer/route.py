"""Routing by insured place, with the journal that makes 2207 and 2208 exactly-once at the hub,
and the record of every settlement the hub routed.

The hub treats claims as envelopes: it reads the header to route and journal, and passes the
body on unchanged (the request and answer stay opaque here), so province nodes speak to each
other in their own words. A mutating call costs two units: one before forwarding (its
journalled answer if the msgid was seen; for a 2207, the insured province's advance; the
in-doubt row of what goes out) and one after (log line, journal entry, settlement record and its
postings, the in-doubt row closed).

The forward and the unit after it run as one task that the caller going away does not stop
(``services/rpc/inflight.py``); a forward that ends without an answer is resolved by the hub
itself (``service_layer/in_doubt.py``), and a retry of its msgid meanwhile waits for that
instead of forwarding it twice (``docs/exactly-once.md``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import structlog

from national_hub.adapters import insured_node
from national_hub.adapters.insured_node import DownstreamError, Link, Registry, Reply
from national_hub.adapters.unit_of_work import Repositories, UnitOfWork
from national_hub.domain.model import Header, RoutedSettlement
from national_hub.service_layer import advances, posting
from services.rpc.inflight import ELSEWHERE, InFlight, wait_elsewhere
from services.rpc.status import error_summary, uncertain
from services.values import clock
from services.values.errors import NotFound, Unavailable
from services.values.forward import DONE, PENDING, Forward

log = structlog.get_logger("hub")

R = TypeVar("R")


def record_routed(
    repos: Repositories, s: RoutedSettlement, msgid: str, insured: str, treatment: str
) -> str | None:
    """Record a settlement (or revocation record) and post it, drawing the insured province's
    advance (a settlement that draws it past a threshold warns), unless the hub has it
    already. Returns None when it was new, else the msgid that recorded it first."""
    known = repos.settlements.first_msgid(s.setl_id)
    if known is not None:
        return known
    before = advances.opened(repos, insured, lock=True)
    posting.routed(repos, s, insured, treatment)
    if s.refd_setl_flag == "0":
        advances.after_draw(
            repos,
            insured,
            before.available_fen,
            replace(before, available_fen=before.available_fen - s.cleared_fen),
            clock.now(),
        )
    repos.settlements.add(s, msgid)
    return None


IN_DOUBT = "in doubt"


def _before_forward(
    repos: Repositories, h: Header, digest: str, insured: str, policy: str, fwd: Forward
) -> tuple[bytes | None, str]:
    """The unit before forwarding a mutating call: its journalled answer if the msgid was
    seen; (None, IN_DOUBT) when it was forwarded before and is still in doubt, (None,
    ELSEWHERE) when another process of the hub is forwarding or resolving it now; else, for a
    2207, the insured province's advance (refused when exhausted), and the in-doubt row of
    what is about to go out (two processes writing it at once: one commits, the other runs
    this again and finds it)."""
    prior = repos.journal.replay(h.msgid, h.infno, digest)
    if prior is not None:
        return prior, ""
    known = repos.in_doubt.get(h.msgid)
    if known is not None and known.state == PENDING:
        return None, ELSEWHERE if repos.in_doubt.leased_elsewhere(known) else IN_DOUBT
    if h.infno == "2207":
        advances.check_before_settle(repos, insured, policy)
    if known is not None:  # a 2208 whose resending was refused: it may be sent again
        repos.in_doubt.reopen(fwd)
    else:
        repos.in_doubt.add(fwd)
    return None, ""


def after_forward(
    repos: Repositories,
    h: Header,
    link: Link,
    outcome: str,
    reply: Reply[Any] | None,
    started: float,
    digest: str,
    refused: str = "",
    bodies: Bodies | None = None,
) -> None:
    """The routed-message log line (with ``bodies``: what went out and came back, or the
    error); for a mutating call answered, the journal entry and the settlement record with its
    postings, and its in-doubt row closed, in the same unit. A mutating call not answered leaves
    its row pending; one ``refused`` removes it."""
    setl = reply.settlement if reply is not None else None
    body = bodies or _NO_BODIES
    repos.routed.add(
        msgid=h.msgid,
        infno=h.infno,
        from_province=h.treatment,
        to_province=link.province_code,
        outcome=outcome,
        setl_id=setl.setl_id if setl is not None else "",
        fund_pay_sumamt=setl.fund_pay_sumamt if setl is not None else 0,
        routed_at=clock.format_time(clock.now()),
        latency_ms=int((time.perf_counter() - started) * 1000),
        request=body.request,
        response=body.response,
        error_message=body.error_message,
        error_reason=body.error_reason,
    )
    if not digest:
        return
    if reply is None or reply.payload is None:
        if refused:
            repos.in_doubt.drop(h.msgid)
        else:
            repos.in_doubt.attempted(h.msgid, f"forward: {outcome}")
        return
    repos.in_doubt.finish(h.msgid, DONE, f"answered: {setl.setl_id if setl else ''}")
    if repos.journal.replay(h.msgid, h.infno, digest) is not None:
        return
    repos.journal.record(h.msgid, h.infno, digest, reply.payload)
    if setl is None or not setl.setl_id:
        return
    first = record_routed(repos, setl, h.msgid, link.province_code, h.treatment)
    if first is not None:  # the insured node reused a setl_id: count it once
        log.warning(
            "duplicate_setl_id_from_insured",
            setl_id=setl.setl_id,
            first_msgid=first,
            to=link.province_code,
        )


@dataclass(frozen=True, slots=True)
class Bodies:
    """What the routed-message log keeps of one forward beside its outcome."""

    request: bytes | None = None
    response: bytes | None = None
    error_message: str = ""
    error_reason: str = ""


_NO_BODIES = Bodies()


class Router:
    """Forwards 1101/2206/2207/2208 to the insured node."""

    def __init__(
        self,
        uow: UnitOfWork,
        registry: Registry,
        advance_exhausted: str = "refuse",
        inflight: InFlight | None = None,
        keep_bodies: bool = True,
    ):
        self.uow = uow
        self.registry = registry
        self.keep_bodies = keep_bodies
        """Keep each forward's request and answer in the routed-message log (``settlenet
        journal``, ``settlenet replay``)."""
        self.advance_exhausted = advance_exhausted
        """What a 2207 to a province whose advance is exhausted gets: "refuse" or "allow"."""
        self.inflight = inflight or InFlight()
        """The forwards running now, shielded from their callers' cancellation."""
        self.resolve_now: Callable[[str], Awaitable[object]] = _nothing
        """Resolve one msgid in doubt now (``service_layer/in_doubt.py`` sets it)."""
        self.resolve_soon: Callable[[str], None] = lambda msgid: None
        """Resolve one msgid in doubt in the background, with a short backoff."""
        self.refresh: Callable[[], Awaitable[object]] | None = None
        """A hub of several processes: read the registry the others saved, before refusing an
        insured place no node is known for here (it may have registered a moment ago)."""

    async def forward(
        self,
        h: Header,
        request: Any,
        *,
        digest: str = "",
        parse: Callable[[bytes], R] | None = None,
        fwd: Forward | None = None,
    ) -> Any:
        """Send ``request`` to the insured node; journal it. For a mutating call (``digest``
        and ``fwd``, its in-doubt row, given) a msgid seen before is answered from the journal
        (``parse``\\ d) without forwarding, and the forward outlives its caller."""
        try:
            link = self.registry.route(h.insuplc_admdvs)
        except NotFound:
            if self.refresh is None:
                raise
            await self.refresh()
            link = self.registry.route(h.insuplc_admdvs)
        if not digest or fwd is None:
            return await self._send(h, link, request, "")
        row = replace(fwd, downstream=link.province_code)
        return await self.inflight.run(
            h.msgid, lambda: self._forward_once(h, link, request, digest, parse, row)
        )

    async def _forward_once(
        self,
        h: Header,
        link: Link,
        request: Any,
        digest: str,
        parse: Callable[[bytes], R] | None,
        fwd: Forward,
    ) -> Any:
        since, resolved = time.monotonic(), 0
        while True:
            prior, why = await self.uow.run(
                _before_forward, h, digest, link.province_code, self.advance_exhausted, fwd
            )
            if not why:
                break
            if why == ELSEWHERE and await wait_elsewhere(since):
                continue  # another process of the hub forwards it: wait for its outcome
            if resolved == 2:
                break
            # Forwarded before and still in doubt: resolve it now, then answer what it became.
            resolved += 1
            await self.resolve_now(h.msgid)
        if why:
            raise Unavailable(
                "header.msgid",
                h.msgid,
                f"this {h.infno} was forwarded before and its outcome is still being resolved "
                f"(insured node {link.province_code} does not answer); retry later or ask its "
                "status (5203)",
            )
        if prior is not None and parse is not None:
            log.info("replayed_from_journal", to=link.province_code)
            return parse(prior)
        return await self._send(h, link, request, digest)

    async def _send(self, h: Header, link: Link, request: Any, digest: str) -> Any:
        started = time.perf_counter()
        sent = request.SerializeToString() if self.keep_bodies else None
        try:
            reply = await insured_node.forward(link, h.infno, request, keep=bool(digest))
        except DownstreamError as exc:
            unsure = uncertain(exc.error)
            refused = "" if unsure else f"refused by {link.peer}: {exc.code}"
            failed = Bodies(sent, None, *error_summary(exc.error))
            await self.uow.run(
                after_forward, h, link, exc.code, None, started, digest, refused, failed
            )
            if digest and unsure:
                self.resolve_soon(h.msgid)
            raise exc.error from None
        answered = None
        if self.keep_bodies:
            answered = Bodies(sent, reply.payload or reply.response.SerializeToString())
        await self.uow.run(after_forward, h, link, "OK", reply, started, digest, "", answered)
        return reply.response


async def _nothing(msgid: str) -> None:
    return None
