"""Service checks: the node answers the standard gRPC health and reflection services (anyone
who completes the TLS handshake may ask them), naming the service of the role under test."""

from __future__ import annotations

from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from scripts.conformance.context import Context
from scripts.conformance.registry import TREATMENT, Evidence, check

SERVICE_OF_ROLE = {
    TREATMENT: "settlenet.v1.TreatmentService",
    "insured": "settlenet.v1.InsuredService",
}


@check("service.health_serving")
async def health_serving(ctx: Context, ev: Evidence) -> None:
    """grpc.health.v1 Check answers SERVING for the server ("") and for the role's service."""
    stub = health_pb2_grpc.HealthStub(ctx.node_channel)
    for name in ("", SERVICE_OF_ROLE[ctx.role]):
        req = health_pb2.HealthCheckRequest(service=name)
        ev.request("Health/Check", req)
        res = await stub.Check(req, timeout=ctx.options.timeout)
        ev.answer("Health/Check", res)
        ev.expect(
            res.status == health_pb2.HealthCheckResponse.SERVING,
            f"SERVING for {name or 'the server'!r}",
            health_pb2.HealthCheckResponse.ServingStatus.Name(res.status),
        )


@check("service.reflection_lists_services")
async def reflection_lists_services(ctx: Context, ev: Evidence) -> None:
    """Server reflection lists the role's settlenet service and grpc.health.v1.Health, and
    describes the role's service."""
    stub = reflection_pb2_grpc.ServerReflectionStub(ctx.node_channel)
    want = SERVICE_OF_ROLE[ctx.role]
    requests = [
        reflection_pb2.ServerReflectionRequest(list_services=""),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol=want),
    ]
    ev.request("ServerReflectionInfo", [str(r).strip() for r in requests])
    answers = [
        a async for a in stub.ServerReflectionInfo(iter(requests), timeout=ctx.options.timeout)
    ]
    listed = {s.name for s in answers[0].list_services_response.service} if answers else set()
    ev.answer("list_services", sorted(listed))
    ev.expect(want in listed, f"{want} listed", sorted(listed))
    ev.expect("grpc.health.v1.Health" in listed, "grpc.health.v1.Health listed", sorted(listed))
    files = (
        len(answers[1].file_descriptor_response.file_descriptor_proto) if len(answers) > 1 else 0
    )
    ev.answer("file_containing_symbol", f"{files} file descriptor(s)")
    ev.expect(files > 0, f"the file that declares {want}", f"{files} files")
