"""The x-tif nonces a node of several processes has seen (``--processes N``,
``docs/scaleout.md``): one table all its processes share, so a signed call replayed to another
process within the signature window is refused there too.

A node of one process keeps them in memory only (``services/security/credentials.py``). Each
nonce is one insert under a unique key (paasid, nonce): the second insert of the same pair finds
it and the call is a replay. Rows older than twice the window are deleted now and then.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import Column, Float, MetaData, String, Table, delete, insert
from sqlalchemy.exc import IntegrityError

from services.storage.database import Database

PURGE_EVERY_S = 60.0


def nonce_table(metadata: MetaData, name: str = "tif_nonces") -> Table:
    return Table(
        name,
        metadata,
        Column("paasid", String(128), primary_key=True),
        Column("nonce", String(128), primary_key=True),
        Column("seen_at", Float, nullable=False, index=True),
    )


class SharedNonces:
    """``remember(paasid, nonce, now)``: True the first time any process of the node sees the
    pair, False for a replay. Called from the guard on the event loop (one short insert)."""

    def __init__(self, db: Database, table: Table, window_s: float) -> None:
        self.db = db
        self.table = table
        self.window_s = window_s
        self._purged = time.monotonic()
        self._lock = threading.Lock()

    def remember(self, paasid: str, nonce: str, now: float) -> bool:
        try:
            with self.db.engine.begin() as conn:
                conn.execute(insert(self.table).values(paasid=paasid, nonce=nonce, seen_at=now))
        except IntegrityError:
            return False
        self._purge(now)
        return True

    def _purge(self, now: float) -> None:
        with self._lock:
            if time.monotonic() - self._purged < PURGE_EVERY_S:
                return
            self._purged = time.monotonic()
        with self.db.engine.begin() as conn:
            conn.execute(delete(self.table).where(self.table.c.seen_at < now - 2 * self.window_s))
