"""``settlenet call``: one RPC by name with a JSON body, as someone, over the network's TLS.

    settlenet call --target DIR/network.json --as H11010100001 \\
        TreatmentService/QueryPerson '{"header": {"insuplc_admdvs": "130100"}, "certno": "…"}'

A grpcurl for a secure settlenet network: it presents the certificate of the identity named by
``--as`` (operator, admin, hub, access, a province node: province-13 or 13) or, for an
institution's ``fixmedins_code`` or a filing desk's code, the access certificate and an x-tif
signature with that code's credentials. The request is JSON in the proto's field names; for an
institution or a desk the envelope fields left out are filled as a hospital system fills them
(infno of the RPC, a fresh msgid, inf_time, fixmedins_code, mdtrtarea_admvs, opter). The answer
is printed as JSON; a refusal prints its status, field violations and reason, exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message

from scripts import connect, target
from scripts.options import Subparsers
from services.rpc.envelope import MsgidFactory
from services.rpc.status import describe_rpc_error
from services.values import clock

HUB_SERVICES = {
    "HubService",
    "FilingRegistryService",
    "AdvanceService",
    "ClearingService",
    "TopUpService",
}
PROVINCE_SERVICES = {
    "TreatmentService",
    "InsuredService",
    "FilingService",
    "HospitalReconcileService",
    "InsuredCorrectionService",
    "AdminService",
    "BehaviourService",
}
"""Where each service is served; ReconcileService and CorrectionService are on both (the hub
unless --node or an institution's or desk's code says a province)."""

INFNO = {
    ("TreatmentService", "QueryPerson"): "1101",
    ("TreatmentService", "RegisterVisit"): "2201",
    ("TreatmentService", "UploadFeeDetails"): "2204",
    ("TreatmentService", "PreSettle"): "2206",
    ("TreatmentService", "Settle"): "2207",
    ("TreatmentService", "RevokeSettlement"): "2208",
    ("TreatmentService", "QuerySettlement"): "5203",
    ("TreatmentService", "CancelRegistration"): "2202",
    ("TreatmentService", "UploadDiagnoses"): "2203",
    ("TreatmentService", "CancelFeeDetails"): "2205",
    ("TreatmentService", "QueryFeeDetails"): "5204",
    ("CorrectionService", "Correct"): "2601",
    ("CorrectionService", "QueryMessage"): "5203",
    ("HospitalReconcileService", "Totals"): "3201",
    ("HospitalReconcileService", "Details"): "3202",
    ("FilingService", "CreateFiling"): "2501",
    ("FilingService", "ChangeFiling"): "2510",
    ("FilingService", "RevokeFiling"): "2502",
    ("FilingService", "QualifyChronic"): "2503",
    ("FilingService", "RevokeQualification"): "2504",
    ("FilingService", "QueryFilings"): "5304",
    ("FilingService", "QueryQualifications"): "5301",
}
"""The transaction number a hospital's or desk's envelope carries for each RPC."""


class CallError(Exception):
    """A method, a body or an identity that cannot be called."""


def _modules() -> list[Any]:
    from services.pb.settlenet.v1 import (
        admin_pb2,
        advance_pb2,
        behaviour_pb2,
        clearing_pb2,
        correction_pb2,
        filing_pb2,
        hospital_reconcile_pb2,
        hub_pb2,
        insured_pb2,
        reconcile_pb2,
        topup_pb2,
        treatment_pb2,
    )

    return [
        admin_pb2,
        advance_pb2,
        behaviour_pb2,
        clearing_pb2,
        correction_pb2,
        filing_pb2,
        hospital_reconcile_pb2,
        hub_pb2,
        insured_pb2,
        reconcile_pb2,
        topup_pb2,
        treatment_pb2,
    ]


def find_method(name: str) -> tuple[ServiceDescriptor, MethodDescriptor]:
    """``Service/Method`` (or ``settlenet.v1.Service/Method``) among settlenet's services."""
    service_name, _, method_name = name.rpartition("/")
    service_name = service_name.removeprefix("settlenet.v1.").lstrip("/")
    services = {s.name: s for m in _modules() for s in m.DESCRIPTOR.services_by_name.values()}
    service = services.get(service_name)
    if service is None:
        raise CallError(f"no service {service_name!r}; one of {', '.join(sorted(services))}")
    method = service.methods_by_name.get(method_name)
    if method is None:
        raise CallError(
            f"{service_name} has no method {method_name!r}; one of "
            f"{', '.join(sorted(service.methods_by_name))}"
        )
    return service, method


def _province_of(who: str) -> str | None:
    """The province an institution's or desk's code (or a province certificate) belongs to."""
    if who.isdigit() and len(who) == 2:
        return who
    if who.startswith("province-"):
        return who.removeprefix("province-")
    if len(who) == 12 and who[0] in "HPS":
        return who[1:3]
    return None


def endpoint_for(doc: dict[str, Any], service: str, who: str, node: str | None) -> str:
    if node == "hub" or (node is None and service in HUB_SERVICES):
        return str(doc["hub"]["endpoint"])
    code = node or (_province_of(who) if service not in HUB_SERVICES else None)
    if code is None and service in PROVINCE_SERVICES:
        raise CallError(f"{service} is served by each province node: say which with --node 13")
    if code is None:
        return str(doc["hub"]["endpoint"])
    if code not in doc["provinces"]:
        raise CallError(
            f"no province {code} in the network ({', '.join(sorted(doc['provinces']))})"
        )
    return str(doc["provinces"][code]["endpoint"])


def _fill_header(
    doc: dict[str, Any], request: Message, service: str, method: str, who: str
) -> None:
    """Fill what a hospital system fills in an envelope the JSON left out."""
    header: Any = getattr(request, "header", None)
    if header is None or (service, method) not in INFNO or _province_of(who) is None:
        return
    if len(who) != 12:
        return
    header.infno = header.infno or INFNO[(service, method)]
    header.msgid = header.msgid or MsgidFactory(who)()
    header.inf_time = header.inf_time or clock.format_time(clock.now())
    header.opter_type = header.opter_type or "1"
    header.opter = header.opter or "CALL01"
    province = doc["provinces"].get(who[1:3], {})
    if who.startswith("S"):  # a desk: its region is in its code
        header.mdtrtarea_admvs = header.mdtrtarea_admvs or who[1:7]
        header.insuplc_admdvs = header.insuplc_admdvs or who[1:7]
        return
    header.fixmedins_code = header.fixmedins_code or who
    institution = next(
        (i for i in province.get("institutions", []) if i["fixmedins_code"] == who), None
    )
    if institution is not None:
        header.mdtrtarea_admvs = header.mdtrtarea_admvs or institution["admdvs"]


async def call(
    doc: dict[str, Any], who: str, name: str, body: str, node: str | None, deadline_s: float
) -> dict[str, Any]:
    service, method = find_method(name)
    factory = message_factory.GetMessageClass
    request = factory(method.input_type)()
    try:
        json_format.Parse(body or "{}", request)
    except json_format.ParseError as exc:
        raise CallError(f"the body is not a {method.input_type.name}: {exc}") from None
    _fill_header(doc, request, service.name, method.name, who)
    endpoint = endpoint_for(doc, service.name, who, node)
    response_cls = factory(method.output_type)
    async with connect.as_identity(doc, who, endpoint) as channel:
        stub = channel.unary_unary(
            f"/{service.full_name}/{method.name}",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_cls.FromString,
        )
        answer = await stub(request, timeout=deadline_s)
    return dict(
        json_format.MessageToDict(
            answer, preserving_proto_field_name=True, always_print_fields_with_no_presence=False
        )
    )


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "call",
        help="call one RPC with a JSON body, as an institution, desk, node or the operator",
        description=__doc__.split("\n\n")[2] if __doc__ else None,
    )
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument(
        "--as",
        dest="who",
        default="operator",
        help="who calls: operator (default), admin, hub, access, 13 (province 13's node), an "
        "institution's fixmedins_code or a desk's code",
    )
    p.add_argument(
        "--node", help="where to: hub or a province code (default: where the service is)"
    )
    p.add_argument("--timeout", type=float, default=10.0, help="seconds (default 10)")
    p.add_argument("method", help="Service/Method, e.g. TreatmentService/QueryPerson")
    p.add_argument("body", nargs="?", default="{}", help="the request as JSON (default {})")


def main(args: argparse.Namespace) -> int:
    try:
        doc = target.load(args.target)
        answer = asyncio.run(call(doc, args.who, args.method, args.body, args.node, args.timeout))
    except (target.TargetError, CallError, connect.IdentityError, OSError) as exc:
        print(f"settlenet call: {exc}", file=sys.stderr)
        return 2
    except grpc.RpcError as exc:
        print(f"settlenet call: {describe_rpc_error(exc)}", file=sys.stderr)
        return 1
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0
