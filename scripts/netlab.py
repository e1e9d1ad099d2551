"""A lab of "hosts" on one Linux machine: one network namespace per host, joined by veth links
to a bridge in a switch namespace, on a private subnet; latency added on every link.

    lab = Lab({"hub": 1, "p11": 11, "gen1": 101}, delay_ms=10)
    with lab:                                  # up; always torn down, even on failure
        lab.popen("hub", [sys.executable, "-m", "scripts.cli", "hub", ...])
        lab.relay("hub", [7000])               # only when lab.mode == "relay"

Needs root (``ip netns``). Topology (``10.77.0.0/24`` by default)::

    [ns hub 10.77.0.1]  [ns p11 .11]  [ns p13 .13]  [ns gen1 .101]  [ns gen2 .102]
          eth0             eth0          eth0           eth0            eth0
           |                 |             |              |               |
    ======================= br0 in ns sw (the switch) ==========================

Latency: ``tc qdisc ... netem`` on each host's eth0 (``delay_ms`` on every packet leaving it:
a round trip between two hosts gains 2 × ``delay_ms``) when the kernel has netem; otherwise
(``mode == "relay"``) a delaying TCP relay in user space in front of each server: the server
binds its port on the host's loopback and the relay listens on the host's address at the same
port, forwarding each direction's bytes ``delay_ms`` later, in order (a round trip through it
also gains 2 × ``delay_ms``). Every TCP connection between hosts then goes through a relay,
since servers are reachable at their host's address only through it.

Namespaces are named ``snl-PID-NAME`` (PID of the process that made them), so a run never
meets another's, and a later run removes what a crashed one left (its PID no longer alive).

``python -m scripts.netlab relay --forward 10.77.0.11:7000=127.0.0.1:7000 --delay-ms 10`` is
the relay (run inside a host's namespace by :meth:`Lab.relay`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

PREFIX = "snl"
NAME_RE = re.compile(rf"^{PREFIX}-(\d+)-[a-z0-9]+$")
SWITCH = "sw"


class LabError(Exception):
    """The lab cannot be built here (not root, no ``ip netns``), or a command failed."""


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if check and out.returncode != 0:
        raise LabError(f"ip {' '.join(args)}: {out.stderr.strip()}")
    return out


def unavailable() -> str | None:
    """Why a lab cannot be built on this machine, or None when it can."""
    if os.geteuid() != 0:
        return "network namespaces need root (id -u is not 0)"
    try:
        probe = f"{PREFIX}-{os.getpid()}-probe"
        made = subprocess.run(
            ["ip", "netns", "add", probe], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`ip netns` is not available: {exc}"
    if made.returncode != 0:
        return f"`ip netns add` fails here: {made.stderr.strip()}"
    _ip("netns", "del", probe, check=False)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _namespaces() -> list[str]:
    out = _ip("netns", "list", check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def _remove(ns: str) -> None:
    """Stop the processes left in ``ns`` (started by the lab) and delete it."""
    pids = _ip("netns", "pids", ns, check=False).stdout.split()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), signal.SIGKILL)
    _ip("netns", "del", ns, check=False)


def cleanup_stale() -> list[str]:
    """Remove the namespaces of labs whose process is gone (a crashed run); their names."""
    removed = []
    for ns in _namespaces():
        m = NAME_RE.match(ns)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            _remove(ns)
            removed.append(ns)
    return removed


def netem_available(ns: str, dev: str = "eth0") -> bool:
    """Whether ``tc qdisc ... netem`` works in this kernel (tried on ``dev`` in ``ns``)."""
    out = subprocess.run(
        [
            "ip",
            "netns",
            "exec",
            ns,
            "tc",
            "qdisc",
            "add",
            "dev",
            dev,
            "root",
            "netem",
            "delay",
            "1ms",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if out.returncode != 0:
        return False
    subprocess.run(
        ["ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", dev, "root"],
        capture_output=True,
        timeout=30,
    )
    return True


@dataclass
class Lab:
    """Hosts (name → last octet of their address) on one bridge, ``delay_ms`` per link
    direction. ``mode`` is "netem" or "relay" once up (see the module's text)."""

    hosts: dict[str, int]
    delay_ms: float = 10.0
    subnet: str = "10.77.0"
    force_relay: bool = False
    """Use the relay even where netem works (to test it)."""
    mode: str = ""
    run_id: str = field(default_factory=lambda: str(os.getpid()))
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    stale_removed: list[str] = field(default_factory=list)

    def ns(self, host: str) -> str:
        return f"{PREFIX}-{self.run_id}-{host}"

    def addr(self, host: str) -> str:
        return f"{self.subnet}.{self.hosts[host]}"

    def __enter__(self) -> Lab:
        self.up()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.down()

    def up(self) -> None:
        for name in self.hosts:
            if not re.fullmatch(r"[a-z0-9]{1,8}", name) or name == SWITCH:
                raise LabError(f"host name {name!r}: 1 to 8 of a-z0-9, not {SWITCH!r}")
        self.stale_removed = cleanup_stale()
        try:
            sw = self.ns(SWITCH)
            _ip("netns", "add", sw)
            _ip("-n", sw, "link", "add", "br0", "type", "bridge")
            _ip("-n", sw, "link", "set", "br0", "up")
            for i, (name, octet) in enumerate(self.hosts.items()):
                ns = self.ns(name)
                _ip("netns", "add", ns)
                port = f"p{i}"
                _ip("link", "add", "eth0", "netns", ns, "type", "veth", "peer", port, "netns", sw)
                _ip("-n", sw, "link", "set", port, "master", "br0")
                _ip("-n", sw, "link", "set", port, "up")
                _ip("-n", ns, "addr", "add", f"{self.subnet}.{octet}/24", "dev", "eth0")
                _ip("-n", ns, "link", "set", "eth0", "up")
                _ip("-n", ns, "link", "set", "lo", "up")
            first = self.ns(next(iter(self.hosts)))
            if not self.force_relay and netem_available(first):
                self.mode = "netem"
                for name in self.hosts:
                    self.exec_checked(
                        name,
                        [
                            "tc",
                            "qdisc",
                            "add",
                            "dev",
                            "eth0",
                            "root",
                            "netem",
                            "delay",
                            f"{self.delay_ms:g}ms",
                        ],
                    )
            else:
                self.mode = "relay"
        except BaseException:
            self.down()
            raise

    def down(self) -> None:
        """Stop every process started here (by its id), then delete every namespace."""
        for p in reversed(self.procs):
            stop(p)
        self.procs.clear()
        for name in [*self.hosts, SWITCH]:
            ns = self.ns(name)
            if ns in _namespaces():
                _remove(ns)

    def argv(self, host: str, argv: Sequence[str]) -> list[str]:
        """``argv`` run inside ``host``'s namespace."""
        return ["ip", "netns", "exec", self.ns(host), *argv]

    def exec_checked(self, host: str, argv: Sequence[str]) -> str:
        out = subprocess.run(self.argv(host, argv), capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise LabError(f"{host}: {' '.join(argv)}: {out.stderr.strip()}")
        return out.stdout

    def popen(
        self, host: str, argv: Sequence[str], log: Path | None = None, **kw: Any
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` in ``host``'s namespace (stopped by :meth:`down`); output to ``log``.
        ``ip netns exec`` execs the command, so the process id is the command's."""
        out: IO[bytes] | int = log.open("ab") if log else subprocess.DEVNULL
        try:
            p = subprocess.Popen(self.argv(host, argv), stdout=out, stderr=subprocess.STDOUT, **kw)
        finally:
            if log and not isinstance(out, int):
                out.close()
        self.procs.append(p)
        return p

    def relay(self, host: str, ports: Sequence[int], log: Path | None = None) -> None:
        """In relay mode: a delaying relay on ``host``'s address for each of ``ports``, to the
        same port on its loopback, where its server listens. Returns once it listens."""
        if self.mode != "relay":
            return
        forwards = [f"{self.addr(host)}:{p}=127.0.0.1:{p}" for p in ports]
        argv = [sys.executable, "-m", "scripts.netlab", "relay", "--delay-ms", f"{self.delay_ms:g}"]
        for f in forwards:
            argv += ["--forward", f]
        p = self.popen(host, argv, log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if p.poll() is not None:
                raise LabError(f"the relay on {host} exited ({p.returncode}); see {log}")
            listening = self.exec_checked(host, ["ss", "-Hltn"])
            if all(f"{self.addr(host)}:{port} " in listening for port in ports):
                return
            time.sleep(0.1)
        raise LabError(f"the relay on {host} did not listen within 30 s")

    def bind_host(self, host: str) -> str:
        """The address a server on ``host`` binds: its own with netem, loopback behind a relay."""
        return "127.0.0.1" if self.mode == "relay" else self.addr(host)


def stop(p: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """SIGTERM the process, SIGKILL it if it has not ended within ``timeout``."""
    if p.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            p.kill()
        p.wait(10)


# --- the delaying relay ------------------------------------------------------------------


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay_s: float) -> None:
    """Copy ``reader`` to ``writer``, each chunk ``delay_s`` after it arrived, in order; the
    end of the stream (half-close) is delayed alike."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes | None]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    delivering = asyncio.create_task(deliver())
    try:
        while data := await reader.read(65536):
            queue.put_nowait((loop.time() + delay_s, data))
            if delivering.done():
                break
    except ConnectionError:
        pass
    finally:
        queue.put_nowait((loop.time() + delay_s, None))
    with contextlib.suppress(ConnectionError):
        await delivering


async def _serve_forward(listen: str, to: str, delay_s: float) -> asyncio.Server:
    host, _, port = listen.rpartition(":")
    to_host, _, to_port = to.rpartition(":")

    async def handle(c_reader: asyncio.StreamReader, c_writer: asyncio.StreamWriter) -> None:
        try:
            u_reader, u_writer = await asyncio.open_connection(to_host, int(to_port))
        except OSError:
            c_writer.close()
            return
        try:
            await asyncio.gather(
                _pump(c_reader, u_writer, delay_s), _pump(u_reader, c_writer, delay_s)
            )
        finally:
            for w in (u_writer, c_writer):
                w.close()

    return await asyncio.start_server(handle, host, int(port))


async def _relay(forwards: list[str], delay_ms: float) -> int:
    servers = []
    for f in forwards:
        listen, eq, to = f.partition("=")
        if not eq:
            print(f"netlab relay: --forward {f}: give LISTEN:PORT=TO:PORT", file=sys.stderr)
            return 2
        servers.append(await _serve_forward(listen, to, delay_ms / 1000))
        print(f"relay {listen} -> {to}, {delay_ms:g} ms each way", flush=True)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, done.set)
    await done.wait()
    for s in servers:
        s.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m scripts.netlab", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("relay", help="a TCP relay delaying each direction by --delay-ms")
    r.add_argument("--forward", action="append", required=True, help="LISTEN:PORT=TO:PORT")
    r.add_argument("--delay-ms", type=float, default=10.0)
    sub.add_parser("cleanup", help="remove namespaces left by crashed runs")
    a = p.parse_args(argv)
    if a.command == "cleanup":
        for ns in cleanup_stale():
            print(f"removed {ns}")
        return 0
    return asyncio.run(_relay(a.forward, a.delay_ms))


if __name__ == "__main__":
    raise SystemExit(main())
