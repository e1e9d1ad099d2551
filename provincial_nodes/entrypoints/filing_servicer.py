"""grpc.aio servicer of FilingService: filings and chronic-disease qualifications at the insured
place (2501, 2510, 2502, 5304, 2503, 2504, 5301), and the hub's FilingChanged notices to the
place of treatment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from provincial_nodes.entrypoints import convert
from provincial_nodes.entrypoints.servicers import Ctx, NodeServicer, envelope_of, reply
from provincial_nodes.service_layer import filing as desk
from provincial_nodes.service_layer.filing_cache import FilingCache
from services.pb.settlenet.v1 import filing_pb2, filing_pb2_grpc
from services.rpc.envelope import Envelope, ResponseHeaders, check_admdvs
from services.rpc.handler import rpc
from services.storage.database import Database
from services.values import clock
from services.values.errors import InvalidField


def _optional_date(field: str, value: str) -> Any:
    return convert.parse_date(field, value) if value else None


def _channel(value: str) -> str:
    if not value:
        raise InvalidField("channel", "", "required: window, app, mini_program or agency")
    return value


class FilingServicer(NodeServicer, filing_pb2_grpc.FilingServiceServicer):
    def __init__(
        self,
        role: desk.FilingRole,
        db: Database,
        headers: ResponseHeaders,
        publisher: desk.Publisher,
        cache: FilingCache,
    ) -> None:
        super().__init__(db, headers)
        self.role = role
        self.publisher = publisher
        self.cache = cache

    def _encoder(self, request: Any, env: Envelope, received: Any, kind: str) -> desk.Encode:
        def encode(change: desk.FilingChange) -> tuple[bytes, bytes]:
            header = self._header(env, received)
            event = filing_pb2.FilingEvent(
                event_id=env.msgid,
                infno=env.infno,
                psn_no=request.psn_no,
                insuplc_admdvs=env.insuplc_admdvs,
                opter=request.header.opter,
                opter_type=request.header.opter_type,
                event_time=clock.format_time(clock.now()),
                previous_dest_admdvs=change.previous_dest_admdvs,
            )
            if kind == "filing":
                assert change.filing is not None
                info = convert.filing_to_proto(change.filing)
                event.filing.CopyFrom(info)
                response: Any = filing_pb2.FilingResponse(header=header, filing=info)
            else:
                assert change.qualification is not None
                qinfo = convert.qualification_to_proto(change.qualification)
                event.qualification.CopyFrom(qinfo)
                response = filing_pb2.QualificationResponse(header=header, qualification=qinfo)
            return bytes(response.SerializeToString()), bytes(event.SerializeToString())

        return encode

    async def _change(
        self, request: Any, infno: str, kind: str, make: Callable[[Envelope], Any], handler: Any
    ) -> bytes:
        received = clock.now()
        env = envelope_of(request, infno, mutating=True, need_fixmedins=False)
        convert.required("psn_no", request.psn_no)
        payload: bytes = await self.units.run(
            handler, make(env), self._encoder(request, env, received, kind)
        )
        self.publisher.poke()
        return payload

    @rpc("2501")
    async def CreateFiling(
        self, request: filing_pb2.CreateFilingRequest, context: Ctx
    ) -> filing_pb2.FilingResponse:
        def make(env: Envelope) -> desk.CreateFiling:
            convert.required("category", request.category)
            return desk.CreateFiling(
                env=env,
                psn_no=request.psn_no,
                category=request.category,
                dest_admdvs=check_admdvs("dest_admdvs", request.dest_admdvs),
                begndate=convert.parse_date("begndate", request.begndate),
                enddate=_optional_date("enddate", request.enddate),
                evidence=request.evidence,
                channel=_channel(request.channel),
                memo=request.memo,
            )

        return reply(
            filing_pb2.FilingResponse,
            await self._change(request, "2501", "filing", make, self.role.create),
        )

    @rpc("2510")
    async def ChangeFiling(
        self, request: filing_pb2.ChangeFilingRequest, context: Ctx
    ) -> filing_pb2.FilingResponse:
        def make(env: Envelope) -> desk.ChangeFiling:
            return desk.ChangeFiling(
                env=env,
                psn_no=request.psn_no,
                filing_id=convert.required("filing_id", request.filing_id),
                dest_admdvs=check_admdvs("dest_admdvs", request.dest_admdvs)
                if request.dest_admdvs
                else "",
                begndate=_optional_date("begndate", request.begndate),
                enddate=_optional_date("enddate", request.enddate),
                evidence=request.evidence,
                channel=request.channel,
                memo=request.memo,
            )

        return reply(
            filing_pb2.FilingResponse,
            await self._change(request, "2510", "filing", make, self.role.change),
        )

    @rpc("2502")
    async def RevokeFiling(
        self, request: filing_pb2.RevokeFilingRequest, context: Ctx
    ) -> filing_pb2.FilingResponse:
        def make(env: Envelope) -> desk.RevokeFiling:
            return desk.RevokeFiling(
                env=env,
                psn_no=request.psn_no,
                filing_id=convert.required("filing_id", request.filing_id),
                memo=request.memo,
            )

        return reply(
            filing_pb2.FilingResponse,
            await self._change(request, "2502", "filing", make, self.role.revoke),
        )

    @rpc("2503")
    async def QualifyChronic(
        self, request: filing_pb2.QualifyChronicRequest, context: Ctx
    ) -> filing_pb2.QualificationResponse:
        def make(env: Envelope) -> desk.QualifyChronic:
            return desk.QualifyChronic(
                env=env,
                psn_no=request.psn_no,
                opsp_dise_code=convert.required("opsp_dise_code", request.opsp_dise_code),
                begndate=convert.parse_date("begndate", request.begndate),
                enddate=_optional_date("enddate", request.enddate),
                hosp_name=request.hosp_name,
            )

        return reply(
            filing_pb2.QualificationResponse,
            await self._change(request, "2503", "qualification", make, self.role.qualify),
        )

    @rpc("2504")
    async def RevokeQualification(
        self, request: filing_pb2.RevokeQualificationRequest, context: Ctx
    ) -> filing_pb2.QualificationResponse:
        def make(env: Envelope) -> desk.RevokeQualification:
            return desk.RevokeQualification(
                env=env,
                psn_no=request.psn_no,
                qual_id=convert.required("qual_id", request.qual_id),
            )

        return reply(
            filing_pb2.QualificationResponse,
            await self._change(
                request, "2504", "qualification", make, self.role.revoke_qualification
            ),
        )

    @rpc("5304")
    async def QueryFilings(
        self, request: filing_pb2.QueryFilingsRequest, context: Ctx
    ) -> filing_pb2.QueryFilingsResponse:
        received = clock.now()
        env = envelope_of(request, "5304", need_fixmedins=False)
        found = await self.units.run(
            self.role.filings, env, convert.required("psn_no", request.psn_no)
        )
        return filing_pb2.QueryFilingsResponse(
            header=self._header(env, received), filings=[convert.filing_to_proto(f) for f in found]
        )

    @rpc("5301")
    async def QueryQualifications(
        self, request: filing_pb2.QueryQualificationsRequest, context: Ctx
    ) -> filing_pb2.QueryQualificationsResponse:
        received = clock.now()
        env = envelope_of(request, "5301", need_fixmedins=False)
        found = await self.units.run(
            self.role.qualifications, env, convert.required("psn_no", request.psn_no)
        )
        return filing_pb2.QueryQualificationsResponse(
            header=self._header(env, received),
            qualifications=[convert.qualification_to_proto(q) for q in found],
        )

    @rpc("filing_changed")
    async def FilingChanged(
        self, request: filing_pb2.FilingEvent, context: Ctx
    ) -> filing_pb2.FilingChangedResponse:
        return filing_pb2.FilingChangedResponse(dropped=self.cache.forget(request.psn_no))
