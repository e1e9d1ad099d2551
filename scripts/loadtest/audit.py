"""After a run: reconcile the network and say whether anything was lost.

Two questions, answered from the nodes' own records (the reconciliation services), not from
the generator's counters:

- **Do the nodes agree?** Every province, as place of treatment and as insured place, against
  what the hub routed, over the days the run covered (``settlenet reconcile``).
- **Was anything lost?** Every settlement and revocation a node acknowledged to the generator
  must be on the hub's records. The other way round, a record the hub holds from the run that
  the generator never saw acknowledged (a call that timed out after it committed) is not lost,
  but a hospital would have to find it with 5203/2601; those are counted too.

A province that does not answer (a node killed mid-run) is named and left out; the hub not
answering means nothing could be checked, and the report says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import grpc

from scripts import reconcile as network_reconcile
from services.rpc.status import describe_rpc_error

SAMPLE = 20
"""setl_ids quoted per finding; the counts are always complete."""


async def audit(
    doc: dict[str, Any], acknowledged: Iterable[str], since: str, until: str
) -> dict[str, Any]:
    """Reconcile ``doc``'s network over the days from ``since`` to ``until`` (CST times,
    ``yyyy-MM-dd HH:mm:ss``) and check ``acknowledged`` setl_ids against the hub."""
    begndate, enddate = since[:10], until[:10]
    try:
        hub = await network_reconcile.hub_records(doc, begndate, enddate)
        report = await network_reconcile.run(doc, begndate, enddate, skip_unreachable=True, hub=hub)
    except grpc.RpcError as exc:
        return {
            "ran": False,
            "reason": f"the hub could not be read: {describe_rpc_error(exc)}",
            "verdict": "not checked: the hub did not answer",
        }
    acked = set(acknowledged)
    at_hub = {r.setl_id for r in hub}
    lost = sorted(acked - at_hub)
    unacknowledged = sorted(
        r.setl_id for r in hub if r.setl_time >= since and r.setl_id not in acked
    )
    differences = [d["text"] for c in report["comparisons"] for d in c["differences"]]
    unreachable = report["unreachable"]
    if lost:
        verdict = f"LOST: {len(lost)} acknowledged settlement(s) are not on the hub's records"
    elif differences:
        verdict = f"{len(differences)} difference(s) between the nodes and the hub"
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
        "differences_sample": differences[:SAMPLE],
        "unreachable": unreachable,
        "comparisons": [
            {k: c[k] for k in ("province", "role", "records", "hub_records")}
            | {"differences": len(c["differences"])}
            for c in report["comparisons"]
        ],
    }
