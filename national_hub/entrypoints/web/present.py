"""The hub's values as the web view's JSON: amounts in integer fen, persons masked (psn_no,
names and ID numbers never leave the hub in clear)."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from google.protobuf.message import Message

from national_hub.adapters.views import PairTotal
from national_hub.domain.live import PairStats
from national_hub.domain.model import Node, RoutedMessage, RoutedSettlement
from national_hub.service_layer.view import AdvanceView, ClearingView, SettlementView
from services.ledger.model import Transfer
from services.reconcile.records import Difference
from services.values.forward import Forward
from services.values.personal import CERTNO_KEYS, NAME_KEYS, mask_certno, mask_name

PSN_NO_KEYS = frozenset({"psn_no"})


def mask_psn_no(value: str) -> str:
    """``P1300000000123`` → ``P130********23``."""
    if len(value) > 6:
        return value[:4] + "*" * (len(value) - 6) + value[-2:]
    return "*" * len(value)


def masked(doc: Any) -> Any:
    """``doc`` with every personal field masked, at any depth."""
    if isinstance(doc, dict):
        out: dict[str, Any] = {}
        for k, v in doc.items():
            if isinstance(v, str) and k in NAME_KEYS:
                out[k] = mask_name(v)
            elif isinstance(v, str) and k in CERTNO_KEYS:
                out[k] = mask_certno(v)
            elif isinstance(v, str) and k in PSN_NO_KEYS:
                out[k] = mask_psn_no(v)
            else:
                out[k] = masked(v)
        return out
    if isinstance(doc, list):
        return [masked(v) for v in doc]
    return doc


def message(msg: Message) -> dict[str, Any]:
    """A protobuf message as JSON with every field (integers stay integers)."""
    out: dict[str, Any] = {}
    for fd in msg.DESCRIPTOR.fields:
        value = getattr(msg, fd.name)
        if fd.is_repeated:
            out[fd.name] = [message(v) if isinstance(v, Message) else v for v in value]
        elif isinstance(value, Message):
            out[fd.name] = message(value)
        else:
            out[fd.name] = value
    return out


def node(n: Node, health: str) -> dict[str, Any]:
    return {
        "code": n.province_code,
        "name": n.name,
        "endpoint": n.endpoint,
        "admdvs": list(n.admdvs),
        "registered_at": n.registered_at,
        "role": "province (treatment + insured)",
        "health": health,
        "version": n.version,
    }


def pair(p: PairStats) -> dict[str, Any]:
    return asdict(p)


def forward(f: Forward) -> dict[str, Any]:
    return {
        "msgid": f.msgid,
        "infno": f.infno,
        "downstream": f.downstream,
        "insuplc_admdvs": f.insuplc_admdvs,
        "psn_no": mask_psn_no(f.psn_no),
        "state": f.state,
        "created_at": f.created_at,
        "resolved_at": f.resolved_at,
        "attempts": f.attempts,
        "outcome": f.outcome,
    }


def advance(a: AdvanceView) -> dict[str, Any]:
    st = a.status
    return {
        "province": st.province,
        "size_fen": st.size_fen,
        "available_fen": st.available_fen,
        "used_fen": st.size_fen - st.available_fen,
        "used_ratio": st.used_ratio,
        "used_bp": st.used_bp,
        "level": st.level,
        "flagged_count": st.flagged_count,
        "pending_top_up_fen": a.pending_fen,
        "holds": [
            {
                "id": h.id,
                "amount_fen": h.transfer.amount_fen,
                "outcome": h.outcome,
                "posted_fen": h.posted_fen,
            }
            for h in a.holds
        ],
    }


def _settlement(s: RoutedSettlement) -> dict[str, Any]:
    d = asdict(s)
    d["psn_no"] = mask_psn_no(s.psn_no)
    return d


_PSN_NO_IN_TEXT = re.compile(r"psn_no='([^']*)'")


def mask_text(text: str) -> str:
    """An error message with the psn_no it names masked (names and ID numbers already are)."""
    return _PSN_NO_IN_TEXT.sub(lambda m: f"psn_no='{mask_psn_no(m.group(1))}'", text)


def _routed(m: RoutedMessage) -> dict[str, Any]:
    return {
        "seq": m.seq,
        "msgid": m.msgid,
        "infno": m.infno,
        "from_province": m.from_province,
        "to_province": m.to_province,
        "outcome": m.outcome,
        "setl_id": m.setl_id,
        "fund_pay_sumamt": m.fund_pay_sumamt,
        "routed_at": m.routed_at,
        "latency_ms": m.latency_ms,
        "error_message": mask_text(m.error_message),
        "error_reason": m.error_reason,
    }


def _transfer(t: Transfer) -> dict[str, Any]:
    return asdict(t)


def settlement(v: SettlementView) -> dict[str, Any]:
    records = []
    for r in v.records:
        answer = masked(message(r.answer)) if r.answer is not None else None
        records.append(
            {
                "settlement": _settlement(r.settlement),
                "msgid": r.msgid,
                "routed": [_routed(m) for m in r.routed],
                "answer": answer,
                "postings": [_transfer(t) for t in r.postings],
                "claim": masked(message(r.claim)) if r.claim is not None else None,
            }
        )
    status = None
    if v.insured_status is not None:
        st = v.insured_status
        status = {
            "state": st.state,
            "original": _settlement(st.original) if st.original else None,
            "reversal": _settlement(st.reversal) if st.reversal else None,
            "reversal_msgid": st.reversal_msgid,
        }
    return {
        "query": v.query,
        "found": bool(v.records or v.routed),
        "visits": [
            {"mdtrt_id": m, "psn_no": mask_psn_no(p), "setl_time": t} for m, p, t in v.visits
        ],
        "records": records,
        "routed": [_routed(m) for m in v.routed],
        "nodes": [
            {
                "province": n.province,
                "role": n.role,
                "record": masked(asdict(n.record)) if n.record else None,
                "error": n.error,
            }
            for n in v.nodes
        ],
        "insured_status": status,
        "insured_error": v.insured_error,
        "fee_lines": [message(line) for line in v.fee_lines],
        "fee_error": v.fee_error,
    }


def _total(t: PairTotal) -> dict[str, Any]:
    return asdict(t)


def clearing(v: ClearingView) -> dict[str, Any]:
    pairs: dict[tuple[str, str], dict[str, int]] = {}
    days: dict[str, dict[str, int]] = {}
    for t in v.totals:
        p = pairs.setdefault((t.insured, t.treatment), {"count": 0, "fund_fen": 0})
        p["count"] += t.count
        p["fund_fen"] += t.fund_pay_sumamt + t.acct_pay
        d = days.setdefault(t.day, {"count": 0, "fund_fen": 0})
        d["count"] += t.count
        d["fund_fen"] += t.fund_pay_sumamt + t.acct_pay
    statements = []
    if v.cleared is not None:
        for st in v.cleared.statements:
            statements.append(
                {
                    "province": st.province,
                    "payable_fen": st.payable_fen,
                    "receivable_fen": sum(x.receivable_fen for x in st.lines),
                    "confirmed_at": v.cleared.confirmed.get(st.province, ""),
                    "lines": [asdict(x) for x in st.lines],
                }
            )
    return {
        "month": v.month,
        "cleared": v.cleared is not None,
        "cleared_at": v.cleared.cleared_at if v.cleared else "",
        "matrix": [
            {"insured": i, "treatment": t, **vals} for (i, t), vals in sorted(pairs.items())
        ],
        "days": [{"day": d, **vals} for d, vals in sorted(days.items())],
        "statements": statements,
    }


def difference(province: str, role: str, d: Difference) -> dict[str, Any]:
    return {
        "province": province,
        "role": role,
        "setl_id": d.setl_id,
        "kind": d.kind,
        "day": str((d.first or d.second or {}).get("setl_time", ""))[:10],
        "text": d.describe(f"province {province} ({role})", "the hub"),
    }
