"""The server interceptor that applies the matrix (:mod:`services.security.policy`) to every call.

Every call's caller is read once, here: a node, the operator or the admin from the common name of
its client certificate (the TLS handshake already proved the certificate is the network CA's);
an institution or a filing desk from its x-tif headers (:mod:`services.security.credentials`),
over any of the network's certificates. A refused call is answered UNAUTHENTICATED or
PERMISSION_DENIED with an ErrorInfo reason, logged with who tried, and never reaches a handler,
so it changes nothing. Health and reflection stay open.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import grpc
import structlog

from services.rpc.status import to_status
from services.security.credentials import HEADERS, Verifier
from services.security.policy import OPEN_SERVICES, Rule, rules_for
from services.security.principal import ANYONE, Kind, Principal, from_certificate
from services.values.errors import PermissionDenied, SettlenetError, Unauthenticated, shown
from services.values.reasons import Reason

_log = structlog.get_logger("access")

CALLER: contextvars.ContextVar[Principal] = contextvars.ContextVar("caller", default=ANYONE)
"""Who the current call is from (ANYONE on an insecure network)."""

Behaviour = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]


def _nobody(method: str) -> Rule:
    return Rule(frozenset())


class Guard(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Authenticates and authorizes every call to one node (the hub: ``node=""``; a province
    node: its code)."""

    def __init__(self, node: str, verifier: Verifier | None) -> None:
        self.node = node
        self.rules = rules_for(node)
        self.verifier = verifier
        self._handlers: dict[str, grpc.RpcMethodHandler] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        name = details.method
        known = self._handlers.get(name)
        if known is not None:
            return known
        handler = await continuation(details)
        if handler is None or name.startswith(OPEN_SERVICES) or handler.unary_unary is None:
            return handler
        rule = self.rules.get(name) or _nobody(name)
        wrapped = grpc.unary_unary_rpc_method_handler(
            self._guarded(name, rule, handler.unary_unary),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
        self._handlers[name] = wrapped
        return wrapped

    def _guarded(self, name: str, rule: Rule, inner: Behaviour) -> Behaviour:
        async def behaviour(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            try:
                caller = self.caller(rule, context)
                if rule.check is not None:
                    rule.check(caller, request, self.node)
            except SettlenetError as err:
                _refused(name, err, context)
                await context.abort_with_status(to_status(err))
                raise  # abort raises; never reached
            token = CALLER.set(caller)
            try:
                return await inner(request, context)
            finally:
                CALLER.reset(token)

        return behaviour

    def caller(self, rule: Rule, context: grpc.aio.ServicerContext[Any, Any]) -> Principal:
        """Who is calling, if the rule admits them; raises Unauthenticated or
        PermissionDenied."""
        names = context.auth_context().get("x509_common_name")
        if not names:
            raise Unauthenticated(
                "certificate",
                "",
                "this node takes calls only with a certificate of the network's CA (mutual TLS)",
                Reason.CREDENTIALS_MISSING,
            )
        common_name = names[0].decode(errors="replace")
        by_certificate = from_certificate(common_name)
        if by_certificate is not None and by_certificate.kind in rule.callers:
            return by_certificate
        if rule.callers & {Kind.INSTITUTION, Kind.DESK}:
            return self._signed(rule, context, common_name)
        if not rule.callers:
            raise PermissionDenied("method", "", "this RPC is served to nobody")
        raise PermissionDenied(
            "certificate",
            common_name,
            f"this RPC is for {rule.who()}; the certificate is {common_name}'s",
        )

    def _signed(
        self, rule: Rule, context: grpc.aio.ServicerContext[Any, Any], common_name: str
    ) -> Principal:
        headers = {
            m.key: m.value
            for m in context.invocation_metadata() or ()
            if m.key in HEADERS and isinstance(m.value, str)
        }
        return self._account(rule, headers, common_name)

    def signed(self, method: str, headers: Mapping[str, str], request: Any) -> Principal:
        """The institution or desk that signed ``headers`` (the HTTP interface's x-tif headers),
        if the rule of gRPC ``method`` admits it for ``request``; raises Unauthenticated or
        PermissionDenied as a gRPC call would get them."""
        rule = self.rules.get(method) or _nobody(method)
        caller = self._account(rule, headers, "")
        if rule.check is not None:
            rule.check(caller, request, self.node)
        return caller

    def _account(self, rule: Rule, headers: Mapping[str, str], common_name: str) -> Principal:
        if self.verifier is None:
            raise Unauthenticated(
                "x-tif-paasid",
                "",
                "this node has no institution or desk credentials",
                Reason.CREDENTIALS_INVALID,
            )
        account = self.verifier.verify(headers)
        kind = Kind(account.kind)
        if kind not in rule.callers:
            raise PermissionDenied(
                "x-tif-paasid",
                account.paasid,
                f"this RPC is for {rule.who()}; the paasid is a {kind}'s",
            )
        return Principal(
            kind,
            province=account.province,
            code=account.code,
            paasid=account.paasid,
            certificate=common_name,
        )


def _refused(name: str, err: SettlenetError, context: grpc.aio.ServicerContext[Any, Any]) -> None:
    names = context.auth_context().get("x509_common_name") or [b""]
    paasid = next(
        (m.value for m in context.invocation_metadata() or () if m.key == "x-tif-paasid"), ""
    )
    _log.warning(
        "access_refused",
        method=name,
        certificate=names[0].decode(errors="replace"),
        paasid=shown(paasid) if paasid else None,
        peer=context.peer(),
        reason=err.reason,
        field=err.field,
        value=shown(err.value),
        problem=err.problem,
    )
