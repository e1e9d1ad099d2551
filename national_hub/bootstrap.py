"""Wiring of the national hub: database, registry (saved + topology file), router, server."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import structlog

from national_hub import advance, correction, top_up_servicer
from national_hub import registry as reg
from national_hub.advance_servicer import AdvanceServicer
from national_hub.clearing_servicer import ClearingServicer
from national_hub.filing_registry import FilingRegistryServicer
from national_hub.registry import Registry
from national_hub.router import Router
from national_hub.servicer import HubServicer
from national_hub.tables import hub_settlements, metadata
from services.pb.settlenet.v1 import (
    advance_pb2,
    advance_pb2_grpc,
    clearing_pb2,
    clearing_pb2_grpc,
    filing_pb2,
    filing_pb2_grpc,
    hub_pb2,
    hub_pb2_grpc,
    reconcile_pb2,
    reconcile_pb2_grpc,
)
from services.reconcile.servicer import ReconcileServicer
from services.rpc.envelope import ResponseHeaders
from services.rpc.server import Running, Tls, start_server
from services.storage.database import Database
from services.values.errors import InvalidField

log = structlog.get_logger("hub")

HUB_ADMDVS = "100000"
"""The hub's own code in inf_refmsgid (the national level)."""


@dataclass(frozen=True)
class HubConfig:
    db_url: str
    host: str = "127.0.0.1"
    port: int = 0
    topology: Path | None = None
    tls: Tls | None = None
    advance_exhausted: str = "refuse"
    """A 2207 to a province whose advance fund is exhausted: "refuse" or "allow" (and flag)."""
    advance_size_fen: int = advance.DEFAULT_SIZE_FEN
    """The advance a province is opened with when the hub first meets it."""


@dataclass
class Hub:
    cfg: HubConfig
    db: Database
    registry: Registry
    running: Running

    @property
    def endpoint(self) -> str:
        return f"{self.cfg.host}:{self.running.port}"

    async def stop(self) -> None:
        await self.running.stop(1.0)
        await self.registry.close()
        await asyncio.to_thread(self.db.close)


def _hub_side(role: str, counterpart: str) -> dict[str, str]:
    """At the hub, ``role`` names the side the counterpart is on: "treatment" (what the hub
    routed from that treatment province) or "insured" (to that insured province)."""
    if role not in ("treatment", "insured"):
        raise InvalidField(
            "role", role, "with a counterpart, say which side it is on: treatment or insured"
        )
    return {role: counterpart}


async def start(cfg: HubConfig) -> Hub:
    db = Database(cfg.db_url, metadata)
    await asyncio.to_thread(db.create_schema)
    registry = Registry(cfg.tls)
    for node in await db.transact(reg.load_saved):
        await registry.put(node)
    if cfg.topology:
        for node in reg.load_topology(cfg.topology):
            await db.transact(reg.save, node)
            await registry.put(node)
    for code in sorted({n.province_code for n in registry.all()}):
        await db.transact(advance.ensure, code, cfg.advance_size_fen)
    router = Router(db, registry, cfg.advance_exhausted)
    servicer = HubServicer(router, registry, db, ResponseHeaders(HUB_ADMDVS), cfg.advance_size_fen)
    running = await start_server(
        [
            (
                hub_pb2_grpc.add_HubServiceServicer_to_server,
                servicer,
                hub_pb2.DESCRIPTOR.services_by_name["HubService"].full_name,
            ),
            (
                filing_pb2_grpc.add_FilingRegistryServiceServicer_to_server,
                FilingRegistryServicer(db, registry),
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
                AdvanceServicer(db, cfg.advance_exhausted),
                advance_pb2.DESCRIPTOR.services_by_name["AdvanceService"].full_name,
            ),
            (
                clearing_pb2_grpc.add_ClearingServiceServicer_to_server,
                ClearingServicer(db, registry),
                clearing_pb2.DESCRIPTOR.services_by_name["ClearingService"].full_name,
            ),
            *correction.services(db, registry, ResponseHeaders(HUB_ADMDVS)),
            *top_up_servicer.services(db),
        ],
        host=cfg.host,
        port=cfg.port,
        tls=cfg.tls,
    )
    hub = Hub(cfg, db, registry, running)
    log.info("hub_serving", endpoint=hub.endpoint, known_nodes=len(registry.all()))
    return hub
