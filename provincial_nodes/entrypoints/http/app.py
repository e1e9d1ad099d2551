"""The province node's HTTP interface: ``POST /fsi/api/rsfComIfsService/callService``.

Starlette (a small, well-kept ASGI toolkit) routes; uvicorn serves it on the node's own event loop
beside gRPC (:func:`serve`). One call:

1. the body is read as JSON without floats; the envelope's fields are bounded;
2. the x-tif headers are checked by the node's own guard (the same accounts, window and nonce
   memory as gRPC: a nonce used over gRPC is used over HTTP too) — 401 / 403 when they fail;
3. 9001 and 9002 sign in and out; every other call must carry a live ``sign_no`` of its
   institution;
4. the transaction's ``input`` becomes the gRPC request message and runs through the same
   servicer method (validation, bounds, msgid journal, service layer) with a stand-in context;
5. the answer becomes the spec's ``output``, amounts in yuan; a refusal is ``infcode`` -1 with
   the gRPC status message as ``err_msg`` (HTTP 200, as the national gateway answers).
"""

from __future__ import annotations

import json
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import grpc
import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from provincial_nodes.adapters.unit_of_work import Units
from provincial_nodes.entrypoints.behaviour import Answered, Behaving, Dropped, around_http
from provincial_nodes.entrypoints.http import openapi, wire
from provincial_nodes.entrypoints.http.context import Aborted, HttpContext
from provincial_nodes.entrypoints.http.transactions import TRANSACTIONS, Transaction
from provincial_nodes.service_layer import sign_in
from services.pb.settlenet.v1 import common_pb2
from services.rpc import http_server
from services.rpc.envelope import ResponseHeaders
from services.security.client import TlsFiles
from services.security.credentials import HEADERS
from services.security.guard import Guard
from services.values import clock
from services.values.errors import (
    InvalidField,
    PermissionDenied,
    SettlenetError,
    Unauthenticated,
    shown,
)

log = structlog.get_logger("http")

PATH = "/fsi/api/rsfComIfsService/callService"
DEADLINE_S = 10.0
"""A call's deadline inside the node (what a gRPC client gives by default)."""
SIGN_IN_MEMORY_S = 30.0
"""How long a live sign-in is trusted without reading it again (a sign-out through another
process of a scaled-out node is seen within this)."""
AUTH_METHOD = "/settlenet.v1.TreatmentService/QueryPerson"
"""The rule 9001 and 9002 are checked under: an institution of this province, its own code."""


@dataclass
class HttpInterface:
    """What the HTTP interface of one province node needs."""

    code: str
    servicers: dict[str, Any]
    """Servicer by gRPC service name (TreatmentService, CorrectionService, …)."""
    units: Units
    headers: ResponseHeaders
    guard: Guard | None
    """None on an insecure node: no x-tif check."""
    behaving: Behaving | None = None
    """The node's behaviour rules and calls record (None: neither)."""
    _sign_ins: dict[str, tuple[str, float]] = field(default_factory=dict)
    """sign_no → (institution, when it was last read live)."""

    async def call(self, request: Request) -> Response:
        received = clock.now()
        try:
            doc = wire.read_json(await request.body())
        except wire.BadBody as exc:
            return _json(400, _failure(self._refmsgid(received), received, str(exc)))
        refmsgid = self._refmsgid(received)
        try:
            env = wire.envelope(doc)
        except SettlenetError as err:
            return _json(200, _failure(refmsgid, received, str(err)))
        path_infno = request.path_params.get("infno")
        with structlog.contextvars.bound_contextvars(
            transport="http", infno=env["infno"], msgid=env["msgid"] or None
        ):
            try:
                if path_infno is not None and path_infno != env["infno"]:
                    raise InvalidField(
                        "infno", env["infno"], f"the path says transaction {path_infno}"
                    )
                output = await self._run(env, doc, request)
            except Unauthenticated as err:
                log.warning("http_refused", status=401, reason=err.reason, field=err.field)
                return _json(401, _failure(refmsgid, received, str(err)))
            except PermissionDenied as err:
                log.warning("http_refused", status=403, reason=err.reason, field=err.field)
                return _json(403, _failure(refmsgid, received, str(err)))
            except SettlenetError as err:
                log.info("http_refused", reason=err.reason, field=err.field, value=shown(err.value))
                return _json(200, _failure(refmsgid, received, str(err)))
            except Aborted as exc:
                if exc.code == grpc.StatusCode.RESOURCE_EXHAUSTED:  # admission control
                    log.debug("http_refused", code=exc.code.name)  # counted, not logged
                    busy = _json(503, _failure(refmsgid, received, exc.details))
                    busy.headers["Retry-After"] = "1"
                    return busy
                log.info("http_refused", code=exc.code.name)
                return _json(200, _failure(refmsgid, received, exc.details))
            except Answered as exc:
                return _json(
                    200,
                    wire.answer(
                        infcode=exc.infcode,
                        inf_refmsgid=refmsgid,
                        received=received,
                        err_msg=exc.err_msg,
                    ),
                )
            except Dropped as exc:
                return _json(504, _failure(refmsgid, received, str(exc)))
        return _json(
            200, wire.answer(infcode=0, inf_refmsgid=refmsgid, received=received, output=output)
        )

    def _refmsgid(self, received: datetime) -> str:
        header: Any = self.headers.make(common_pb2.ResponseHeader, "", received)
        return str(header.inf_refmsgid)

    async def _run(self, env: dict[str, str], doc: dict[str, Any], request: Request) -> Any:
        input_ = doc.get("input")
        if isinstance(input_, str):  # some clients send the input as a JSON string
            try:
                input_ = json.loads(input_, parse_float=Decimal)
            except ValueError:
                raise InvalidField("input", input_, "not JSON") from None
        if not isinstance(input_, dict):
            raise InvalidField("input", input_, "must be a JSON object")
        header = common_pb2.RequestHeader(**{k: env[k] for k in wire.HEADER_FIELDS})
        infno = env["infno"]
        if infno in ("9001", "9002"):
            return await self._sign(infno, env, header, input_, request)
        transaction = TRANSACTIONS.get(infno)
        if transaction is None:
            known = ", ".join(["9001", "9002", *sorted(TRANSACTIONS)])
            raise InvalidField("infno", infno, f"not served here; one of {known}")
        message = transaction.request(header=header)
        transaction.read(input_, message)
        self._authorize(transaction.grpc_method, request, message)
        await self._check_sign_no(env["sign_no"], env["fixmedins_code"])
        return await self._invoke(transaction, message, input_, request)

    async def _check_sign_no(self, sign_no: str, code: str) -> None:
        """A live sign-in of the institution: read from the database, then remembered for
        :data:`SIGN_IN_MEMORY_S` (a sign-out on this node forgets it at once)."""
        now = time.monotonic()
        known = self._sign_ins.get(sign_no)
        if known is not None and known[0] == code and now - known[1] < SIGN_IN_MEMORY_S:
            return
        await self.units.run(sign_in.signed_in, sign_no, code)
        if len(self._sign_ins) > 100_000:
            self._sign_ins.clear()
        self._sign_ins[sign_no] = (code, now)

    def _authorize(self, method: str, request: Request, message: Any) -> None:
        if self.guard is None:
            return
        headers = {k: v for k, v in request.headers.items() if k in HEADERS}
        self.guard.signed(method, headers, message)

    async def _sign(
        self,
        infno: str,
        env: dict[str, str],
        header: Any,
        input_: dict[str, Any],
        request: Request,
    ) -> Any:
        self._authorize(AUTH_METHOD, request, _Enveloped(header))
        now = clock.format_time(clock.now())
        code = env["fixmedins_code"]
        if infno == "9001":
            node = input_.get("signIn")
            if not isinstance(node, dict):
                raise InvalidField("input.signIn", node, "required: {opter_no, mac, ip}")
            opter_no = wire.text("input.signIn.opter_no", node.get("opter_no"), 30)
            mac = wire.text("input.signIn.mac", node.get("mac"), 20)
            ip = wire.text("input.signIn.ip", node.get("ip"), 40)
            if not opter_no:
                raise InvalidField("input.signIn.opter_no", opter_no, "required")
            made = await self.units.run(sign_in.sign_in, code, opter_no, mac, ip, now)
            log.info("signed_in", fixmedins_code=code, sign_no=made.sign_no)
            return {"signinoutb": {"sign_time": made.signed_in_at, "sign_no": made.sign_no}}
        node = input_.get("signOut")
        if not isinstance(node, dict):
            raise InvalidField("input.signOut", node, "required: {sign_no, opter_no}")
        number = wire.text("input.signOut.sign_no", node.get("sign_no"), 30) or env["sign_no"]
        done = await self.units.run(sign_in.sign_out, number, code, now)
        self._sign_ins.pop(number, None)
        return {"signoutoutb": {"sign_time": done.signed_out_at}}

    async def _invoke(
        self, transaction: Transaction, message: Any, input_: dict[str, Any], request: Request
    ) -> Any:
        servicer = self.servicers[transaction.service]
        peer = f"http:{request.client.host}:{request.client.port}" if request.client else "http"
        context = HttpContext(peer, DEADLINE_S)
        method = getattr(servicer, transaction.method)
        if self.behaving is None:
            answer = await method(message, context)
        else:
            rpc_name = f"{transaction.service}/{transaction.method}"
            answer = await around_http(
                self.behaving, rpc_name, message, lambda: method(message, context)
            )
        return transaction.write(answer, message, input_)


@dataclass
class _Enveloped:
    header: Any


def _failure(refmsgid: str, received: datetime, err_msg: str) -> dict[str, Any]:
    return wire.answer(infcode=-1, inf_refmsgid=refmsgid, received=received, err_msg=err_msg)


def _json(status: int, doc: Any) -> Response:
    return Response(wire.write_json(doc), status_code=status, media_type="application/json")


def app(interface: HttpInterface) -> Starlette:
    document = openapi.document(interface.code)

    async def spec(_: Request) -> Response:
        return _json(200, document)

    async def docs(_: Request) -> Response:
        return HTMLResponse(openapi.page(document))

    async def health(_: Request) -> Response:
        return _json(200, {"status": "SERVING"})

    async def not_found(request: Request, exc: Exception) -> Response:
        return _json(
            404, {"infcode": -1, "err_msg": f"no such path: {request.url.path}; POST {PATH}"}
        )

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return _json(405, {"infcode": -1, "err_msg": f"{request.method} not allowed; POST {PATH}"})

    return Starlette(
        routes=[
            Route(PATH, interface.call, methods=["POST"]),
            Route(PATH + "/{infno}", interface.call, methods=["POST"]),
            Route("/openapi.json", spec, methods=["GET"]),
            Route("/docs", docs, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
        ],
        exception_handlers={404: not_found, 405: not_allowed},
    )


Served = http_server.Running
"""A running HTTP interface: its port and how to stop it."""


async def serve(
    interface: HttpInterface,
    host: str,
    port: int,
    tls: TlsFiles | None,
    *,
    reuse_port: bool = False,
) -> Served:
    """Serve ``interface`` on this event loop (HTTPS with the node's certificate under ``tls``;
    no client certificate is asked: hospitals prove themselves with x-tif headers).
    ``reuse_port``: one of several processes serving the same port (SO_REUSEPORT on the socket
    handed to uvicorn; the kernel spreads connections over the processes)."""
    import uvicorn

    sock = http_server.listening_socket(host, port, reuse_port=reuse_port)
    config = uvicorn.Config(
        app(interface),
        log_config=None,
        access_log=False,
        lifespan="off",
        ssl_certfile=str(tls.cert) if tls else None,
        ssl_keyfile=str(tls.key) if tls else None,
        ssl_cert_reqs=ssl.CERT_NONE,
        timeout_keep_alive=30,
        server_header=False,
    )
    return await http_server.start(config, sock)
