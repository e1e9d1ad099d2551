"""The web view's routes: the pages (``static/``, one HTML page, one script, one stylesheet),
the JSON API for scripts, and the server-sent events stream; and :func:`serve`, which runs it
with uvicorn on the hub's event loop (as ``provincial_nodes/entrypoints/http/app.py`` serves the
national HTTP interface).

``GET /api/network``        the latest snapshot (nodes, pairs, counters, in doubt, advances)
``GET /api/events``         that snapshot every second (text/event-stream)
``GET /api/settlement?q=``  a settlement by msgid, setl_id, mdtrt_id or psn_no
``GET /api/advances``       each insured province's advance
``GET /api/clearing?month=yyyy-MM[&reconcile=1]``  the month's matrix, statements, per day
``GET /api/filings?q=``     the national filing registry (psn_no, filing id or region code)
``GET /health``             no credentials needed
"""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from national_hub.domain.filing_registry import RegistryQuery
from national_hub.entrypoints.web import present
from national_hub.entrypoints.web.access import (
    COOKIE,
    HOW_TO_GET_IN,
    PEER_KEY,
    SESSION_S,
    Access,
)
from national_hub.entrypoints.web.access import peer_protocol as _peer_protocol
from national_hub.entrypoints.web.live import Monitor
from national_hub.service_layer.view import View
from services.pb.settlenet.v1 import filing_pb2
from services.rpc import http_server
from services.security.client import TlsFiles
from services.values.errors import (
    FailedPrecondition,
    InvalidField,
    NotFound,
    SettlenetError,
    Unavailable,
)

log = structlog.get_logger("web")

STATIC = Path(__file__).parent / "static"
ASSETS = {"app.js": "text/javascript", "app.css": "text/css", "index.html": "text/html"}
Handler = Callable[[Request], Awaitable[Response]]


def _json(doc: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(doc, ensure_ascii=False),
        status_code=status,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def _refused(why: str) -> Response:
    return HTMLResponse(HOW_TO_GET_IN.format(why=why), status_code=401)


def _status_of(err: SettlenetError) -> int:
    if isinstance(err, InvalidField):
        return 400
    if isinstance(err, NotFound):
        return 404
    if isinstance(err, FailedPrecondition):
        return 409
    if isinstance(err, Unavailable):
        return 503
    return 500


@dataclass
class WebView:
    view: View
    monitor: Monitor
    access: Access

    def guarded(self, handler: Handler) -> Handler:
        async def run(request: Request) -> Response:
            offered = request.query_params.get("token")
            if offered is not None:
                sid = self.access.exchange(offered, time.time())
                if sid is None:
                    log.warning("web_token_refused", peer=_peer(request))
                    return _refused("This access token is wrong or was used already.")
                log.info("web_session_opened", peer=_peer(request))
                rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                url = request.url.path + (
                    "?" + "&".join(f"{k}={v}" for k, v in rest) if rest else ""
                )
                redirect = RedirectResponse(url, status_code=303)
                redirect.set_cookie(
                    COOKIE,
                    sid,
                    max_age=SESSION_S,
                    httponly=True,
                    samesite="strict",
                    secure=self.access.secure,
                    path="/",
                )
                return redirect
            extensions = request.scope.get("extensions") or {}
            cookie, peer = request.cookies.get(COOKIE), extensions.get(PEER_KEY)
            if self.access.who(cookie, peer, time.time()) is None:
                return _refused("No access token, session or operator certificate was given.")
            try:
                return await handler(request)
            except SettlenetError as err:
                return _json(
                    {"error": str(err), "field": err.field, "reason": err.reason},
                    _status_of(err),
                )

        return run

    async def index(self, _: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return Response("not found", status_code=404)
        return FileResponse(STATIC / name, media_type=ASSETS[name])

    async def network(self, _: Request) -> Response:
        return _json(self.monitor.latest)

    async def events(self, _: Request) -> Response:
        return StreamingResponse(
            self.monitor.stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def settlement(self, request: Request) -> Response:
        q = request.query_params.get("q", "")
        return _json(present.settlement(await self.view.settlement(q)))

    async def advances(self, _: Request) -> Response:
        return _json([present.advance(a) for a in await self.view.advances()])

    async def clearing(self, request: Request) -> Response:
        month = request.query_params.get("month", "")
        doc = present.clearing(await self.view.clearing(month))
        if request.query_params.get("reconcile"):
            found = await self.view.reconcile(month)
            doc["differences"] = [present.difference(p, r, d) for p, r, d in found]
        return _json(doc)

    async def filings(self, request: Request) -> Response:
        q = request.query_params.get("q", "").strip()
        query = RegistryQuery(limit=200)
        if q.isdigit() and len(q) == 6:
            query = RegistryQuery(insuplc_admdvs=q, limit=200)
        elif q:
            by_person = await self.view.filing_events(RegistryQuery(psn_no=q, limit=200))
            found = by_person or await self.view.filing_events(
                RegistryQuery(filing_id=q, limit=200)
            )
            return _json({"query": q, "events": _events(found)})
        return _json({"query": q, "events": _events(await self.view.filing_events(query))})


def _events(found: list[tuple[bytes, str]]) -> list[dict[str, Any]]:
    out = []
    for payload, received_at in reversed(found):  # newest first
        doc = present.masked(present.message(filing_pb2.FilingEvent.FromString(payload)))
        doc["received_at"] = received_at
        out.append(doc)
    return out


def _peer(request: Request) -> str:
    return f"{request.client.host}:{request.client.port}" if request.client else ""


def app(web: WebView) -> Starlette:
    async def health(_: Request) -> Response:
        return _json({"status": "SERVING"})

    g = web.guarded
    return Starlette(
        routes=[
            Route("/", g(web.index), methods=["GET"]),
            Route("/static/{name}", g(web.asset), methods=["GET"]),
            Route("/api/network", g(web.network), methods=["GET"]),
            Route("/api/events", g(web.events), methods=["GET"]),
            Route("/api/settlement", g(web.settlement), methods=["GET"]),
            Route("/api/advances", g(web.advances), methods=["GET"]),
            Route("/api/clearing", g(web.clearing), methods=["GET"]),
            Route("/api/filings", g(web.filings), methods=["GET"]),
            Route("/health", health, methods=["GET"]),
        ]
    )


@dataclass
class Served:
    """The running web view: its port and how to stop it."""

    running: http_server.Running
    web: WebView

    @property
    def port(self) -> int:
        return self.running.port

    async def stop(self) -> None:
        await self.web.monitor.stop()  # ends the open event streams
        await self.running.stop()


async def serve(web: WebView, host: str, port: int, tls: TlsFiles | None) -> Served:
    """Serve the view on this event loop: HTTPS with the hub's certificate under ``tls`` (a
    client certificate is asked, not required: the operator's lets scripts in)."""
    import uvicorn

    await web.monitor.start()
    sock = http_server.listening_socket(host, port, backlog=128)
    config = uvicorn.Config(
        app(web),
        http=_peer_protocol(),
        log_config=None,
        access_log=False,
        lifespan="off",
        ssl_certfile=str(tls.cert) if tls else None,
        ssl_keyfile=str(tls.key) if tls else None,
        ssl_ca_certs=str(tls.ca) if tls else None,
        ssl_cert_reqs=ssl.CERT_OPTIONAL if tls else ssl.CERT_NONE,
        timeout_keep_alive=30,
        timeout_graceful_shutdown=2,
        server_header=False,
    )
    try:
        running = await http_server.start(config, sock)
    except BaseException:
        await web.monitor.stop()
        raise
    return Served(running, web)
