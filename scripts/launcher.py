"""Node processes on this machine: spawn one, wait until it serves, stop it, kill it.

One launcher for ``settlenet up``, ``settlenet bench`` and the end-to-end tests. A node is
started with ``--ready-file F``: once it serves it writes its endpoint (it may have bound port 0)
and pid there; the launcher then asks the node's standard ``grpc.health.v1.Health`` service and
counts it ready when the answer is SERVING. A node that exits first is reported with the tail of
its log. ``settlenet up`` itself, which writes DIR/network.json once every node serves, is
started with :func:`start_network`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from services.security.client import TlsFiles
from services.storage import files

READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
CLI = (sys.executable, "-m", "scripts.cli")
"""The ``settlenet`` command as a child process (the worktree's code, not an installed one)."""


class LaunchError(RuntimeError):
    """A node exited or did not serve in time."""


@dataclass
class Process:
    """A node process this launcher started."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    endpoint: str = ""
    http: str = ""
    """The URL of its national HTTP interface, if it serves one."""
    web: str = ""
    """The hub's web view URL, and its one-time access token, if it serves one."""
    web_token: str = ""
    ready: Path | None = None
    """The file the node writes its endpoint and pid to once it serves."""
    group: bool = False
    """Started in a session of its own: stop signals go to its whole process group."""
    _handle: IO[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, lines: int = 5) -> str:
        """The last lines of the node's log."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n  ".join(text.splitlines()[-lines:])

    def signal(self, sig: int) -> None:
        if not self.alive():
            return
        if self.group:
            try:
                os.killpg(self.proc.pid, sig)
                return
            except ProcessLookupError:
                return
        self.proc.send_signal(sig)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """SIGTERM (a clean stop), then SIGKILL after ``timeout``; the exit code."""
        self.signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self.close()
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL: no clean stop, transactions cut wherever they were."""
        self.signal(signal.SIGKILL)
        self.proc.wait(timeout=STOP_TIMEOUT_S)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def spawn(
    name: str,
    argv: Sequence[str],
    log: Path,
    *,
    new_session: bool = True,
    env: dict[str, str] | None = None,
) -> Process:
    """Start ``argv`` with stdout and stderr appended to ``log``. ``new_session`` keeps Ctrl-C
    at the terminal from reaching the child: the parent stops its children in order."""
    handle = os.fdopen(files.open_private_log(log), "ab")
    proc = subprocess.Popen(
        list(argv),
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=new_session,
        env=env,
    )
    return Process(name, proc, log, _handle=handle)


def health_serving(endpoint: str, timeout: float = 2.0, tls: TlsFiles | None = None) -> bool:
    """Whether the server at ``endpoint`` answers the standard health check with SERVING (over
    mutual TLS with ``tls``)."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    try:
        opened = (
            grpc.secure_channel(endpoint, tls.channel_credentials())
            if tls
            else grpc.insecure_channel(endpoint)
        )
        with opened as channel:
            answer = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout
            )
    except grpc.RpcError:
        return False
    return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)


def wait_ready(p: Process, timeout: float = READY_TIMEOUT_S, tls: TlsFiles | None = None) -> str:
    """Wait for ``p``'s ready file, then for its health check to say SERVING; its endpoint.
    Raises :class:`LaunchError` (and kills ``p``) if it exits or does not serve in time."""
    assert p.ready is not None, f"{p.name} was not started with a ready file"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if p.ready.exists():
            ready = json.loads(p.ready.read_text())
            p.endpoint = str(ready["endpoint"])
            p.http = str(ready.get("http", ""))
            p.web = str(ready.get("web", ""))
            p.web_token = str(ready.get("web_token", ""))
            break
        if not p.alive():
            raise LaunchError(f"{p.name} exited with code {p.proc.returncode}:\n  {p.tail()}")
        time.sleep(0.05)
    else:
        p.kill()
        raise LaunchError(f"{p.name} did not start serving within {timeout:.0f}s; see {p.log}")
    while not health_serving(p.endpoint, tls=tls):
        if not p.alive():
            raise LaunchError(f"{p.name} exited with code {p.proc.returncode}:\n  {p.tail()}")
        if time.monotonic() > deadline:
            p.kill()
            raise LaunchError(f"{p.name} is not SERVING by its health check; see {p.log}")
        time.sleep(0.05)
    return p.endpoint


def spawn_node(
    name: str,
    argv: Sequence[str],
    data: Path,
    *,
    log: Path | None = None,
    new_session: bool = True,
    env: dict[str, str] | None = None,
) -> Process:
    """Spawn a node (``argv`` plus ``--ready-file``) without waiting: :func:`wait_ready` waits.
    Its log is ``log`` (default DATA/NAME.log), its ready file DATA/NAME.ready (spaces in NAME
    as dashes)."""
    stem = name.replace(" ", "-")
    ready = data / f"{stem}.ready"
    ready.unlink(missing_ok=True)
    p = spawn(
        name,
        [*argv, "--ready-file", str(ready)],
        log or data / f"{stem}.log",
        new_session=new_session,
        env=env,
    )
    p.ready = ready
    return p


def start_node(
    name: str,
    argv: Sequence[str],
    data: Path,
    *,
    log: Path | None = None,
    new_session: bool = True,
    timeout: float = READY_TIMEOUT_S,
    env: dict[str, str] | None = None,
    tls: TlsFiles | None = None,
) -> Process:
    """Spawn a node and wait until it serves (:func:`spawn_node`, :func:`wait_ready`); ``tls``
    is a certificate to ask its health check with on a secure network."""
    p = spawn_node(name, argv, data, log=log, new_session=new_session, env=env)
    wait_ready(p, timeout, tls)
    return p


def start_network(
    data: Path,
    args: Sequence[str] = (),
    *,
    log: Path | None = None,
    timeout: float = 120.0,
    env: dict[str, str] | None = None,
) -> tuple[Process, dict[str, object]]:
    """Run ``settlenet up --data DATA ARGS`` and wait until it writes DATA/network.json; the
    process (stop it with ``stop()``: up stops its nodes in order) and the network document."""
    target = data / "network.json"
    target.unlink(missing_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    p = spawn(
        "settlenet up",
        [*CLI, "up", "--data", str(data), *args],
        log or data / "up.log",
        env=env,
    )
    p.group = True
    deadline = time.monotonic() + timeout
    while not target.exists():
        if not p.alive() or time.monotonic() > deadline:
            p.kill()
            raise LaunchError(f"settlenet up did not write {target}:\n  {p.tail(10)}")
        time.sleep(0.1)
    doc: dict[str, object] = json.loads(target.read_text(encoding="utf-8"))
    return p, doc


def stop_pid(pid: int, timeout: float = STOP_TIMEOUT_S) -> bool:
    """SIGTERM a process this launcher's caller started (by pid), SIGKILL it after
    ``timeout``; whether it was still running."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True  # our child, now reaped
        except ChildProcessError:
            pass  # not our child: ask the kernel whether it still runs
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    sigkill(pid)
    return True


def sigkill(pid: int) -> bool:
    """SIGKILL a process by pid (a node killed mid-traffic); whether it was still there."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True
