"""After a run: reconcile the network and say whether anything was lost.

Two questions, answered from the nodes' own records (the reconciliation services), not from
the generator's counters:

- **Do the nodes agree?** Every province, as place of treatment and as insured place, against
  what the hub routed, over the days the run covered (``settlenet reconcile``).
- **Was anything lost?** Every settlement and revocation a node acknowledged to the generator
  must be on the hub's records. The other way round, a record any node holds from the run that
  the generator never saw acknowledged (a call the generator gave up on, that took effect and
  that the forwarding nodes then recorded everywhere, ``docs/exactly-once.md``) is not lost: it
  is counted as "settled after the caller gave up".

First it waits (at most ``settle_s``) until no forwarding node holds a message in doubt, as the
nodes resolve them by themselves; the differences are then exactly ``settlenet reconcile``'s,
each marked in doubt (still being resolved) or real. A province that does not answer (a node
killed mid-run) is named and left out; the hub not answering means nothing could be checked,
and the report says so.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

import grpc

from scripts import reconcile as network_reconcile
from services.rpc.status import describe_rpc_error

SAMPLE = 20
"""setl_ids quoted per finding; the counts are always complete."""


async def settled_doubts(doc: dict[str, Any], settle_s: float) -> tuple[float, int]:
    """Wait until no forwarding node holds a message in doubt, at most ``settle_s``: the
    seconds waited and how many were still pending."""
    started = time.monotonic()
    while True:
        pending = len(await network_reconcile.pending_in_doubt(doc))
        waited = time.monotonic() - started
        if not pending or waited >= settle_s:
            return round(waited, 3), pending
        await asyncio.sleep(0.5)


async def audit(
    doc: dict[str, Any],
    acknowledged: Iterable[str],
    since: str,
    until: str,
    *,
    settle_s: float = 20.0,
) -> dict[str, Any]:
    """Reconcile ``doc``'s network over the days from ``since`` to ``until`` (CST times,
    ``yyyy-MM-dd HH:mm:ss``) once its nodes resolved what was in doubt (at most ``settle_s``),
    and check ``acknowledged`` setl_ids against the hub."""
    begndate, enddate = since[:10], until[:10]
    seen: list[Any] = []
    try:
        waited, still_pending = await settled_doubts(doc, settle_s)
        hub = await network_reconcile.hub_records(doc, begndate, enddate)
        report = await network_reconcile.run(
            doc, begndate, enddate, skip_unreachable=True, hub=hub, seen=seen
        )
    except grpc.RpcError as exc:
        return {
            "ran": False,
            "reason": f"the hub could not be read: {describe_rpc_error(exc)}",
            "verdict": "not checked: the hub did not answer",
        }
    acked = set(acknowledged)
    at_hub = {r.setl_id for r in hub}
    lost = sorted(acked - at_hub)
    # Any side's record counts: a settlement only some node holds is a difference too, and
    # still one no caller was told of.
    unacknowledged = sorted(
        {r.setl_id for r in [*hub, *seen] if r.setl_time >= since and r.setl_id not in acked}
    )
    differences = [d["text"] for c in report["comparisons"] for d in c["differences"]]
    in_doubt, real = report["in_doubt"], report["real_differences"]
    unreachable = report["unreachable"]
    if lost:
        verdict = f"LOST: {len(lost)} acknowledged settlement(s) are not on the hub's records"
    elif real:
        verdict = (
            f"{len(differences)} difference(s) between the nodes and the hub: {real} real, "
            f"{in_doubt} in doubt (being resolved)"
        )
    elif differences:
        verdict = (
            f"{in_doubt} difference(s) between the nodes and the hub, all in doubt: the nodes "
            "are still resolving them (settlenet resolve finishes it now)"
        )
    elif unreachable:
        verdict = (
            f"nothing lost at the hub; province(s) {', '.join(unreachable)} could not "
            "be read, so their side is unchecked"
        )
    else:
        verdict = "nothing lost: every node agrees with the hub"
    return {
        "ran": True,
        "period": report["period"],
        "verdict": verdict,
        "acknowledged": len(acked),
        "hub_records": len(hub),
        "lost": len(lost),
        "lost_sample": lost[:SAMPLE],
        "unacknowledged_at_hub": len(unacknowledged),
        "unacknowledged_sample": unacknowledged[:SAMPLE],
        "differences": len(differences),
        "differences_in_doubt": in_doubt,
        "differences_real": real,
        "differences_sample": differences[:SAMPLE],
        "in_doubt_wait_s": waited,
        "in_doubt_pending": still_pending,
        "unreachable": unreachable,
        "comparisons": [
            {k: c[k] for k in ("province", "role", "records", "hub_records")}
            | {"differences": len(c["differences"])}
            for c in report["comparisons"]
        ],
    }
