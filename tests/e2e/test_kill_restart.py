"""A node — the insured node, the hub or the treatment node — killed mid-traffic (SIGKILL: no
clean stop, transactions cut wherever they were) and started again on its database comes back
consistent: hospitals retry and correct as
a real HIS would, and afterwards every visit is settled once or not at all on every node, as
the hospital was told; ledgers balance; reconciliation finds zero differences. Real processes,
as ``settlenet up`` runs them."""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from provincial_nodes import config
from scripts import connect, launcher, reconcile
from scripts.clients.his import Line
from scripts.clients.retrying_his import RetryingHis, SettleOutcome
from services.storage.database import Database, sqlite_url
from tests import secure
from tests.faultnet import ledger_problems, live_settlements

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "scripts.cli"]
TREAT, INSURED, REGION = "11", "13", "130100"
VISIT_TIME, FEE_TIME = "2026-10-15 09:00:00", "2026-10-15 09:20:00"


class Node:
    """One node process, started and killed through the launcher."""

    def __init__(self, data: Path, name: str, args: list[str], security: dict[str, Any]) -> None:
        self.data, self.name = data, name
        self.args = [*args, *secure.node_args(security)]
        self.security = security
        self.proc: launcher.Process | None = None
        self.endpoint = ""

    def start(self, port: int = 0) -> str:
        self.proc = launcher.start_node(
            self.name,
            [*CLI, *self.args, "--port", str(port), "--log-json"],
            self.data,
            new_session=False,
            tls=secure.probe(self.security),
        )
        self.endpoint = self.proc.endpoint
        return self.endpoint

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()

    def stop(self) -> None:
        if self.proc is not None and self.proc.alive():
            self.proc.stop(timeout=20)


async def _visit(
    his: RetryingHis, person: Any, code: str, rng: random.Random
) -> tuple[str, SettleOutcome]:
    lines = [Line(code, rng.choice(("1", "2")), rng.randrange(500, 9000))]
    mdtrt_id = await his.register_surely(REGION, person.psn_no, person.insutype, VISIT_TIME)
    await his.upload_surely(REGION, mdtrt_id, person.psn_no, lines, FEE_TIME)
    return mdtrt_id, await his.settle_surely(
        REGION, mdtrt_id, person.psn_no, person.insutype, sum(x.amount() for x in lines)
    )


@pytest.mark.parametrize("victim", [INSURED, "hub", TREAT])
def test_a_node_killed_mid_traffic_and_restarted_loses_and_doubles_nothing(
    tmp_path: Path, victim: str
) -> None:
    visits = int(os.environ.get("SETTLENET_KILL_VISITS", "400"))
    urls = {n: sqlite_url(tmp_path / f"{n}.db") for n in ("hub", TREAT, INSURED)}
    security = secure.prepare(tmp_path, [TREAT, INSURED])
    hub = Node(tmp_path, "hub", ["hub", "--db", urls["hub"]], security)
    hub_endpoint = hub.start()
    provinces = {
        code: Node(
            tmp_path,
            f"province-{code}",
            ["province", "--code", code, "--hub", hub_endpoint, "--db", urls[code]],
            security,
        )
        for code in (TREAT, INSURED)
    }
    endpoints = {code: node.start() for code, node in provinces.items()}
    killed = hub if victim == "hub" else provinces[victim]
    port = int(killed.endpoint.rsplit(":", 1)[1])
    hebei = config.load(config.province_folder(INSURED))
    beijing = config.load(config.province_folder(TREAT))
    code = next(
        e.med_list_codg for e in beijing.catalogue.entries() if e.name.startswith("普通门诊诊查费")
    )
    inst = next(i for i in beijing.institutions.values() if i.medins_lv == "3")
    outcomes: list[tuple[str, SettleOutcome]] = []
    kills: list[float] = []
    hiss: list[RetryingHis] = []

    async def drive() -> None:
        async with connect.hospitals(secure.doc(security, hub_endpoint, endpoints), TREAT) as ch:
            done = 0
            third = asyncio.Event()  # a third of the visits are done: kill now

            async def worker(w: int) -> None:
                nonlocal done
                rng = random.Random(w)
                while done < visits:
                    done += 1
                    his = RetryingHis(
                        ch,
                        inst.fixmedins_code,
                        inst.admdvs,
                        attempts=3,
                        patience=60,
                        backoff_s=0.05,
                        timeout=5,
                    )
                    hiss.append(his)
                    outcomes.append(await _visit(his, rng.choice(hebei.persons), code, rng))
                    if len(outcomes) >= visits // 3:
                        third.set()

            async def killer() -> None:
                await third.wait()
                kills.append(time.monotonic())
                await asyncio.to_thread(killed.kill)  # mid-traffic: commits cut anywhere
                await asyncio.sleep(0.5)
                await asyncio.to_thread(killed.start, port)
                kills.append(time.monotonic())

            await asyncio.gather(killer(), *(worker(w) for w in range(8)))

    try:
        asyncio.run(drive())
        doc = secure.doc(security, hub_endpoint, endpoints)
        report = asyncio.run(reconcile.run(doc, "", ""))
    finally:
        for node in (*provinces.values(), hub):
            node.stop()

    from national_hub.adapters.tables import metadata as hub_meta
    from provincial_nodes.adapters.tables import metadata as node_meta

    dbs = {
        "hub": Database(urls["hub"], hub_meta),
        **{c: Database(urls[c], node_meta) for c in (TREAT, INSURED)},
    }
    offline = SimpleNamespace(
        net=SimpleNamespace(
            hub=SimpleNamespace(db=dbs["hub"]),
            provinces={c: SimpleNamespace(db=dbs[c]) for c in (TREAT, INSURED)},
        )
    )
    try:
        assert kills and len(outcomes) >= visits
        assert report["differences"] == 0, reconcile.render(report)
        assert ledger_problems(offline) == []  # type: ignore[arg-type]
        live = live_settlements(offline)  # type: ignore[arg-type]
        wrong = []
        for mdtrt_id, out in outcomes:
            told = {out.setlinfo.setl_id} if out.setlinfo is not None else set()
            sides = (
                live[f"treatment {TREAT}"].get(mdtrt_id, set()),
                live[f"insured {INSURED}"].get(mdtrt_id, set()),
            )
            hub_live = live["hub"].get(mdtrt_id, set())
            if sides != (told, told) or hub_live != ({"1 live"} if told else set()):
                wrong.append((mdtrt_id, told, sides, hub_live, out.msgids, out.corrected))
        assert wrong == [], wrong[:10]
        # Nothing double-counted: one settlement row per msgid that took effect, and the
        # insured place's records are exactly those the hospital was told of (plus reversed
        # pairs).
        from provincial_nodes.adapters.tables import insured_settlements as ins

        rows = dbs[INSURED].transact_sync(lambda c: list(c.execute(select(ins)).all()))
        assert len({r.msgid for r in rows}) == len(rows)
        standing = {r.setl_id for r in rows if r.refd_setl_flag == "0"} - {
            r.init_setl_id for r in rows if r.init_setl_id
        }
        assert standing == {o.setlinfo.setl_id for _, o in outcomes if o.setlinfo is not None}
        settled = len(standing)
        corrections: dict[str, int] = {}
        for h in hiss:
            for k, v in h.tally.corrections.items():
                corrections[k] = corrections.get(k, 0) + v
        print(
            f"kill-restart of {killed.name}: {len(outcomes)} visits, {settled} settled, "
            f"{len(rows) - settled} other records (corrected pairs), down "
            f"{kills[1] - kills[0]:.1f}s, retries {sum(h.tally.retries for h in hiss)}, "
            f"corrections {corrections}, {report['differences']} differences"
        )
        assert settled > visits // 2
        # The kill cut traffic in flight: calls failed and were retried or corrected.
        assert sum(h.tally.retries for h in hiss) > 0
    finally:
        for db in dbs.values():
            db.close()
