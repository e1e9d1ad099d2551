"""The benchmark: start the echo nodes, a real hub routing to the echo insured node, and a real
network (``settlenet up``, Beijing 11 treating Hebei 13's insured); run every scenario as a
closed loop at one concurrency; print and save the figures."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from rich.console import Console
from rich.table import Table

from scripts import certs, connect, launcher
from scripts.loadtest import procstat, report, target
from scripts.loadtest.client import CallFailed, LoadClient, MsgidSource
from scripts.loadtest.messages import OpenVisit
from scripts.loadtest.model import ModelConfig, ProvinceView, TrafficModel
from scripts.loadtest.stats import Recorder, histogram, summary_ms
from services.pb.settlenet.v1 import (
    common_pb2,
    hub_pb2_grpc,
    insured_pb2,
    treatment_pb2,
    treatment_pb2_grpc,
)
from services.security import credentials
from services.storage.database import sqlite_url
from services.values import clock

SCENARIOS = (
    "bare_relay",
    "hub_routing",
    "bare_3hop",
    "settle_path",
    "settle_http",
    "bare_visit",
    "full_visit",
)
CEILING = {
    "hub_routing": "bare_relay",
    "settle_path": "bare_3hop",
    "settle_http": "settle_path",
    "full_visit": "bare_visit",
}
TARGET_RATIO = {"hub_routing": 0.8, "settle_path": 0.5}
TREAT, INSURED = "11", "13"
INSURED_REGION = "130100"
READY_TIMEOUT_S = 60.0


class Exhausted(Exception):
    """No prepared visit is left for the settle path."""


Node = launcher.Process


@dataclass
class Setup:
    data: Path
    security: dict[str, Any]
    """The echo nodes' and the routing hub's network (network.json's ``security``): mutual TLS
    and the same checks as the real nodes, unless --insecure."""
    echo: dict[str, Node] = field(default_factory=dict)
    routing_hub: Node | None = None
    network: target.Started | None = None

    def stop(self) -> None:
        nodes = [*self.echo.values(), *([self.routing_hub] if self.routing_hub else [])]
        for n in nodes:
            n.signal(signal.SIGTERM)
        for n in nodes:
            n.stop()
        if self.network is not None:
            self.network.stop()


def _spawn(name: str, args: list[str], data: Path, security: dict[str, Any]) -> Node:
    tls = ["--tls-dir", security["tls_dir"]] if connect.secure({"security": security}) else []
    if args[0] == "scripts.cli" and not tls:
        tls = ["--insecure"]
    return launcher.spawn_node(name, [sys.executable, "-m", *args, *tls], data)


def _wait(p: Node, security: dict[str, Any]) -> Node:
    try:
        launcher.wait_ready(p, READY_TIMEOUT_S, connect.tls({"security": security}, "operator"))
    except launcher.LaunchError:
        p.kill()
        raise RuntimeError(f"{p.name} did not start; see {p.log}") from None
    return p


def start(data: Path, population: int, say: Callable[[str], None], secure: bool = True) -> Setup:
    """Echo nodes, the routing hub and the real network, each node its own process; all with
    mutual TLS, the authorization matrix and x-tif checks unless not ``secure``."""
    security = certs.prepare(data / "tls", [TREAT, INSURED]) if secure else certs.INSECURE
    setup = Setup(data, security)
    try:
        setup.echo["echo-insured"] = _wait(
            _spawn("echo-insured", ["scripts.bench.echo", "insured"], data, security), security
        )
        insured = setup.echo["echo-insured"].endpoint
        topology = data / "routing-topology.json"
        topology.write_text(
            json.dumps(
                {
                    "provinces": [
                        {
                            "code": INSURED,
                            "endpoint": insured,
                            "admdvs": [INSURED_REGION],
                            "name": "echo insured",
                        }
                    ]
                }
            )
        )
        echo_hub = _spawn(
            "echo-hub", ["scripts.bench.echo", "hub", "--upstream", insured], data, security
        )
        route_hub = _spawn(
            "routing-hub",
            [
                "scripts.cli",
                "hub",
                "--db",
                sqlite_url(data / "routing-hub.db"),
                "--topology",
                str(topology),
                "--advance-size-fen",
                str(target.LOAD_ADVANCE_FEN),
                "--log-json",
            ],
            data,
            security,
        )
        setup.echo["echo-hub"], setup.routing_hub = echo_hub, route_hub  # stopped on failure
        _wait(echo_hub, security)
        _wait(route_hub, security)
        echo_treatment = _spawn(
            "echo-treatment",
            ["scripts.bench.echo", "treatment", "--upstream", setup.echo["echo-hub"].endpoint],
            data,
            security,
        )
        setup.echo["echo-treatment"] = _wait(echo_treatment, security)
        say("echo nodes and the routing hub serve")
        setup.network = target.start_processes(
            data / "net", [TREAT, INSURED], population, 1, say, [] if secure else ["--insecure"]
        )
        say(
            f"real network serves: {TREAT} treating {INSURED}'s insured, "
            f"{population} persons per province"
        )
    except BaseException:
        setup.stop()
        raise
    return setup


# ---- requests of the relay scenarios ----------------------------------------------------


class Requests:
    """Valid 2207 envelopes with fresh msgids for the relay scenarios."""

    def __init__(self, fixmedins_code: str = "H11010100001") -> None:
        self.code = fixmedins_code
        self.msgids = MsgidSource(fixmedins_code)

    async def header(self) -> common_pb2.RequestHeader:
        msgid = self.msgids.take()
        while msgid is None:  # this second's 10,000 numbers are used up: the next second
            await asyncio.sleep(0.05)
            msgid = self.msgids.take()
        return common_pb2.RequestHeader(
            infno="2207",
            msgid=msgid,
            mdtrtarea_admvs="110000",
            insuplc_admdvs=INSURED_REGION,
            fixmedins_code=self.code,
            opter_type="1",
            opter="BENCH1",
            inf_time=clock.format_time(clock.now()),
        )

    async def claim(self) -> insured_pb2.SettleClaim:
        return insured_pb2.SettleClaim(
            header=await self.header(),
            psn_no="13010000000000001000",
            insutype="310",
            med_type="11",
            mdtrt_id="110000202611250000000001",
            medins_lv="3",
            setl_date="2026-11-25",
            acct_used_flag="1",
            medfee_sumamt=25634,
            fulamt_ownpay_amt=402,
            overlmt_selfpay=0,
            preselfpay_amt=455,
            inscp_scp_amt=24777,
            fixmedins_code=self.code,
            diseinfo=[common_pb2.Diagnosis(diag_code="J06.900")],
        )

    async def settle(self) -> treatment_pb2.SettleRequest:
        return treatment_pb2.SettleRequest(
            header=await self.header(),
            psn_no="13010000000000001000",
            mdtrt_cert_type="01",
            mdtrt_cert_no="13010000000000001000",
            med_type="11",
            medfee_sumamt=25634,
            psn_setlway="01",
            mdtrt_id="110000202611250000000001",
            acct_used_flag="1",
            insutype="310",
        )


# ---- measurement ---------------------------------------------------------------------------


async def measure(
    op: Callable[[], Awaitable[None]],
    *,
    concurrency: int,
    warmup: float,
    seconds: float,
    pids: dict[str, int],
) -> dict[str, Any]:
    """Closed loop: ``concurrency`` workers call ``op`` back to back for warmup + seconds;
    operations started in the measured window are counted."""
    hist = histogram()
    errors: Counter[str] = Counter()
    ok = 0
    t_start = time.perf_counter()
    t_measure, t_end = t_start + warmup, t_start + warmup + seconds
    last_end = t_measure
    exhausted = False
    cpu: dict[str, Any] = {}

    async def snap_at_window() -> None:
        await asyncio.sleep(max(0.0, t_measure - time.perf_counter()))
        cpu["before"], cpu["self_before"] = procstat.snapshot(pids), procstat.self_cpu_s()

    async def worker() -> None:
        nonlocal ok, last_end, exhausted
        while (t0 := time.perf_counter()) < t_end:
            try:
                await op()
                code = "OK"
            except grpc.aio.AioRpcError as exc:
                code = exc.code().name
            except (OpFailed, CallFailed) as exc:
                code = exc.code
            except Exhausted:
                exhausted = True
                return
            t1 = time.perf_counter()
            if t0 >= t_measure:
                hist.record_value(max(1, int((t1 - t0) * 1e6)))
                last_end = max(last_end, t1)
                if code == "OK":
                    ok += 1
                else:
                    errors[code] += 1

    snapper = asyncio.create_task(snap_at_window())
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await snapper
    after, self_after = procstat.snapshot(pids), procstat.self_cpu_s()
    window = max(1e-9, last_end - t_measure)
    server_cpu = sum((after[k] or 0) - (cpu["before"].get(k) or 0) for k in pids)
    self_cpu = self_after - cpu["self_before"]
    n = ok + sum(errors.values())
    return {
        "ops": n,
        "ok": ok,
        "errors": dict(errors),
        "measured_s": round(window, 3),
        "ops_per_s": round(ok / window, 1),
        "latency_ms": summary_ms(hist),
        "server_cpu_ms_per_op": round(server_cpu * 1000 / ok, 3) if ok else None,
        "client_cpu_ms_per_op": round(self_cpu * 1000 / ok, 3) if ok else None,
        "server_cpu_util": round(server_cpu / window, 2),
        "pool_exhausted": exhausted,
        "nodes": sorted(pids),
        "node_cpu_ms_per_op": {
            k: round(((after[k] or 0) - (cpu["before"].get(k) or 0)) * 1000 / ok, 3)
            for k in sorted(pids)
        }
        if ok
        else {},
    }


def _views(doc: dict[str, Any], treat_endpoint: str | None = None) -> dict[str, ProvinceView]:
    views = target.views(doc)
    if treat_endpoint:
        v = views[TREAT]
        views[TREAT] = ProvinceView(
            v.code, treat_endpoint, v.institutions, v.catalogue, v.outside_catalogue, v.persons
        )
    return views


async def _run(
    setup: Setup, args: argparse.Namespace, cfg: dict[str, Any], console: Console
) -> dict[str, Any]:
    say = _say(console)
    assert setup.network is not None and setup.routing_hub is not None
    doc = setup.network.doc
    only = set(cfg["only"])
    conc, warm, secs = cfg["concurrency"], cfg["warmup_s"], cfg["seconds"]
    echo = {k: v.pid for k, v in setup.echo.items()}
    real = setup.network.node_pids
    reqs = Requests()
    results: dict[str, Any] = {}
    channels: list[grpc.aio.Channel] = []

    bench_doc = {"security": setup.security}

    def channel(endpoint: str) -> grpc.aio.Channel:
        # The treatment node's side of the hub link: its certificate, as the real one calls.
        ch = connect.channel(bench_doc, endpoint, certificate=f"province-{TREAT}")
        channels.append(ch)
        return ch

    async def bench(
        name: str, op: Callable[[], Awaitable[None]], pids: dict[str, int], seconds: float = secs
    ) -> None:
        if name not in only:
            return
        say(f"{name}: {conc} concurrent, {warm:g}s warm-up + {seconds:g}s")
        results[name] = await measure(op, concurrency=conc, warmup=warm, seconds=seconds, pids=pids)

    model_cfg = ModelConfig(seed=11, pair_weights=((TREAT, INSURED, 1.0),), mix={"visit": 1.0})
    try:
        untyped: Any = hub_pb2_grpc.HubServiceStub  # generated without annotations
        echo_hub = untyped(channel(setup.echo["echo-hub"].endpoint))
        route_hub = untyped(channel(setup.routing_hub.endpoint))
        untyped = treatment_pb2_grpc.TreatmentServiceStub
        # A hospital's side of the treatment node: the access certificate, signed as its
        # institution.
        hospital = connect.channel(
            bench_doc,
            setup.echo["echo-treatment"].endpoint,
            signer=connect.keyring(bench_doc, TREAT),
        )
        channels.append(hospital)
        echo_treat = untyped(hospital)

        async def bare_relay() -> None:
            await echo_hub.Settle(await reqs.claim(), timeout=10)

        async def hub_routing() -> None:
            await route_hub.Settle(await reqs.claim(), timeout=10)

        async def bare_3hop() -> None:
            await echo_treat.Settle(await reqs.settle(), timeout=10)

        await bench("bare_relay", bare_relay, {k: echo[k] for k in ("echo-hub", "echo-insured")})
        await bench(
            "hub_routing",
            hub_routing,
            {"routing-hub": setup.routing_hub.pid, "echo-insured": echo["echo-insured"]},
        )
        await bench("bare_3hop", bare_3hop, echo)

        if "settle_path" in only:
            results["settle_path_prepare"] = await _settle_path(doc, cfg, bench, real, say)

        recorder = Recorder()
        echo_client = LoadClient(
            _views(doc, setup.echo["echo-treatment"].endpoint), recorder, doc=bench_doc
        )
        real_client = LoadClient(_views(doc), recorder, doc=doc)
        try:
            for name, client, pids in (
                ("bare_visit", echo_client, echo),
                ("full_visit", real_client, real),
            ):
                ops = TrafficModel(model_cfg, client.provinces).ops()

                async def visit(c: LoadClient = client, it: Any = ops) -> None:
                    outcome = await c.run(next(it))
                    if outcome.code != "OK":
                        raise OpFailed(outcome.code)

                await bench(name, visit, pids)
        finally:
            await echo_client.close()
            await real_client.close()
    finally:
        for ch in channels:
            await ch.close()
    return results


class OpFailed(Exception):
    """An operation that failed with a gRPC status code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def _settle_path(
    doc: dict[str, Any],
    cfg: dict[str, Any],
    bench: Any,
    real: dict[str, int],
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Open visits (2201, 2204) before the timing, then time their 2207 alone."""
    recorder = Recorder()
    client = LoadClient(_views(doc), recorder, doc=doc)
    model = TrafficModel(
        ModelConfig(seed=7, pair_weights=((TREAT, INSURED, 1.0),), mix={"settle_only": 1.0}),
        client.provinces,
    )
    ops = model.ops()
    pool: deque[OpenVisit] = deque()
    size = cfg["prepare"]
    say(f"settle_path: opening {size} visits (2201, 2204) before the timing")
    started = time.perf_counter()
    sem = asyncio.Semaphore(16)

    async def one() -> None:
        op = next(ops)
        async with sem:
            client.measuring = False
            await client.prepare(op)
            pool.append(client.prepared.pop(op.seq))

    http_wanted = "settle_http" in cfg["only"] and doc["provinces"][TREAT].get("http")
    try:
        total = size * 2 if http_wanted else size
        results = await asyncio.gather(*(one() for _ in range(total)), return_exceptions=True)
        failed = sum(isinstance(r, BaseException) for r in results)
        prepare_s = time.perf_counter() - started
        http_pool: deque[OpenVisit] = deque()
        if http_wanted:  # every other visit is the HTTP run's: the same visits, either way
            for i in range(len(pool)):
                if i % 2:
                    http_pool.append(pool[i])
            kept = [v for i, v in enumerate(pool) if not i % 2]
            pool.clear()
            pool.extend(kept)

        async def settle() -> None:
            if not pool:
                raise Exhausted
            await client.settle(pool.popleft())

        await bench("settle_path", settle, real)
        if http_wanted:
            await _settle_over_http(doc, http_pool, bench, real)
    finally:
        await client.close()
    return {"visits": total - failed, "failed": failed, "seconds": round(prepare_s, 2)}


async def _settle_over_http(
    doc: dict[str, Any], pool: deque[OpenVisit], bench: Any, real: dict[str, int]
) -> None:
    """The same 2207 over the node's national HTTP interface (yuan, x-tif headers, sign_no), on
    the same node, right after the gRPC run: the HTTP layer's cost as a ratio in one run."""
    import ssl

    import httpx
    import simplejson

    from services.values.yuan import of_fen

    url = doc["provinces"][TREAT]["http"]
    verify: Any = (
        ssl.create_default_context(cafile=doc["security"]["ca"]) if connect.secure(doc) else False
    )
    accounts = {a.code: a for a in connect.accounts(doc, TREAT)}
    sign_nos: dict[str, str] = {}
    seq = itertools.count(1)

    def envelope(infno: str, code: str, admdvs: str, region: str, input_: Any) -> bytes:
        stamp = clock.now().strftime("%Y%m%d%H%M%S")
        body = {
            "infno": infno,
            "msgid": f"{code}{stamp}{next(seq) % 10000:04d}",
            "mdtrtarea_admvs": admdvs,
            "insuplc_admdvs": region,
            "opter_type": "1",
            "opter": "BENCH",
            "inf_time": clock.format_time(clock.now()),
            "fixmedins_code": code,
            "sign_no": sign_nos.get(code, ""),
            "input": input_,
        }
        return str(simplejson.dumps(body, use_decimal=True)).encode()

    def headers(code: str) -> dict[str, str]:
        a = accounts.get(code)
        out = {"content-type": "application/json"}
        return out | (dict(credentials.sign(a.paasid, a.token)) if a else {})

    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    async with httpx.AsyncClient(verify=verify, limits=limits, timeout=10) as http:
        for code in {v.institution.fixmedins_code for v in pool}:
            inst = next(v.institution for v in pool if v.institution.fixmedins_code == code)
            answer = (
                await http.post(
                    url,
                    content=envelope(
                        "9001",
                        code,
                        inst.admdvs,
                        "",
                        {"signIn": {"opter_no": "BENCH", "mac": "00", "ip": "127.0.0.1"}},
                    ),
                    headers=headers(code),
                )
            ).json()
            sign_nos[code] = answer["output"]["signinoutb"]["sign_no"]

        async def settle() -> None:
            if not pool:
                raise Exhausted
            v = pool.popleft()
            code = v.institution.fixmedins_code
            body = envelope(
                "2207",
                code,
                v.institution.admdvs,
                v.person.insuplc_admdvs,
                {
                    "data": {
                        "psn_no": v.psn_no,
                        "mdtrt_cert_type": "01",
                        "mdtrt_cert_no": v.psn_no,
                        "med_type": "11",
                        "medfee_sumamt": of_fen(v.medfee_sumamt),
                        "psn_setlway": "01",
                        "mdtrt_id": v.mdtrt_id,
                        "acct_used_flag": "1",
                        "insutype": v.insutype,
                    }
                },
            )
            answer = (await http.post(url, content=body, headers=headers(code))).json()
            if answer.get("infcode") != 0:
                raise OpFailed(str(answer.get("err_msg", "?"))[:60])

        await bench("settle_http", settle, real)


def _say(console: Console) -> Callable[[str], None]:
    return lambda msg: console.print(f"[dim]settlenet bench:[/] {msg}")


def _ratios(results: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for real_name, ceiling in CEILING.items():
        r, c = results.get(real_name), results.get(ceiling)
        if r and c and c["ops_per_s"]:
            out[real_name] = {
                "of": ceiling,
                "ratio": round(r["ops_per_s"] / c["ops_per_s"], 3),
                "target": TARGET_RATIO.get(real_name),
            }
    return out


def print_results(doc: dict[str, Any], console: Console) -> None:
    table = Table(
        title=f"settlenet bench — concurrency {doc['settings']['concurrency']}, "
        f"{doc['settings']['seconds']:g}s per scenario"
    )
    for col in (
        "scenario",
        "ops/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "ratio to ceiling",
        "server CPU ms/op",
        "client CPU ms/op",
    ):
        table.add_column(col, justify="left" if col == "scenario" else "right")
    for name in SCENARIOS:
        r = doc["results"].get(name)
        if r is None:
            continue
        ratio = doc["ratios"].get(name)
        ratio_text = "-"
        if ratio:
            ratio_text = f"{ratio['ratio']:.2f} × {ratio['of']}"
            if ratio["target"]:
                ratio_text += f" (target ≥ {ratio['target']})"
        lat = r["latency_ms"]
        table.add_row(
            name,
            f"{r['ops_per_s']:.1f}",
            f"{lat.get('p50', 0):.2f}",
            f"{lat.get('p99', 0):.2f}",
            str(sum(r["errors"].values())),
            ratio_text,
            str(r["server_cpu_ms_per_op"]),
            str(r["client_cpu_ms_per_op"]),
        )
    console.print(table)
    console.print("peak RSS (MiB): " + ", ".join(f"{k} {v}" for k, v in doc["peak_rss_mb"].items()))
    env = doc["environment"]
    console.print(
        f"cores {env['cpu_count']}, load average before {env['load_before']}, "
        f"after {env['load_after']}; " + ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    )


def main(args: argparse.Namespace) -> int:
    quick = args.quick
    cfg = {
        "quick": quick,
        "concurrency": args.concurrency,
        "seconds": args.seconds if args.seconds is not None else (2.0 if quick else 10.0),
        "warmup_s": args.warmup if args.warmup is not None else (0.5 if quick else 2.0),
        "population": args.population
        if args.population is not None
        else (2000 if quick else 100_000),
        "only": [s.strip() for s in (args.only or ",".join(SCENARIOS)).split(",") if s.strip()],
        "client": "one grpc.aio process (this one) on the same machine",
        "nodes": "each node its own process; SQLite (WAL) per real node; INFO logs to files",
        "security": "none (--insecure)"
        if args.insecure
        else "mutual TLS on every link, authorization matrix and x-tif checks on every node, "
        "echo nodes included",
    }
    unknown = set(cfg["only"]) - set(SCENARIOS)
    if unknown:
        print(f"settlenet bench: unknown scenario(s) {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    seconds = float(cfg["seconds"])
    # Enough visits for the settle path at a generous 400/s, plus the warm-up.
    cfg["prepare"] = int(400 * (seconds + float(cfg["warmup_s"]))) if not quick else 600
    console = Console(stderr=True)
    tmp = None if args.data else tempfile.TemporaryDirectory(prefix="settlenet-bench-")
    data = (args.data or Path(tmp.name if tmp else ".")).resolve()
    data.mkdir(parents=True, exist_ok=True)
    load_before = [round(x, 2) for x in os.getloadavg()]
    started = time.perf_counter()
    setup = None
    try:
        setup = start(data, int(cfg["population"]), _say(console), not args.insecure)
        results = asyncio.run(_run(setup, args, cfg, console))
        rss = {k: procstat.peak_rss_mb(v.pid) for k, v in setup.echo.items()}
        if setup.routing_hub:
            rss["routing-hub"] = procstat.peak_rss_mb(setup.routing_hub.pid)
        if setup.network:
            rss |= {k: procstat.peak_rss_mb(p) for k, p in setup.network.node_pids.items()}
        rss["client (bench)"] = procstat.self_peak_rss_mb()
    except RuntimeError as exc:
        print(f"settlenet bench: {exc}", file=sys.stderr)
        return 1
    finally:
        if setup is not None:
            setup.stop()
        if tmp is not None:
            tmp.cleanup()
    env = report.environment()
    doc = {
        "settlenet_bench": 1,
        "settings": cfg,
        "results": results,
        "ratios": _ratios(results),
        "peak_rss_mb": rss,
        "environment": {
            "cpu_count": env["cpu_count"],
            "versions": env["versions"],
            "load_before": load_before,
            "load_after": [round(x, 2) for x in os.getloadavg()],
        },
        "wall_s": round(time.perf_counter() - started, 1),
    }
    print_results(doc, Console(width=max(130, console.width)))
    if args.report:
        args.report.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
