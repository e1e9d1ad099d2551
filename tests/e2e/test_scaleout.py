"""A hub of 2 processes and provinces of 2 processes each, on one PostgreSQL database per node
(``--processes 2``, docs/scaleout.md): the same msgid sent at once through two different
processes takes effect once and gets one answer; concurrent settlements of one person across
the processes never spend more than the account holds; afterwards every ledger balances and
reconciliation is clean. Real processes, secure, as ``settlenet up`` runs them."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import grpc
import pytest

from provincial_nodes import config
from scripts import connect, launcher, reconcile
from scripts.clients.his import His, Line
from services.rpc.envelope import worker_of
from services.rpc.server import CHANNEL_OPTIONS
from services.security.client import SigningInterceptor
from services.storage.database import Database
from tests import secure
from tests.faultnet import ledger_problems, live_settlements
from tests.integration.test_postgres import _createdb, pg_cluster  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "scripts.cli"]
TREAT, INSURED, REGION = "11", "13", "130100"
VISIT_TIME, FEE_TIME = "2026-10-15 09:00:00", "2026-10-15 09:20:00"


def test_several_processes_refuse_sqlite(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CLI, "hub", "--insecure", "--data", str(tmp_path), "--processes", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "PostgreSQL" in done.stderr and "--processes 2" in done.stderr


def _channel(doc: dict[str, Any], endpoint: str) -> grpc.aio.Channel:
    """A channel of its own (its own TCP connection: the kernel picks the process for it)."""
    tls = connect.tls(doc, "access")
    keyring = connect.keyring(doc, TREAT)
    assert tls is not None and keyring is not None
    options = [*CHANNEL_OPTIONS, ("grpc.use_local_subchannel_pool", 1)]
    return grpc.aio.secure_channel(
        endpoint,
        tls.channel_credentials(),
        options=options,
        interceptors=[SigningInterceptor(keyring)],
    )


def test_two_processes_per_node_on_postgresql(pg_cluster, tmp_path: Path) -> None:  # noqa: F811
    sock, port = pg_cluster
    urls = {n: _createdb(sock, port, f"scaleout_{n}") for n in ("hub", TREAT, INSURED)}
    security = secure.prepare(tmp_path, [TREAT, INSURED])
    tls_args = secure.node_args(security)
    procs: list[launcher.Process] = []

    def start(name: str, args: list[str]) -> launcher.Process:
        p = launcher.start_node(
            name,
            [*CLI, *args, *tls_args, "--processes", "2", "--log-json"],
            tmp_path,
            new_session=False,
            tls=secure.probe(security),
        )
        procs.append(p)
        return p

    hebei = config.load(config.province_folder(INSURED))
    beijing = config.load(config.province_folder(TREAT))
    item = next(
        e.med_list_codg for e in beijing.catalogue.entries() if e.name.startswith("普通门诊诊查费")
    )
    inst = next(i for i in beijing.institutions.values() if i.medins_lv == "3")
    try:
        hub = start("hub", ["hub", "--db", urls["hub"]])
        endpoints = {
            code: start(
                f"province-{code}",
                ["province", "--code", code, "--hub", hub.endpoint, "--db", urls[code]],
            ).endpoint
            for code in (TREAT, INSURED)
        }
        for p in procs:  # one ready file per node, naming its workers
            ready = json.loads(p.ready.read_text()) if p.ready else {}
            assert len(ready["workers"]) == 2, ready
        doc = secure.doc(security, hub.endpoint, endpoints)
        asyncio.run(_drive(doc, endpoints[TREAT], hebei, inst.fixmedins_code, inst.admdvs, item))
        asyncio.run(
            _hub_duplicates(doc, urls["hub"], hebei, inst.fixmedins_code, inst.admdvs, item)
        )
        report = asyncio.run(reconcile.run(doc, "", ""))
        # A worker of the insured node dies: reported, not restarted; the other one serves.
        insured = procs[2]
        assert insured.ready is not None
        victim = json.loads(insured.ready.read_text())["workers"][1]
        os.kill(victim, signal.SIGKILL)
        said = f"worker 2 (pid {victim}) exited with code -9; not restarted, 1 of 2 serving"
        deadline = time.monotonic() + 10
        while said not in insured.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert said in insured.log.read_text()
        assert insured.alive()
        asyncio.run(_still_serves(doc, hebei.persons[0].certno, inst.fixmedins_code, inst.admdvs))
    finally:
        for p in procs:
            p.stop()
    assert [p.proc.returncode for p in procs] == [0, 0, 1]  # the insured node lost a worker

    from national_hub.adapters.tables import metadata as hub_meta
    from provincial_nodes.adapters.tables import metadata as node_meta

    offline = SimpleNamespace(
        net=SimpleNamespace(
            hub=SimpleNamespace(db=Database(urls["hub"], hub_meta)),
            provinces={
                c: SimpleNamespace(db=Database(urls[c], node_meta)) for c in (TREAT, INSURED)
            },
        )
    )
    assert report["differences"] == 0, reconcile.render(report)
    assert ledger_problems(offline) == []  # type: ignore[arg-type]
    live = live_settlements(offline)  # type: ignore[arg-type]
    standing = {}
    for node in ("hub", f"treatment {TREAT}", f"insured {INSURED}"):
        assert all(len(s) <= 1 for s in live[node].values()), (node, live[node])
        standing[node] = {mdtrt_id for mdtrt_id, s in live[node].items() if s}
    # 4 visits settled by duplicates (one of them revoked by duplicates), 8 of one person, one
    # settled by duplicates at the hub
    assert len(standing["hub"]) == 3 + 8 + 1
    assert standing["hub"] == standing[f"treatment {TREAT}"] == standing[f"insured {INSURED}"]


async def _drive(
    doc: dict[str, Any],
    treat: str,
    hebei: config.ProvinceData,
    fixmedins_code: str,
    admdvs: str,
    item: str,
) -> None:
    # Connections until both processes of the treatment node answered on one of them.
    by_worker: dict[int, His] = {}
    channels: list[grpc.aio.Channel] = []
    person = hebei.persons[1]
    try:
        for _ in range(24):
            ch = _channel(doc, treat)
            channels.append(ch)
            his = His(ch, fixmedins_code, admdvs)
            info = await his.query_person(REGION, person.certno)
            by_worker.setdefault(worker_of(info.header.inf_refmsgid), his)
            if len(by_worker) == 2:
                break
        assert set(by_worker) == {1, 2}, "the kernel never chose the second process"
        a, b = by_worker[1], by_worker[2]
        await _replayed_nonce(doc, treat, a, person.certno)
        await _duplicates(a, b, hebei, item)
        await _cap(a, b, hebei, item)
        for worker, his in by_worker.items():  # each connection stayed with its process
            info = await his.query_person(REGION, person.certno)
            assert worker_of(info.header.inf_refmsgid) == worker
    finally:
        for ch in channels:
            await ch.close()


async def _visit(his: His, person: Any, item: str, qty: str = "1") -> tuple[str, int]:
    mdtrt_id = await his.register(REGION, person.psn_no, person.insutype, VISIT_TIME)
    lines = [Line(item, qty, 2500)]
    await his.upload(REGION, mdtrt_id, person.psn_no, lines, FEE_TIME)
    return mdtrt_id, sum(line.amount() for line in lines)


async def _duplicates(a: His, b: His, hebei: config.ProvinceData, item: str) -> None:
    """The same 2207 (then 2208) through both processes at once, three copies each."""
    for person in hebei.persons[2:6]:
        mdtrt_id, total = await _visit(a, person, item)
        msgid = a.msgid()
        results = await asyncio.gather(
            *(
                his.settle(REGION, mdtrt_id, person.psn_no, person.insutype, total, msgid=msgid)
                for his in (a, b, a, b, a, b)
            )
        )
        # (A duplicate's answer is the first one, header and all: which process sent it is
        # checked on the connections themselves, before and after.)
        assert len({r.setlinfo.SerializeToString() for r in results}) == 1, results
        setl_id = results[0].setlinfo.setl_id
        assert setl_id
        if person is hebei.persons[2]:  # one revoked: the 2208 twice at once, then settled again
            rev_msgid = a.msgid()
            revs = await asyncio.gather(
                *(
                    his.revoke(REGION, setl_id, mdtrt_id, person.psn_no, msgid=rev_msgid)
                    for his in (a, b, a, b)
                )
            )
            assert len({r.setlinfo.setl_id for r in revs}) == 1


async def _cap(a: His, b: His, hebei: config.ProvinceData, item: str) -> None:
    """One person's settlements at once through both processes: the account pays at most what
    it holds, and what it paid is exactly what left it."""
    person = hebei.persons[1]
    visits = [await _visit(a if i % 2 else b, person, item, "40") for i in range(8)]
    results = await asyncio.gather(
        *(
            (a if i % 2 else b).settle(REGION, mdtrt_id, person.psn_no, person.insutype, total)
            for i, (mdtrt_id, total) in enumerate(visits)
        ),
        return_exceptions=True,
    )
    done = [r.setlinfo for r in results if not isinstance(r, BaseException)]
    assert len(done) == len(visits), [r for r in results if isinstance(r, BaseException)]
    balances = sorted((s.balc for s in done), reverse=True)
    paid = sum(s.acct_pay for s in done)
    start = balances[0] + next(s.acct_pay for s in done if s.balc == balances[0])
    assert min(balances) >= 0
    assert start - paid == balances[-1]  # every payment came off the one account, once
    assert balances[-1] == 0  # the account ran out under the concurrent settlements
    ordered = sorted(done, key=lambda s: (-s.balc, -s.acct_pay))
    for before, after in zip(ordered, ordered[1:], strict=False):  # each saw the one before it
        assert after.balc == before.balc - after.acct_pay, (before, after)


async def _hub_duplicates(
    doc: dict[str, Any], hub_url: str, hebei: config.ProvinceData, code: str, admdvs: str, item: str
) -> None:
    """The same 2207 straight to both processes of the hub at once (as the treatment node would
    send it, 3 copies through each); then the hospital's own 2207 of that msgid through the
    treatment node is answered from the hub's journal, and every node records it once."""
    from sqlalchemy import select

    from national_hub.adapters.tables import metadata as hub_meta
    from national_hub.adapters.tables import routed_messages
    from services.pb.settlenet.v1 import (
        correction_pb2,
        correction_pb2_grpc,
        hub_pb2_grpc,
        insured_pb2,
    )

    person = hebei.persons[0]
    channels: list[grpc.aio.Channel] = []
    try:
        ch = _channel(doc, str(doc["provinces"][TREAT]["endpoint"]))
        channels.append(ch)
        his = His(ch, code, admdvs)
        mdtrt_id, total = await _visit(his, person, item)
        pre_msgid = his.msgid()
        await his.pre_settle(
            REGION, mdtrt_id, person.psn_no, person.insutype, total, msgid=pre_msgid
        )
        # The claim as the treatment node sent it to the hub (2206: the same body as a 2207).
        db = Database(hub_url, hub_meta)
        try:
            sent = db.transact_sync(
                lambda conn: conn.execute(
                    select(routed_messages.c.request).where(routed_messages.c.msgid == pre_msgid)
                ).scalar_one()
            )
        finally:
            db.close()
        claim = insured_pb2.SettleClaim.FromString(sent)
        msgid = his.msgid()
        claim.header.infno, claim.header.msgid = "2207", msgid
        # Connections to the hub, as the treatment node, until both processes answered one.
        probe = type(claim.header)()
        probe.CopyFrom(claim.header)
        probe.infno, probe.msgid = "5203", his.msgid()
        hub: dict[int, grpc.aio.Channel] = {}
        tls = connect.tls(doc, f"province-{TREAT}")
        assert tls is not None
        for _ in range(24):
            hc = grpc.aio.secure_channel(
                str(doc["hub"]["endpoint"]),
                tls.channel_credentials(),
                options=[*CHANNEL_OPTIONS, ("grpc.use_local_subchannel_pool", 1)],
            )
            channels.append(hc)
            status = await correction_pb2_grpc.CorrectionServiceStub(hc).QueryMessage(
                correction_pb2.MessageStatusQuery(header=probe, omsgid=pre_msgid), timeout=10
            )
            hub.setdefault(worker_of(status.header.inf_refmsgid), hc)
            if len(hub) == 2:
                break
        assert set(hub) == {1, 2}, "the kernel never chose the hub's second process"
        stubs = [hub_pb2_grpc.HubServiceStub(hub[w]) for w in (1, 2, 1, 2, 1, 2)]
        results = await asyncio.gather(*(stub.Settle(claim, timeout=10) for stub in stubs))
        assert len({r.setlinfo.SerializeToString() for r in results}) == 1, results
        settled = await his.settle(
            REGION, mdtrt_id, person.psn_no, person.insutype, total, msgid=msgid
        )
        assert settled.setlinfo.setl_id == results[0].setlinfo.setl_id
    finally:
        for c in channels:
            await c.close()


async def _still_serves(doc: dict[str, Any], certno: str, code: str, admdvs: str) -> None:
    """A 1101 through the treatment node and the hub reaches the insured node's live worker
    (the hub's connection to the dead one is replaced: a first call may fail)."""
    async with _channel(doc, str(doc["provinces"][TREAT]["endpoint"])) as ch:
        his = His(ch, code, admdvs)
        for _ in range(20):
            try:
                await his.query_person(REGION, certno)
                return
            except grpc.aio.AioRpcError as exc:
                if exc.code() != grpc.StatusCode.UNAVAILABLE:
                    raise
                await asyncio.sleep(0.25)
        await his.query_person(REGION, certno)


async def _replayed_nonce(doc: dict[str, Any], treat: str, his: His, certno: str) -> None:
    """One set of x-tif headers (one nonce) through both processes: the second is a replay."""
    from services.pb.settlenet.v1 import insured_pb2, treatment_pb2_grpc
    from services.security import credentials

    account = connect.account(doc, his.fixmedins_code)
    tls = connect.tls(doc, "access")
    assert tls is not None
    query = insured_pb2.PersonQuery(
        header=his.header("1101", REGION),
        mdtrt_cert_type="02",
        mdtrt_cert_no=certno,
        psn_cert_type="01",
        certno=certno,
    )
    by_worker: dict[int, treatment_pb2_grpc.TreatmentServiceStub] = {}
    channels = []
    try:
        for _ in range(24):  # unsigned connections until both processes answered one
            ch = grpc.aio.secure_channel(
                treat,
                tls.channel_credentials(),
                options=[*CHANNEL_OPTIONS, ("grpc.use_local_subchannel_pool", 1)],
            )
            channels.append(ch)
            stub = treatment_pb2_grpc.TreatmentServiceStub(ch)
            fresh = credentials.sign(account.paasid, account.token)
            info = await stub.QueryPerson(query, metadata=fresh, timeout=10)
            by_worker.setdefault(worker_of(info.header.inf_refmsgid), stub)
            if len(by_worker) == 2:
                break
        assert set(by_worker) == {1, 2}
        once = credentials.sign(account.paasid, account.token)
        await by_worker[1].QueryPerson(query, metadata=once, timeout=10)
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await by_worker[2].QueryPerson(query, metadata=once, timeout=10)
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert "another process" in (err.value.details() or "")
    finally:
        for ch in channels:
            await ch.close()
