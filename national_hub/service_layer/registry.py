"""The registry of province nodes: which node answers for which insured place.

A node registers itself (``HubService.RegisterNode``) when it starts; the registry is saved in
the hub's database, so a restarted hub still knows every node, and a static topology file can
pre-load it. Meeting a province opens its advance fund. The routed-message log is read here
too (``QueryJournal``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from national_hub.adapters import nodes as node_store
from national_hub.adapters.insured_node import Registry
from national_hub.adapters.unit_of_work import Repositories, UnitOfWork
from national_hub.domain.advance import DEFAULT_SIZE_FEN
from national_hub.domain.model import Node, RoutedMessage
from national_hub.domain.routing import check_registration, provinces_of
from national_hub.service_layer import advances
from services.values import clock
from services.values.errors import InvalidField


def _saved(repos: Repositories) -> list[Node]:
    return repos.nodes.saved()


def _save(repos: Repositories, node: Node) -> None:
    repos.nodes.save(node)


def _entries(repos: Repositories, msgid: str, limit: int) -> list[RoutedMessage]:
    return repos.routed.entries(msgid, limit)


class NodeRegistry:
    """RegisterNode, ListNodes, QueryJournal, and loading the registry at start."""

    def __init__(
        self, uow: UnitOfWork, registry: Registry, advance_size_fen: int = DEFAULT_SIZE_FEN
    ) -> None:
        self.uow = uow
        self.registry = registry
        self.advance_size_fen = advance_size_fen

    async def load(self, topology: Path | None) -> None:
        """The saved nodes, then the topology file's (saved too); every province's advance."""
        for node in await self.uow.run(_saved):
            await self.registry.put(node)
        if topology:
            for node in node_store.load_topology(topology, clock.now()):
                await self.uow.run(_save, node)
                await self.registry.put(node)
        for code in sorted({n.province_code for n in self.registry.nodes()}):
            await self.uow.run(advances.ensure, code, self.advance_size_fen)

    async def register(
        self, code: str, endpoint: str, admdvs: list[str], name: str, received: datetime
    ) -> int:
        """Register (or re-register) a node; how many nodes the hub knows."""
        check_registration(code, endpoint, admdvs)
        node = Node(code, endpoint, tuple(admdvs), name, clock.format_time(received))
        await self.uow.run(_save, node)
        for province in provinces_of(admdvs):
            await self.uow.run(advances.ensure, province, self.advance_size_fen)
        await self.registry.put(node)
        return len(self.registry.all())

    def nodes(self) -> list[Node]:
        return self.registry.nodes()

    async def journal(self, msgid: str, limit: int) -> list[RoutedMessage]:
        """The latest routed-message log lines (of one msgid, if given)."""
        limit = limit or 100
        if not 0 < limit <= 1000:
            raise InvalidField("limit", limit, "must be between 1 and 1000")
        return await self.uow.run(_entries, msgid, limit)
