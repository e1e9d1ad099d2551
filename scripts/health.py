"""``settlenet health``: ask a node's standard gRPC health service whether it serves; exit 0 if
it does. The container image's HEALTHCHECK and the Kubernetes probes run it (scripts/deploy):
a Kubernetes ``grpc:`` probe speaks plaintext, and a secure node takes only clients with a
certificate of the network's CA, so the probe runs inside the container with the node's own
certificate.

    settlenet health --address 127.0.0.1:7000 --tls-dir /certs --as hub
    settlenet health --address 127.0.0.1:7000 --insecure
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from scripts.options import Subparsers
from services.rpc.server import CHANNEL_OPTIONS
from services.security.material import MaterialError, tls_files
from services.security.pki import NAME_RE


def _identity(text: str) -> str:
    if not NAME_RE.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r}: give hub, operator, admin, access or province-NN"
        )
    return text


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "health",
        help="is a node serving? (gRPC health; exit 0 if so: container and cluster probes)",
        description="Ask a node's gRPC health service (grpc.health.v1.Health/Check) whether it "
        "serves: prints SERVING and exits 0, or prints what it heard and exits 1. With "
        "--tls-dir it presents the certificate --as names (a secure node takes only clients "
        "with a certificate of the network's CA; every identity may ask for health).",
    )
    p.add_argument("--address", required=True, help="the node's HOST:PORT")
    sec = p.add_mutually_exclusive_group(required=True)
    sec.add_argument(
        "--tls-dir", type=Path, help="folder with ca.pem and the certificate --as names"
    )
    sec.add_argument("--insecure", action="store_true", help="the node runs --insecure")
    p.add_argument(
        "--as",
        dest="identity",
        type=_identity,
        default="access",
        help="the certificate to present: hub, province-13, ... (default access)",
    )
    p.add_argument(
        "--service", default="", help="the service to ask about (default '': the whole server)"
    )
    p.add_argument(
        "--timeout", type=float, default=3.0, help="seconds to wait for the answer (default 3)"
    )


def check(
    address: str, credentials: grpc.ChannelCredentials | None, service: str, timeout: float
) -> str:
    """The status the node at ``address`` gives ``service`` (SERVING, NOT_SERVING, ...)."""
    options = [o for o in CHANNEL_OPTIONS if o[0] != "grpc.keepalive_time_ms"]
    channel = (
        grpc.secure_channel(address, credentials, options=options)
        if credentials is not None
        else grpc.insecure_channel(address, options=options)
    )
    with channel:
        stub = health_pb2_grpc.HealthStub(channel)
        answer = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status))


def main(args: argparse.Namespace) -> int:
    credentials = None
    if args.tls_dir is not None:
        try:
            credentials = tls_files(args.tls_dir, args.identity).channel_credentials()
        except (MaterialError, OSError) as exc:
            print(f"settlenet health: {exc}", file=sys.stderr)
            return 2
    try:
        status = check(args.address, credentials, args.service, args.timeout)
    except grpc.RpcError as exc:
        code = exc.code()
        name = code.name if code is not None else "UNKNOWN"
        print(f"{args.address}: {name}: {exc.details()}")
        return 1
    print(f"{args.address}: {status}")
    return 0 if status == "SERVING" else 1
