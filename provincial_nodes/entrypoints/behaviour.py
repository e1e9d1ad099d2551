"""Programmable behaviour on both transports: a ``grpc.aio`` server interceptor, a hook the HTTP
interface runs around each transaction, the record of served calls, and BehaviourService.

The interceptor sits after the guard (:mod:`services.security.guard`): a refused call never
reaches a rule and is not recorded. With no rules loaded a call costs one attribute check
(``Behaving.rules is None``) and one entry in the calls record (a few attribute reads and a
deque append). BehaviourService, health and reflection are never subject to rules nor recorded.

How a rule acts (docs/behaviour.md): ``delay`` sleeps before the node's work (or after it,
before the answer goes out); ``answer`` answers the given status instead of doing the work
(over HTTP: ``infcode`` / ``err_msg``); ``drop: before`` does no work and sends no answer,
``drop: after`` does the work (it commits) and sends no answer — the caller waits until its own
deadline (gRPC: DEADLINE_EXCEEDED; the node gives up after :data:`HOLD_MAX_S` and answers
UNAVAILABLE to a caller without a deadline; HTTP: after :data:`HTTP_HOLD_S` the node answers
504); ``override`` sets fields of the node's own answer (a copy: what the msgid journal replays
to a retry is the node's own answer, and the rule acts again on the retry if it matches).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeAlias

import grpc
import structlog
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from provincial_nodes.domain.behaviour import (
    AFTER,
    BEFORE,
    Action,
    Answer,
    Behaviour,
    Rule,
    counted,
)
from provincial_nodes.domain.served_calls import CallLog, Served, masked_certno
from provincial_nodes.entrypoints.behaviour_rules import call_of, load, overridden
from provincial_nodes.entrypoints.http.context import Aborted
from services.pb.settlenet.v1 import behaviour_pb2, behaviour_pb2_grpc
from services.rpc.handler import rpc
from services.rpc.status import RemoteStatus, grpc_code
from services.values import clock
from services.values.errors import InvalidField, SettlenetError

log = structlog.get_logger("behaviour")

HOLD_MAX_S = 30.0
"""Longest a dropped gRPC answer is held when the caller set a longer deadline or none."""
HTTP_HOLD_S = 10.0
"""How long a dropped HTTP answer is held before the node answers 504 (the HTTP interface's
deadline inside the node)."""
_PACKAGE = "/settlenet.v1."
_UNRULED = ("BehaviourService/",)
Inner = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]


class Behaving:
    """One node process's behaviour: the rules in force and the calls record."""

    def __init__(self, rules: Behaviour | None = None) -> None:
        self.rules: Behaviour | None = None
        """None when no rule is loaded (the hot path looks at nothing else)."""
        self.loaded = Behaviour(())
        self.calls = CallLog()
        if rules is not None:
            self.replace(rules)

    def replace(self, rules: Behaviour) -> None:
        """Put ``rules`` in force (their counters start at 0); no rules clears."""
        self.loaded = rules
        self.rules = rules if rules.rules else None

    def record(
        self,
        transport: str,
        rpc_name: str,
        request: Any,
        status: str,
        started: float,
        rule: Rule | None,
        at: datetime,
    ) -> None:
        call = call_of(rpc_name, request)
        self.calls.add(
            Served(
                time=at,
                transport=transport,
                rpc=rpc_name,
                infno=call.infno,
                msgid=call.msgid,
                psn_no=call.psn_no,
                certno=masked_certno(call.certno),
                fixmedins_code=call.fixmedins_code,
                amount_fen=call.amount_fen,
                status=status,
                latency_ms=round((time.perf_counter() - started) * 1000, 2),
                rule=rule.name if rule else "",
                action=rule.action.describe() if rule else "",
            )
        )


def answer_status(rule: Rule, answer: Answer) -> grpc.Status:
    """The status a rule's ``answer`` sends: its code and message, with ErrorInfo (the reason)
    and, if a field is named, BadRequest."""
    code = grpc.StatusCode[answer.status]
    message = answer.message or f"answered by behaviour rule {rule.name!r}"
    details = []
    if answer.field:
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=answer.field, description=message)
            ]
        )
        details.append(bad)
    if answer.reason:
        meta = {"field": answer.field} if answer.field else {}
        details.append(
            error_details_pb2.ErrorInfo(reason=answer.reason, domain="settlenet", metadata=meta)
        )
    packed = []
    for detail in details:
        any_ = any_pb2.Any()
        any_.Pack(detail)
        packed.append(any_)
    value = code.value[0] if isinstance(code.value, tuple) else code_pb2.UNKNOWN
    return rpc_status.to_status(status_pb2.Status(code=value, message=message, details=packed))


def _code_name(context: grpc.aio.ServicerContext[Any, Any]) -> str:
    code: Any = context.code()
    if isinstance(code, grpc.StatusCode):
        return str(code.name)
    if isinstance(code, int):
        return next((str(c.name) for c in grpc.StatusCode if c.value[0] == code), str(code))
    return "UNKNOWN"


class BehaviourInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Applies the rules to every gRPC call of the node's own services and records it."""

    def __init__(self, behaving: Behaving) -> None:
        self.behaving = behaving
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
        if handler is None or handler.unary_unary is None or not name.startswith(_PACKAGE):
            return handler
        rpc_name = name[len(_PACKAGE) :]
        if rpc_name.startswith(_UNRULED):
            return handler
        wrapped = grpc.unary_unary_rpc_method_handler(
            self._behaving(rpc_name, handler.unary_unary),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
        self._handlers[name] = wrapped
        return wrapped

    def _behaving(self, rpc_name: str, inner: Inner) -> Inner:
        behaving = self.behaving

        async def behaviour(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            started = time.perf_counter()
            at = clock.now()
            rules = behaving.rules
            rule: Rule | None = None
            status = "OK"
            held: list[bool] = []
            try:
                if rules is not None:
                    rule = rules.pick(call_of(rpc_name, request))
                if rule is None:
                    return await inner(request, context)
                return await _act(rule, inner, request, context, held)
            except grpc.aio.AbortError:
                status = _code_name(context)
                raise
            except asyncio.CancelledError:
                status = "CANCELLED"
                raise
            except BaseException:
                status = "INTERNAL"
                raise
            finally:
                if held:
                    status = "DROPPED"
                behaving.record("grpc", rpc_name, request, status, started, rule, at)

        return behaviour


async def _act(
    rule: Rule,
    inner: Inner,
    request: Any,
    context: grpc.aio.ServicerContext[Any, Any],
    held: list[bool],
) -> Any:
    action = rule.action
    log.debug("behaviour_rule_acts", rule=rule.name, action=action.describe())
    if action.delay_ms and (action.delay_at == BEFORE or action.answer or action.drop == BEFORE):
        await asyncio.sleep(action.delay_ms / 1000)
    if action.answer is not None:
        await context.abort_with_status(answer_status(rule, action.answer))
        raise AssertionError("abort raises")  # pragma: no cover
    if action.drop == BEFORE:
        await _hold(rule, context, held)
    try:
        answer = await inner(request, context)
    except grpc.aio.AbortError:
        if action.drop == AFTER:  # the node refused: that answer is not sent either
            held.append(True)
            await _wait_out(context)
        raise
    if action.delay_ms and action.delay_at == AFTER:
        await asyncio.sleep(action.delay_ms / 1000)
    if action.drop == AFTER:
        await _hold(rule, context, held)
    if action.override:
        return overridden(answer, action.override)
    return answer


async def _wait_out(context: grpc.aio.ServicerContext[Any, Any]) -> None:
    """Until just past the caller's deadline (it gives up first), at most :data:`HOLD_MAX_S`."""
    remaining = context.time_remaining()
    await asyncio.sleep(min(remaining, HOLD_MAX_S) + 0.05 if remaining else HOLD_MAX_S)


async def _hold(rule: Rule, context: grpc.aio.ServicerContext[Any, Any], held: list[bool]) -> None:
    """Send no answer: wait out the caller's deadline, then UNAVAILABLE."""
    held.append(True)
    await _wait_out(context)
    await context.abort(
        grpc.StatusCode.UNAVAILABLE, f"behaviour rule {rule.name!r} dropped the answer"
    )


# ---------------------------------------------------------------- the HTTP interface's hook


class Answered(Exception):
    """A rule answered an HTTP transaction: its infcode and err_msg."""

    def __init__(self, infcode: int, err_msg: str) -> None:
        super().__init__(err_msg)
        self.infcode = infcode
        self.err_msg = err_msg


class Dropped(Exception):
    """A rule dropped an HTTP transaction's answer (held for :data:`HTTP_HOLD_S` first)."""


async def around_http(
    behaving: Behaving, rpc_name: str, message: Message, run: Callable[[], Awaitable[Any]]
) -> Any:
    """Run one HTTP transaction (``run``: its servicer method) under the rules, and record it."""
    started = time.perf_counter()
    at = clock.now()
    rules = behaving.rules
    rule: Rule | None = None
    status = "OK"
    try:
        if rules is not None:
            rule = rules.pick(call_of(rpc_name, message))
        if rule is None:
            return await run()
        return await _act_http(rule, rule.action, run)
    except Answered:
        assert rule is not None and rule.action.answer is not None
        status = rule.action.answer.status
        raise
    except Dropped:
        status = "DROPPED"
        raise
    except Aborted as exc:
        status = exc.code.name
        raise
    except SettlenetError as err:
        status = grpc_code(err).name
        raise
    except RemoteStatus as err:
        status = err.code.name
        raise
    except asyncio.CancelledError:
        status = "CANCELLED"
        raise
    except BaseException:
        status = "INTERNAL"
        raise
    finally:
        behaving.record("http", rpc_name, message, status, started, rule, at)


async def _act_http(rule: Rule, action: Action, run: Callable[[], Awaitable[Any]]) -> Any:
    log.debug("behaviour_rule_acts", rule=rule.name, action=action.describe(), transport="http")
    if action.delay_ms and (action.delay_at == BEFORE or action.answer or action.drop == BEFORE):
        await asyncio.sleep(action.delay_ms / 1000)
    if action.answer is not None:
        a = action.answer
        message = a.message or f"answered by behaviour rule {rule.name!r}"
        raise Answered(a.infcode, a.err_msg or message)
    if action.drop == BEFORE:
        await asyncio.sleep(HTTP_HOLD_S)
        raise Dropped(f"behaviour rule {rule.name!r} dropped the answer")
    try:
        answer = await run()
    except Exception:
        if action.drop != AFTER:
            raise
        answer = None  # the node refused: that answer is not sent either
    if action.delay_ms and action.delay_at == AFTER:
        await asyncio.sleep(action.delay_ms / 1000)
    if action.drop == AFTER:
        await asyncio.sleep(HTTP_HOLD_S)
        raise Dropped(f"behaviour rule {rule.name!r} dropped the answer")
    if action.override:
        return overridden(answer, action.override)
    return answer


# ---------------------------------------------------------------- BehaviourService

Ctx: TypeAlias = grpc.aio.ServicerContext[Any, Any]


class BehaviourServicer(behaviour_pb2_grpc.BehaviourServiceServicer):
    """Replace, show and clear the rules; list the calls served (operator and admin only)."""

    def __init__(self, behaving: Behaving) -> None:
        self.behaving = behaving

    @rpc("behaviour")
    async def SetBehaviour(
        self, request: behaviour_pb2.SetBehaviourRequest, context: Ctx
    ) -> behaviour_pb2.BehaviourState:
        source = request.source_name or "SetBehaviour"
        if any(ord(c) < 32 for c in source):
            raise InvalidField("source_name", source, "holds a control character")
        rules = await asyncio.to_thread(load, request.yaml, source)
        self.behaving.replace(rules)
        log.info("behaviour_set", rules=len(rules.rules), source=source)
        return self._state()

    @rpc("behaviour")
    async def GetBehaviour(
        self, request: behaviour_pb2.GetBehaviourRequest, context: Ctx
    ) -> behaviour_pb2.BehaviourState:
        return self._state()

    @rpc("behaviour")
    async def ListCalls(
        self, request: behaviour_pb2.ListCallsRequest, context: Ctx
    ) -> behaviour_pb2.CallList:
        if request.limit < 0:
            raise InvalidField("limit", request.limit, "must be 0 (every call kept) or more")
        calls = self.behaving.calls
        return behaviour_pb2.CallList(
            calls=[
                behaviour_pb2.ServedCall(
                    time=clock.format_time(c.time),
                    transport=c.transport,
                    rpc=c.rpc,
                    infno=c.infno,
                    msgid=c.msgid,
                    psn_no=c.psn_no,
                    certno=c.certno,
                    fixmedins_code=c.fixmedins_code,
                    amount_fen=-1 if c.amount_fen is None else c.amount_fen,
                    status=c.status,
                    latency_ms=c.latency_ms,
                    rule=c.rule,
                    action=c.action,
                )
                for c in calls.last(request.limit)
            ],
            recorded=calls.recorded,
            capacity=calls.capacity,
        )

    def _state(self) -> behaviour_pb2.BehaviourState:
        loaded = self.behaving.loaded
        return behaviour_pb2.BehaviourState(
            rules=[
                behaviour_pb2.RuleState(
                    index=c.index,
                    name=c.rule.name,
                    match=c.rule.match.describe(),
                    action=c.rule.action.describe(),
                    matches=c.matches,
                )
                for c in counted(loaded)
            ],
            source_name=loaded.source if loaded.rules else "",
            yaml=loaded.text if loaded.rules else "",
        )
