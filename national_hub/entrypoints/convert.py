"""Protobuf ↔ the hub's values, in one place: routed headers, advance statuses, top-up holds,
cleared months, journal lines, nodes, filing events and registry queries."""

from __future__ import annotations

from typing import Any

from national_hub.domain.advance import Status
from national_hub.domain.clearing import Cleared
from national_hub.domain.filing_registry import Published, RegistryQuery, current
from national_hub.domain.model import Header, JournalFilter, Node, RoutedMessage
from national_hub.domain.routing import routed_rpc
from national_hub.service_layer.top_up import TopUpView
from services.pb.settlenet.v1 import (
    advance_pb2,
    clearing_pb2,
    filing_pb2,
    hub_pb2,
    topup_pb2,
)
from services.values.forward import Forward


def forwarded(request: Any, infno: str, digest: str) -> Forward:
    """The in-doubt row of a mutating request the hub is about to forward (a SettleClaim or a
    RevokeClaim: the downstream is filled in once routed)."""
    h = request.header
    return Forward(
        msgid=h.msgid,
        infno=infno,
        downstream="",
        insuplc_admdvs=h.insuplc_admdvs,
        psn_no=request.psn_no,
        mdtrt_id=request.mdtrt_id,
        body_sha256=digest,
        request=bytes(request.SerializeToString()),
    )


def header(request: Any, infno: str) -> Header:
    """The routing part of a request's (checked) header."""
    h = request.header
    return Header(h.msgid, infno, h.insuplc_admdvs, h.mdtrtarea_admvs)


def advance_status(st: Status) -> advance_pb2.AdvanceStatus:
    return advance_pb2.AdvanceStatus(
        province=st.province,
        size_fen=st.size_fen,
        available_fen=st.available_fen,
        used_ratio=st.used_ratio,
        level=st.level,
        flagged_count=st.flagged_count,
    )


def top_up_hold(v: TopUpView) -> topup_pb2.TopUpHold:
    return topup_pb2.TopUpHold(
        province=v.province,
        request_id=v.request_id,
        amount_fen=v.hold.transfer.amount_fen,
        state=v.hold.outcome,
        posted_fen=v.hold.posted_fen,
        available_fen=v.available_fen,
        pending_fen=v.pending_fen,
    )


def cleared_month(
    month: str, c: Cleared, posted: bool, records: int
) -> clearing_pb2.ClearMonthResponse:
    return clearing_pb2.ClearMonthResponse(
        month=month,
        posted=posted,
        records=records,
        cleared_at=c.cleared_at,
        statements=[
            clearing_pb2.Statement(
                month=month,
                province=s.province,
                payable_fen=s.payable_fen,
                receivable_fen=s.receivable_fen,
                net_fen=s.net_fen,
                confirmed_at=c.confirmed.get(s.province, ""),
                lines=[clearing_pb2.StatementLine(**vars(x)) for x in s.lines],
            )
            for s in c.statements
        ],
    )


def journal_entry(r: RoutedMessage) -> hub_pb2.JournalEntry:
    return hub_pb2.JournalEntry(
        seq=r.seq,
        msgid=r.msgid,
        infno=r.infno,
        from_province=r.from_province,
        to_province=r.to_province,
        outcome=r.outcome,
        setl_id=r.setl_id,
        fund_pay_sumamt=r.fund_pay_sumamt,
        routed_at=r.routed_at,
        latency_ms=r.latency_ms,
        rpc=routed_rpc(r.infno),
        request=r.request,
        response=r.response,
        error_message=r.error_message,
        error_reason=r.error_reason,
    )


def journal_filter(q: hub_pb2.JournalQuery) -> JournalFilter:
    return JournalFilter(
        limit=q.limit,
        msgid=q.msgid,
        province=q.province,
        from_time=q.from_time,
        to_time=q.to_time,
        after_seq=q.after_seq,
        with_bodies=q.with_bodies,
        forward=q.forward,
    )


def node_info(n: Node) -> hub_pb2.NodeInfo:
    return hub_pb2.NodeInfo(
        province_code=n.province_code,
        endpoint=n.endpoint,
        admdvs=list(n.admdvs),
        name=n.name,
        registered_at=n.registered_at,
        http_endpoint=n.http_endpoint,
        version=n.version,
    )


def published(event: filing_pb2.FilingEvent) -> Published:
    has_filing = event.HasField("filing")
    filing, qual = event.filing, event.qualification
    return Published(
        event_id=event.event_id,
        infno=event.infno,
        psn_no=event.psn_no,
        insuplc_admdvs=event.insuplc_admdvs,
        filing_id=filing.filing_id if has_filing else qual.qual_id,
        dest_admdvs=filing.dest_admdvs,
        channel=filing.channel,
        event_time=event.event_time,
        payload=bytes(event.SerializeToString()),
        has_filing=has_filing,
        has_qualification=event.HasField("qualification"),
    )


def registry_query(q: filing_pb2.RegistryQuery) -> RegistryQuery:
    return RegistryQuery(q.psn_no, q.filing_id, q.insuplc_admdvs, q.dest_admdvs, q.limit)


def registry_response(rows: list[tuple[bytes, str]]) -> filing_pb2.RegistryResponse:
    entries = [
        filing_pb2.RegistryEntry(event=filing_pb2.FilingEvent.FromString(p), received_at=at)
        for p, at in rows
    ]
    filings = (e.event.filing for e in entries if e.event.HasField("filing"))
    return filing_pb2.RegistryResponse(
        entries=entries, current=current((f.filing_id, f.version, f) for f in filings)
    )
