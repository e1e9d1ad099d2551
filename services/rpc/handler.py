"""What every servicer method shares: log context, timing, and the one place where errors become
gRPC statuses.

    class TreatmentServicer(...):
        @rpc("2207")
        async def Settle(self, request, context): ...

Inside, a handler raises settlenet errors (or lets a :class:`RemoteStatus` through) and the
decorator aborts the call with the right status and details.
"""

from __future__ import annotations

import contextvars
import functools
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc
import structlog

from services.rpc.admission import ENTRY_INFNOS, Admission
from services.rpc.bounds import check_request
from services.rpc.status import RemoteStatus, grpc_code, to_status
from services.values.errors import Overloaded, SettlenetError, shown

R = TypeVar("R")
Method = Callable[[Any, Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[R]]

_log = structlog.get_logger("rpc")
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)

DEFAULT_HOP_TIMEOUT_S = 10.0
_STATE_CHANGING = {"2201", "2202", "2203", "2204", "2205", "2207", "2208", "9101"}
"""Transactions logged at INFO when they succeed; queries only at DEBUG."""


def hop_timeout(default: float = DEFAULT_HOP_TIMEOUT_S) -> float:
    """Seconds a call to the next node may take: what is left of the incoming call's deadline
    (less a small margin to answer in), never more than ``default``."""
    deadline = _deadline.get()
    if deadline is None:
        return default
    return max(0.05, min(default, deadline - time.monotonic() - 0.05))


def clear_deadline() -> None:
    """Forget the incoming call's deadline in this context (a task that outlives its caller:
    its calls downstream get :data:`DEFAULT_HOP_TIMEOUT_S`)."""
    _deadline.set(None)


_CONTEXT_FIELDS = ("mdtrt_id", "setl_id", "psn_no")


def _bind_from(request: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    header = getattr(request, "header", None)
    if header is not None and header.msgid:
        found["msgid"] = header.msgid
    for name in _CONTEXT_FIELDS:
        value = getattr(request, name, "")
        if isinstance(value, str) and value:
            found[name] = value
    return found


def rpc(infno: str) -> Callable[[Method[R]], Method[R]]:
    """Decorate a servicer method: bind msgid/mdtrt_id/setl_id to its logs, hold the request
    against the field bounds (``services.rpc.bounds``), map its errors. A call that starts a
    visit (``admission.ENTRY_INFNOS``) to a servicer with an ``admission`` limit is admitted
    first, or refused RESOURCE_EXHAUSTED (``OVERLOADED``) before any work."""

    def wrap(fn: Method[R]) -> Method[R]:
        name = fn.__name__
        entry = infno in ENTRY_INFNOS

        @functools.wraps(fn)
        async def inner(self: Any, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> R:
            bound = _bind_from(request)
            remaining = context.time_remaining()
            token = _deadline.set(time.monotonic() + remaining if remaining is not None else None)
            admission: Admission | None = getattr(self, "admission", None) if entry else None
            with structlog.contextvars.bound_contextvars(rpc=name, infno=infno, **bound):
                started = time.perf_counter()
                try:
                    if admission is not None and not admission.enter():
                        gate, admission = admission, None
                        limit = int(gate.limit)
                        if gate.report_due(time.monotonic()):
                            _log.warning("admission_refusing", **gate.snapshot())
                        raise Overloaded(
                            "admission.limit",
                            limit,
                            f"this node is starting {limit} visits at once, the most it takes "
                            "now without slowing those down; nothing was done: retry in a moment",
                        )
                    check_request(request)
                    response = await fn(self, request, context)
                except SettlenetError as err:
                    # A refusal by admission control is counted, not logged line by line.
                    refused = _log.debug if isinstance(err, Overloaded) else _log.info
                    refused(
                        "rpc_refused",
                        code=grpc_code(err).name,
                        field=err.field,
                        value=shown(err.value),
                        problem=err.problem,
                        ms=round((time.perf_counter() - started) * 1000, 2),
                    )
                    await context.abort_with_status(to_status(err))
                    raise  # abort raises; this line is never reached
                except RemoteStatus as err:
                    _log.info(
                        "rpc_refused_downstream",
                        code=err.code.name,
                        problem=err.message,
                        ms=round((time.perf_counter() - started) * 1000, 2),
                    )
                    await context.abort_with_status(err.status)
                    raise
                except grpc.aio.AbortError:
                    raise  # the method aborted the call itself
                except Exception:
                    # A bug, not the caller's fault: never UNKNOWN with a Python message. The
                    # caller gets INTERNAL and an id; the log has the traceback under that id.
                    error_id = uuid.uuid4().hex[:12]
                    _log.exception("rpc_failed", error_id=error_id)
                    await context.abort(
                        grpc.StatusCode.INTERNAL,
                        f"internal error {error_id}: the node logged it under this id",
                    )
                    raise
                finally:
                    _deadline.reset(token)
                    if admission is not None:
                        admission.leave(time.perf_counter() - started, time.monotonic())
                setl = getattr(getattr(response, "setlinfo", None), "setl_id", "")
                mdtrt = getattr(response, "mdtrt_id", "") or getattr(
                    getattr(response, "setlinfo", None), "mdtrt_id", ""
                )
                log = _log.info if infno in _STATE_CHANGING else _log.debug
                log(
                    "rpc_ok",
                    setl_id=setl or None,
                    mdtrt_id=mdtrt or bound.get("mdtrt_id"),
                    ms=round((time.perf_counter() - started) * 1000, 2),
                )
                return response

        return inner

    return wrap
