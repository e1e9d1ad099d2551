"""The registry of province nodes: which node answers for which insured place.

A node registers itself (``HubService.RegisterNode``) when it starts; the registry is saved in
the hub's database, so a restarted hub still knows every node, and a static topology file can
pre-load it. Meeting a province opens its advance fund. The routed-message log is read here
too (``QueryJournal``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import structlog

from national_hub.adapters import nodes as node_store
from national_hub.adapters.insured_node import Registry
from national_hub.adapters.unit_of_work import Repositories, UnitOfWork
from national_hub.domain.advance import DEFAULT_SIZE_FEN
from national_hub.domain.model import JournalFilter, Node, RoutedMessage
from national_hub.domain.routing import check_registration, provinces_of
from national_hub.service_layer import advances
from services.values import clock
from services.values.errors import InvalidField, NotFound

log = structlog.get_logger("hub")


def _saved(repos: Repositories) -> list[Node]:
    return repos.nodes.saved()


def _save(repos: Repositories, node: Node) -> None:
    repos.nodes.save(node)


def _remove(repos: Repositories, code: str) -> bool:
    return repos.nodes.remove(code)


def _entries(repos: Repositories, q: JournalFilter) -> list[RoutedMessage]:
    return repos.routed.entries(q)


def _where(n: Node) -> tuple[str, tuple[str, ...], str, str]:
    """What routing uses of a node (not when it registered)."""
    return n.endpoint, n.admdvs, n.name, n.http_endpoint


def _moment(field: str, value: str) -> str:
    """A journal window's end, "yyyy-MM-dd HH:mm:ss" (a date alone is its midnight)."""
    if not value:
        return ""
    text = f"{value} 00:00:00" if len(value) == 10 else value
    try:
        datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise InvalidField(field, value, "must be yyyy-MM-dd HH:mm:ss or yyyy-MM-dd") from None
    return text


class NodeRegistry:
    """RegisterNode, ListNodes, QueryJournal, and loading the registry at start."""

    def __init__(
        self, uow: UnitOfWork, registry: Registry, advance_size_fen: int = DEFAULT_SIZE_FEN
    ) -> None:
        self.uow = uow
        self.registry = registry
        self.advance_size_fen = advance_size_fen
        self._size_noted: set[str] = set()

    async def load(self, topology: Path | None) -> None:
        """The saved nodes, then the topology file's (saved too); every province's advance."""
        for node in await self.uow.run(_saved):
            await self.registry.put(node)
        if topology:
            for node in node_store.load_topology(topology, clock.now()):
                await self.uow.run(_save, node)
                await self.registry.put(node)
        for code in sorted({n.province_code for n in self.registry.nodes()}):
            await self._ensure_advance(code)

    async def _ensure_advance(self, code: str) -> None:
        size = await self.uow.run(advances.ensure, code, self.advance_size_fen)
        if size != self.advance_size_fen and code not in self._size_noted:
            # A hub restarted on its database with another --advance-size-fen: say which wins.
            self._size_noted.add(code)
            log.warning(
                "advance_size_kept",
                province=code,
                size_fen=size,
                asked_fen=self.advance_size_fen,
                problem="the advance was opened before at its own size; --advance-size-fen "
                "sizes new advances only: `settlenet advance --target DIR/network.json resize` "
                "changes this one",
            )

    async def refresh(self) -> int:
        """Take in what other processes of the hub saved (a node of several on one database):
        nodes registered, moved or taken out through them. How many changed here."""
        saved = {n.province_code: n for n in await self.uow.run(_saved)}
        live = {n.province_code: n for n in self.registry.nodes()}
        changed = 0
        for code, node in saved.items():
            known = live.get(code)
            if known is None or _where(known) != _where(node):
                await self.registry.put(node)
                changed += 1
        for code in live.keys() - saved.keys():
            await self.registry.remove(code)
            changed += 1
        return changed

    async def register(
        self,
        code: str,
        endpoint: str,
        admdvs: list[str],
        name: str,
        received: datetime,
        http_endpoint: str = "",
        version: str = "",
    ) -> int:
        """Register (or re-register) a node; how many nodes the hub knows."""
        check_registration(code, endpoint, admdvs)
        if http_endpoint and not http_endpoint.startswith(("http://", "https://")):
            raise InvalidField(
                "http_endpoint", http_endpoint, "must start with http:// or https://"
            )
        node = Node(
            code, endpoint, tuple(admdvs), name, clock.format_time(received), http_endpoint, version
        )
        await self.uow.run(_save, node)
        for province in provinces_of(admdvs):
            await self._ensure_advance(province)
        await self.registry.put(node)
        return len(self.registry.all())

    async def deregister(self, code: str) -> int:
        """Take province ``code``'s node out of the registry (saved and live); how many nodes
        the hub knows after. Its advance, ledgers and journal stay."""
        if not (len(code) == 2 and code.isdigit()):
            raise InvalidField("province_code", code, "must be a two-digit province code")
        if not await self.uow.run(_remove, code) and not await self.registry.remove(code):
            raise NotFound("province_code", code, "no node of this province is registered")
        await self.registry.remove(code)
        return len(self.registry.all())

    def nodes(self) -> list[Node]:
        return self.registry.nodes()

    async def journal(self, q: JournalFilter) -> list[RoutedMessage]:
        """Routed-message log lines: the newest (of one msgid, one province, a window), or a
        page of the oldest after a sequence number."""
        limit = q.limit or 100
        if not 0 < limit <= 1000:
            raise InvalidField("limit", q.limit, "must be between 1 and 1000")
        if q.after_seq < 0:
            raise InvalidField("after_seq", q.after_seq, "must be 0 or more")
        if q.province and not (len(q.province) == 2 and q.province.isdigit()):
            raise InvalidField("province", q.province, "must be a two-digit province code")
        q = replace(
            q,
            limit=limit,
            from_time=_moment("from_time", q.from_time),
            to_time=_moment("to_time", q.to_time),
        )
        return await self.uow.run(_entries, q)
