"""The hub's health probe of a registered node (the standard gRPC health service, over the
channel the hub already holds to it): what the web view shows per node."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from national_hub.adapters.insured_node import Link

_health_stub: Callable[[Any], Any] = health_pb2_grpc.HealthStub


async def probe(link: Link, timeout_s: float = 1.0) -> str:
    """ "SERVING", "NOT_SERVING", … or the gRPC status name of a failed probe."""
    try:
        answer = await _health_stub(link.channel).Check(
            health_pb2.HealthCheckRequest(), timeout=timeout_s
        )
    except grpc.aio.AioRpcError as exc:
        return str(exc.code().name)
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status))
