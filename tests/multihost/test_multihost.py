"""settlenet with its nodes on separate hosts: one Linux network namespace per node (hub,
provinces 11, 13 and 44) and two for load generators, joined by veth links to a bridge, with
DELAY_MS added on every link direction (``tc netem`` when the kernel has it, else a delaying
TCP relay in front of each node: ``scripts/netlab.py``, docs/multihost.md).

Every node is a separate ``settlenet hub`` / ``settlenet province`` process started with
``ip netns exec``, its SQLite database and TLS folder in a folder of its own, its certificate
issued for its own address; the generators know the network only from the network.json that
``settlenet network`` writes from the hub's registry. Passing here: visits, two load generators
at once with one merged report, a province SIGKILLed and restarted (then resolve and reconcile
clean), and the month's clearing.

Needs root and ``ip netns`` (CI has both); skipped with the reason otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from scripts import certs, netlab
from scripts.loadtest import population
from services.security import pki
from services.values import clock

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(240),
    pytest.mark.skipif(
        (why := netlab.unavailable()) is not None, reason=f"multi-host lab: {why or ''}"
    ),
]

CLI = [sys.executable, "-m", "scripts.cli"]
DELAY_MS = 10.0
"""Per link direction: a round trip between two hosts gains 20 ms, a province-to-province
message through the hub 2 links (40 ms round trip)."""
PORT, HTTP_PORT = 7000, 7080
PROVINCES = {"11": 11, "13": 13, "44": 44}
HOSTS = {"hub": 1, **{f"p{c}": o for c, o in PROVINCES.items()}, "gen1": 101, "gen2": 102}
PERSONS = 2000
ADVANCE_FEN = 10**13


@dataclass
class Net:
    lab: netlab.Lab
    root: Path
    target: Path
    nodes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    """Every node's and command's environment (the clock offset, once the month is over)."""

    def folder(self, node: str) -> Path:
        return self.root / "nodes" / node

    def cli(self, host: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.lab.argv(host, [*CLI, *args]),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.root,
            env=self.env,
        )

    def cli_json(self, host: str, *args: str, timeout: float = 60) -> Any:
        out = self.cli(host, *args, "--json", timeout=timeout)
        assert out.returncode == 0, f"settlenet {' '.join(args)}: {out.stderr[-2000:]}"
        return json.loads(out.stdout)

    def log_tail(self, node: str) -> str:
        path = self.folder(node) / "node.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def _issue_certificates(tls: Path, lab: netlab.Lab) -> None:
    """The network's CA and every identity (scripts.certs.prepare), then each node's own
    certificate reissued for its host's address alone, and a TLS folder per node with only
    what that node holds."""
    certs.prepare(tls, list(PROVINCES), hosts=[lab.addr("hub")])
    for node in ("hub", *(f"p{c}" for c in PROVINCES)):
        name = "hub" if node == "hub" else pki.province_name(node[1:])
        pki.issue(tls, name, [lab.addr(node), f"{node}.settlenet.lab"])
    return None


def _node_tls(tls: Path, folder: Path, name: str) -> Path:
    own = folder / "tls"
    own.mkdir(parents=True, exist_ok=True)
    for f in (f"{pki.CA_NAME}.pem", f"{name}.pem", f"{name}.key", f"{name}.credentials.json"):
        if (tls / f).exists():
            shutil.copy2(tls / f, own / f)
    return own


def _wait_file(path: Path, proc: subprocess.Popen[bytes], what: str, log: str) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited ({proc.returncode}):\n{log}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not ready in 60 s")
        time.sleep(0.1)


def _start_node(net: Net, node: str, what: str, args: list[str]) -> subprocess.Popen[bytes]:
    """Start ``settlenet ARGS`` in ``node``'s namespace with its own data and TLS folders, and
    wait for its ready file."""
    folder = net.folder(node)
    ready = folder / "ready.json"
    ready.unlink(missing_ok=True)
    p = net.lab.popen(
        node,
        [
            *CLI,
            *args,
            "--host",
            net.lab.bind_host(node),
            "--port",
            str(PORT),
            "--data",
            str(folder),
            "--tls-dir",
            str(folder / "tls"),
            "--resolve-interval",
            "1",
            "--log-level",
            "WARNING",
            "--ready-file",
            str(ready),
        ],
        folder / "node.log",
        env=net.env,
    )
    net.nodes[node] = p
    _wait_file(ready, p, what, net.log_tail(node))
    return p


def _start_hub(net: Net) -> None:
    _start_node(net, "hub", "the hub", ["hub", "--advance-size-fen", str(ADVANCE_FEN)])


def _start_province(net: Net, code: str) -> subprocess.Popen[bytes]:
    node = f"p{code}"
    return _start_node(
        net,
        node,
        f"province {code}",
        [
            "province",
            "--code",
            code,
            "--hub",
            f"{net.lab.addr('hub')}:{PORT}",
            "--http-port",
            str(HTTP_PORT),
            "--advertise-host",
            net.lab.addr(node),
        ],
    )


def _network_json(net: Net) -> dict[str, Any]:
    """``settlenet network`` from a generator host, once every province registered."""
    deadline = time.monotonic() + 60
    while True:
        out = net.cli(
            "gen1",
            "network",
            "--hub",
            f"{net.lab.addr('hub')}:{PORT}",
            "--tls-dir",
            str(net.root / "tls"),
            "--data",
            str(net.root / "gen"),
            "--out",
            str(net.target),
        )
        if out.returncode == 0:
            doc: dict[str, Any] = json.loads(net.target.read_text())
            if sorted(doc["provinces"]) == sorted(PROVINCES):
                return doc
        if time.monotonic() > deadline:
            raise AssertionError(f"not every province registered: {out.stderr[-1000:]}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Net]:
    root = tmp_path_factory.mktemp("multihost")
    lab = netlab.Lab(HOSTS, delay_ms=DELAY_MS)
    with lab:
        n = Net(lab, root, root / "gen" / "network.json")
        print(f"\nmultihost: delay mechanism {lab.mode}, {DELAY_MS:g} ms per link direction")
        tls = root / "tls"
        _issue_certificates(tls, lab)
        # Persons who filed remote treatment, for the generators (cached template databases):
        # each province's database goes to its own node's folder, the sidecar naming them to
        # the generators' folder.
        seeded = root / "seed"
        population.seed_network(seeded, list(PROVINCES), PERSONS, 1)
        (root / "gen").mkdir()
        shutil.copy2(seeded / population.SIDECAR, root / "gen" / population.SIDECAR)
        _node_tls(tls, n.folder("hub"), "hub")
        for code in PROVINCES:
            folder = n.folder(f"p{code}")
            _node_tls(tls, folder, pki.province_name(code))
            shutil.copy2(seeded / f"province-{code}.db", folder / f"province-{code}.db")
        shutil.rmtree(seeded)
        lab.relay("hub", [PORT], root / "relay-hub.log")
        _start_hub(n)
        for code in PROVINCES:
            lab.relay(f"p{code}", [PORT, HTTP_PORT], root / f"relay-p{code}.log")
            _start_province(n, code)
        doc = _network_json(n)
        assert doc["hub"]["endpoint"] == f"{lab.addr('hub')}:{PORT}"
        for code, prov in doc["provinces"].items():
            assert prov["endpoint"] == f"{lab.addr('p' + code)}:{PORT}", prov["endpoint"]
        yield n
        if n.figures:
            print(f"\nmultihost figures: {json.dumps(n.figures, indent=1)}")


def test_nodes_are_reachable_only_across_the_links(net: Net) -> None:
    """Each node serves in its own namespace: the generator reaches it at its address, and
    not on its own loopback (nothing of the network is local to it)."""
    lab = net.lab
    listening = lab.exec_checked("gen1", ["ss", "-Hltn"])
    assert f":{PORT} " not in listening
    hub_ports = lab.exec_checked("hub", ["ss", "-Hltn"])
    assert f":{PORT} " in hub_ports


def test_visits_between_hosts(net: Net) -> None:
    for treat, insured, gen in (("11", "13", "gen1"), ("13", "11", "gen2"), ("44", "13", "gen1")):
        started = time.monotonic()
        out = net.cli_json(
            gen, "visit", "--target", str(net.target), "--treat", treat, "--insured", insured
        )
        net.figures[f"visit {treat}->{insured} s (process included)"] = round(
            time.monotonic() - started, 2
        )
        assert out, out


def test_two_generators_at_once_with_one_merged_report(net: Net) -> None:
    reports = [net.root / "gen" / f"gen{i}.json" for i in (1, 2)]
    procs = [
        subprocess.Popen(
            net.lab.argv(
                f"gen{i}",
                [
                    *CLI,
                    "loadtest",
                    "--target",
                    str(net.target),
                    "--rate",
                    "6",
                    "--duration",
                    "8",
                    "--warmup",
                    "1",
                    "--generator",
                    f"{i}/2",
                    # the second generator speaks the national HTTP interface (HTTPS, its
                    # certificate checked against the province host's address)
                    "--via",
                    "grpc" if i == 1 else "http",
                    "--seed",
                    str(i),
                    "--report",
                    str(reports[i - 1]),
                    "--no-progress",
                ],
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=net.root,
        )
        for i in (1, 2)
    ]
    outputs = []
    for p in procs:
        try:
            out, _ = p.communicate(timeout=120)
        finally:
            netlab.stop(p)
        outputs.append(out.decode(errors="replace"))
        assert p.returncode == 0, outputs[-1][-3000:]
    merged_path = net.root / "gen" / "merged.json"
    out = subprocess.run(
        [*CLI, "loadtest", "--merge", *map(str, reports), "--report", str(merged_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    docs = [json.loads(r.read_text()) for r in reports]
    merged = json.loads(merged_path.read_text())
    s = merged["summary"]
    assert s["ops"] == sum(d["summary"]["ops"] for d in docs) > 0
    assert s["errors"] == 0, merged["error_samples"]
    assert merged["reconciliation"]["lost"] == 0, merged["reconciliation"]
    assert all(d["reconciliation"]["ran"] for d in docs)
    # Every call crosses at least one link, whose delay is there both ways.
    assert s["latency_ms"]["p50"] >= 2 * DELAY_MS
    assert {d["settings"]["via"] for d in docs} == {"grpc", "http"}
    net.figures["loadtest"] = {
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "generators": 2,
        "offered_per_s_each": 6,
        "ops": s["ops"],
        "ops_per_s": s["ops_per_s"],
        "settlements_per_s": s["settlements_per_s"],
        "op_latency_ms": s["latency_ms"],
        "call_p50_ms": {k: v["latency_ms"].get("p50") for k, v in merged["calls"].items()},
    }


def test_a_province_killed_and_restarted_recovers(net: Net) -> None:
    victim = net.nodes["p13"]
    victim.kill()  # SIGKILL: no goodbye to the hub
    victim.wait(10)
    down = net.cli(
        "gen1", "visit", "--target", str(net.target), "--treat", "11", "--insured", "13", "--json"
    )
    assert down.returncode != 0  # the insured province is gone
    started = time.monotonic()
    _start_province(net, "13")
    net.figures["province 13 restart s"] = round(time.monotonic() - started, 2)
    # The hub's channel to 13 reconnects (gRPC backs off between attempts): visits insured
    # there pass again within seconds.
    deadline = time.monotonic() + 30
    while (
        again := net.cli(
            "gen1", "visit", "--target", str(net.target), "--treat", "11", "--insured", "13"
        )
    ).returncode != 0:
        assert time.monotonic() < deadline, again.stderr[-2000:]
        time.sleep(0.5)
    net.figures["province 13 killed to visits passing again s"] = round(
        time.monotonic() - started, 2
    )
    net.cli_json("gen2", "visit", "--target", str(net.target), "--treat", "13", "--insured", "11")
    net.cli_json("gen1", "resolve", "--target", str(net.target))
    rec = net.cli_json("gen1", "reconcile", "--target", str(net.target))
    assert rec["differences"] == 0, rec


def test_monthly_clearing_across_hosts(net: Net) -> None:
    """The month of the visits above is cleared once it is over: every node is restarted with
    its clock moved to the next month (``SETTLENET_CLOCK_OFFSET_S``, as ``settlenet up`` hands
    its nodes one clock), the commands too (their signatures carry the time)."""
    now = clock.now()
    month = f"{now:%Y-%m}"
    next_month = (now.replace(day=28) + timedelta(days=4)).replace(day=1, hour=12, minute=0)
    net.env = net.env | {clock.OFFSET_ENV: str(int((next_month - now).total_seconds()))}
    for node in [*(f"p{c}" for c in PROVINCES), "hub"]:
        netlab.stop(net.nodes[node])
    _start_hub(net)
    for code in PROVINCES:
        _start_province(net, code)
    cleared = net.cli_json(
        "gen2", "clear", "--target", str(net.target), "--month", month, timeout=120
    )
    assert cleared["month"] == month and cleared["posted"] is True
    assert int(cleared["records"]) > 0
    assert {s["province"] for s in cleared["statements"]} == set(PROVINCES)
    assert sum(int(s["net_fen"]) for s in cleared["statements"]) == 0
    net.figures["cleared records"] = int(cleared["records"])
    again = net.cli_json("gen1", "clear", "--target", str(net.target), "--month", month)
    assert again["posted"] is False and again["records"] == cleared["records"]


def test_a_crashed_runs_namespaces_are_removed() -> None:
    """What a run that died left (namespaces of a process no longer alive) goes at the next."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    ns = f"{netlab.PREFIX}-{dead.pid}-left"
    subprocess.run(["ip", "netns", "add", ns], check=True, timeout=30)
    try:
        assert ns in netlab.cleanup_stale()
        listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
        assert ns not in listed.stdout
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)
