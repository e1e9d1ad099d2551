"""The OpenAPI 3 document of the HTTP interface, made from the transactions' request and answer
messages (so it cannot drift from what the endpoint accepts), and a page that shows it.

One operation, ``POST /fsi/api/rsfComIfsService/callService``; its body is one of the
transactions' envelopes (``infno`` tells which), its answer the spec's envelope with each
transaction's ``output``. Amounts are numbers in yuan (two decimals), codes strings, the
gateway's four x-tif headers the security requirement.
"""

from __future__ import annotations

import html
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from provincial_nodes.entrypoints.http.transactions import TRANSACTIONS
from provincial_nodes.entrypoints.http.wire import COUNTS, ENVELOPE_LIMITS, HEADER_FIELDS
from services.pb.settlenet.v1 import (
    correction_pb2,
    hospital_reconcile_pb2,
    insured_pb2,
    treatment_pb2,
)
from services.values.limits import FIELD_CHARS, REPEATED_MAX

PATH = "/fsi/api/rsfComIfsService/callService"
AMOUNT = {"type": "number", "multipleOf": 0.01, "description": "yuan, at most two decimals"}
ANSWERS: dict[str, Any] = {
    "1101": insured_pb2.PersonInfo,
    "2201": treatment_pb2.RegisterVisitResponse,
    "2202": treatment_pb2.CancelRegistrationResponse,
    "2203": treatment_pb2.UploadDiagnosesResponse,
    "2204": treatment_pb2.UploadFeeDetailsResponse,
    "2205": treatment_pb2.CancelFeeDetailsResponse,
    "5204": treatment_pb2.QueryFeeDetailsResponse,
    "2206": treatment_pb2.SettleResponse,
    "2207": treatment_pb2.SettleResponse,
    "2208": treatment_pb2.RevokeSettlementResponse,
    "5203": treatment_pb2.QuerySettlementResponse,
    "2601": correction_pb2.CorrectionResult,
    "3201": hospital_reconcile_pb2.HospitalTotalsResult,
    "3202": hospital_reconcile_pb2.HospitalDetailsResult,
}


def _field(field: FieldDescriptor, refs: dict[str, Any]) -> dict[str, Any]:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        schema: dict[str, Any] = {"$ref": _ref(field.message_type, refs)}
    elif field.type == FieldDescriptor.TYPE_INT64:
        schema = {"type": "integer"} if field.name in COUNTS else dict(AMOUNT)
    elif field.type == FieldDescriptor.TYPE_INT32:
        schema = {"type": "integer"}
    elif field.type == FieldDescriptor.TYPE_BOOL:
        schema = {"type": "boolean"}
    elif field.name == "cnt":
        schema = {"type": "number", "description": "quantity, at most four decimals"}
    else:
        schema = {"type": "string"}
        if field.name in FIELD_CHARS:
            schema["maxLength"] = FIELD_CHARS[field.name]
    if field.is_repeated:
        array: dict[str, Any] = {"type": "array", "items": schema}
        if field.name in REPEATED_MAX:
            array["maxItems"] = REPEATED_MAX[field.name]
        return array
    return schema


def _ref(message: Descriptor, refs: dict[str, Any]) -> str:
    name = message.name
    if name not in refs:
        refs[name] = {}  # placeholder: messages may refer to each other
        refs[name] = {
            "type": "object",
            "properties": {f.name: _field(f, refs) for f in message.fields if f.name != "header"},
        }
    return f"#/components/schemas/{name}"


def _envelope(infno: str, input_schema: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        name: {"type": "string", "maxLength": limit} for name, limit in ENVELOPE_LIMITS.items()
    }
    properties["infno"] = {"type": "string", "enum": [infno]}
    properties["input"] = input_schema
    return {
        "type": "object",
        "required": [*HEADER_FIELDS, "sign_no", "input"]
        if infno != "9001"
        else [*HEADER_FIELDS, "input"],
        "properties": properties,
    }


def document(code: str = "") -> dict[str, Any]:
    refs: dict[str, Any] = {}
    bodies: list[dict[str, Any]] = []
    outputs: list[dict[str, Any]] = []
    sign_in = {
        "type": "object",
        "required": ["signIn"],
        "properties": {
            "signIn": {
                "type": "object",
                "required": ["opter_no", "mac", "ip"],
                "properties": {
                    "opter_no": {"type": "string", "maxLength": 30},
                    "mac": {"type": "string", "maxLength": 20},
                    "ip": {"type": "string", "maxLength": 40},
                },
            }
        },
    }
    sign_out = {
        "type": "object",
        "required": ["signOut"],
        "properties": {
            "signOut": {
                "type": "object",
                "properties": {
                    "sign_no": {"type": "string", "maxLength": 30},
                    "opter_no": {"type": "string", "maxLength": 30},
                },
            }
        },
    }
    bodies += [_envelope("9001", sign_in), _envelope("9002", sign_out)]
    for infno, t in sorted(TRANSACTIONS.items()):
        message = {"$ref": _ref(t.request.DESCRIPTOR, refs)}
        nodes = {
            node: (
                message
                if node in ("data",) or (node == "mdtrtinfo" and t.infno != "2203")
                else {"type": "array", "items": {"type": "object"}}
            )
            for node in t.input_nodes
        }
        bodies.append(
            _envelope(
                infno,
                {
                    "type": "object",
                    "description": f"{t.infno} {t.name}: runs {t.service}/{t.method}",
                    "required": [t.input_nodes[0]],
                    "properties": nodes,
                },
            )
        )
        _ref(ANSWERS[infno].DESCRIPTOR, refs)
    outputs.append({"type": "object"})
    outputs.append({"type": "array"})
    answer = {
        "type": "object",
        "required": ["infcode", "inf_refmsgid", "refmsg_time", "respond_time", "err_msg"],
        "properties": {
            "infcode": {"type": "integer", "enum": [0, -1]},
            "inf_refmsgid": {"type": "string"},
            "refmsg_time": {"type": "string", "pattern": "^[0-9]{17}$"},
            "respond_time": {"type": "string", "pattern": "^[0-9]{17}$"},
            "err_msg": {"type": "string"},
            "warn_msg": {"type": ["string", "null"]},
            "cainfo": {"type": ["string", "null"]},
            "signtype": {"type": ["string", "null"]},
            "output": {"anyOf": [*outputs, {"type": "null"}]},
        },
    }
    failure = {
        "type": "object",
        "required": ["infcode", "err_msg"],
        "properties": {
            "infcode": {"type": "integer", "enum": [-1]},
            "err_msg": {"type": "string"},
        },
    }
    responses = {
        "200": {
            "description": "infcode 0 with the transaction's output, or -1 with err_msg "
            "(a business refusal, named field and value)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}},
        },
        **{
            status: {
                "description": text,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Failure"}}
                },
            }
            for status, text in (
                ("400", "the body is not a JSON object"),
                (
                    "401",
                    "x-tif credentials missing or wrong (unknown paasid, bad signature, "
                    "stale timestamp, replayed nonce)",
                ),
                ("403", "the credentials are another institution's"),
                (
                    "503",
                    "a 1101 or 2201 refused by admission control (the node is starting as many "
                    "visits as it can take now; nothing was done): retry after Retry-After "
                    "seconds",
                ),
            )
        },
    }
    refs["Answer"] = answer
    refs["Failure"] = failure
    tif = {
        name: {"type": "apiKey", "in": "header", "name": name}
        for name in ("x-tif-paasid", "x-tif-timestamp", "x-tif-nonce", "x-tif-signature")
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"settlenet national HTTP interface{f' (province {code})' if code else ''}",
            "version": "1.0",
            "description": "定点医药机构接口: one endpoint, the transaction chosen by infno; "
            "x-tif-signature = lower-case hex SHA-256 of timestamp + token + nonce + timestamp.",
        },
        "paths": {
            PATH: {
                "post": {
                    "operationId": "callService",
                    "summary": "Run one transaction (infno) of the national interface",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"oneOf": bodies}}},
                    },
                    "responses": responses,
                    "security": [{name: [] for name in tif}],
                }
            }
        },
        "components": {"schemas": refs, "securitySchemes": tif},
    }


def page(doc: dict[str, Any]) -> str:
    """A page that shows the document without any script or outside asset: each transaction's
    input and the messages' fields."""
    schemas = doc["components"]["schemas"]
    bodies = doc["paths"][PATH]["post"]["requestBody"]["content"]["application/json"]["schema"]
    parts = [
        "<!doctype html><meta charset=utf-8><title>settlenet HTTP interface</title>",
        "<style>body{font:14px system-ui;margin:2em;max-width:70em}table{border-collapse:"
        "collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}</style>",
        f"<h1>{html.escape(doc['info']['title'])}</h1>",
        f"<p>{html.escape(doc['info']['description'])}</p>",
        f"<p><code>POST {PATH}</code> · <a href=/openapi.json>openapi.json</a></p>",
        "<h2>Transactions</h2><table><tr><th>infno</th><th>input</th></tr>",
    ]
    for body in bodies["oneOf"]:
        infno = body["properties"]["infno"]["enum"][0]
        input_ = body["properties"]["input"]
        description = input_.get("description", "")
        nodes = ", ".join(input_.get("properties", {}))
        parts.append(
            f"<tr><td>{infno}</td><td>{html.escape(description)} "
            f"(<code>{html.escape(nodes)}</code>)</td></tr>"
        )
    parts.append("</table><h2>Messages</h2>")
    for name, schema in sorted(schemas.items()):
        parts.append(f"<h3 id={html.escape(name)}>{html.escape(name)}</h3><table>")
        for field, spec in schema.get("properties", {}).items():
            kind = spec.get("type") or spec.get("$ref", "").rsplit("/", 1)[-1]
            if kind == "array":
                items = spec["items"]
                kind = f"[{items.get('type') or items.get('$ref', '').rsplit('/', 1)[-1]}]"
            parts.append(
                f"<tr><td><code>{html.escape(field)}</code></td>"
                f"<td>{html.escape(str(kind))}</td>"
                f"<td>{html.escape(spec.get('description', ''))}</td></tr>"
            )
        parts.append("</table>")
    return "".join(parts)
