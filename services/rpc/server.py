"""Server and channel bootstrap shared by the hub and province nodes.

Every server serves the standard ``grpc.health.v1.Health`` service and server reflection, so
grpcurl, ghz and Postman work against any node without settlenet's stubs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.security.client import Keyring, SigningInterceptor, TlsFiles

MAX_MESSAGE_BYTES = 4 * 1024 * 1024

CHANNEL_OPTIONS: list[tuple[str, Any]] = [
    # Reconnect quickly to a node that restarted, instead of backing off for up to two minutes.
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.min_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 2000),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.keepalive_time_ms", 30_000),
]
SERVER_OPTIONS: list[tuple[str, Any]] = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    # Explicit (gRPC sets SO_REUSEPORT on Linux by default): one process per port, so a second
    # node started on a taken port fails instead of silently sharing it. A node of several
    # processes (``--processes N``, docs/scaleout.md) turns it on in each of them.
    ("grpc.so_reuseport", 0),
]


Tls = TlsFiles
"""Mutual TLS material: this node's certificate and key, and the network's CA."""


@dataclass
class Running:
    """A started server and what it serves on."""

    server: grpc.aio.Server
    port: int
    health: health.aio.HealthServicer

    async def stop(self, grace: float | None = 1.0) -> None:
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)


Adder = Callable[[Any, grpc.aio.Server], None]


async def start_server(
    services: Sequence[tuple[Adder, Any, str]],
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    tls: Tls | None = None,
    guard: grpc.aio.ServerInterceptor | None = None,
    interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
    reuse_port: bool = False,
) -> Running:
    """Start a grpc.aio server with ``services`` (adder, servicer, full service name), health
    and reflection. ``port=0`` binds an ephemeral port; the bound one is returned. With ``tls``
    it takes only clients with a certificate of the network's CA; ``guard`` (the authorization
    interceptor, :mod:`services.security.guard`) sees every call first, then ``interceptors``
    in order (a province node's behaviour rules). ``reuse_port``: one of several processes
    serving the same port (SO_REUSEPORT; the kernel spreads connections over them)."""
    chain = ([guard] if guard is not None else []) + list(interceptors)
    options = [o for o in SERVER_OPTIONS if o[0] != "grpc.so_reuseport"]
    options.append(("grpc.so_reuseport", 1 if reuse_port else 0))
    server = grpc.aio.server(options=options, interceptors=chain or None)
    names = []
    for add, servicer, full_name in services:
        add(servicer, server)
        names.append(full_name)
    checker = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(checker, server)
    names += [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME]
    reflection.enable_server_reflection(names, server)
    address = f"{host}:{port}"
    bound = (
        server.add_secure_port(address, tls.server_credentials())
        if tls
        else server.add_insecure_port(address)
    )
    await server.start()
    for name in names[:-2]:
        await checker.set(name, health_pb2.HealthCheckResponse.SERVING)
    await checker.set("", health_pb2.HealthCheckResponse.SERVING)
    return Running(server=server, port=bound, health=checker)


def open_channel(
    target: str, tls: Tls | None = None, *, hop: str = "", keyring: Keyring | None = None
) -> grpc.aio.Channel:
    """An aio channel to another node, with fast reconnects and bounded message sizes. With
    ``tls`` it presents that certificate; with ``keyring`` it signs every call with x-tif
    credentials. ``hop`` names the link for the test fault transport (``services.faults``); no
    faults unless one is installed."""
    from services.faults import transport as faults

    chosen: list[Any] = list(faults.interceptors(hop))
    if keyring is not None:
        # Innermost: every copy the fault transport sends (a duplicate, a retry) is signed
        # afresh, so a duplicated message reaches the handler and tests msgid idempotency
        # instead of stopping at the nonce check.
        chosen.append(SigningInterceptor(keyring))
    if tls:
        return grpc.aio.secure_channel(
            target, tls.channel_credentials(), options=CHANNEL_OPTIONS, interceptors=chosen
        )
    return grpc.aio.insecure_channel(target, options=CHANNEL_OPTIONS, interceptors=chosen)
