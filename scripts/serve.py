"""What ``settlenet hub`` and ``settlenet province`` share: the serving options, the database
URL, the fault transport from the environment, and serving until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import Protocol

from services.security import material
from services.security.material import MaterialError, Security
from services.storage.database import sqlite_url

DB_ENV = "SETTLENET_DB_URL"


class Node(Protocol):
    """A started node: where it serves, and how to stop it."""

    @property
    def endpoint(self) -> str: ...

    async def stop(self) -> None: ...


def add_serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port to bind (default 0: any free port)")
    p.add_argument(
        "--db",
        help=f"SQLAlchemy URL of this node's database (or ${DB_ENV}); "
        "default a SQLite file under --data",
    )
    p.add_argument(
        "--data",
        type=Path,
        default=Path("var"),
        help="folder for the SQLite database (default ./var)",
    )
    p.add_argument(
        "--resolve-interval",
        type=_seconds,
        default=5.0,
        metavar="SECONDS",
        help="how often the node resolves the forwarded messages whose outcome it does not "
        "know (docs/exactly-once.md; default 5)",
    )
    p.add_argument(
        "--tls-dir",
        type=Path,
        help="folder with ca.pem and this node's NAME.pem and NAME.key (and, for a province, "
        "NAME.credentials.json): mutual TLS and the authorization matrix (settlenet up writes "
        "DIR/tls; settlenet certs issue makes one for a node of your own)",
    )
    p.add_argument(
        "--credentials",
        type=Path,
        help="a province's institution and desk credentials (default "
        "TLS_DIR/province-NN.credentials.json)",
    )
    p.add_argument(
        "--signature-window",
        type=_seconds,
        default=300.0,
        metavar="SECONDS",
        help="how far an x-tif-timestamp may be from this node's time (default 300)",
    )
    p.add_argument(
        "--insecure",
        action="store_true",
        help="plaintext, no certificates, no credentials: anyone may call anything (a quick "
        "look only)",
    )
    p.add_argument(
        "--processes",
        type=_processes,
        default=1,
        metavar="N",
        help="serve from N processes on one port (SO_REUSEPORT) sharing one PostgreSQL "
        "database (--db); default 1 (docs/scaleout.md)",
    )
    p.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--ready-file", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--log-json", action="store_true", help="log JSON lines instead of text")
    p.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")


def _processes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes") from None
    if not 1 <= value <= 9:
        raise argparse.ArgumentTypeError(f"{text!r}: give 1 to 9 processes")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.05 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r}: give 0.05 to 3600 seconds")
    return value


INSECURE_BANNER = """\
************************************************************************
*  INSECURE: plaintext gRPC, no certificates, no credentials checked.  *
*  Anyone who reaches this port may call every RPC, AdminService too.  *
************************************************************************"""


def security_from_args(args: argparse.Namespace, name: str) -> Security | None:
    """The node's security from --tls-dir (None with --insecure, after the banner); raises
    MaterialError (a missing file, or neither option given)."""
    if args.insecure:
        if args.tls_dir:
            raise MaterialError("--insecure and --tls-dir: choose one")
        print(INSECURE_BANNER, file=sys.stderr, flush=True)
        return None
    if not args.tls_dir:
        raise MaterialError(
            "give --tls-dir DIR (mutual TLS: settlenet up writes DIR/tls, settlenet certs "
            "issue makes one) or --insecure (plaintext, nothing checked)"
        )
    return material.load(args.tls_dir, name, args.credentials, args.signature_window)


def db_url(args: argparse.Namespace, name: str) -> str:
    """--db, else $SETTLENET_DB_URL, else a SQLite file ``name``.db under --data."""
    if args.db:
        return str(args.db)
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    args.data.mkdir(parents=True, exist_ok=True)
    return sqlite_url(args.data / f"{name}.db")


def faults_from_env() -> int:
    """A test network may run its links through the fault transport ($SETTLENET_FAULTS).
    0, or 2 after one line when the variable is malformed."""
    from services.faults import transport as faults

    try:
        injector = faults.install_from_env()
    except ValueError as exc:
        print(f"settlenet: {exc}", file=sys.stderr)
        return 2
    if injector is not None:
        print(
            f"settlenet: fault transport on ({faults.ENV}="
            f"{os.environ[faults.ENV]}): calls on this node's links may be dropped, "
            "duplicated or delayed",
            file=sys.stderr,
        )
    return 0


async def serve_until_signal(start: Awaitable[Node], ready_file: Path | None) -> int:
    """Start the node, write the ready file (endpoint and pid) if asked, serve until SIGINT or
    SIGTERM, stop cleanly."""
    import structlog

    log = structlog.get_logger("cli")
    node = await start
    if ready_file:
        tmp = ready_file.with_suffix(".tmp")
        ready = {"endpoint": node.endpoint, "pid": os.getpid()}
        http = getattr(node, "http_url", None)
        if http:
            ready["http"] = http
        web = getattr(node, "web_url", None)
        if web:  # the hub's web view and its one-time token (hence the file is mode 0600)
            ready["web"] = web
            ready["web_token"] = getattr(node, "web_token", "")
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps(ready))
        tmp.replace(ready_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping")
    await node.stop()
    return 0
