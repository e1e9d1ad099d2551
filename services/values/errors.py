"""The error tree. Domain code raises these; one mapping (``services.rpc.status``) turns them into
gRPC statuses with google.rpc details. Each error carries its inputs as fields and a reason
from ``services.values.reasons.Reason``.

    SettlenetError
    ├── InvalidField          INVALID_ARGUMENT    a field's value is malformed or out of range
    ├── NotFound              NOT_FOUND           a code or id names nothing known
    ├── FailedPrecondition    FAILED_PRECONDITION valid input the current state refuses
    ├── DuplicateMessage      ALREADY_EXISTS      a msgid seen before with a different body
    ├── Unavailable           UNAVAILABLE         a node on the path cannot be reached
    ├── Unauthenticated       UNAUTHENTICATED     no identity, or one that does not check out
    ├── PermissionDenied      PERMISSION_DENIED   a known caller this call is not for
    └── ConfigError           (no RPC status)     a data or policy file is wrong; node won't start
"""

from __future__ import annotations

from services.values.personal import mask_value
from services.values.reasons import Reason

SHOWN_CHARS = 64
"""A refused value is shown cut to this many characters: a caller's megabyte of junk must not
come back to it (gRPC refuses status details past a few kilobytes) or fill a log line."""


def shown(value: object) -> str:
    """``value`` as an error shows it: its repr, cut to :data:`SHOWN_CHARS` characters."""
    if isinstance(value, int) and value.bit_length() > 256:  # repr fails past 4,300 digits
        return f"<an integer of {value.bit_length()} bits>"
    text = repr(value)
    if len(text) <= SHOWN_CHARS:
        return text
    size = len(value) if isinstance(value, str | bytes) else len(text)
    return f"{text[: SHOWN_CHARS - 1]}… ({size} characters)"


class SettlenetError(Exception):
    """Base of every error settlenet raises on purpose."""

    reason: str = Reason.SETTLENET_ERROR

    def __init__(self, field: str, value: object, problem: str) -> None:
        self.field = field
        self.value = mask_value(field, value)  # an error never carries a name in clear
        self.problem = problem
        super().__init__(f"{field}={shown(self.value)}: {problem}")


class InvalidField(SettlenetError):
    """A field's value is missing, malformed or out of range."""

    reason = Reason.INVALID_FIELD


class NotFound(SettlenetError):
    """A code or id (person, visit, catalogue code, region) names nothing known here."""

    reason = Reason.NOT_FOUND


class FailedPrecondition(SettlenetError):
    """A valid request that the current state refuses (e.g. revoking a revoked settlement)."""

    reason = Reason.FAILED_PRECONDITION

    def __init__(
        self, field: str, value: object, problem: str, reason: Reason | None = None
    ) -> None:
        super().__init__(field, value, problem)
        if reason:
            self.reason = reason


class DuplicateMessage(SettlenetError):
    """The msgid was seen before with a different body."""

    reason = Reason.MSGID_REUSED_WITH_DIFFERENT_BODY

    def __init__(self, msgid: str, infno: str) -> None:
        super().__init__(
            "header.msgid",
            msgid,
            f"msgid already used for a different {infno} request; use a new msgid",
        )


class Unavailable(SettlenetError):
    """A node on the path could not be reached within the deadline."""

    reason = Reason.NODE_UNAVAILABLE


class Overloaded(SettlenetError):
    """New work refused because the node has as much in progress as it can take now (admission
    control, :mod:`services.rpc.admission`); nothing was done, so the caller may retry."""

    reason = Reason.OVERLOADED


class Unauthenticated(SettlenetError):
    """The caller's identity is missing or does not check out (certificate, x-tif signature)."""

    reason = Reason.CREDENTIALS_INVALID

    def __init__(self, field: str, value: object, problem: str, reason: Reason) -> None:
        super().__init__(field, value, problem)
        self.reason = reason


class PermissionDenied(SettlenetError):
    """A known caller that may not make this call (or not for this code, visit or province)."""

    reason = Reason.NOT_PERMITTED


class ConfigError(Exception):
    """A data or policy file is wrong. Names the file, the key and the problem."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        super().__init__(f"{file}: {key}: {problem}")
