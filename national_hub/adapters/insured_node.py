"""The hub's client of the insured province nodes: one channel per registered node, the calls
the hub makes downstream (forwarding 1101/2206/2207/2208, 2601 and 5203, FilingChanged,
reconciliation details), and the conversion of what they answer into the hub's values.

The hub forwards a request's body unchanged, so requests and answers stay opaque here
(``Any``); only the settlement records the hub keeps are turned into
:class:`~national_hub.domain.model.RoutedSettlement`. A failed call is raised as
:class:`DownstreamError`: the status code's name (the routed-message log keeps it) and the error
this hub answers with (``services.rpc.status.from_rpc_error``: an unreachable node is
UNAVAILABLE naming the field that chose it, any other status passes through unchanged).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import grpc

from national_hub.domain import routing
from national_hub.domain.model import Node, RoutedSettlement
from services.pb.settlenet.v1 import (
    common_pb2,
    correction_pb2,
    correction_pb2_grpc,
    filing_pb2,
    filing_pb2_grpc,
    insured_pb2,
    insured_pb2_grpc,
    reconcile_pb2_grpc,
    treatment_pb2_grpc,
)
from services.reconcile.records import Record
from services.reconcile.servicer import all_details
from services.rpc.handler import DEFAULT_HOP_TIMEOUT_S, hop_timeout
from services.rpc.server import Tls, open_channel
from services.rpc.status import from_rpc_error
from services.values import clock

R = TypeVar("R")

# The generated *_pb2_grpc modules are untyped: typed handles on the stub classes used here.
_insured_stub: Callable[[Any], Any] = insured_pb2_grpc.InsuredServiceStub
_correction_stub: Callable[[Any], Any] = correction_pb2_grpc.InsuredCorrectionServiceStub
_filing_stub: Callable[[Any], Any] = filing_pb2_grpc.FilingServiceStub
_reconcile_stub: Callable[[Any], Any] = reconcile_pb2_grpc.ReconcileServiceStub

RETIRE_GRACE_S = DEFAULT_HOP_TIMEOUT_S + 5.0
"""How long a replaced node's channel stays open for the calls already on it."""

_FORWARD = {k: v for k, v in routing.FORWARDED_RPC.items() if k != "2601"}
"""The insured node's method for each message the hub forwards to its InsuredService."""


@dataclass
class Link:
    """A registered node and the open channel to it."""

    node: Node
    channel: grpc.aio.Channel
    stub: Any
    """The InsuredService stub."""

    @property
    def province_code(self) -> str:
        return self.node.province_code

    @property
    def endpoint(self) -> str:
        return self.node.endpoint

    @property
    def peer(self) -> str:
        return f"insured node {self.node.province_code} ({self.node.endpoint})"


class DownstreamError(Exception):
    """A call to a node failed: ``code`` is the gRPC status name, ``error`` what to raise."""

    def __init__(self, code: str, error: Exception) -> None:
        super().__init__(code)
        self.code = code
        self.error = error


@dataclass(frozen=True, slots=True)
class Reply(Generic[R]):
    """A forwarded call's answer: the response (opaque), the settlement record it carries, and
    its bytes when the hub journals it."""

    response: R
    settlement: RoutedSettlement | None
    payload: bytes | None


@dataclass(frozen=True, slots=True)
class Corrected(Generic[R]):
    """A 2601's answer from the insured node: the records it took effect with, if any."""

    response: R
    outcome: str
    original: RoutedSettlement
    reversal: RoutedSettlement
    payload: bytes


def settlement_of(s: Any) -> RoutedSettlement:
    """A ``SetlInfo`` as the hub keeps it."""
    return RoutedSettlement(
        s.setl_id,
        s.mdtrt_id,
        s.psn_no,
        s.insuplc_admdvs,
        s.mdtrtarea_admvs,
        s.fixmedins_code,
        s.setl_time,
        s.refd_setl_flag,
        s.medfee_sumamt,
        s.fund_pay_sumamt,
        s.acct_pay,
        s.psn_cash_pay,
    )


class Registry:
    """The live registry: every registered node with its channel, by province code."""

    def __init__(self, tls: Tls | None = None) -> None:
        self.tls = tls
        self._links: dict[str, Link] = {}
        self._retiring: dict[asyncio.Task[None], Link] = {}
        """Replaced or removed nodes' links, their channels closed once the calls on them are
        over."""

    def all(self) -> list[Link]:
        return sorted(self._links.values(), key=lambda n: n.province_code)

    def nodes(self) -> list[Node]:
        return [link.node for link in self.all()]

    async def put(self, node: Node) -> None:
        """Know ``node`` (again): a fresh channel (one to a node that was down may be waiting out
        a reconnect backoff); the old one is closed only after the calls in flight on it had
        their time (closing it at once failed them with "Channel is closed")."""
        old = self._links.get(node.province_code)
        channel = open_channel(node.endpoint, self.tls, hop="hub->insured")
        self._links[node.province_code] = Link(node, channel, _insured_stub(channel))
        if old is not None:
            self._retire(old)

    async def remove(self, province_code: str) -> bool:
        """Forget a node (its channel closed once the calls on it are over); whether it was
        known."""
        link = self._links.pop(province_code, None)
        if link is None:
            return False
        self._retire(link)
        return True

    def _retire(self, link: Link) -> None:
        async def close_later() -> None:
            await asyncio.sleep(RETIRE_GRACE_S)
            await link.channel.close()

        task = asyncio.create_task(close_later())
        self._retiring[task] = link
        task.add_done_callback(lambda done: self._retiring.pop(done, None))

    def route(self, insuplc_admdvs: str) -> Link:
        """The node for an insured place (``national_hub.domain.routing.route``)."""
        return routing.route(self._links, insuplc_admdvs)

    async def close(self) -> None:
        for task, old in list(self._retiring.items()):
            task.cancel()
            await old.channel.close()
        for link in self._links.values():
            await link.channel.close()


def _failed(exc: grpc.aio.AioRpcError, link: Link, insuplc_admdvs: str) -> DownstreamError:
    return DownstreamError(
        exc.code().name,
        from_rpc_error(exc, field="header.insuplc_admdvs", value=insuplc_admdvs, peer=link.peer),
    )


async def forward(link: Link, infno: str, request: Any, *, keep: bool) -> Reply[Any]:
    """Send a routed message to its insured node, unchanged; ``keep``: with the answer's bytes
    (for the journal)."""
    try:
        response = await getattr(link.stub, _FORWARD[infno])(request, timeout=hop_timeout())
    except grpc.aio.AioRpcError as exc:
        raise _failed(exc, link, request.header.insuplc_admdvs) from None
    setl = getattr(response, "setlinfo", None)
    return Reply(
        response,
        settlement_of(setl) if setl is not None else None,
        bytes(response.SerializeToString()) if keep else None,
    )


async def correct(link: Link, request: Any) -> Corrected[Any]:
    """A 2601 to the insured node (which decides: reverse or burn)."""
    stub = _correction_stub(link.channel)
    try:
        result = await stub.Correct(request, timeout=hop_timeout())
    except grpc.aio.AioRpcError as exc:
        raise _failed(exc, link, request.header.insuplc_admdvs).error from None
    return Corrected(
        result,
        result.outcome,
        settlement_of(result.original),
        settlement_of(result.reversal),
        result.SerializeToString(),
    )


async def query_message(link: Link, request: Any) -> Any:
    """A 5203 status query to the insured node; its MessageStatus."""
    stub = _correction_stub(link.channel)
    try:
        return await stub.QueryMessage(request, timeout=hop_timeout())
    except grpc.aio.AioRpcError as exc:
        raise _failed(exc, link, request.header.insuplc_admdvs).error from None


async def filing_changed(link: Link, payload: bytes) -> None:
    """Tell a node of a filing change (the FilingEvent's bytes)."""
    try:
        await _filing_stub(link.channel).FilingChanged(
            filing_pb2.FilingEvent.FromString(payload), timeout=2
        )
    except grpc.aio.AioRpcError as exc:
        raise DownstreamError(exc.code().name, exc) from None


async def fee_lines(link: Link, request: Any) -> list[Any]:
    """A visit's fee lines with their classification, asked of its place of treatment (5204,
    as the hub); the FeeDetailResult of each line."""
    stub = treatment_pb2_grpc.TreatmentServiceStub(link.channel)
    try:
        found = await stub.QueryFeeDetails(request, timeout=hop_timeout())
    except grpc.aio.AioRpcError as exc:
        raise DownstreamError(exc.code().name, exc) from None
    return [line.result for line in found.feedetail]


async def details(link: Link, role: str, begndate: str, enddate: str) -> list[Record]:
    """Every reconciliation record a node has in a period, in one role."""
    stub = _reconcile_stub(link.channel)
    try:
        return await all_details(
            stub, role=role, begndate=begndate, enddate=enddate, page_timeout_s=30
        )
    except grpc.aio.AioRpcError as exc:
        raise DownstreamError(exc.code().name, exc) from None


async def pending_forwards(link: Link, before: str) -> list[str]:
    """The msgids a province node (as a place of treatment) forwarded before ``before``
    ("yyyy-MM-dd") and still holds in doubt."""
    stub = correction_pb2_grpc.CorrectionServiceStub(link.channel)
    try:
        found = await stub.ListInDoubt(correction_pb2.InDoubtQuery(), timeout=30)
    except grpc.aio.AioRpcError as exc:
        raise DownstreamError(exc.code().name, exc) from None
    return [m.msgid for m in found.messages if m.state == "pending" and m.created_at[:10] < before]


# ---- resolving a forward left in doubt (``national_hub/service_layer/in_doubt.py``) ---------

_STORED: dict[str, Callable[[bytes], Any]] = {
    "2207": insured_pb2.SettleClaim.FromString,
    "2208": insured_pb2.RevokeClaim.FromString,
}


@dataclass(frozen=True, slots=True)
class Learnt:
    """What the insured node knows of a msgid (its 5203 answer), as the hub records it."""

    state: str
    """"unknown", "done", "burned" or "corrected"."""
    original: RoutedSettlement | None
    """The record the msgid made there, if any."""
    reversal: RoutedSettlement | None
    reversal_msgid: str
    """The msgid of the call that made the reversal (a 2208 or 2601)."""
    payload: bytes
    """The answer the hub journals for the msgid (a SettleResult), when it took effect."""


def learnt_of(msg: Any) -> Learnt:
    """An insured node's MessageStatus as a :class:`Learnt`."""
    has = msg.setlinfo.setl_id != ""
    rev = msg.reversal.setl_id != ""
    payload = b""
    if has:
        result = insured_pb2.SettleResult(
            header=common_pb2.ResponseHeader(
                msgid=msg.omsgid,
                refmsg_time=msg.setlinfo.setl_time,
                respond_time=clock.format_time(clock.now()),
            ),
            setlinfo=msg.setlinfo,
        )
        payload = bytes(result.SerializeToString())
    return Learnt(
        msg.state or "unknown",
        settlement_of(msg.setlinfo) if has else None,
        settlement_of(msg.reversal) if rev else None,
        msg.reversal.medins_setl_id if rev else "",
        payload,
    )


def stored(infno: str, request: bytes) -> Any:
    """A request kept in the in-doubt table, as it was forwarded."""
    return _STORED[infno](request)


async def learn(link: Link, infno: str, request: bytes) -> Learnt:
    """Ask the insured node what it knows of a stored request's msgid."""
    header = common_pb2.RequestHeader()
    header.CopyFrom(stored(infno, request).header)
    header.infno = "5203"
    query = correction_pb2.MessageStatusQuery(header=header, omsgid=header.msgid)
    return learnt_of(await query_message(link, query))


async def correct_stored(
    link: Link, infno: str, request: bytes, msgid: str, psn_no: str
) -> tuple[Corrected[Any], Any]:
    """A 2601 of the hub's own (``msgid``) for a stored request: reverse it or burn it at the
    insured node. The answer, and the correction's header (for the hub's journal)."""
    header = common_pb2.RequestHeader()
    original = stored(infno, request).header
    header.CopyFrom(original)
    header.infno, header.msgid = "2601", msgid
    header.inf_time = clock.format_time(clock.now())
    req = correction_pb2.CorrectionRequest(
        header=header, psn_no=psn_no, omsgid=original.msgid, oinfno=infno
    )
    return await correct(link, req), req
