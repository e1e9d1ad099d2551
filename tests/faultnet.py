"""An in-process network whose links run through the fault transport (``services.faults``), and
the checks every fault test makes afterwards: exactly once on every node, balanced ledgers,
zero reconciliation differences."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import grpc
from sqlalchemy import select

from scripts import connect, network
from scripts import reconcile as recon_cmd
from scripts.clients.retrying_his import RetryingHis
from services.faults import transport as faults
from services.ledger import store as ledger_store


@dataclass
class FaultNet:
    net: network.Network
    injector: faults.FaultInjector
    channels: dict[str, grpc.aio.Channel]

    def his(self, code: str, **kwargs: Any) -> RetryingHis:
        """A HIS of a tertiary hospital of province ``code``, its channel on the faulty
        his->treatment hop."""
        node = self.net.provinces[code]
        inst = sorted(
            (i for i in node.data.institutions.values() if i.cross_province),
            key=lambda i: i.medins_lv,
        )[-1]
        if code not in self.channels:
            self.channels[code] = connect.channel(
                self.doc(),
                node.endpoint,
                signer=connect.keyring(self.doc(), code),
                hop="his->treatment",
            )
        return RetryingHis(self.channels[code], inst.fixmedins_code, inst.admdvs, **kwargs)

    def doc(self) -> dict[str, Any]:
        """A network.json document of this network (for ``settlenet reconcile``'s code)."""
        return {
            "security": self.net.security,
            "hub": {"endpoint": self.net.hub.endpoint},
            "provinces": {c: {"endpoint": p.endpoint} for c, p in self.net.provinces.items()},
        }


@asynccontextmanager
async def fault_network(
    data: Path,
    plan: faults.FaultPlan,
    provinces: tuple[str, ...],
    population: int = 0,
    db_urls: dict[str, str] | None = None,
) -> AsyncIterator[FaultNet]:
    injector = faults.install(plan)
    net = await network.start(data, provinces, population=population, db_urls=db_urls, secure=True)
    fn = FaultNet(net, injector, {})
    try:
        yield fn
    finally:
        for ch in fn.channels.values():
            await ch.close()
        await net.stop()
        faults.uninstall()


def ledger_problems(fn: FaultNet) -> list[str]:
    """Every ledger balances (total debits = total credits), and each node's account balances
    are the sums of its transfers."""
    from national_hub.adapters.tables import ledger as hub_ledger
    from provincial_nodes.adapters.tables import ledger as node_ledger

    problems = []
    sides = [("hub", fn.net.hub.db, hub_ledger)] + [
        (code, p.db, node_ledger) for code, p in fn.net.provinces.items()
    ]
    for name, db, tables in sides:
        debits, credits = db.transact_sync(ledger_store.trial_balance, tables)
        if debits != credits:
            problems.append(f"{name}: debits {debits} != credits {credits}")
        summed: dict[str, int] = {}
        for t in db.transact_sync(ledger_store.transfers, tables):
            summed[t.debit] = summed.get(t.debit, 0) + t.amount_fen
            summed[t.credit] = summed.get(t.credit, 0) - t.amount_fen
        bal = {a: b.net_fen for a, b in db.transact_sync(ledger_store.balances, tables).items()}
        if bal != summed:
            problems.append(f"{name}: balances are not the sums of the transfers")
    from national_hub.adapters import advances as advance

    for st in fn.net.hub.db.transact_sync(advance.all_status):
        drift = fn.net.hub.db.transact_sync(advance.drift, st.province)
        if drift:
            problems.append(f"hub: advance of {st.province} is {drift} fen off its ledger")
    return problems


async def clear(fn: FaultNet, month: str) -> Any:
    """ClearMonth at the hub (what ``settlenet clear`` asks), with the in-process clock moved to
    the first second of the next month: a month is cleared once it has ended."""
    from services.pb.settlenet.v1 import clearing_pb2, clearing_pb2_grpc

    with after_month(month):
        async with connect.operator(fn.doc()) as ch:
            return await clearing_pb2_grpc.ClearingServiceStub(ch).ClearMonth(
                clearing_pb2.ClearMonthRequest(month=month), timeout=60
            )


@contextlib.contextmanager
def after_month(month: str) -> Iterator[None]:
    """Run this process's clock (every in-process node's) from the first second after
    ``month`` ("yyyy-MM"), and restore it afterwards."""
    from services.values import clock

    year, mon = (int(x) for x in month.split("-"))
    clock.travel_to(datetime(year + mon // 12, mon % 12 + 1, 1, 0, 0, 1))
    try:
        yield
    finally:
        clock.travel_to(None)


def live_settlements(fn: FaultNet) -> dict[str, dict[str, set[str]]]:
    """node → mdtrt_id → setl_ids of settlements that stand (not revoked or corrected)."""
    from national_hub.adapters.tables import hub_settlements
    from provincial_nodes.adapters.tables import insured_settlements, treatment_settlements

    out: dict[str, dict[str, set[str]]] = {}

    def collect(name: str, db: Any, table: Any, has_init: bool) -> None:
        def read(conn: Any) -> list[Any]:
            cols = [table.c.setl_id, table.c.mdtrt_id, table.c.refd_setl_flag]
            if has_init:
                cols.append(table.c.init_setl_id)
            return list(conn.execute(select(*cols)).all())

        rows = db.transact_sync(read)
        undone = {r.init_setl_id for r in rows if has_init and r.init_setl_id}
        per: dict[str, set[str]] = out.setdefault(name, {})
        originals = [r for r in rows if r.refd_setl_flag == "0"]
        reversals = [r for r in rows if r.refd_setl_flag == "1"]
        if not has_init:  # the hub: a visit's reversal cancels its settlement
            counts: dict[str, int] = {}
            for r in originals:
                counts[r.mdtrt_id] = counts.get(r.mdtrt_id, 0) + 1
            for r in reversals:
                counts[r.mdtrt_id] = counts.get(r.mdtrt_id, 0) - 1
            for r in originals:
                per.setdefault(r.mdtrt_id, set())
            for mdtrt_id, n in counts.items():
                if n:
                    per[mdtrt_id] = {f"{n} live"}
            return
        for r in originals:
            s = per.setdefault(r.mdtrt_id, set())
            if r.setl_id not in undone:
                s.add(r.setl_id)

    collect("hub", fn.net.hub.db, hub_settlements, False)
    for code, p in fn.net.provinces.items():
        collect(f"treatment {code}", p.db, treatment_settlements, True)
        collect(f"insured {code}", p.db, insured_settlements, True)
    return out


async def reconciliation(fn: FaultNet) -> dict[str, Any]:
    return await recon_cmd.run(fn.doc(), "", "")


async def converged(fn: FaultNet, timeout_s: float = 10.0) -> dict[str, Any]:
    """Wait until no node holds a message in doubt and reconciliation finds no difference (at
    most ``timeout_s``); the last reconciliation report."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        pending = await recon_cmd.pending_in_doubt(fn.doc())
        report = await reconciliation(fn)
        if (not pending and not report["differences"]) or time.monotonic() > deadline:
            report["still_pending"] = sorted(pending)
            return report
        await asyncio.sleep(0.1)
