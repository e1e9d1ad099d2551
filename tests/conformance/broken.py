"""Deliberately broken province nodes for the conformance tests: a real province node of an
in-process network, fronted by a small gRPC proxy on port 0 that passes every call through
(bytes in, bytes out, statuses with their details) except in one way:

    double_charge        a retried 2207 (same msgid, same body) is settled again as a new visit
                         behind the scenes, while the hospital gets the first answer
    commit_on_presettle  a 2206 is sent on as a 2207: it commits
    split_off            2206/2207 answers carry one fen more psn_cash_pay than the split
    no_details           refusals lose their BadRequest and ErrorInfo details
    slow                 2207 takes effect at once and answers DELAY_S late
    revoke_noop          2208 answers a well-formed revocation record and reverses nothing

The proxy serves health and reflection itself (naming the real node's services), so only the
one misbehaviour differs from the node behind it. network.json's ``provinces.<code>.endpoint``
is pointed at the proxy (the treatment role), and for the insured role the hub is told the
proxy is the node (RegisterNode), so the hub routes to it.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.pb.settlenet.v1 import (
    common_pb2,
    hub_pb2,
    hub_pb2_grpc,
    insured_pb2,
    treatment_pb2,
)
from services.rpc.envelope import MsgidFactory

TREATMENT = "/settlenet.v1.TreatmentService/"
INSURED = "/settlenet.v1.InsuredService/"
DELAY_S = 2.0

Behaviour = Callable[["Proxy", str, bytes, grpc.aio.ServicerContext], Awaitable[bytes]]


@dataclass
class Proxy(grpc.GenericRpcHandler):
    upstream: grpc.aio.Channel
    behaviours: dict[str, Behaviour]
    kind: str
    seen: dict[str, bytes] = field(default_factory=dict)
    answers: dict[str, bytes] = field(default_factory=dict)
    visits: dict[str, treatment_pb2.RegisterVisitRequest] = field(default_factory=dict)
    uploads: dict[str, list[treatment_pb2.UploadFeeDetailsRequest]] = field(default_factory=dict)
    settled: dict[str, common_pb2.SetlInfo] = field(default_factory=dict)

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        method = details.method
        if method.startswith("/grpc."):
            return None  # health and reflection: the proxy's own
        behaviour = self.behaviours.get(method, Proxy.forward)

        async def handle(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
            return await behaviour(self, method, request, context)

        return grpc.unary_unary_rpc_method_handler(handle)

    async def call(self, method: str, request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        """Forward; a refusal is passed back with its details (unless ``no_details``)."""
        try:
            answer: bytes = await self.upstream.unary_unary(method)(request, timeout=30)
        except grpc.aio.AioRpcError as exc:
            trailing = () if self.kind == "no_details" else tuple(exc.trailing_metadata() or ())
            await context.abort(exc.code(), exc.details() or "", trailing_metadata=trailing)
        return answer

    async def forward(
        self, method: str, request: bytes, context: grpc.aio.ServicerContext
    ) -> bytes:
        answer = await self.call(method, request, context)
        if method == TREATMENT + "RegisterVisit":
            req = treatment_pb2.RegisterVisitRequest.FromString(request)
            res = treatment_pb2.RegisterVisitResponse.FromString(answer)
            self.visits[res.mdtrt_id] = req
        elif method == TREATMENT + "UploadFeeDetails":
            up = treatment_pb2.UploadFeeDetailsRequest.FromString(request)
            self.uploads.setdefault(up.mdtrt_id, []).append(up)
        return answer


# ---- the misbehaviours ----------------------------------------------------------------------


async def double_charge(
    p: Proxy, method: str, request: bytes, ctx: grpc.aio.ServicerContext
) -> bytes:
    req = treatment_pb2.SettleRequest.FromString(request)
    key = req.header.msgid
    if p.seen.get(key) != request or key not in p.answers:
        answer = await p.call(method, request, ctx)
        p.seen[key], p.answers[key] = request, answer
        return answer
    # The retry: settle the same visit again, as a new one, under fresh msgids.
    fresh = MsgidFactory(req.header.fixmedins_code)
    reg = copy.deepcopy(p.visits[req.mdtrt_id])
    reg.header.msgid = fresh()
    new = treatment_pb2.RegisterVisitResponse.FromString(
        await p.call(TREATMENT + "RegisterVisit", reg.SerializeToString(), ctx)
    )
    for up in p.uploads.get(req.mdtrt_id, []):
        again = copy.deepcopy(up)
        again.header.msgid, again.mdtrt_id = fresh(), new.mdtrt_id
        await p.call(TREATMENT + "UploadFeeDetails", again.SerializeToString(), ctx)
    twice = copy.deepcopy(req)
    twice.header.msgid, twice.mdtrt_id = fresh(), new.mdtrt_id
    await p.call(method, twice.SerializeToString(), ctx)
    return p.answers[key]


async def commit_on_presettle(
    p: Proxy, method: str, request: bytes, ctx: grpc.aio.ServicerContext
) -> bytes:
    if method == TREATMENT + "PreSettle":
        req = treatment_pb2.SettleRequest.FromString(request)
        req.header.infno = "2207"
        res = treatment_pb2.SettleResponse.FromString(
            await p.call(TREATMENT + "Settle", req.SerializeToString(), ctx)
        )
        res.setlinfo.setl_id = ""
        return res.SerializeToString()
    # The insured place's 2206 (ComputeSplit) committed as a 2207 (CommitSettlement).
    claim = insured_pb2.SettleClaim.FromString(request)
    claim.header.infno = "2207"
    res = insured_pb2.SettleResult.FromString(
        await p.call(INSURED + "CommitSettlement", claim.SerializeToString(), ctx)
    )
    res.setlinfo.setl_id = ""
    return res.SerializeToString()


async def split_off(p: Proxy, method: str, request: bytes, ctx: grpc.aio.ServicerContext) -> bytes:
    answer = await p.call(method, request, ctx)
    cls: Any = (
        treatment_pb2.SettleResponse if method.startswith(TREATMENT) else insured_pb2.SettleResult
    )
    res = cls.FromString(answer)
    res.setlinfo.psn_cash_pay += 1
    res.setlinfo.psn_part_amt += 1
    out: bytes = res.SerializeToString()
    return out


async def slow(p: Proxy, method: str, request: bytes, ctx: grpc.aio.ServicerContext) -> bytes:
    answer = await p.call(method, request, ctx)  # done in time, answered late
    await asyncio.sleep(DELAY_S)
    return answer


async def remember_settlement(
    p: Proxy, method: str, request: bytes, ctx: grpc.aio.ServicerContext
) -> bytes:
    """The insured place's 2207, passed through; its settlement kept for :func:`revoke_noop`."""
    answer = await p.call(method, request, ctx)
    res = insured_pb2.SettleResult.FromString(answer)
    p.settled[res.setlinfo.setl_id] = res.setlinfo
    return answer


async def revoke_noop(
    p: Proxy, method: str, request: bytes, ctx: grpc.aio.ServicerContext
) -> bytes:
    if method == INSURED + "RevokeSettlement":
        claim = insured_pb2.RevokeClaim.FromString(request)
        made_up = reversal(p.settled[claim.setl_id], claim.header.msgid)
        return insured_pb2.SettleResult(
            header=common_pb2.ResponseHeader(msgid=claim.header.msgid, infcode=0),
            setlinfo=made_up,
        ).SerializeToString()
    req = treatment_pb2.RevokeSettlementRequest.FromString(request)
    query = treatment_pb2.QuerySettlementRequest(
        header=copy.deepcopy(req.header), mdtrt_id=req.mdtrt_id, setl_id=req.setl_id
    )
    query.header.infno = "5203"
    found = treatment_pb2.QuerySettlementResponse.FromString(
        await p.call(TREATMENT + "QuerySettlement", query.SerializeToString(), ctx)
    )
    settled = next(s for s in found.setlinfo if s.setl_id == req.setl_id)
    res = treatment_pb2.RevokeSettlementResponse(
        header=common_pb2.ResponseHeader(msgid=req.header.msgid, infcode=0),
        setlinfo=reversal(settled, req.header.msgid),
    )
    return res.SerializeToString()


def reversal(settled: common_pb2.SetlInfo, msgid: str) -> common_pb2.SetlInfo:
    """A well-formed revocation record of ``settled`` (amounts negated), made up."""
    record = common_pb2.SetlInfo()
    record.CopyFrom(settled)
    for f in record.DESCRIPTOR.fields:
        if isinstance(getattr(settled, f.name), int) and f.name != "balc":
            setattr(record, f.name, -getattr(settled, f.name))
    for d in record.setldetail:
        d.fund_payamt, d.inscp_scp_amt = -d.fund_payamt, -d.inscp_scp_amt
    record.setl_id = "X" + msgid[-20:]
    record.init_setl_id, record.refd_setl_flag = settled.setl_id, "1"
    record.medins_setl_id = msgid
    return record


KINDS: dict[str, dict[str, Behaviour]] = {
    "double_charge": {TREATMENT + "Settle": double_charge},
    "commit_on_presettle": {
        TREATMENT + "PreSettle": commit_on_presettle,
        INSURED + "ComputeSplit": commit_on_presettle,
    },
    "split_off": {
        TREATMENT + "PreSettle": split_off,
        TREATMENT + "Settle": split_off,
        INSURED + "ComputeSplit": split_off,
        INSURED + "CommitSettlement": split_off,
    },
    "no_details": {},
    "slow": {TREATMENT + "Settle": slow},
    "revoke_noop": {
        TREATMENT + "RevokeSettlement": revoke_noop,
        INSURED + "CommitSettlement": remember_settlement,
        INSURED + "RevokeSettlement": revoke_noop,
    },
}


@dataclass
class Running:
    server: grpc.aio.Server
    endpoint: str
    channel: grpc.aio.Channel

    async def stop(self) -> None:
        await self.server.stop(None)
        await self.channel.close()


async def start(kind: str, upstream_endpoint: str) -> Running:
    """A proxy misbehaving as ``kind`` in front of the node at ``upstream_endpoint``, on port
    0, serving health and reflection of the node's services itself."""
    channel = grpc.aio.insecure_channel(upstream_endpoint)
    proxy = Proxy(channel, KINDS[kind], kind)
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((proxy,))
    checker = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(checker, server)
    names = [
        "settlenet.v1.TreatmentService",
        "settlenet.v1.InsuredService",
        health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
        reflection.SERVICE_NAME,
    ]
    reflection.enable_server_reflection(names, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    for name in ("", *names[:2]):
        await checker.set(name, health_pb2.HealthCheckResponse.SERVING)
    return Running(server, f"127.0.0.1:{port}", channel)


async def route_hub_to(hub_endpoint: str, code: str, endpoint: str, regions: list[str]) -> None:
    """Tell the hub (insecure network) that province ``code`` is served at ``endpoint``."""
    async with grpc.aio.insecure_channel(hub_endpoint) as ch:
        await hub_pb2_grpc.HubServiceStub(ch).RegisterNode(
            hub_pb2.RegisterNodeRequest(
                province_code=code, endpoint=endpoint, admdvs=regions, name=f"broken {code}"
            ),
            timeout=10,
        )
