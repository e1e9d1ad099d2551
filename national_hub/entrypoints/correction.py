"""The hub's CorrectionService servicer: 2601 (route a correction, record what it did), the
5203-style status of a msgid as the hub knows it (and, on request, as the insured node does), and
the hub's in-doubt forwards (list, resolve now)."""

from __future__ import annotations

from typing import Any, TypeAlias

from national_hub.entrypoints import convert
from national_hub.service_layer.correct import Correction
from national_hub.service_layer.in_doubt import HubInDoubt
from services.pb.settlenet.v1 import common_pb2, correction_pb2, correction_pb2_grpc, insured_pb2
from services.rpc import in_doubt as in_doubt_wire
from services.rpc.envelope import ResponseHeaders, check_header
from services.rpc.handler import rpc
from services.storage.journal import body_hash
from services.values import clock
from services.values.errors import InvalidField
from services.values.forward import PENDING

Ctx: TypeAlias = Any
"""grpc.aio.ServicerContext (the grpc package is untyped)."""


class HubCorrectionServicer(correction_pb2_grpc.CorrectionServiceServicer):
    def __init__(
        self, handler: Correction, headers: ResponseHeaders, resolver: HubInDoubt | None = None
    ) -> None:
        self.handler = handler
        self.headers = headers
        self.resolver = resolver

    @rpc("2601")
    async def Correct(
        self, request: correction_pb2.CorrectionRequest, context: Ctx
    ) -> correction_pb2.CorrectionResult:
        check_header(request.header if request.HasField("header") else None, "2601")
        if not request.omsgid:
            raise InvalidField("omsgid", "", "the msgid of the call to correct is required")
        result: correction_pb2.CorrectionResult = await self.handler.correct(
            convert.header(request, "2601"),
            request,
            request.omsgid,
            request.oinfno,
            body_hash(request),
            correction_pb2.CorrectionResult.FromString,
        )
        return result

    @rpc("5203")
    async def QueryMessage(
        self, request: correction_pb2.MessageStatusQuery, context: Ctx
    ) -> correction_pb2.MessageStatus:
        received = clock.now()
        check_header(request.header if request.HasField("header") else None, "5203")
        if not request.omsgid:
            raise InvalidField("omsgid", "", "the msgid asked about is required")
        if self.resolver is not None:  # what the hub forwarded and does not know yet, first
            await self.resolver.resolve(request.omsgid, sweep=True)
        insured = None
        if request.follow:
            insured = await self.handler.follow(convert.header(request, "5203"), request)
        state, infno, response = await self.handler.status(request.omsgid)
        if state == "unknown" and self.resolver is not None:
            forwarded = await self.resolver.row(request.omsgid)
            if forwarded is not None and forwarded.state == PENDING:
                state, infno = PENDING, forwarded.infno
        msg = correction_pb2.MessageStatus(
            header=self.headers.make(common_pb2.ResponseHeader, request.header.msgid, received),
            omsgid=request.omsgid,
            node="hub",
            state=state,
            infno=infno,
        )
        if response and infno in ("2207", "2208"):
            msg.setlinfo.CopyFrom(insured_pb2.SettleResult.FromString(response).setlinfo)
        if insured is not None:
            msg.insured.CopyFrom(insured)
        return msg

    @rpc("in-doubt")
    async def ListInDoubt(
        self, request: correction_pb2.InDoubtQuery, context: Ctx
    ) -> correction_pb2.InDoubtList:
        msgids, limit = in_doubt_wire.query(request)
        assert self.resolver is not None
        rows = await self.resolver.listing(msgids, request.include_resolved, limit)
        return in_doubt_wire.answer("hub", rows, limit)

    @rpc("in-doubt")
    async def ResolveInDoubt(
        self, request: correction_pb2.InDoubtQuery, context: Ctx
    ) -> correction_pb2.InDoubtList:
        msgids, limit = in_doubt_wire.query(request)
        assert self.resolver is not None
        return in_doubt_wire.answer("hub", await self.resolver.sweep(msgids), limit)
