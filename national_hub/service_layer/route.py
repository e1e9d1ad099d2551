"""Routing by insured place, with the journal that makes 2207 and 2208 exactly-once at the hub,
and the record of every settlement the hub routed.

The hub treats claims as envelopes: it reads the header to route and journal, and passes the
body on unchanged (the request and answer stay opaque here), so province nodes speak to each
other in their own words. A mutating call costs two units: one read before forwarding (its
journalled answer if the msgid was seen; for a 2207, the insured province's advance) and one
write after (log line, journal entry, settlement record and its postings).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import structlog

from national_hub.adapters import insured_node
from national_hub.adapters.insured_node import DownstreamError, Link, Registry, Reply
from national_hub.adapters.unit_of_work import Repositories, UnitOfWork
from national_hub.domain.model import Header, RoutedSettlement
from national_hub.service_layer import advances, posting
from services.values import clock

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
    before = advances.opened(repos, insured)
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


def _before_forward(
    repos: Repositories, h: Header, digest: str, insured: str, policy: str
) -> bytes | None:
    """One read before forwarding a mutating call: its journalled answer if the msgid was
    seen; for a 2207, the insured province's advance (refused when exhausted)."""
    prior = repos.journal.replay(h.msgid, h.infno, digest)
    if prior is None and h.infno == "2207":
        advances.check_before_settle(repos, insured, policy)
    return prior


def _after_forward(
    repos: Repositories,
    h: Header,
    link: Link,
    outcome: str,
    reply: Reply[Any] | None,
    started: float,
    digest: str,
) -> None:
    """The routed-message log line; for a mutating call answered, the journal entry and the
    settlement record with its postings, in the same unit."""
    setl = reply.settlement if reply is not None else None
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
    )
    if reply is None or reply.payload is None:
        return
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


class Router:
    """Forwards 1101/2206/2207/2208 to the insured node."""

    def __init__(self, uow: UnitOfWork, registry: Registry, advance_exhausted: str = "refuse"):
        self.uow = uow
        self.registry = registry
        self.advance_exhausted = advance_exhausted
        """What a 2207 to a province whose advance is exhausted gets: "refuse" or "allow"."""

    async def forward(
        self,
        h: Header,
        request: Any,
        *,
        digest: str = "",
        parse: Callable[[bytes], R] | None = None,
    ) -> Any:
        """Send ``request`` to the insured node; journal it. For a mutating call (``digest``
        given) a msgid seen before is answered from the journal (``parse``\\ d) without
        forwarding."""
        link = self.registry.route(h.insuplc_admdvs)
        if digest:
            prior = await self.uow.run(
                _before_forward, h, digest, link.province_code, self.advance_exhausted
            )
            if prior is not None and parse is not None:
                log.info("replayed_from_journal", to=link.province_code)
                return parse(prior)
        started = time.perf_counter()
        try:
            reply = await insured_node.forward(link, h.infno, request, keep=bool(digest))
        except DownstreamError as exc:
            await self.uow.run(_after_forward, h, link, exc.code, None, started, digest)
            raise exc.error from None
        await self.uow.run(_after_forward, h, link, "OK", reply, started, digest)
        return reply.response
