"""``settlenet reconcile``: reconcile the whole running network for a day or a period.

    settlenet reconcile --target var/net/network.json [--date D | --from D --to D] [--json]

For every province it compares, record by record (3202-style) with totals (3201-style) per
(treatment, insured) pair: what the province recorded as the place of treatment against what the
hub routed from it, and what it recorded as the insured place against what the hub routed to it.
A difference names the settlement, the msgid that made it and which side holds what, and says
whether it is **in doubt** — the msgid is still pending in the in-doubt table of a forwarding
node (a treatment node or the hub), which is resolving it and will make every node agree
(``docs/exactly-once.md``; ``settlenet resolve`` does it now) — or a **real** difference. A
province that does not answer is named and the others are still compared. Exit status 0 when
every side agrees, 1 when there are differences or a province could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import grpc

from scripts import connect, target
from scripts.options import Subparsers, day
from services.pb.settlenet.v1 import correction_pb2, correction_pb2_grpc, reconcile_pb2_grpc
from services.reconcile import records as reconcile
from services.reconcile.servicer import all_details
from services.rpc.status import describe_rpc_error


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser(
        "reconcile",
        help="reconcile every node with the hub for a period",
        description="Compare what each province node recorded (as place of "
        "treatment and as insured place) with what the hub routed, per day or "
        "period: totals per province pair and every differing settlement.",
    )
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("--date", type=day, help="one day, yyyy-MM-dd")
    p.add_argument("--from", dest="begndate", type=day, help="first day, yyyy-MM-dd")
    p.add_argument("--to", dest="enddate", type=day, help="last day, yyyy-MM-dd")
    p.add_argument("--json", action="store_true", help="print the report as JSON")


async def hub_records(doc: dict[str, Any], begndate: str, enddate: str) -> list[reconcile.Record]:
    """Every settlement record the hub routed in the period."""
    async with connect.operator(doc) as ch:
        return await all_details(
            reconcile_pb2_grpc.ReconcileServiceStub(ch), begndate=begndate, enddate=enddate
        )


async def pending_in_doubt(doc: dict[str, Any]) -> dict[str, list[str]]:
    """msgid → the forwarding nodes (hub, treatment nodes) that hold it pending, i.e. are still
    resolving it. A node that does not answer is left out."""
    endpoints = [doc["hub"]["endpoint"]] + [
        p["endpoint"] for _, p in sorted(doc["provinces"].items())
    ]
    out: dict[str, list[str]] = {}
    for endpoint in endpoints:
        try:
            async with connect.operator(doc, endpoint) as ch:
                answer = await correction_pb2_grpc.CorrectionServiceStub(ch).ListInDoubt(
                    correction_pb2.InDoubtQuery(limit=10_000), timeout=30
                )
        except grpc.RpcError:
            continue
        for m in answer.messages:
            out.setdefault(m.msgid, []).append(m.node)
    return out


def _verdict(d: reconcile.Difference, pending: dict[str, list[str]]) -> dict[str, Any]:
    nodes = pending.get(d.msgid, [])
    return {
        "msgid": d.msgid,
        "in_doubt": bool(nodes),
        "resolving": nodes,
    }


async def run(
    doc: dict[str, Any],
    begndate: str,
    enddate: str,
    *,
    skip_unreachable: bool = False,
    hub: list[reconcile.Record] | None = None,
    seen: list[reconcile.Record] | None = None,
) -> dict[str, Any]:
    """The reconciliation report of a running network (a network.json document). With
    ``skip_unreachable``, a province that does not answer is listed under ``unreachable``
    instead of failing the whole report (the hub must answer); ``hub`` is the hub's records of
    the period when the caller has read them already; ``seen`` gets every province's records."""
    period = {"begndate": begndate, "enddate": enddate}
    if hub is None:
        hub = await hub_records(doc, begndate, enddate)
    comparisons: list[dict[str, Any]] = []
    unreachable: dict[str, str] = {}
    pending = await pending_in_doubt(doc)
    for code, p in sorted(doc["provinces"].items()):
        try:
            sides = await _province_records(doc, p["endpoint"], period)
        except grpc.RpcError as exc:
            if not skip_unreachable:
                raise
            unreachable[code] = describe_rpc_error(exc)
            continue
        for role, mine in sides:
            if seen is not None:
                seen += mine
            routed, diffs = reconcile.against_hub(code, role, mine, hub)
            comparisons.append(
                {
                    "province": code,
                    "role": role,
                    "sides": [f"province {code} ({role})", "hub"],
                    "totals": [asdict(t) for t in reconcile.totals(mine)],
                    "hub_totals": [asdict(t) for t in reconcile.totals(routed)],
                    "records": len(mine),
                    "hub_records": len(routed),
                    "differences": [
                        asdict(d)
                        | _verdict(d, pending)
                        | {"text": _text(d, f"province {code}", pending)}
                        for d in diffs
                    ],
                }
            )
    every = [d for c in comparisons for d in c["differences"]]
    return {
        "period": period,
        "comparisons": comparisons,
        "hub_totals": [asdict(t) for t in reconcile.totals(hub)],
        "differences": len(every),
        "in_doubt": sum(1 for d in every if d["in_doubt"]),
        "real_differences": sum(1 for d in every if not d["in_doubt"]),
        "pending_in_doubt": len(pending),
        "unreachable": unreachable,
    }


def _text(d: reconcile.Difference, first: str, pending: dict[str, list[str]]) -> str:
    nodes = pending.get(d.msgid, [])
    tail = (
        f" — in doubt: being resolved by {', '.join(nodes)}"
        if nodes
        else " — a real difference (no node is resolving its msgid)"
    )
    return d.describe(first, "the hub") + tail


async def _province_records(
    doc: dict[str, Any], endpoint: str, period: dict[str, str]
) -> list[tuple[str, list[reconcile.Record]]]:
    """A province's records in each of its roles."""
    async with connect.operator(doc, endpoint) as ch:
        stub = reconcile_pb2_grpc.ReconcileServiceStub(ch)
        return [
            (
                role,
                await all_details(
                    stub, role=role, begndate=period["begndate"], enddate=period["enddate"]
                ),
            )
            for role, _ in reconcile.ROLES
        ]


def render(report: dict[str, Any]) -> str:
    from services.values.money import yuan

    period = report["period"]
    lines = [
        f"reconciliation {period['begndate'] or 'from the first day'} to "
        f"{period['enddate'] or 'the last day'}"
    ]
    for c in report["comparisons"]:
        ok = "agrees" if not c["differences"] else f"{len(c['differences'])} difference(s)"
        lines.append(
            f"  province {c['province']} as {c['role']:<9} vs hub: {c['records']} vs "
            f"{c['hub_records']} records — {ok}"
        )
        lines += [f"      {d['text']}" for d in c["differences"]]
    lines.append("  hub totals (treatment → insured: count, medfee, fund, account):")
    for t in report["hub_totals"]:
        lines.append(
            f"    {t['treatment']} → {t['insured']}: {t['count']}, "
            f"{yuan(t['medfee_sumamt'])}, {yuan(t['fund_pay_sumamt'])}, "
            f"{yuan(t['acct_pay'])}"
        )
    lines += [
        f"  province {code} could not be read: {why}"
        for code, why in report.get("unreachable", {}).items()
    ]
    verdict = (
        "no differences"
        if not report["differences"]
        else f"{report['differences']} difference(s): {report.get('in_doubt', 0)} in doubt "
        f"(being resolved), {report.get('real_differences', report['differences'])} real"
    )
    if report.get("pending_in_doubt"):
        verdict += f"; {report['pending_in_doubt']} message(s) still being resolved"
    if report.get("unreachable"):
        verdict += (
            f" among the provinces that answered; not checked: {', '.join(report['unreachable'])}"
        )
    lines.append(verdict)
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    if args.date and (args.begndate or args.enddate):
        print("settlenet reconcile: give --date or --from/--to, not both", file=sys.stderr)
        return 2
    begndate, enddate = (
        (args.date, args.date) if args.date else (args.begndate or "", args.enddate or "")
    )
    if begndate and enddate and begndate > enddate:
        print(f"settlenet reconcile: --from {begndate} is after --to {enddate}", file=sys.stderr)
        return 2
    report, code = target.run(
        "reconcile", args.target, lambda doc: run(doc, begndate, enddate, skip_unreachable=True)
    )
    if code or report is None:
        return code
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render(report))
    return 0 if not report["differences"] and not report["unreachable"] else 1
