"""The delaying relay of the multi-host lab (scripts/netlab.py), on loopback: bytes pass both
ways in order, each direction held the delay, and a half-close passes too."""

from __future__ import annotations

import asyncio
import time

from scripts import netlab

DELAY_MS = 30.0


async def test_relay_delays_each_direction_and_keeps_order() -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        writer.close()  # the client half-closed: so do we

    upstream = await asyncio.start_server(echo, "127.0.0.1", 0)
    up_port = upstream.sockets[0].getsockname()[1]
    relay = await netlab._serve_forward("127.0.0.1:0", f"127.0.0.1:{up_port}", DELAY_MS / 1000)
    port = relay.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.monotonic()
        writer.write(b"ping")
        await writer.drain()
        assert await reader.readexactly(4) == b"ping"
        # Through the relay both ways: at least the delay twice (the bound only grows with load).
        assert time.monotonic() - started >= 2 * DELAY_MS / 1000 * 0.95
        chunks = [bytes([i]) * (1000 + i) for i in range(50)]
        for c in chunks:
            writer.write(c)
        await writer.drain()
        writer.write_eof()
        got = await asyncio.wait_for(reader.read(), 10)  # to the end: the echo closed
        assert got == b"".join(chunks)
        writer.close()
    finally:
        relay.close()
        upstream.close()


async def test_relay_closes_when_nothing_listens_behind_it() -> None:
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    dead_port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    relay = await netlab._serve_forward("127.0.0.1:0", f"127.0.0.1:{dead_port}", 0.001)
    port = relay.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(reader.read(), 10) == b""
        writer.close()
    finally:
        relay.close()
