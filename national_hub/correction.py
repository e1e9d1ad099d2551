"""2601 correction and the 5203-style message status at the hub.

The hub routes a correction to the insured node by ``insuplc_admdvs`` (the insured place decides:
reverse or burn) and then, in one transaction, records whatever of the original settlement and
its reversal it had not routed itself — a 2207 whose answer was lost between the insured node
and the hub took effect there but never reached this journal — posting them to its ledger as
any routed settlement, and closes the omsgid in its journal so a late arrival is refused here
too. The correction is journalled by its own msgid like every mutating call.
"""

from __future__ import annotations

import time
from typing import Any

import grpc
import structlog
from sqlalchemy import Connection, insert

from national_hub.registry import Node, Registry
from national_hub.settlements import record_routed
from national_hub.tables import journal, routed_messages
from services.pb.settlenet.v1 import common_pb2, correction_pb2, correction_pb2_grpc, insured_pb2
from services.rpc.envelope import ResponseHeaders, check_header
from services.rpc.handler import hop_timeout, rpc
from services.rpc.status import from_rpc_error
from services.storage import journal as msg_journal
from services.storage.database import Database
from services.storage.journal import body_hash
from services.values import clock
from services.values.errors import InvalidField

log = structlog.get_logger("hub")
Ctx = grpc.aio.ServicerContext[Any, Any]


class HubCorrection:
    def __init__(self, db: Database, registry: Registry) -> None:
        self.db = db
        self.registry = registry

    def _stub(self, node: Node) -> correction_pb2_grpc.InsuredCorrectionServiceStub:
        return correction_pb2_grpc.InsuredCorrectionServiceStub(node.channel)

    async def correct(
        self, request: correction_pb2.CorrectionRequest
    ) -> correction_pb2.CorrectionResult:
        header = request.header
        node = self.registry.route(header.insuplc_admdvs)
        digest = body_hash(request)
        prior = await self.db.transact(msg_journal.replay, journal, header.msgid, "2601", digest)
        if prior is not None:
            return correction_pb2.CorrectionResult.FromString(prior)
        started = time.perf_counter()
        try:
            result: correction_pb2.CorrectionResult = await self._stub(node).Correct(
                request, timeout=hop_timeout()
            )
        except grpc.aio.AioRpcError as exc:
            raise from_rpc_error(
                exc,
                field="header.insuplc_admdvs",
                value=header.insuplc_admdvs,
                peer=f"insured node {node.province_code} ({node.endpoint})",
            ) from None
        return await self.db.transact(self._record, request, node, result, digest, started)

    @staticmethod
    def _record(
        conn: Connection,
        request: correction_pb2.CorrectionRequest,
        node: Node,
        result: correction_pb2.CorrectionResult,
        digest: str,
        started: float,
    ) -> correction_pb2.CorrectionResult:
        header = request.header
        prior = msg_journal.replay(conn, journal, header.msgid, "2601", digest)
        if prior is not None:  # a concurrent duplicate recorded it first
            return correction_pb2.CorrectionResult.FromString(prior)
        treatment = header.mdtrtarea_admvs[:2]
        learned = []
        for setl, msgid in ((result.original, request.omsgid), (result.reversal, header.msgid)):
            if (
                setl.setl_id
                and record_routed(conn, setl, msgid, node.province_code, treatment) is None
            ):
                learned.append(setl.setl_id)
        if learned:
            log.info("correction_recorded_unrouted", setl_ids=learned, omsgid=request.omsgid)
        msg_journal.close(
            conn,
            journal,
            request.omsgid,
            request.oinfno,
            header.msgid,
            took_effect=result.outcome != "burned",
        )
        msg_journal.record(conn, journal, header.msgid, "2601", digest, result.SerializeToString())
        conn.execute(
            insert(routed_messages).values(
                msgid=header.msgid,
                infno="2601",
                from_province=treatment,
                to_province=node.province_code,
                outcome="OK",
                setl_id=result.reversal.setl_id,
                fund_pay_sumamt=result.reversal.fund_pay_sumamt,
                routed_at=clock.format_time(clock.now()),
                latency_ms=int((time.perf_counter() - started) * 1000),
            )
        )
        return result

    def status(self, conn: Connection, omsgid: str) -> tuple[str, str, bytes]:
        return msg_journal.state(conn, journal, omsgid)

    async def follow(
        self, request: correction_pb2.MessageStatusQuery
    ) -> correction_pb2.MessageStatus:
        node = self.registry.route(request.header.insuplc_admdvs)
        try:
            res: correction_pb2.MessageStatus = await self._stub(node).QueryMessage(
                request, timeout=hop_timeout()
            )
        except grpc.aio.AioRpcError as exc:
            raise from_rpc_error(
                exc,
                field="header.insuplc_admdvs",
                value=request.header.insuplc_admdvs,
                peer=f"insured node {node.province_code} ({node.endpoint})",
            ) from None
        return res


class HubCorrectionServicer(correction_pb2_grpc.CorrectionServiceServicer):
    def __init__(self, handler: HubCorrection, headers: ResponseHeaders) -> None:
        self.handler = handler
        self.headers = headers

    @rpc("2601")
    async def Correct(
        self, request: correction_pb2.CorrectionRequest, context: Ctx
    ) -> correction_pb2.CorrectionResult:
        check_header(request.header if request.HasField("header") else None, "2601")
        if not request.omsgid:
            raise InvalidField("omsgid", "", "the msgid of the call to correct is required")
        return await self.handler.correct(request)

    @rpc("5203")
    async def QueryMessage(
        self, request: correction_pb2.MessageStatusQuery, context: Ctx
    ) -> correction_pb2.MessageStatus:
        received = clock.now()
        check_header(request.header if request.HasField("header") else None, "5203")
        if not request.omsgid:
            raise InvalidField("omsgid", "", "the msgid asked about is required")
        state, infno, response = await self.handler.db.transact(self.handler.status, request.omsgid)
        msg = correction_pb2.MessageStatus(
            header=self.headers.make(common_pb2.ResponseHeader, request.header.msgid, received),
            omsgid=request.omsgid,
            node="hub",
            state=state,
            infno=infno,
        )
        if response and infno in ("2207", "2208"):
            msg.setlinfo.CopyFrom(insured_pb2.SettleResult.FromString(response).setlinfo)
        if request.follow:
            msg.insured.CopyFrom(await self.handler.follow(request))
        return msg


def services(
    db: Database, registry: Registry, headers: ResponseHeaders
) -> list[tuple[Any, Any, str]]:
    """The hub's CorrectionService (for ``start_server``)."""
    return [
        (
            correction_pb2_grpc.add_CorrectionServiceServicer_to_server,
            HubCorrectionServicer(HubCorrection(db, registry), headers),
            correction_pb2.DESCRIPTOR.services_by_name["CorrectionService"].full_name,
        )
    ]
