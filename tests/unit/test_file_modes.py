"""A node's files are its operator's only (issue 15): the SQLite database and its -wal/-shm, the
log a launcher appends to, everything a node command writes: mode 0600."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from scripts import launcher
from services.storage import files
from services.storage.database import make_engine, sqlite_url


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_a_sqlite_database_and_its_journal_are_0600_under_any_umask(tmp_path: Path) -> None:
    db = tmp_path / "node.db"
    db.write_text("")
    db.chmod(0o644)  # an older version's file
    old = os.umask(0o022)
    try:
        engine = make_engine(sqlite_url(db))
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        engine.dispose()
    finally:
        os.umask(old)
    for path in tmp_path.iterdir():
        assert _mode(path) == 0o600, path.name


def test_a_launched_process_log_is_0600(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "node.log"
    p = launcher.spawn("noop", [sys.executable, "-c", "print('hello')"], log)
    p.proc.wait(timeout=30)
    p.stop(timeout=5)
    assert _mode(log) == 0o600 and "hello" in log.read_text()


def test_private_umask_makes_new_files_0600(tmp_path: Path) -> None:
    old = files.private_umask()
    try:
        (tmp_path / "x").write_text("x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "x") == 0o600


def test_settlenet_hub_writes_only_0600_files(tmp_path: Path) -> None:
    data, ready = tmp_path / "data", tmp_path / "ready.json"
    argv = [*launcher.CLI, "hub", "--data", str(data), "--ready-file", str(ready), "--insecure"]
    proc = subprocess.Popen(  # under the umask a shell usually gives, 022
        ["sh", "-c", 'umask 022 && exec "$@"', "sh", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the hub did not start"
        json.loads(ready.read_text())
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    written = [p for p in [*data.iterdir(), ready] if p.is_file()]
    assert written and all(_mode(p) == 0o600 for p in written), [
        (p.name, oct(_mode(p))) for p in written
    ]
