"""Files a node writes (its SQLite database and journal, its log, its data) are its operator's
only: mode 0600, directories 0700.

Two layers, because one is not enough: the node commands set the process umask at start
(:func:`private_umask`, from ``scripts/cli.py``), so everything the process creates is private;
and the places that create a node's files call :func:`private_file`, which holds when the code
runs under another umask (a node started in-process by tests or by ``settlenet demo``, a file
that already existed with mode 0644 from an older version).
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_UMASK = 0o077


def private_umask() -> int:
    """Make every file this process creates from now on 0600 (directories 0700); returns the
    previous umask."""
    return os.umask(PRIVATE_UMASK)


def private_file(path: Path) -> Path:
    """``path`` created if missing (empty) and set to mode 0600; returns it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    return path


def private_if_present(path: Path) -> None:
    """Set ``path`` to mode 0600 if it exists (a SQLite -wal or -shm file, made by SQLite)."""
    try:
        os.chmod(path, PRIVATE_FILE)
    except FileNotFoundError:
        pass


def open_private_log(path: Path) -> int:
    """A file descriptor appending to ``path``, created 0600 (and made 0600 if it was not)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    return fd
