"""uvicorn embedded in a node's event loop: the province's national HTTP interface and the hub's
web view share it. The node keeps SIGINT and SIGTERM (uvicorn installs no handlers), the socket
is made here (so a process of several can share its port), and a start that fails raises what
stopped it."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

STOP_TIMEOUT_S = 5.0


def listening_socket(
    host: str, port: int, *, reuse_port: bool = False, backlog: int = 1024
) -> socket.socket:
    """A non-blocking TCP socket listening on ``host:port`` (``reuse_port``: SO_REUSEPORT, one
    of several processes serving the same port).

    IPPROTO_TCP, not the default 0: asyncio turns Nagle off (TCP_NODELAY) only on accepted
    sockets whose proto says TCP, and with Nagle on every keep-alive answer waited ~40 ms for the
    client's delayed ACK."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.setblocking(False)
    return sock


@dataclass
class Running:
    """A started server: its port, the uvicorn server and the task serving."""

    port: int
    server: Any
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.server.should_exit = True
        try:
            await asyncio.wait_for(self.task, timeout=STOP_TIMEOUT_S)
        except (TimeoutError, asyncio.CancelledError):
            self.task.cancel()


async def start(config: Any, sock: socket.socket) -> Running:
    """Serve uvicorn ``config`` on ``sock`` on this event loop; once it serves."""
    import uvicorn

    class Embedded(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    server = Embedded(config)
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()  # raises what stopped it
        await asyncio.sleep(0.01)
    return Running(sock.getsockname()[1], server, task)
