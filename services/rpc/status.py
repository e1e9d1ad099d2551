"""One place where errors become gRPC statuses, and remote statuses become errors again.

Every status settlenet sends says ``field=value: problem`` (the value shown once, cut to 64
characters) and carries google.rpc details: ``BadRequest`` naming the field and the problem, and
``ErrorInfo`` with the field and a machine-readable reason. A status that comes back from another
node is passed on unchanged (:class:`RemoteStatus`), so a hospital sees the insured node's own
words, not "the hub failed".
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from services.values import errors

_CODES: dict[type[errors.SettlenetError], tuple[grpc.StatusCode, int]] = {
    errors.InvalidField: (grpc.StatusCode.INVALID_ARGUMENT, code_pb2.INVALID_ARGUMENT),
    errors.NotFound: (grpc.StatusCode.NOT_FOUND, code_pb2.NOT_FOUND),
    errors.FailedPrecondition: (grpc.StatusCode.FAILED_PRECONDITION, code_pb2.FAILED_PRECONDITION),
    errors.DuplicateMessage: (grpc.StatusCode.ALREADY_EXISTS, code_pb2.ALREADY_EXISTS),
    errors.Unavailable: (grpc.StatusCode.UNAVAILABLE, code_pb2.UNAVAILABLE),
    errors.Unauthenticated: (grpc.StatusCode.UNAUTHENTICATED, code_pb2.UNAUTHENTICATED),
    errors.PermissionDenied: (grpc.StatusCode.PERMISSION_DENIED, code_pb2.PERMISSION_DENIED),
    errors.Overloaded: (grpc.StatusCode.RESOURCE_EXHAUSTED, code_pb2.RESOURCE_EXHAUSTED),
}
_DETAILS_KEY = "grpc-status-details-bin"


class RemoteStatus(Exception):
    """A status another node returned, to be passed on as it is."""

    def __init__(self, status: grpc.Status, code: grpc.StatusCode, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{code.name}: {message}")


PROBLEM_CHARS = 500
"""A problem text is cut to this many characters in a status (it is ours, but may quote other
values); with the value cut to ``errors.SHOWN_CHARS`` a status stays far below gRPC's metadata
limit (8 KiB by default: past it the caller would get RESOURCE_EXHAUSTED instead)."""


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def grpc_code(err: errors.SettlenetError) -> grpc.StatusCode:
    """The gRPC status code for a settlenet error."""
    for cls in type(err).__mro__:
        if cls in _CODES:
            return _CODES[cls][0]
    return grpc.StatusCode.INTERNAL


def to_status(err: errors.SettlenetError) -> grpc.Status:
    """A settlenet error as a gRPC status with BadRequest and ErrorInfo details.

    The refused value is shown once, in the message (``field=value: problem``), cut by
    ``errors.shown``; BadRequest names the field and says the problem; ErrorInfo names the
    field and the reason."""
    code = next((_CODES[c][1] for c in type(err).__mro__ if c in _CODES), code_pb2.INTERNAL)
    problem = _cut(err.problem, PROBLEM_CHARS)
    bad = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=err.field, description=problem)
        ]
    )
    info = error_details_pb2.ErrorInfo(
        reason=err.reason, domain="settlenet", metadata={"field": err.field}
    )
    details = []
    for message in (bad, info):
        packed = any_pb2.Any()
        packed.Pack(message)
        details.append(packed)
    message = f"{err.field}={errors.shown(err.value)}: {problem}"
    proto = status_pb2.Status(code=code, message=message, details=details)
    return rpc_status.to_status(proto)


def from_rpc_error(exc: grpc.aio.AioRpcError, *, field: str, value: str, peer: str) -> Exception:
    """Turn a failed call to another node into what this node should raise.

    Connection failures and deadlines become :class:`errors.Unavailable` naming the field that
    chose the peer; any other status is passed on untouched as :class:`RemoteStatus`.
    """
    code = exc.code()
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return errors.Unavailable(
            field, value, f"{peer} did not answer ({code.name}): {exc.details()}"
        )
    if code == grpc.StatusCode.CANCELLED:
        return errors.Unavailable(field, value, f"call to {peer} was cancelled")
    trailing = exc.trailing_metadata() or ()
    raw = next((v for k, v in trailing if k == _DETAILS_KEY), None)
    if isinstance(raw, bytes):
        proto = status_pb2.Status.FromString(raw)
        status = rpc_status.to_status(proto)
    else:
        status = rpc_status.to_status(
            status_pb2.Status(code=code.value[0], message=exc.details() or code.name)
        )
    return RemoteStatus(status, code, exc.details() or "")


def details_of(exc: grpc.RpcError) -> tuple[list[tuple[str, str]], str]:
    """Client side: the (field, description) violations and the ErrorInfo reason of a status."""
    status = rpc_status.from_call(exc)
    violations: list[tuple[str, str]] = []
    reason = ""
    if status is None:
        return violations, reason
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations += [(v.field, v.description) for v in bad.field_violations]
        elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
    return violations, reason


def error_summary(err: Exception) -> tuple[str, str]:
    """(message, reason) of an error a node raises or passes on: what a log of routed
    messages keeps of a failed forward."""
    if isinstance(err, errors.SettlenetError):
        return _cut(str(err), PROBLEM_CHARS), str(err.reason)
    if isinstance(err, RemoteStatus):
        reason = ""
        proto = (
            status_pb2.Status.FromString(err.status.trailing_metadata[0][1])
            if (err.status.trailing_metadata)
            else None
        )
        for detail in proto.details if proto is not None else ():
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                reason = info.reason
        return _cut(err.message, PROBLEM_CHARS), reason
    return _cut(str(err), PROBLEM_CHARS), ""


def describe_rpc_error(exc: grpc.RpcError) -> str:
    """Client side: one readable text for a failed call: code, message, each field violation
    and the reason."""
    violations, reason = details_of(exc)
    lines = [f"{exc.code().name}: {exc.details()}"]
    lines += [f"  field {field}: {desc}" for field, desc in violations]
    if reason:
        lines.append(f"  reason {reason}")
    return "\n".join(lines)


_CERTAIN = {
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.OUT_OF_RANGE,
    grpc.StatusCode.UNIMPLEMENTED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
}
"""Statuses a node answers only when it refused the call: it took effect nowhere downstream."""


def uncertain(exc: BaseException) -> bool:
    """Whether a forward that raised ``exc`` may still have taken effect downstream: no answer
    (unreachable, a deadline, cancelled), or a failure that is not a refusal (UNKNOWN,
    INTERNAL, ...). A refusal (:class:`errors.SettlenetError` other than Unavailable, or a
    passed-on status such as FAILED_PRECONDITION) is certain: nothing took effect."""
    if isinstance(exc, errors.Unavailable):
        return True
    if isinstance(exc, errors.SettlenetError):
        return False
    if isinstance(exc, RemoteStatus):
        return exc.code not in _CERTAIN
    if isinstance(exc, grpc.aio.AioRpcError):
        return exc.code() not in _CERTAIN
    return True
