"""The record of the calls a node served: a bounded ring in the node process's memory (the
newest :data:`CALLS_KEPT`; older ones fall out, and a restart loses them), ID numbers masked.
Pure: the caller gives each call's time."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

from services.values.personal import mask_certno

CALLS_KEPT = 10_000
"""How many served calls a node remembers."""


@dataclass(frozen=True, slots=True)
class Served:
    """One call the node served, as the calls record keeps it (ID numbers masked)."""

    time: datetime
    """When it arrived, on the node's clock."""
    transport: str
    rpc: str
    infno: str
    msgid: str
    psn_no: str
    certno: str
    fixmedins_code: str
    amount_fen: int | None
    status: str
    latency_ms: float
    rule: str
    action: str


class CallLog:
    """The newest :data:`CALLS_KEPT` calls served, in memory (a ring: lost at a restart)."""

    def __init__(self, capacity: int = CALLS_KEPT) -> None:
        self.capacity = capacity
        self._ring: deque[Served] = deque(maxlen=capacity)
        self.recorded = 0

    def add(self, served: Served) -> None:
        self._ring.append(served)
        self.recorded += 1

    def last(self, limit: int) -> list[Served]:
        """The newest ``limit`` calls (all kept when ``limit`` is 0), oldest first."""
        kept = list(self._ring)
        return kept[-limit:] if limit > 0 else kept


def masked_certno(certno: str) -> str:
    """An ID number as the calls record shows it: region and last four kept."""
    return mask_certno(certno) if certno else ""
