"""Recorded calls: the hub's routed-message log read page by page, each line as a JSON object
(``settlenet journal --jsonl``) and back (``settlenet replay``).

A line carries what the hub keeps of one routed message: its msgid, transaction, the two
provinces, outcome, settlement, timing, and — when the hub keeps bodies (the default) — the
request it forwarded and the answer it got, as readable JSON with ID numbers and names masked
(``request``/``response``). With ``exact`` the line also carries the messages' bytes in base64
(``request_b64``/``response_b64``): what a replay sends; such a file holds personal data and is
written mode 0600.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from scripts import connect
from services.logs.masking import mask_tree
from services.pb.settlenet.v1 import hub_pb2, hub_pb2_grpc, insured_pb2

PAGE = 1000
"""Lines asked of the hub per call (its most)."""

MESSAGES: dict[str, tuple[type[Message], type[Message]]] = {
    "1101": (insured_pb2.PersonQuery, insured_pb2.PersonInfo),
    "2206": (insured_pb2.SettleClaim, insured_pb2.SettleResult),
    "2207": (insured_pb2.SettleClaim, insured_pb2.SettleResult),
    "2208": (insured_pb2.RevokeClaim, insured_pb2.SettleResult),
}
"""The request and answer types of each message the hub routes to an insured node with its
body kept."""


@dataclass(frozen=True)
class Window:
    """Which lines: one province's (either side), a time window, one msgid."""

    province: str = ""
    from_time: str = ""
    to_time: str = ""
    msgid: str = ""


def as_dict(message: Message) -> dict[str, Any]:
    out: dict[str, Any] = MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return out


def line(entry: hub_pb2.JournalEntry, *, exact: bool = False) -> dict[str, Any]:
    """One journal entry as a JSON object (bodies decoded and masked; ``exact``: also their
    bytes)."""
    out: dict[str, Any] = {
        "seq": entry.seq,
        "msgid": entry.msgid,
        "infno": entry.infno,
        "rpc": entry.rpc,
        "from_province": entry.from_province,
        "to_province": entry.to_province,
        "outcome": entry.outcome,
        "setl_id": entry.setl_id,
        "fund_pay_sumamt": entry.fund_pay_sumamt,
        "routed_at": entry.routed_at,
        "latency_ms": entry.latency_ms,
    }
    if entry.outcome != "OK":
        out["error_message"] = mask_tree(entry.error_message)
        out["error_reason"] = entry.error_reason
    types = MESSAGES.get(entry.infno)
    if types is not None and entry.request:
        out["request"] = mask_tree(as_dict(types[0].FromString(entry.request)))
        if exact:
            out["request_b64"] = base64.b64encode(entry.request).decode("ascii")
    if types is not None and entry.response:
        out["response"] = mask_tree(as_dict(types[1].FromString(entry.response)))
        if exact:
            out["response_b64"] = base64.b64encode(entry.response).decode("ascii")
    return out


async def entries(
    doc: dict[str, Any], window: Window, *, bodies: bool, after_seq: int = 0
) -> AsyncIterator[hub_pb2.JournalEntry]:
    """Every routed-message log line in ``window``, oldest first, read as the operator a page
    at a time (lines written meanwhile are included up to the last page)."""
    async with connect.operator(doc) as ch:
        hub = hub_pb2_grpc.HubServiceStub(ch)
        while True:
            page = await hub.QueryJournal(
                hub_pb2.JournalQuery(
                    msgid=window.msgid,
                    limit=PAGE,
                    province=window.province,
                    from_time=window.from_time,
                    to_time=window.to_time,
                    after_seq=after_seq,
                    with_bodies=bodies,
                    forward=True,
                ),
                timeout=60,
            )
            for entry in page.entries:
                yield entry
            if len(page.entries) < PAGE:
                return
            after_seq = page.entries[-1].seq


async def exact_bodies(doc: dict[str, Any], seqs: set[int]) -> dict[int, hub_pb2.JournalEntry]:
    """The hub's lines with these sequence numbers, with their exact bodies (for a replay of a
    dump that has only the masked ones)."""
    found: dict[int, hub_pb2.JournalEntry] = {}
    if not seqs:
        return found
    last = max(seqs)
    async for entry in entries(doc, Window(), bodies=True, after_seq=min(seqs) - 1):
        if entry.seq in seqs:
            found[entry.seq] = entry
        if entry.seq >= last:
            break
    return found
