"""A stand-in for ``grpc.aio.ServicerContext`` when the HTTP interface calls a servicer.

The servicers (and the ``@rpc`` decorator around them) ask the context for the time left and
abort through it; over HTTP an abort raises :class:`Aborted` carrying the same status a gRPC
client would get, which the HTTP layer turns into ``infcode`` -1.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import grpc


class Aborted(Exception):
    """The servicer refused the call: its status code and message (``field=value: problem``)."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(f"{code.name}: {details}")
        self.code = code
        self.details = details


class HttpContext:
    """What a servicer uses of its context: the deadline, abort, metadata, peer."""

    def __init__(
        self, peer: str, deadline_s: float, metadata: Sequence[tuple[str, str]] = ()
    ) -> None:
        self._peer = peer
        self._deadline = time.monotonic() + deadline_s
        self._metadata = tuple(metadata)

    def time_remaining(self) -> float:
        return max(0.0, self._deadline - time.monotonic())

    async def abort(self, code: grpc.StatusCode, details: str = "", *_: Any) -> None:
        raise Aborted(code, details)

    async def abort_with_status(self, status: Any) -> None:
        raise Aborted(status.code, status.details)

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    def auth_context(self) -> dict[str, list[bytes]]:
        return {}

    def peer(self) -> str:
        return self._peer

    def cancelled(self) -> bool:
        return False
