"""The command lines of scripts/deploy/compose.yaml run as real processes: the certificates job
(`settlenet certs init`), the hub and two province nodes on the certificates it made, each
node's health check (`settlenet health`), the network.json job (`settlenet network --expect
--wait`), then a visit through that network.json. Only what a machine of one's own needs
changes: service names and published ports become loopback and free ports, PostgreSQL becomes
SQLite files, /certs and /shared folders of the test. (The image itself is never built here:
docs/deploy.md.)"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts import launcher
from services.security.client import TlsFiles
from services.storage.database import sqlite_url

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "scripts.cli"]
PROVINCES = ("11", "13")
"""Two of the compose file's four provinces: enough for a cross-province visit."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _hub_has_web_flags() -> bool:
    out = subprocess.run([*CLI, "hub", "--help"], capture_output=True, text=True, timeout=60)
    return "--web-port" in out.stdout


class Local:
    """How the compose file's names and folders map onto this machine."""

    def __init__(self, tmp: Path) -> None:
        self.certs, self.shared, self.data = tmp / "certs", tmp / "shared", tmp / "data"
        self.shared.mkdir()
        self.data.mkdir()
        self.ports = {"hub": _free_port(), **{f"province-{c}": _free_port() for c in PROVINCES}}
        self.web = _hub_has_web_flags()

    def argv(self, service: str, argv: list[str]) -> list[str]:
        """A compose command line with this machine's addresses, files and ports."""
        out: list[str] = []
        it = iter(argv)
        for arg in it:
            if arg in ("--host", "--advertise-host"):
                next(it)
                out += [arg, "127.0.0.1"]
            elif arg == "--port":
                next(it)
                out += [arg, str(self.ports[service])]
            elif arg == "--address":
                next(it)
                out += [arg, f"127.0.0.1:{self.ports[service]}"]
            elif arg == "--hub":
                host = next(it).rpartition(":")[0]
                out += [arg, f"127.0.0.1:{self.ports[host]}"]
            elif arg == "--db":
                next(it)
                out += [arg, sqlite_url(self.data / f"{service}.db")]
            elif arg in ("--http-port", "--web-port"):
                next(it)
                if arg == "--http-port" or self.web:
                    out += [arg, "0"]
            elif arg == "--web-host":
                value = next(it)
                if self.web:
                    out += [arg, "127.0.0.1" if value == "0.0.0.0" else value]
            elif arg in ("--provinces", "--expect"):
                next(it)
                out += [arg, ",".join(PROVINCES)]
            else:
                out.append(
                    arg.replace("/certs", str(self.certs)).replace("/shared", str(self.shared))
                )
        return out


def _run(argv: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *argv], capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def services() -> dict[str, Any]:
    doc = yaml.safe_load((ROOT / "scripts" / "deploy" / "compose.yaml").read_text())
    found: dict[str, Any] = doc["services"]
    return found


@contextlib.contextmanager
def _nodes(services: dict[str, Any], local: Local) -> Iterator[list[launcher.Process]]:
    """The hub and the provinces, started with their compose command lines; stopped after."""
    tls = TlsFiles(local.certs / "ca.pem", local.certs / "access.pem", local.certs / "access.key")
    started: list[launcher.Process] = []
    try:
        for name in ("hub", *(f"province-{c}" for c in PROVINCES)):
            argv = local.argv(name, services[name]["command"])
            started.append(launcher.start_node(name, [*CLI, *argv], local.data, tls=tls))
        yield started
    finally:
        for p in reversed(started):
            p.stop()
            p.close()


def test_the_compose_command_lines_run_a_network(tmp_path: Path, services: dict[str, Any]) -> None:
    local = Local(tmp_path)
    made = _run(local.argv("certs", services["certs"]["command"]))
    assert made.returncode == 0, made.stderr
    assert (local.certs / "province-13.credentials.json").is_file()
    again = _run(local.argv("certs", services["certs"]["command"]))  # every start: kept
    assert again.returncode == 0, again.stderr
    with _nodes(services, local) as nodes:
        for p in nodes:
            # The node's own health check, as compose runs it (its own certificate).
            check = local.argv(p.name, services[p.name]["healthcheck"]["test"][2:])
            answer = _run(check, timeout=60)
            assert answer.returncode == 0 and "SERVING" in answer.stdout, (p.name, answer)
        job = _run(local.argv("network", services["network"]["command"]), timeout=120)
        assert job.returncode == 0, job.stderr
        doc = json.loads((local.shared / "network.json").read_text())
        assert sorted(doc["provinces"]) == list(PROVINCES)
        visit = _run(["visit", "--target", str(local.shared / "network.json"), "--json"])
        assert visit.returncode == 0, visit.stdout[-2000:] + visit.stderr[-2000:]
