"""The hub's FilingRegistryService servicer: PublishFiling and QueryRegistry."""

from __future__ import annotations

from typing import Any, TypeAlias

from national_hub.entrypoints import convert
from national_hub.service_layer.filing_registry import FilingRegistry
from services.pb.settlenet.v1 import filing_pb2, filing_pb2_grpc
from services.rpc.handler import rpc

Ctx: TypeAlias = Any
"""grpc.aio.ServicerContext (the grpc package is untyped)."""


class FilingRegistryServicer(filing_pb2_grpc.FilingRegistryServiceServicer):
    def __init__(self, handler: FilingRegistry) -> None:
        self.handler = handler

    @rpc("publish_filing")
    async def PublishFiling(
        self, request: filing_pb2.FilingEvent, context: Ctx
    ) -> filing_pb2.FilingEventAck:
        recorded = await self.handler.publish(convert.published(request))
        return filing_pb2.FilingEventAck(recorded=recorded)

    @rpc("query_registry")
    async def QueryRegistry(
        self, request: filing_pb2.RegistryQuery, context: Ctx
    ) -> filing_pb2.RegistryResponse:
        rows = await self.handler.query(convert.registry_query(request))
        return convert.registry_response(rows)
