"""Wiring of one province node: load its data (strictly), open its database, build its roles
and servicers, serve, and register with the hub."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from provincial_nodes import config, seed
from provincial_nodes.adapters import tables
from provincial_nodes.adapters.hub_client import HubClient
from provincial_nodes.adapters.tables import insured_settlements, metadata, treatment_settlements
from provincial_nodes.adapters.unit_of_work import UnitOfWork, Units
from provincial_nodes.domain.person import PersonRecord
from provincial_nodes.entrypoints import convert, correction, hospital_reconcile
from provincial_nodes.entrypoints.behaviour import (
    Behaving,
    BehaviourInterceptor,
    BehaviourServicer,
)
from provincial_nodes.entrypoints.behaviour_rules import load_file as load_behaviour
from provincial_nodes.entrypoints.filing_servicer import FilingServicer
from provincial_nodes.entrypoints.http import app as http_app
from provincial_nodes.entrypoints.servicers import (
    AdminServicer,
    InsuredServicer,
    TreatmentServicer,
)
from provincial_nodes.service_layer.admin import AdminRole
from provincial_nodes.service_layer.filing import FilingRole, Publisher
from provincial_nodes.service_layer.in_doubt import TreatmentInDoubt
from provincial_nodes.service_layer.insured import InsuredRole
from provincial_nodes.service_layer.treatment import TreatmentRole
from services.pb.settlenet.v1 import (
    admin_pb2,
    admin_pb2_grpc,
    behaviour_pb2,
    behaviour_pb2_grpc,
    filing_pb2,
    filing_pb2_grpc,
    insured_pb2,
    insured_pb2_grpc,
    reconcile_pb2,
    reconcile_pb2_grpc,
    treatment_pb2,
    treatment_pb2_grpc,
)
from services.reconcile.servicer import ReconcileServicer
from services.rpc.admission import Admission
from services.rpc.envelope import ResponseHeaders
from services.rpc.server import Running, start_server
from services.rpc.version import settlenet_version
from services.security.material import Security
from services.storage import in_doubt as forwards
from services.storage.database import Database
from services.storage.nonces import SharedNonces

log = structlog.get_logger("province")


@dataclass(frozen=True)
class NodeConfig:
    code: str
    db_url: str
    hub: str
    data_root: Path | None = None
    host: str = "127.0.0.1"
    port: int = 0
    advertise_host: str | None = None
    security: Security | None = None
    """Mutual TLS, institution credentials and the authorization matrix; None runs plaintext
    and lets anyone do anything (``--insecure``)."""
    population: int = 0
    seed: int = 1
    admin: bool = True
    """Serve AdminService (testers load their own policy, catalogue and persons)."""
    http_port: int | None = None
    """Serve the national HTTP interface on this port (0: any free one); None: not at all."""
    resolve_interval_s: float = 5.0
    """How often the in-doubt resolver looks at the forwards whose outcome is unknown here."""
    behaviour_file: Path | None = None
    """Behaviour rules to load at start (``--behaviour FILE``, docs/behaviour.md)."""
    worker: int = 0
    """This process's number in a node of several on one port and one database (1..N,
    ``--processes N``, docs/scaleout.md); 0: the node is this one process."""
    admit_latency_ms: int = 0
    """Admission control (``--admit-latency-ms``, ``services.rpc.admission``): the latency
    a 1101 or 2201 from a hospital should stay under; past it the node starts fewer visits at
    once and refuses the rest RESOURCE_EXHAUSTED (OVERLOADED). 0: every call is taken."""
    admit_limits: tuple[int, int, int] = (32, 4, 512)
    """The admission limit's start, minimum and maximum (visits being started at once)."""


@dataclass
class ProvinceNode:
    cfg: NodeConfig
    data: config.ProvinceData
    db: Database
    hub: HubClient
    treatment: TreatmentRole
    insured: InsuredRole
    admin: AdminRole
    filing: FilingRole
    publisher: Publisher
    running: Running | None = None
    in_doubt: TreatmentInDoubt | None = None
    """The resolver of the forwards to the hub whose outcome is unknown here."""
    http: http_app.Served | None = None
    """The national HTTP interface, when served."""
    admission: Admission | None = None
    """The limit on visits started at once (``NodeConfig.admit_latency_ms``), if any."""
    behaving: Behaving = field(default_factory=Behaving)
    """Behaviour rules in force and the calls served (BehaviourService)."""
    _register_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _sync_task: asyncio.Task[None] | None = field(default=None, repr=False)
    """A process of several: applying the policy and catalogue documents the others loaded."""

    @property
    def http_url(self) -> str | None:
        """The full URL of the HTTP interface's endpoint (https with TLS), or None."""
        if self.http is None:
            return None
        scheme = "https" if self.cfg.security else "http"
        host = self.cfg.advertise_host or self.cfg.host
        return f"{scheme}://{host}:{self.http.port}{http_app.PATH}"

    @property
    def endpoint(self) -> str:
        assert self.running is not None
        return f"{self.cfg.advertise_host or self.cfg.host}:{self.running.port}"

    async def register(self) -> None:
        """Register with the hub, retrying until it answers (the hub may start later)."""
        delay = 0.2
        while True:
            try:
                await self.hub.register(
                    self.data.code,
                    self.endpoint,
                    sorted(self.data.regions),
                    self.data.name,
                    self.http_url or "",
                    settlenet_version(),
                )
                log.info("registered_with_hub", hub=self.cfg.hub, endpoint=self.endpoint)
                return
            except Exception as exc:  # keep trying: the hub may not be up yet
                log.warning("hub_registration_failed", hub=self.cfg.hub, error=str(exc)[:200])
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def stop(self) -> None:
        if self._register_task:
            self._register_task.cancel()
        if self._sync_task:
            self._sync_task.cancel()
            await asyncio.gather(self._sync_task, return_exceptions=True)
        await self.publisher.stop()
        if self.http is not None:
            await self.http.stop()
        if self.running:
            await self.running.stop(1.0)
        if self.in_doubt is not None:
            await self.in_doubt.stop()
        await self.hub.close()
        await asyncio.to_thread(self.db.close)


def build(cfg: NodeConfig, hub: HubClient) -> ProvinceNode:
    """Load data and open the database; raises ConfigError before anything starts."""
    data = config.load(config.province_folder(cfg.code, cfg.data_root))
    if data.code != cfg.code:
        raise ValueError(f"province.yaml says code {data.code}, asked for {cfg.code}")
    db = Database(cfg.db_url, metadata)
    db.create_schema()
    records = list(data.records)
    if cfg.population:
        records += [
            PersonRecord(config.person_from_mapping(m), acct_balc=m["acct_balc"])
            for m in seed.population(cfg.code, cfg.population, cfg.seed)
        ]
    units = Units(db)
    added = units.run_sync(_add_persons, records)
    treatment = TreatmentRole(
        units, data.catalogue, data.institutions, hub, convert.encode_settlement
    )
    insured = InsuredRole(data.policy, data.regions)
    admin = AdminRole(units, insured, treatment, data.policy, data.catalogue)
    reloaded = admin.reapply()  # documents loaded through AdminService before a restart
    behaving = Behaving(load_behaviour(cfg.behaviour_file) if cfg.behaviour_file else None)
    node = ProvinceNode(
        cfg=cfg,
        data=data,
        db=db,
        hub=hub,
        treatment=treatment,
        insured=insured,
        admin=admin,
        filing=FilingRole(data.regions),
        publisher=Publisher(units, hub.publish_filing),
        behaving=behaving,
    )
    log.info(
        "province_loaded",
        code=data.code,
        province=data.name_en or data.name,
        catalogue_items=len(data.catalogue),
        institutions=len(data.institutions),
        persons_added=added,
        admin_documents=reloaded,
        db=cfg.db_url.split("@")[-1],
        behaviour_rules=len(behaving.loaded.rules),
    )
    return node


DOCUMENT_SYNC_S = 1.0
"""How often a process of a node of several applies what the others loaded (AdminService)."""


async def _sync_documents(admin: AdminRole) -> None:
    """Every ``DOCUMENT_SYNC_S``: the policy and catalogue documents another process of this
    node loaded or reset through AdminService, applied here too."""
    while True:
        await asyncio.sleep(DOCUMENT_SYNC_S)
        try:
            if await admin.refresh():
                log.info("admin_documents_synced")
        except Exception as exc:  # the database is away a moment, a document fails: next time
            log.warning("admin_documents_sync_failed", error=str(exc)[:200])


def _add_persons(uow: UnitOfWork, records: list[PersonRecord]) -> int:
    return uow.persons.add_many(records)


def _counterpart(role: str, counterpart: str) -> dict[str, str]:
    """As the place of treatment the counterpart is the insured province, and vice versa."""
    return {"insured": counterpart} if role == "treatment" else {"treatment": counterpart}


async def start(cfg: NodeConfig, *, register: bool = True) -> ProvinceNode:
    """Build, serve and register a province node."""
    if cfg.worker > 0:
        forwards.share()  # other processes of this node forward and resolve too
    hub = HubClient(
        cfg.hub, cfg.security.tls if cfg.security else None
    )  # channels belong to the running event loop
    try:
        node = await asyncio.to_thread(build, cfg, hub)
    except BaseException:
        await hub.close()
        raise
    headers = ResponseHeaders(node.data.admdvs, cfg.worker)
    treatment_name = treatment_pb2.DESCRIPTOR.services_by_name["TreatmentService"].full_name
    insured_name = insured_pb2.DESCRIPTOR.services_by_name["InsuredService"].full_name
    treatment = TreatmentServicer(node.treatment, node.db, headers)
    if cfg.admit_latency_ms > 0:
        start, low, high = cfg.admit_limits
        treatment.admission = node.admission = Admission(
            cfg.admit_latency_ms / 1000, start, low, high
        )
    services: list[tuple[Any, Any, str]] = [
        (
            treatment_pb2_grpc.add_TreatmentServiceServicer_to_server,
            treatment,
            treatment_name,
        ),
        (
            insured_pb2_grpc.add_InsuredServiceServicer_to_server,
            InsuredServicer(node.insured, node.db, headers),
            insured_name,
        ),
    ]
    services.append(
        (
            filing_pb2_grpc.add_FilingServiceServicer_to_server,
            FilingServicer(node.filing, node.db, headers, node.publisher, node.treatment.filings),
            filing_pb2.DESCRIPTOR.services_by_name["FilingService"].full_name,
        )
    )
    services.append(
        (
            reconcile_pb2_grpc.add_ReconcileServiceServicer_to_server,
            ReconcileServicer(
                node.db,
                {"treatment": treatment_settlements, "insured": insured_settlements},
                _counterpart,
            ),
            reconcile_pb2.DESCRIPTOR.services_by_name["ReconcileService"].full_name,
        )
    )
    services += correction.services(node, headers)  # 2601 and the 5203-style msgid status
    services += hospital_reconcile.services(node, headers)  # 3201/3202 with its hospitals
    if cfg.admin:
        services.append(
            (
                admin_pb2_grpc.add_AdminServiceServicer_to_server,
                AdminServicer(node.admin),
                admin_pb2.DESCRIPTOR.services_by_name["AdminService"].full_name,
            )
        )
    services.append(
        (
            behaviour_pb2_grpc.add_BehaviourServiceServicer_to_server,
            BehaviourServicer(node.behaving),
            behaviour_pb2.DESCRIPTOR.services_by_name["BehaviourService"].full_name,
        )
    )
    guard = cfg.security.guard(cfg.code) if cfg.security else None
    if cfg.worker > 0 and guard is not None and guard.verifier is not None:
        # One of several processes: a nonce seen by any of them is a replay in all.
        shared = SharedNonces(node.db, tables.tif_nonces, guard.verifier.window_s)
        guard.verifier.shared = shared.remember
    tls = cfg.security.tls if cfg.security else None
    node.running = await start_server(
        services,
        host=cfg.host,
        port=cfg.port,
        tls=tls,
        guard=guard,
        interceptors=[BehaviourInterceptor(node.behaving)],
        reuse_port=cfg.worker > 0,
    )
    if cfg.http_port is not None:
        # The national HTTP interface: the same servicers and guard (one nonce memory).
        interface = http_app.HttpInterface(
            cfg.code,
            {name.rsplit(".", 1)[-1]: servicer for _, servicer, name in services},
            Units(node.db),
            headers,
            guard,
            node.behaving,
        )
        node.http = await http_app.serve(
            interface, cfg.host, cfg.http_port, tls, reuse_port=cfg.worker > 0
        )
    log.info("province_serving", code=cfg.code, endpoint=node.endpoint, http=node.http_url)
    node.publisher.start()
    if cfg.worker > 0:
        node._sync_task = asyncio.create_task(_sync_documents(node.admin))
    if node.in_doubt is not None:
        node.in_doubt.start()  # first, what a crash left pending
    if register:
        await asyncio.wait_for(node.register(), timeout=30)
    return node
