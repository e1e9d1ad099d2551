"""HospitalReconcileService: a hospital reconciles its books with its treatment node (3201
totals, 3202 details). The node reads the settlements it recorded for that hospital in the
period and compares them with what the hospital sent (``services.reconcile``)."""

from __future__ import annotations

from typing import Any, TypeAlias

from provincial_nodes.entrypoints.servicers import NodeServicer
from provincial_nodes.service_layer.treatment import TreatmentRole
from services.pb.settlenet.v1 import (
    hospital_reconcile_pb2,
    hospital_reconcile_pb2_grpc,
    reconcile_pb2,
)
from services.reconcile import records as reconcile
from services.rpc.envelope import Envelope, ResponseHeaders, check_date, check_header
from services.rpc.handler import rpc
from services.storage.database import Database
from services.values import clock
from services.values.errors import InvalidField

Ctx: TypeAlias = Any
"""``grpc.aio.ServicerContext`` (grpc ships no type annotations)."""
MAX_RECORDS = 100_000
SUMS = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay")


def _period(request: Any) -> tuple[str, str, str]:
    for name in ("begndate", "enddate"):
        if getattr(request, name):
            check_date(name, getattr(request, name))
    if request.counterpart and (len(request.counterpart) != 2 or not request.counterpart.isdigit()):
        raise InvalidField("counterpart", request.counterpart, "a two-digit province code")
    return request.begndate, request.enddate, request.counterpart


def _record(msg: reconcile_pb2.ReconcileRecord) -> reconcile.Record:
    return reconcile.Record(**{f: getattr(msg, f) for f in reconcile.Record.__dataclass_fields__})


class HospitalReconcileServicer(
    NodeServicer, hospital_reconcile_pb2_grpc.HospitalReconcileServiceServicer
):
    def __init__(self, role: TreatmentRole, db: Database, headers: ResponseHeaders) -> None:
        super().__init__(db, headers)
        self.role = role

    def _envelope(self, request: Any, infno: str) -> Envelope:
        check_header(
            request.header if request.HasField("header") else None, infno, need_insuplc=False
        )
        env = Envelope.of(request.header)
        self.role.institution(env)
        return env

    async def _node_records(self, env: Envelope, request: Any) -> list[reconcile.Record]:
        begndate, enddate, counterpart = _period(request)

        return await self.units.run(self.role.hospital_records, env, begndate, enddate, counterpart)

    @rpc("3201")
    async def Totals(
        self, request: hospital_reconcile_pb2.HospitalTotalsRequest, context: Ctx
    ) -> hospital_reconcile_pb2.HospitalTotalsResult:
        received = clock.now()
        env = self._envelope(request, "3201")
        mine = await self._node_records(env, request)
        node = {"count": len(mine), **{k: sum(getattr(r, k) for r in mine) for k in SUMS}}
        differing = [k for k, v in node.items() if getattr(request, k) != v]
        return hospital_reconcile_pb2.HospitalTotalsResult(
            header=self._header(env, received),
            stmt_rslt="1" if differing else "0",
            differing=differing,
            **node,
        )

    @rpc("3202")
    async def Details(
        self, request: hospital_reconcile_pb2.HospitalDetailsRequest, context: Ctx
    ) -> hospital_reconcile_pb2.HospitalDetailsResult:
        received = clock.now()
        env = self._envelope(request, "3202")
        if len(request.records) > MAX_RECORDS:
            raise InvalidField(
                "records",
                len(request.records),
                f"at most {MAX_RECORDS} records in one request; split the period",
            )
        theirs, seen = [], set()
        for i, r in enumerate(request.records):
            if not r.setl_id:
                raise InvalidField(f"records[{i}].setl_id", "", "required")
            if r.setl_id in seen:
                raise InvalidField(f"records[{i}].setl_id", r.setl_id, "listed twice")
            seen.add(r.setl_id)
            theirs.append(_record(r))
        mine = await self._node_records(env, request)
        diffs = reconcile.compare(theirs, mine)
        kinds = {
            "extra": "missing_at_node",
            "missing": "missing_at_hospital",
            "different": "different",
        }
        node_name = f"treatment node {env.mdtrtarea_admvs[:2]}"
        out = []
        for d in diffs:
            item = hospital_reconcile_pb2.HospitalDifference(
                setl_id=d.setl_id, kind=kinds[d.kind], text=d.describe("the hospital", node_name)
            )
            if d.first is not None:
                item.hospital.CopyFrom(reconcile_pb2.ReconcileRecord(**d.first))
            if d.second is not None:
                item.node.CopyFrom(reconcile_pb2.ReconcileRecord(**d.second))
            out.append(item)
        agreed = len(set(seen) & {r.setl_id for r in mine}) - sum(
            1 for d in diffs if d.kind == "different"
        )
        return hospital_reconcile_pb2.HospitalDetailsResult(
            header=self._header(env, received),
            stmt_rslt="1" if out else "0",
            agreed=agreed,
            differences=out,
        )


def services(node: Any, headers: ResponseHeaders) -> list[tuple[Any, Any, str]]:
    return [
        (
            hospital_reconcile_pb2_grpc.add_HospitalReconcileServiceServicer_to_server,
            HospitalReconcileServicer(node.treatment, node.db, headers),
            hospital_reconcile_pb2.DESCRIPTOR.services_by_name[
                "HospitalReconcileService"
            ].full_name,
        )
    ]
