"""The province node's clients of the national hub (domain values in and out): the hub
service (1101, 2206–2208, registration, filing events) and its CorrectionService (2601, 5203)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import grpc

from provincial_nodes.adapters import proto
from provincial_nodes.adapters.proto import ClaimOut, CorrectionOut, PersonQuestion, RevocationOut
from provincial_nodes.domain.correction import Outcome, Status
from provincial_nodes.domain.person import Person, PersonView
from provincial_nodes.domain.settlement import Settlement
from services.pb.settlenet.v1 import (
    common_pb2,
    correction_pb2,
    correction_pb2_grpc,
    filing_pb2,
    filing_pb2_grpc,
    hub_pb2,
    hub_pb2_grpc,
    insured_pb2,
)
from services.rpc.envelope import Envelope
from services.rpc.handler import hop_timeout
from services.rpc.server import Tls, open_channel
from services.rpc.status import from_rpc_error
from services.values import certno as certnos


@dataclass(frozen=True, slots=True)
class Prepared:
    """A request ready to send: the message and its bytes (what the in-doubt table keeps)."""

    message: Any
    data: bytes


_STORED: dict[str, Any] = {
    "2207": insured_pb2.SettleClaim,
    "2208": insured_pb2.RevokeClaim,
    "2601": correction_pb2.CorrectionRequest,
}


def stored_envelope(request: bytes, infno: str) -> Envelope:
    """The envelope of a request kept in the in-doubt table (as it was sent to the hub)."""
    header = _STORED[infno].FromString(request).header
    return replace(Envelope.of(header), infno=infno)


class HubClient:
    def __init__(self, target: str, tls: Tls | None = None) -> None:
        self.target = target
        self.channel = open_channel(target, tls, hop="treatment->hub")
        # The generated gRPC stubs carry no annotations.
        self.stub = hub_pb2_grpc.HubServiceStub(self.channel)
        self.registry = filing_pb2_grpc.FilingRegistryServiceStub(self.channel)

    async def close(self) -> None:
        await self.channel.close()

    async def publish_filing(self, event: bytes) -> None:
        """Send one filing change (a serialized FilingEvent) to the national registry."""
        await self.registry.PublishFiling(filing_pb2.FilingEvent.FromString(event), timeout=5)

    def _failed(self, exc: grpc.aio.AioRpcError, insuplc_admdvs: str) -> Exception:
        return from_rpc_error(
            exc,
            field="header.insuplc_admdvs",
            value=insuplc_admdvs,
            peer=f"national hub {self.target}",
        )

    async def register(
        self,
        province_code: str,
        endpoint: str,
        admdvs: list[str],
        name: str,
        http: str = "",
        version: str = "",
    ) -> None:
        await self.stub.RegisterNode(
            hub_pb2.RegisterNodeRequest(
                province_code=province_code,
                endpoint=endpoint,
                admdvs=admdvs,
                name=name,
                http_endpoint=http,
                version=version,
            ),
            timeout=5,
            wait_for_ready=True,
        )

    async def query_person(self, q: PersonQuestion) -> PersonView:
        req = insured_pb2.PersonQuery(
            header=q.env.to_header(common_pb2.RequestHeader),
            certno=q.certno,
            psn_no=q.psn_no,
            psn_name=q.psn_name,
            psn_cert_type="01",
        )
        try:
            info = await self.stub.QueryPerson(req, timeout=hop_timeout())
        except grpc.aio.AioRpcError as exc:
            raise self._failed(exc, q.env.insuplc_admdvs) from None
        b, i = info.baseinfo, info.insuinfo[0]
        person = Person(
            psn_no=b.psn_no,
            certno=b.certno,
            psn_name=b.psn_name,
            gend=b.gend,
            brdy=certnos.birth_date(b.certno),
            insutype=i.insutype,
            psn_type=i.psn_type,
            insuplc_admdvs=i.insuplc_admdvs,
            cvlserv_flag=i.cvlserv_flag,
            emp_name=i.emp_name,
            psn_insu_date=date.fromisoformat(i.psn_insu_date),
            psn_insu_stas=i.psn_insu_stas,
            identities=tuple(proto.identity_from_proto(x) for x in info.idetinfo),
        )
        return PersonView(
            person,
            i.balc,
            tuple(proto.filing_from_proto(f) for f in info.fileinfo),
            tuple(proto.qualification_from_proto(x) for x in info.opspinfo),
        )

    async def pre_settle(self, cmd: ClaimOut) -> Settlement:
        try:
            res = await self.stub.PreSettle(proto.settle_claim(cmd), timeout=hop_timeout())
        except grpc.aio.AioRpcError as exc:
            raise self._failed(exc, cmd.env.insuplc_admdvs) from None
        return proto.settlement_from_proto(res.setlinfo)

    async def settle(self, cmd: ClaimOut) -> Settlement:
        return await self.send_settle(self.prepare_settle(cmd))

    @staticmethod
    def prepare_settle(cmd: ClaimOut) -> Prepared:
        msg = proto.settle_claim(cmd)
        return Prepared(msg, bytes(msg.SerializeToString()))

    async def send_settle(self, sent: Prepared) -> Settlement:
        try:
            res = await self.stub.Settle(sent.message, timeout=hop_timeout())
        except grpc.aio.AioRpcError as exc:
            raise self._failed(exc, sent.message.header.insuplc_admdvs) from None
        return proto.settlement_from_proto(res.setlinfo)

    async def revoke(self, cmd: RevocationOut) -> Settlement:
        try:
            res = await self.stub.RevokeSettlement(proto.revoke_claim(cmd), timeout=hop_timeout())
        except grpc.aio.AioRpcError as exc:
            raise self._failed(exc, cmd.env.insuplc_admdvs) from None
        return proto.settlement_from_proto(res.setlinfo)


class HubCorrectionClient:
    """The treatment node's calls to the hub's CorrectionService (on the hub channel)."""

    def __init__(self, channel: grpc.aio.Channel, target: str) -> None:
        self.stub = correction_pb2_grpc.CorrectionServiceStub(channel)
        self.target = target

    async def correct(self, cmd: CorrectionOut) -> Outcome:
        try:
            res = await self.stub.Correct(proto.correction_request(cmd), timeout=hop_timeout())
        except grpc.aio.AioRpcError as exc:
            raise from_rpc_error(
                exc,
                field="header.insuplc_admdvs",
                value=cmd.env.insuplc_admdvs,
                peer=f"national hub {self.target}",
            ) from None
        return proto.outcome_from_proto(res)

    async def status(
        self, request: correction_pb2.MessageStatusQuery
    ) -> correction_pb2.MessageStatus:
        try:
            res: correction_pb2.MessageStatus = await self.stub.QueryMessage(
                request, timeout=hop_timeout()
            )
        except grpc.aio.AioRpcError as exc:
            raise from_rpc_error(
                exc,
                field="header.insuplc_admdvs",
                value=request.header.insuplc_admdvs,
                peer=f"national hub {self.target}",
            ) from None
        return res

    async def follow(self, env: Envelope) -> tuple[Status, Status]:
        """What the hub and the insured place know of ``env.msgid`` (5203 with follow; the
        query's header is ``env``'s, as infno 5203)."""
        request = correction_pb2.MessageStatusQuery(
            header=replace(env, infno="5203").to_header(common_pb2.RequestHeader),
            omsgid=env.msgid,
            follow=True,
        )
        res = await self.status(request)
        return proto.status_from_proto(res), proto.status_from_proto(res.insured)
