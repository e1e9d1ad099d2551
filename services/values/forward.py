"""A message a forwarding node sent on and keeps until its outcome is known (pure): the states
of an in-doubt forward and the row it is kept as (``services/storage/in_doubt.py`` stores it,
``docs/exactly-once.md`` says how it is resolved)."""

from __future__ import annotations

from dataclasses import dataclass

PENDING, DONE, FAILED, BURNED, CORRECTED = "pending", "done", "failed", "burned", "corrected"
STATES = (PENDING, DONE, FAILED, BURNED, CORRECTED)
"""pending: forwarded (or about to be), outcome unknown here; done: took effect and recorded
here; failed: resending it (a 2208 resolved by sending it again) was refused (a forward
refused outright leaves no row: it took effect nowhere); burned: never took effect and a
correction closed it; corrected: took effect and a correction reversed it."""


@dataclass(frozen=True, slots=True)
class Forward:
    """One forwarded call as the in-doubt table keeps it."""

    msgid: str
    infno: str
    downstream: str
    """Where it went: "hub" from a treatment node, the insured province's code from the hub."""
    insuplc_admdvs: str
    psn_no: str
    mdtrt_id: str
    body_sha256: str
    request: bytes
    """The request as forwarded (serialized protobuf)."""
    state: str = PENDING
    created_at: str = ""
    resolved_at: str = ""
    outcome: str = ""
    """How it was resolved, or what the last attempt to resolve it met."""
    attempts: int = 0
    correction: str = ""
    """The msgid of the 2601 this node decided to burn it with (sent again, under the same
    msgid, until its answer is recorded: the decision stands once taken)."""
    owner: str = ""
    """The process forwarding or resolving it (a node of several processes)."""
    lease_until: int = 0
    """Until when ``owner`` holds it (Unix milliseconds)."""
