"""The national filing registry (全国异地就医备案): every filing and qualification change
published by an insured node, kept as history; each change is passed on to the other province
nodes (FilingChanged) so their places of treatment forget what they cached."""

from __future__ import annotations

import asyncio

import structlog

from national_hub.adapters import insured_node
from national_hub.adapters.insured_node import DownstreamError, Link, Registry
from national_hub.adapters.unit_of_work import Repositories, UnitOfWork
from national_hub.domain.filing_registry import (
    Published,
    RegistryQuery,
    check_published,
    check_query,
)
from national_hub.domain.routing import notice_recipients
from services.values import clock
from services.values.errors import DuplicateMessage

log = structlog.get_logger("registry")


def record(repos: Repositories, e: Published) -> bool:
    """Store an event once; False when it is known already (a retry). The same event_id with
    another content is refused."""
    known = repos.filings.payload(e.event_id)
    if known is not None:
        if known != e.payload:
            raise DuplicateMessage(e.event_id, e.infno)
        return False
    repos.filings.add(e, clock.format_time(clock.now()))
    return True


def _query(repos: Repositories, q: RegistryQuery) -> list[tuple[bytes, str]]:
    return repos.filings.query(q)


class FilingRegistry:
    """PublishFiling and QueryRegistry."""

    def __init__(self, uow: UnitOfWork, registry: Registry) -> None:
        self.uow = uow
        self.registry = registry

    async def publish(self, e: Published) -> bool:
        """Record an event and tell the other nodes (even on a retry: the first notice may
        not have arrived); whether it was new."""
        check_published(e)
        recorded = await self.uow.run(record, e)
        if recorded:
            log.info(
                "filing_registered",
                event_id=e.event_id,
                infno=e.infno,
                psn_no=e.psn_no,
                filing_id=e.filing_id,
                dest=e.dest_admdvs,
            )
        await self._notify(e)
        return recorded

    async def _notify(self, e: Published) -> None:
        """FilingChanged to every other registered node, concurrently; a node that does not
        answer only keeps its cache entry until it expires."""

        async def one(link: Link) -> None:
            try:
                await insured_node.filing_changed(link, e.payload)
            except DownstreamError as exc:
                log.warning("filing_notice_failed", to=link.province_code, code=exc.code)

        others = notice_recipients(self.registry.all(), e.insuplc_admdvs)
        await asyncio.gather(*(one(n) for n in others))

    async def query(self, q: RegistryQuery) -> list[tuple[bytes, str]]:
        """(event bytes, received_at) of the matching events, oldest first."""
        check_query(q)
        return await self.uow.run(_query, q)
