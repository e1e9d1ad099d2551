"""``settlenet hub|province --processes N``: one node served by N processes on one port.

The parent starts N worker processes with the node's own arguments (``--processes 1 --worker
I``, the port fixed), each binding the port with SO_REUSEPORT (gRPC's ``grpc.so_reuseport``;
the province's HTTP interface on a socket of its own with the same option), so the kernel
spreads the connections over them. They share the node's PostgreSQL database; what each process
kept to itself before is shared or made safe across them (``docs/scaleout.md``).

The parent forwards SIGTERM and SIGINT to the workers and exits when they have stopped. It
restarts nothing: a worker that dies is reported on stderr (the others go on serving) and the
parent exits 1 once none is left. Once every worker serves, it writes one ready file for the
launcher: the endpoint, its own pid, the workers' pids and the HTTP URL.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 10.0
_PR_SET_PDEATHSIG = 1


def _reserve(host: str) -> socket.socket:
    """A port for the workers (``--port 0``): bound here with SO_REUSEPORT and held, without
    listening (it takes no connection), until they all listen on it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, 0))
    return sock


def _die_with_parent() -> None:
    """In a worker, before it runs: SIGTERM when the parent dies (even by SIGKILL)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the launcher stops the process group
        pass


def refuse_sqlite(kind: str, n: int, url: str) -> str | None:
    """Why ``n`` processes cannot share ``url``, or None."""
    if url.startswith("sqlite"):
        return (
            f"settlenet {kind}: --processes {n} needs one database all of them share: give a "
            "PostgreSQL URL (--db or $SETTLENET_DB_URL); a SQLite database is written by one "
            "process only (its writer is per process)"
        )
    return None


def main(args: argparse.Namespace, kind: str, url: str) -> int:
    """Run ``args.processes`` workers of the node ``kind`` ("hub" or "province") until SIGTERM
    or SIGINT; 0 when they all stopped cleanly, 1 when one failed or none was left, 2 when the
    node cannot run as several processes."""
    n = int(args.processes)
    problem = refuse_sqlite(kind, n, url)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    stop_requested = False
    procs: dict[int, subprocess.Popen[bytes]] = {}

    def forward(signum: int, _frame: FrameType | None) -> None:
        nonlocal stop_requested
        stop_requested = True
        for p in procs.values():
            if p.poll() is None:
                try:
                    p.send_signal(signum)
                except ProcessLookupError:
                    pass

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)

    held: list[socket.socket] = []
    port = int(args.port)
    if port == 0:
        held.append(_reserve(args.host))
        port = held[-1].getsockname()[1]
    extra = ["--processes", "1", "--port", str(port)]
    if kind == "province" and not args.no_http:
        http_port = int(args.http_port)
        if http_port == 0:
            held.append(_reserve(args.host))
            http_port = held[-1].getsockname()[1]
        extra += ["--http-port", str(http_port)]
    # A URL from $SETTLENET_DB_URL stays there (the workers inherit it), off their command lines.
    given = list(getattr(args, "argv", None) or sys.argv[1:])
    folder = Path(tempfile.mkdtemp(prefix=f"settlenet-{kind}-workers-"))
    try:
        for i in range(1, n + 1):
            ready = folder / f"worker-{i}.json"
            argv = [*given, *extra, "--worker", str(i), "--ready-file", str(ready)]
            procs[i] = subprocess.Popen(
                [sys.executable, "-m", "scripts.cli", *argv], preexec_fn=_die_with_parent
            )
        readies = _wait_ready(kind, procs, folder, lambda: stop_requested)
        for sock in held:
            sock.close()
        if readies is None:
            _stop_all(procs)
            return 0 if stop_requested else 1
        first = readies[1]
        print(
            f"settlenet {kind}: {n} processes serve {first['endpoint']} "
            f"(pids {', '.join(str(p.pid) for p in procs.values())})",
            file=sys.stderr,
            flush=True,
        )
        if args.ready_file:
            ready_doc = {
                "endpoint": first["endpoint"],
                "pid": os.getpid(),
                "workers": [procs[i].pid for i in sorted(procs)],
            }
            if first.get("http"):
                ready_doc["http"] = first["http"]
            tmp = args.ready_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(ready_doc))
            tmp.replace(args.ready_file)
        return _watch(kind, procs, lambda: stop_requested)
    finally:
        for sock in held:
            sock.close()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_ready(
    kind: str,
    procs: dict[int, subprocess.Popen[bytes]],
    folder: Path,
    stopping: object,
) -> dict[int, dict[str, str]] | None:
    """Every worker's ready file, or None when one exited first (reported), a stop was asked
    or they took too long."""
    assert callable(stopping)
    deadline = time.monotonic() + READY_TIMEOUT_S
    readies: dict[int, dict[str, str]] = {}
    while len(readies) < len(procs):
        if stopping():
            return None
        for i, p in procs.items():
            if i in readies:
                continue
            path = folder / f"worker-{i}.json"
            if path.exists():
                readies[i] = json.loads(path.read_text())
            elif p.poll() is not None:
                print(
                    f"settlenet {kind}: worker {i} (pid {p.pid}) exited with code "
                    f"{p.returncode} before serving; stopping the others",
                    file=sys.stderr,
                    flush=True,
                )
                return None
        if time.monotonic() > deadline:
            print(
                f"settlenet {kind}: the workers did not all serve within "
                f"{READY_TIMEOUT_S:.0f} s; stopping them",
                file=sys.stderr,
                flush=True,
            )
            return None
        time.sleep(0.05)
    return readies


def _watch(kind: str, procs: dict[int, subprocess.Popen[bytes]], stopping: object) -> int:
    """Until a stop is asked (then wait for the workers) or no worker is left; a worker that
    dies meanwhile is reported, not restarted."""
    assert callable(stopping)
    alive = dict(procs)
    failed = False
    while alive:
        if stopping():
            return 1 if _stop_all(procs) or failed else 0
        for i, p in list(alive.items()):
            if p.poll() is not None:
                del alive[i]
                failed = True
                print(
                    f"settlenet {kind}: worker {i} (pid {p.pid}) exited with code "
                    f"{p.returncode}; not restarted, {len(alive)} of {len(procs)} serving",
                    file=sys.stderr,
                    flush=True,
                )
        time.sleep(0.1)
    print(f"settlenet {kind}: no worker is left", file=sys.stderr, flush=True)
    return 1


def _stop_all(procs: dict[int, subprocess.Popen[bytes]]) -> bool:
    """SIGTERM every worker still running, SIGKILL those not gone after ``STOP_TIMEOUT_S``;
    whether any ended with an error."""
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    bad = False
    for p in procs.values():
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            bad = True
        if p.returncode not in (0, -signal.SIGTERM):
            bad = True
    return bad
