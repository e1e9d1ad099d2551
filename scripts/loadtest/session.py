"""``settlenet loadtest`` from start to report: settings, the network, the run, the outputs."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from provincial_nodes import seed
from scripts import connect, launcher
from scripts import target as network_target
from scripts.loadtest import audit, plot, procstat, report, runner, target
from scripts.loadtest import schedule as sched
from scripts.loadtest.client import LoadClient
from scripts.loadtest.model import ModelError, TrafficModel, load_config
from scripts.loadtest.stats import Recorder
from services.values import clock


def _check_numbers(args: argparse.Namespace) -> None:
    """Every number on the command line in its range, named when it is not."""
    checks: tuple[tuple[str, float | None, Callable[[float], bool], str], ...] = (
        ("--rate", args.rate, lambda v: v > 0, "> 0 operations per second"),
        ("--concurrency", args.concurrency, lambda v: v >= 1, "≥ 1 worker"),
        ("--duration", args.duration, lambda v: v > 0, "> 0 seconds"),
        ("--count", args.count, lambda v: v >= 1, "≥ 1 operation"),
        ("--warmup", args.warmup, lambda v: v >= 0, "≥ 0 seconds"),
        ("--warmup-ops", args.warmup_ops, lambda v: v >= 0, "≥ 0 operations"),
        ("--timeout", args.timeout, lambda v: v > 0, "> 0 seconds"),
        ("--max-in-flight", args.max_in_flight, lambda v: v >= 1, "≥ 1"),
        ("--population", args.population, lambda v: v >= 1, "≥ 1 person"),
    )
    for option, value, ok, expected in checks:
        if value is not None and not ok(value):
            raise SystemExit(f"settlenet loadtest: {option} {value:g}: must be {expected}")


def kill_spec(spec: str, codes: list[str]) -> tuple[str, float]:
    """``NODE@SECONDS`` → (process name, seconds); SystemExit naming what is wrong."""
    node, at, seconds = spec.partition("@")
    if node != "hub" and node not in codes:
        raise SystemExit(
            f"settlenet loadtest: --kill {spec}: node {node!r} is not in this "
            f"network (hub or one of {', '.join(codes)})"
        )
    try:
        delay = float(seconds) if at else 0.0
    except ValueError:
        delay = -1.0
    if delay < 0:
        raise SystemExit(f"settlenet loadtest: --kill {spec}: give NODE@SECONDS, e.g. 13@20")
    return ("hub" if node == "hub" else f"province-{node}"), delay


def generator_spec(spec: str | None) -> tuple[int, int]:
    """``--generator I/N`` → (part, parts), part counted from 0; SystemExit naming the fault."""
    if spec is None:
        return 0, 1
    i, slash, n = spec.partition("/")
    if slash and i.isdigit() and n.isdigit() and 1 <= int(i) <= int(n) <= 100:
        return int(i) - 1, int(n)
    raise SystemExit(
        f"settlenet loadtest: --generator {spec}: give I/N with 1 ≤ I ≤ N ≤ 100, e.g. 2/3"
    )


def settings_from(args: argparse.Namespace) -> runner.RunSettings:
    _check_numbers(args)
    generator_spec(getattr(args, "generator", None))
    loops = [x is not None for x in (args.rate, args.schedule, args.concurrency)]
    if sum(loops) != 1:
        raise SystemExit(
            "settlenet loadtest: give one of --rate, --schedule (open loop) or "
            "--concurrency (closed loop)"
        )
    if (args.duration is None) == (args.count is None) and args.schedule is None:
        raise SystemExit("settlenet loadtest: give one of --duration or --count")
    warmup = (
        args.warmup
        if args.warmup is not None
        else (0.0 if args.count is not None or args.warmup_ops else 2.0)
    )
    s = runner.RunSettings(
        mode="closed" if args.concurrency is not None else "open",
        concurrency=args.concurrency or 0,
        duration_s=args.duration,
        count=args.count,
        warmup_s=0.0 if args.warmup_ops else warmup,
        warmup_ops=args.warmup_ops,
        max_in_flight=args.max_in_flight,
        drain_s=args.timeout + 5,
        progress=not args.no_progress,
    )
    if s.mode == "open":
        try:
            text = args.schedule or f"{args.rate:g}"
            duration = (
                args.duration
                if args.duration is not None
                else (args.count / args.rate if args.rate else None)
            )
            s.segments = sched.parse(text, duration)
        except sched.ScheduleError as exc:
            raise SystemExit(f"settlenet loadtest: --schedule: {exc}") from None
        if s.duration_s is None and s.count is None:
            s.duration_s = sched.total_seconds(s.segments)
    elif args.concurrency < 1:
        raise SystemExit("settlenet loadtest: --concurrency must be ≥ 1")
    return s


def main(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        cfg = load_config(args.model, seed=args.seed, pairs=args.pairs)
    except (ModelError, OSError) as exc:
        print(f"settlenet loadtest: model: {exc}", file=sys.stderr)
        return 2
    console = Console(stderr=True)
    try:
        return asyncio.run(_main(args, settings, cfg, console))
    except RuntimeError as exc:
        print(f"settlenet loadtest: {exc}", file=sys.stderr)
        return 1
    except (asyncio.CancelledError, KeyboardInterrupt):
        print(
            "settlenet loadtest: interrupted; the network it started is stopped, no report written",
            file=sys.stderr,
        )
        return 130


def _stop_on_signals(say: Any) -> None:
    """SIGINT or SIGTERM cancels the run, so that the finally blocks stop the network this
    command started; a second signal while stopping is not allowed to orphan it."""
    loop, main_task = asyncio.get_running_loop(), asyncio.current_task()
    seen = [0]

    def on_signal(name: str) -> None:
        seen[0] += 1
        if seen[0] == 1 and main_task is not None:
            say(f"{name}: stopping")
            main_task.cancel()
        else:
            say(f"{name}: still stopping the network, please wait")

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig.name)


def _say(console: Console) -> Any:
    """A message on stderr: one line however wide the terminal (a usage error is one line, as
    for every command), the message itself printed as it is (no markup)."""
    return lambda msg: console.print(f"[dim]settlenet loadtest:[/] {escape(msg)}", soft_wrap=True)


async def _main(
    args: argparse.Namespace, settings: runner.RunSettings, cfg: Any, console: Console
) -> int:
    say = _say(console)
    try:
        codes = seed.province_codes(args.provinces)
    except ValueError as exc:
        say(f"--provinces: {exc}")
        return 2
    tmp: tempfile.TemporaryDirectory[str] | None = None
    stop: Any = None
    in_process_net: Any = None
    pids: dict[str, int] = {}
    _stop_on_signals(say)
    if args.target:
        try:
            doc = network_target.load(args.target)
        except network_target.TargetError as exc:
            say(str(exc))
            return 2
        codes = sorted(doc["provinces"])
        if not await _answers(doc, doc["hub"]["endpoint"]):
            say(
                f"the hub at {doc['hub']['endpoint']} does not answer: is the network of "
                f"{args.target} still running? (`settlenet up` writes a new one at each start)"
            )
            return 2
    kill = kill_spec(args.kill, codes) if args.kill else None
    if kill is not None and args.in_process and not args.target:
        say("--kill needs a network of processes (drop --in-process)")
        return 2
    if args.target:
        if doc.get("data_dir"):
            pids = target._pids(Path(doc["data_dir"]), list(doc["provinces"]))
        started_how = "target"
    else:
        if args.data is None:
            tmp = tempfile.TemporaryDirectory(prefix="settlenet-loadtest-")
        data = (args.data or Path(tmp.name if tmp else ".")).resolve()
        say(
            f"starting a network ({'in process' if args.in_process else 'processes'}) "
            f"in {data}: provinces {','.join(codes)}, {args.population} persons each"
        )
        if args.in_process:
            from services.logs import setup as slog

            data.mkdir(parents=True, exist_ok=True)
            node_log = (data / "nodes.log").open("a", encoding="utf-8")
            slog.configure("loadtest", level="WARNING", stream=node_log)
            doc, in_process_net = await target.start_in_process(
                data, codes, args.population, 1, say
            )
        else:
            started = await asyncio.to_thread(
                target.start_processes, data, codes, args.population, 1, say
            )
            doc, stop, pids = started.doc, started.stop, started.node_pids
        started_how = "in-process" if args.in_process else "processes"
    try:
        return await _run(args, settings, cfg, console, doc, pids, started_how, kill)
    finally:
        if in_process_net is not None:
            await in_process_net.stop()
        if stop is not None:
            await asyncio.to_thread(stop)
        if tmp is not None:
            tmp.cleanup()


async def _run(
    args: argparse.Namespace,
    settings: runner.RunSettings,
    cfg: Any,
    console: Console,
    doc: dict[str, Any],
    pids: dict[str, int],
    started_how: str,
    kill: tuple[str, float] | None,
) -> int:
    say = _say(console)
    t0 = time.perf_counter()
    views = await asyncio.to_thread(target.views, doc)
    people = {c: len(v.persons) for c, v in views.items()}
    say(f"persons known per province: {people} ({time.perf_counter() - t0:.1f}s)")
    unseeded = sorted(c for c, v in views.items() if not any(p.filed_for for p in v.persons))
    if unseeded:
        folder = doc.get("data_dir") or "DIR"
        say(
            f"no load-test population in province(s) {', '.join(unseeded)}: none of the "
            "persons the generator knows there has filed remote treatment, so visits that "
            "their insured place does not settle unfiled are refused (FAILED_PRECONDITION), "
            "and a few persons meet their caps and locks. For a load test, seed the data "
            f"folder before `settlenet up`: python -m scripts.loadtest.population {folder} "
            f"--provinces {','.join(sorted(views))} --population 100000"
        )
    try:
        model = TrafficModel(cfg, views)
    except ModelError as exc:
        print(f"settlenet loadtest: model: {exc}", file=sys.stderr)
        return 2
    if model.ignored:
        say(f"weights for provinces not in this network are ignored: {', '.join(model.ignored)}")
    recorder = Recorder()
    via = getattr(args, "via", "grpc")
    part, parts = generator_spec(getattr(args, "generator", None))
    if via in ("http", "both"):
        from scripts.clients.http_adapter import NoHttpInterface
        from scripts.loadtest.http_client import BothLoadClient, HttpLoadClient

        kind = HttpLoadClient if via == "http" else BothLoadClient
        try:
            client: LoadClient = kind(
                views, recorder, timeout_s=args.timeout, part=part, parts=parts, doc=doc
            )
        except NoHttpInterface as exc:
            say(f"--via http: {exc}")
            return 2
    else:
        client = LoadClient(
            views, recorder, timeout_s=args.timeout, part=part, parts=parts, doc=doc
        )
    killer: asyncio.Task[dict[str, Any]] | None = None
    try:
        prepared, prepare_s = await runner.prepare(client, model, settings, 200_000, say)
        cpu_before = procstat.snapshot(pids)
        self_before = procstat.self_cpu_s()
        since = clock.format_time(clock.now())
        if kill is not None:
            killer = asyncio.create_task(_kill_later(*kill, pids, say))
        result = await runner.run(client, model, settings, recorder, console)
        cpu_after = procstat.snapshot(pids)
        self_cpu = procstat.self_cpu_s() - self_before
        say("reconciling the network with the hub and checking every acknowledged settlement")
        audit_started = time.perf_counter()
        checked = await audit.audit(doc, client.acknowledged, since, clock.format_time(clock.now()))
        checked["seconds"] = round(time.perf_counter() - audit_started, 3)
    finally:
        if killer is not None and not killer.done():
            killer.cancel()
        await client.close()
    faults: dict[str, Any] = {}
    if kill is not None:
        done = killer is not None and killer.done() and not killer.cancelled()
        faults["kill"] = (
            killer.result()
            if killer is not None and done
            else {"node": kill[0], "at_s": kill[1], "killed": False, "why": "the run ended first"}
        )
    nodes: dict[str, Any] = {}
    total_cpu = 0.0
    for name, pid in pids.items():
        before, after = cpu_before.get(name), cpu_after.get(name)
        cpu = round(after - before, 3) if before is not None and after is not None else None
        total_cpu += cpu or 0.0
        nodes[name] = {"pid": pid, "cpu_s": cpu, "peak_rss_mb": procstat.peak_rss_mb(pid)}
    all_settled = result.live.get("settled", 0) or recorder.settled
    resources = {
        "nodes": nodes,
        "nodes_cpu_s": round(total_cpu, 3) if pids else None,
        "nodes_cpu_ms_per_settlement": (
            round(total_cpu * 1000 / all_settled, 3) if pids and all_settled else None
        ),
        "generator_cpu_s": round(self_cpu, 3),
        "generator_peak_rss_mb": procstat.self_peak_rss_mb(),
        "note": "node CPU covers the whole run (warm-up included) and is divided by every "
        "settlement of the run; the generator shares the machine with the nodes",
    }
    doc_out = report.build(
        recorder,
        settings=settings.to_dict()
        | {
            "timeout_s": args.timeout,
            "started": started_how,
            "via": via,
            "generator": f"{part + 1}/{parts}",
        },
        model=cfg.to_dict()
        | {"pair_shares": model.pair_shares(), "ignored_provinces": model.ignored},
        target={
            "hub": doc["hub"]["endpoint"],
            "provinces": sorted(doc["provinces"]),
            "persons": people,
            "network_json": str(args.target) if args.target else None,
        },
        measured_s=result.measured_s,
        prepare={"visits": prepared, "seconds": round(prepare_s, 3)},
        extra={"resources": resources, "reconciliation": checked, "faults": faults},
    )
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(doc_out, ensure_ascii=False, indent=2), encoding="utf-8")
    plot_path = args.plot or args.report.with_suffix(".html")
    plot_path.write_text(plot.page(doc_out), encoding="utf-8")
    report.print_summary(doc_out, Console(stderr=False, width=max(120, console.width)))
    say(f"report {args.report}, plot {plot_path}")
    if args.fail_on_errors and doc_out["summary"]["errors"]:
        return 1
    return 0


async def _answers(doc: dict[str, Any], endpoint: str, timeout_s: float = 3.0) -> bool:
    """Whether a gRPC server accepts a connection at ``endpoint`` (as the operator on a secure
    network)."""
    async with connect.operator(doc, endpoint) as ch:
        try:
            await asyncio.wait_for(ch.channel_ready(), timeout_s)
        except TimeoutError:
            return False
    return True


async def _kill_later(name: str, delay_s: float, pids: dict[str, int], say: Any) -> dict[str, Any]:
    """SIGKILL ``name`` after ``delay_s``; what happened, for the report's ``faults``."""
    await asyncio.sleep(delay_s)
    pid = pids.get(name)
    if pid is None:
        why = (
            "no process id known for it (its process was not found under the network's data folder)"
        )
        say(f"--kill: {name}: {why}")
        return {"node": name, "at_s": delay_s, "killed": False, "why": why}
    if not launcher.sigkill(pid):
        say(f"--kill: {name} (pid {pid}) had already exited")
        return {
            "node": name,
            "at_s": delay_s,
            "pid": pid,
            "killed": False,
            "why": "the process had already exited",
        }
    say(f"--kill: killed {name} (pid {pid})")
    return {
        "node": name,
        "at_s": delay_s,
        "pid": pid,
        "killed": True,
        "at": clock.format_time(clock.now()),
    }
