"""Wiring of the national hub: database and unit of work, the live registry of nodes (saved +
topology file), the handlers, and the gRPC server with every servicer."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import structlog

from national_hub.adapters.insured_node import Registry
from national_hub.adapters.tables import hub_settlements, metadata
from national_hub.adapters.unit_of_work import UnitOfWork
from national_hub.domain import advance
from national_hub.entrypoints.advance import AdvanceServicer
from national_hub.entrypoints.clearing import ClearingServicer
from national_hub.entrypoints.correction import HubCorrectionServicer
from national_hub.entrypoints.filing_registry import FilingRegistryServicer
from national_hub.entrypoints.hub import HubServicer
from national_hub.entrypoints.top_up import TopUpServicer
from national_hub.entrypoints.web import app as web_app
from national_hub.entrypoints.web.access import Access, session_key
from national_hub.entrypoints.web.live import Monitor
from national_hub.service_layer.advances import Advances
from national_hub.service_layer.clear import Clearing
from national_hub.service_layer.correct import Correction
from national_hub.service_layer.filing_registry import FilingRegistry
from national_hub.service_layer.in_doubt import HubInDoubt
from national_hub.service_layer.registry import NodeRegistry
from national_hub.service_layer.route import Router
from national_hub.service_layer.top_up import TopUps
from national_hub.service_layer.view import View
from services.pb.settlenet.v1 import (
    advance_pb2,
    advance_pb2_grpc,
    clearing_pb2,
    clearing_pb2_grpc,
    correction_pb2,
    correction_pb2_grpc,
    filing_pb2,
    filing_pb2_grpc,
    hub_pb2,
    hub_pb2_grpc,
    reconcile_pb2,
    reconcile_pb2_grpc,
    topup_pb2,
    topup_pb2_grpc,
)
from services.reconcile.servicer import ReconcileServicer
from services.rpc.envelope import MsgidFactory, ResponseHeaders
from services.rpc.server import Running, start_server
from services.security.material import Security
from services.storage import in_doubt as forwards
from services.storage.database import Database
from services.values.errors import InvalidField

log = structlog.get_logger("hub")

HUB_ADMDVS = "100000"
"""The hub's own code in inf_refmsgid (the national level)."""
HUB_SENDER = "N10000000000"
"""The first 12 characters of the msgids the hub makes itself (its own 2601s): no institution
code starts with N1000."""


@dataclass(frozen=True)
class HubConfig:
    db_url: str
    host: str = "127.0.0.1"
    port: int = 0
    topology: Path | None = None
    security: Security | None = None
    """Mutual TLS and the authorization matrix; None runs plaintext and lets anyone do anything
    (``--insecure``)."""
    advance_exhausted: str = "refuse"
    """A 2207 to a province whose advance fund is exhausted: "refuse" or "allow" (and flag)."""
    advance_size_fen: int = advance.DEFAULT_SIZE_FEN
    """The advance a province is opened with when the hub first meets it."""
    resolve_interval_s: float = 5.0
    """How often the in-doubt resolver looks at the forwards whose outcome is unknown here."""
    web_port: int | None = None
    """Serve the web view on this port (0: any free one); None: not at all."""
    web_host: str = "127.0.0.1"
    """Where the web view listens (loopback only unless told)."""
    journal_bodies: bool = True
    """Keep every routed request and answer in the routed-message log (``settlenet journal``,
    ``settlenet replay``)."""
    worker: int = 0
    """This process's number in a hub of several on one port and one database (1..N,
    ``--processes N``, docs/scaleout.md); 0: the hub is this one process."""


REGISTRY_SYNC_S = 1.0
"""How often a process of a hub of several reads the registry the others saved."""


@dataclass
class Hub:
    cfg: HubConfig
    db: Database
    registry: Registry
    running: Running
    in_doubt: HubInDoubt
    web: web_app.Served | None = None
    """The web view, when served."""
    sync: asyncio.Task[None] | None = None
    """A process of several: reading the registry the others saved (``REGISTRY_SYNC_S``)."""

    @property
    def endpoint(self) -> str:
        return f"{self.cfg.host}:{self.running.port}"

    @property
    def web_url(self) -> str | None:
        """The web view's URL (https with TLS), or None."""
        if self.web is None:
            return None
        scheme = "https" if self.cfg.security else "http"
        host = f"[{self.cfg.web_host}]" if ":" in self.cfg.web_host else self.cfg.web_host
        return f"{scheme}://{host}:{self.web.port}/"

    @property
    def web_token(self) -> str | None:
        """The web view's one-time access token (``settlenet up`` prints it in the URL)."""
        return self.web.web.access.token if self.web is not None else None

    def narrate(self, item: dict[str, object]) -> None:
        """Show a narration line in the web view (``settlenet demo --web``)."""
        if self.web is not None:
            self.web.web.monitor.narrate(item)

    async def stop(self) -> None:
        if self.web is not None:
            await self.web.stop()
        if self.sync is not None:
            self.sync.cancel()
            await asyncio.gather(self.sync, return_exceptions=True)
        await self.running.stop(1.0)
        await self.in_doubt.stop()
        await self.registry.close()
        await asyncio.to_thread(self.db.close)


async def _sync_registry(nodes: NodeRegistry) -> None:
    """A process of a hub of several: every ``REGISTRY_SYNC_S``, the nodes the others saved."""
    while True:
        await asyncio.sleep(REGISTRY_SYNC_S)
        try:
            changed = await nodes.refresh()
        except Exception as exc:  # the database is away a moment: next time
            log.warning("registry_sync_failed", error=str(exc)[:200])
            continue
        if changed:
            log.info("registry_synced", changed=changed, known_nodes=len(nodes.nodes()))


def _hub_side(role: str, counterpart: str) -> dict[str, str]:
    """At the hub, ``role`` names the side the counterpart is on: "treatment" (what the hub
    routed from that treatment province) or "insured" (to that insured province)."""
    if role not in ("treatment", "insured"):
        raise InvalidField(
            "role", role, "with a counterpart, say which side it is on: treatment or insured"
        )
    return {role: counterpart}


async def start(cfg: HubConfig) -> Hub:
    if cfg.worker > 0:
        forwards.share()  # other processes of this hub forward and resolve too
    db = Database(cfg.db_url, metadata)
    await asyncio.to_thread(db.create_schema)
    uow = UnitOfWork(db)
    registry = Registry(cfg.security.tls if cfg.security else None)
    nodes = NodeRegistry(uow, registry, cfg.advance_size_fen)
    await nodes.load(cfg.topology)
    headers = ResponseHeaders(HUB_ADMDVS, cfg.worker)
    router = Router(uow, registry, cfg.advance_exhausted, keep_bodies=cfg.journal_bodies)
    resolver = HubInDoubt(uow, registry, router, MsgidFactory(HUB_SENDER), cfg.resolve_interval_s)
    filings = FilingRegistry(uow, registry)
    running = await start_server(
        [
            (
                hub_pb2_grpc.add_HubServiceServicer_to_server,
                HubServicer(router, nodes, headers),
                hub_pb2.DESCRIPTOR.services_by_name["HubService"].full_name,
            ),
            (
                filing_pb2_grpc.add_FilingRegistryServiceServicer_to_server,
                FilingRegistryServicer(filings),
                filing_pb2.DESCRIPTOR.services_by_name["FilingRegistryService"].full_name,
            ),
            (
                reconcile_pb2_grpc.add_ReconcileServiceServicer_to_server,
                ReconcileServicer(
                    db,
                    {"": hub_settlements, "treatment": hub_settlements, "insured": hub_settlements},
                    _hub_side,
                ),
                reconcile_pb2.DESCRIPTOR.services_by_name["ReconcileService"].full_name,
            ),
            (
                advance_pb2_grpc.add_AdvanceServiceServicer_to_server,
                AdvanceServicer(Advances(uow, cfg.advance_exhausted)),
                advance_pb2.DESCRIPTOR.services_by_name["AdvanceService"].full_name,
            ),
            (
                clearing_pb2_grpc.add_ClearingServiceServicer_to_server,
                ClearingServicer(Clearing(uow, registry)),
                clearing_pb2.DESCRIPTOR.services_by_name["ClearingService"].full_name,
            ),
            (
                correction_pb2_grpc.add_CorrectionServiceServicer_to_server,
                HubCorrectionServicer(
                    Correction(uow, registry), ResponseHeaders(HUB_ADMDVS, cfg.worker), resolver
                ),
                correction_pb2.DESCRIPTOR.services_by_name["CorrectionService"].full_name,
            ),
            (
                topup_pb2_grpc.add_TopUpServiceServicer_to_server,
                TopUpServicer(TopUps(uow)),
                topup_pb2.DESCRIPTOR.services_by_name["TopUpService"].full_name,
            ),
        ],
        host=cfg.host,
        port=cfg.port,
        tls=cfg.security.tls if cfg.security else None,
        guard=cfg.security.guard("") if cfg.security else None,
        reuse_port=cfg.worker > 0,
    )
    hub = Hub(cfg, db, registry, running, resolver)
    if cfg.worker > 0:
        router.refresh = nodes.refresh
        hub.sync = asyncio.create_task(_sync_registry(nodes))
    resolver.start()  # first, what a crash left pending
    if cfg.web_port is not None:
        view = View(uow, registry, filings)
        access = Access(secure=cfg.security is not None)
        if cfg.security is not None:  # every process of this hub signs sessions alike
            access.key = session_key(await asyncio.to_thread(cfg.security.tls.key.read_bytes))
        web = web_app.WebView(view, Monitor(view, resolver, hub.endpoint), access)
        try:
            hub.web = await web_app.serve(
                web, cfg.web_host, cfg.web_port, cfg.security.tls if cfg.security else None
            )
        except BaseException:
            await hub.stop()
            raise
    log.info("hub_serving", endpoint=hub.endpoint, known_nodes=len(registry.all()), web=hub.web_url)
    return hub
