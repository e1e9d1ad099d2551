"""grpc.aio servicers for 2601 correction and the 5203-style message status: the treatment
role's (to hospitals) and the insured role's (to the hub), with their proto conversion (the
treatment node's client of the hub's CorrectionService is in ``adapters/hub_client.py``)."""

from __future__ import annotations

from typing import Any, TypeAlias

from provincial_nodes.adapters.hub_client import HubCorrectionClient, stored_envelope
from provincial_nodes.domain.correction import Outcome, Status
from provincial_nodes.domain.settlement import Settlement
from provincial_nodes.entrypoints import convert
from provincial_nodes.entrypoints.servicers import NodeServicer, envelope_of, reply
from provincial_nodes.service_layer import in_doubt
from provincial_nodes.service_layer.correction import (
    CorrectCommand,
    InsuredCorrection,
    TreatmentCorrection,
)
from provincial_nodes.service_layer.in_doubt import TreatmentInDoubt
from services.pb.settlenet.v1 import (
    common_pb2,
    correction_pb2,
    correction_pb2_grpc,
    treatment_pb2,
)
from services.rpc import in_doubt as in_doubt_wire
from services.rpc.envelope import Envelope, ResponseHeaders, node_msgid
from services.rpc.handler import rpc
from services.storage.database import Database
from services.values import clock
from services.values.forward import PENDING

Ctx: TypeAlias = Any
"""``grpc.aio.ServicerContext`` (grpc ships no type annotations)."""


def command(request: correction_pb2.CorrectionRequest, env: Envelope) -> CorrectCommand:
    return CorrectCommand(
        env=env,
        psn_no=convert.required("psn_no", request.psn_no),
        omsgid=convert.required("omsgid", request.omsgid),
        oinfno=convert.required("oinfno", request.oinfno),
    )


def result_proto(
    omsgid: str, out: Outcome, header: common_pb2.ResponseHeader
) -> correction_pb2.CorrectionResult:
    msg = correction_pb2.CorrectionResult(header=header, omsgid=omsgid, outcome=out.outcome)
    if out.original is not None:
        msg.original.CopyFrom(convert.settlement_to_proto(out.original))
    if out.reversal is not None:
        msg.reversal.CopyFrom(convert.settlement_to_proto(out.reversal))
    return msg


def status_proto(
    node: str, omsgid: str, st: Status, header: common_pb2.ResponseHeader
) -> correction_pb2.MessageStatus:
    msg = correction_pb2.MessageStatus(
        header=header, omsgid=omsgid, node=node, state=st.state, infno=st.infno
    )
    if st.setlinfo is not None:
        msg.setlinfo.CopyFrom(convert.settlement_to_proto(st.setlinfo))
    if st.reversal is not None:
        msg.reversal.CopyFrom(convert.settlement_to_proto(st.reversal))
    return msg


class TreatmentCorrectionServicer(NodeServicer, correction_pb2_grpc.CorrectionServiceServicer):
    """Served to hospitals."""

    def __init__(
        self,
        handler: TreatmentCorrection,
        hub: HubCorrectionClient,
        db: Database,
        headers: ResponseHeaders,
        code: str,
        resolver: TreatmentInDoubt | None = None,
    ) -> None:
        super().__init__(db, headers)
        self.handler = handler
        self.hub = hub
        self.code = code
        self.resolver = resolver

    @rpc("2601")
    async def Correct(
        self, request: correction_pb2.CorrectionRequest, context: Ctx
    ) -> correction_pb2.CorrectionResult:
        received = clock.now()
        env = envelope_of(request, "2601", mutating=True)

        def encode(out: Outcome) -> bytes:
            return bytes(
                result_proto(request.omsgid, out, self._header(env, received)).SerializeToString()
            )

        payload = await self.handler.correct(command(request, env), encode)
        return reply(correction_pb2.CorrectionResult, payload)

    @rpc("5203")
    async def QueryMessage(
        self, request: correction_pb2.MessageStatusQuery, context: Ctx
    ) -> correction_pb2.MessageStatus:
        received = clock.now()
        env = envelope_of(request, "5203")
        omsgid = convert.required("omsgid", request.omsgid)
        self.handler.role.institution(env)
        forwarded = (
            await self.resolver.resolve(omsgid, sweep=True) if self.resolver is not None else None
        )
        st = await self.units.run(self.handler.status, omsgid)
        if forwarded is not None and forwarded.state == PENDING:
            st = Status(PENDING, forwarded.infno)
        msg = status_proto(f"treatment {self.code}", omsgid, st, self._header(env, received))
        if request.follow:
            hub = await self.hub.status(request)
            msg.insured.CopyFrom(hub.insured)
            hub.ClearField("insured")
            msg.hub.CopyFrom(hub)
        return msg

    @rpc("in-doubt")
    async def ListInDoubt(
        self, request: correction_pb2.InDoubtQuery, context: Ctx
    ) -> correction_pb2.InDoubtList:
        msgids, limit = in_doubt_wire.query(request)
        rows = await self.units.run(in_doubt.listing, msgids, request.include_resolved, limit)
        return in_doubt_wire.answer(f"treatment {self.code}", rows, limit)

    @rpc("in-doubt")
    async def ResolveInDoubt(
        self, request: correction_pb2.InDoubtQuery, context: Ctx
    ) -> correction_pb2.InDoubtList:
        msgids, limit = in_doubt_wire.query(request)
        assert self.resolver is not None
        rows = await self.resolver.sweep(msgids)
        return in_doubt_wire.answer(f"treatment {self.code}", rows, limit)


class InsuredCorrectionServicer(NodeServicer, correction_pb2_grpc.InsuredCorrectionServiceServicer):
    """Served to the hub."""

    def __init__(
        self, handler: InsuredCorrection, db: Database, headers: ResponseHeaders, code: str
    ) -> None:
        super().__init__(db, headers)
        self.handler = handler
        self.code = code

    @rpc("2601")
    async def Correct(
        self, request: correction_pb2.CorrectionRequest, context: Ctx
    ) -> correction_pb2.CorrectionResult:
        received = clock.now()
        env = envelope_of(request, "2601", mutating=True, need_fixmedins=False)

        def encode(out: Outcome) -> bytes:
            return bytes(
                result_proto(request.omsgid, out, self._header(env, received)).SerializeToString()
            )

        payload = await self.units.run(self.handler.correct, command(request, env), encode)
        return reply(correction_pb2.CorrectionResult, payload)

    @rpc("5203")
    async def QueryMessage(
        self, request: correction_pb2.MessageStatusQuery, context: Ctx
    ) -> correction_pb2.MessageStatus:
        received = clock.now()
        env = envelope_of(request, "5203", need_fixmedins=False)
        omsgid = convert.required("omsgid", request.omsgid)
        st = await self.units.run(self.handler.status, omsgid)
        return status_proto(f"insured {self.code}", omsgid, st, self._header(env, received))


def services(node: Any, headers: ResponseHeaders) -> list[tuple[Any, Any, str]]:
    """The two correction services of a started province node (for ``start_server``); the
    node's in-doubt resolver is made here too (``node.in_doubt``; started by the caller)."""
    hub = HubCorrectionClient(node.hub.channel, node.hub.target)
    treatment = TreatmentCorrection(node.treatment, hub.correct, convert.decode_settlement)
    insured = InsuredCorrection(node.insured, convert.decode_settlement, convert.encode_settlement)

    def encode_answer(msgid: str, s: Settlement) -> bytes:
        return bytes(
            treatment_pb2.SettleResponse(
                header=headers.make(common_pb2.ResponseHeader, msgid, clock.now()),
                setlinfo=convert.settlement_to_proto(s),
            ).SerializeToString()
        )

    def encode_correction(cmd: CorrectCommand, out: Outcome) -> bytes:
        header = headers.make(common_pb2.ResponseHeader, cmd.env.msgid, clock.now())
        return bytes(result_proto(cmd.omsgid, out, header).SerializeToString())

    node.in_doubt = TreatmentInDoubt(
        node.treatment,
        treatment,
        hub.follow,
        stored_envelope,
        encode_answer,
        encode_correction,
        node_msgid,
        node.cfg.resolve_interval_s,
    )
    names = correction_pb2.DESCRIPTOR.services_by_name
    return [
        (
            correction_pb2_grpc.add_CorrectionServiceServicer_to_server,
            TreatmentCorrectionServicer(
                treatment, hub, node.db, headers, node.data.code, node.in_doubt
            ),
            names["CorrectionService"].full_name,
        ),
        (
            correction_pb2_grpc.add_InsuredCorrectionServiceServicer_to_server,
            InsuredCorrectionServicer(insured, node.db, headers, node.data.code),
            names["InsuredCorrectionService"].full_name,
        ),
    ]
