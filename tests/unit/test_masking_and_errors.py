"""ID numbers are masked wherever they stand in a log line; a refused value is shown cut short;
an unexpected exception in a servicer is INTERNAL with an error id that is in the log."""

from __future__ import annotations

import io
import json

import grpc
import pytest
import structlog
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.logs import setup as slog
from services.logs.masking import mask_text
from services.rpc.handler import rpc
from services.rpc.status import details_of, to_status
from services.values.errors import SHOWN_CHARS, InvalidField, shown


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        pytest.param("P130102195005259039", "P130102********9039", id="inside-a-word"),
        pytest.param("a 13010219500525903X b", "a 130102********903X b", id="check-X"),
        pytest.param("old 130102500525903.", "old 130102******903.", id="15-digit"),
        pytest.param(
            "H11010100001202611231000000001", "H11010100001202611231000000001", id="msgid-untouched"
        ),
        pytest.param("13010000000000000002", "13010000000000000002", id="psn_no-untouched"),
    ],
)
def test_id_numbers_are_masked_anywhere_in_a_string(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_a_refused_value_is_shown_once_and_cut() -> None:
    err = InvalidField("memo", "x" * 1_000_000, "too long")
    assert len(str(err)) < 120 and "1000000 characters" in str(err)
    status = to_status(err)
    assert len(status.trailing_metadata[0][1]) < 1000  # the packed details stay small
    assert shown("short") == "'short'" and len(shown("y" * 500)) <= SHOWN_CHARS + 20


class _Broken(health_pb2_grpc.HealthServicer):
    @rpc("0000")
    async def Check(self, request: health_pb2.HealthCheckRequest, context: object) -> object:
        raise ZeroDivisionError("a bug for 130102195005259039")


async def test_an_unexpected_exception_is_internal_with_an_error_id_in_the_log() -> None:
    out = io.StringIO()
    slog.configure("test", json=True, stream=out)
    server = grpc.aio.server()
    health_pb2_grpc.add_HealthServicer_to_server(_Broken(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(), timeout=10
                )
    finally:
        await server.stop(None)
        structlog.reset_defaults()
    assert err.value.code() == grpc.StatusCode.INTERNAL
    error_id = err.value.details().split()[2].rstrip(":")
    assert details_of(err.value) == ([], "")
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    failed = [line for line in lines if line.get("event") == "rpc_failed"]
    assert failed and failed[0]["error_id"] == error_id
    assert "ZeroDivisionError" in failed[0]["exception"]
    assert "130102********9039" in failed[0]["exception"]
    assert "195005" not in out.getvalue()
