"""A province served by someone else's node inside a `settlenet up` network, the registry
commands, a network.json rebuilt from the hub alone, and recorded calls replayed against the
node (issue 17): every step through the real CLI against real processes."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provincial_nodes import config
from scripts import connect, launcher
from services.pb.settlenet.v1 import insured_pb2
from services.storage.database import sqlite_url

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "scripts.cli"]


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Network:
    def __init__(self, data: Path, doc: dict[str, Any], own: launcher.Process) -> None:
        self.data, self.doc, self.own = data, doc, own
        self.target = str(data / "network.json")


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    """`up --external 13=...` with province 13 started by hand, as a team's node would be (its
    own database, the network's certificates), and a short load run through it."""
    data = tmp_path_factory.mktemp("ext")
    port = _free_port()
    up, doc = launcher.start_network(
        data, ["--provinces", "11,13", "--external", f"13=127.0.0.1:{port}"], timeout=90
    )
    own: launcher.Process | None = None
    try:
        assert doc["provinces"]["13"]["endpoint"] == f"127.0.0.1:{port}"
        own = launcher.start_node(
            "team-13",
            [
                *CLI,
                "province",
                "--code",
                "13",
                "--hub",
                str(doc["hub"]["endpoint"]),  # type: ignore[index]
                "--port",
                str(port),
                "--tls-dir",
                str(data / "tls"),
                "--db",
                sqlite_url(data / "team-13.db"),
                "--log-json",
            ],
            data,
            tls=connect.tls(doc, "operator"),
        )
        run = _cli(
            "loadtest",
            "--target",
            str(data / "network.json"),
            "--rate",
            "10",
            "--count",
            "40",
            "--no-progress",
            "--report",
            str(data / "load.json"),
            timeout=180,
        )
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        yield Network(data, doc, own)
    finally:
        if own is not None:
            own.stop()
        up.stop()


def test_visits_run_through_the_external_node(net: Network) -> None:
    visit = _cli("visit", "--target", net.target)
    assert visit.returncode == 0, visit.stderr
    assert "2207" in visit.stdout
    # The split was the team's node's: its own database holds the settlements.
    import sqlite3

    with sqlite3.connect(net.data / "team-13.db") as db:
        (count,) = db.execute("select count(*) from insured_settlements").fetchone()
    assert count > 0
    listed = _cli("nodes", "list", "--target", net.target, "--json")
    nodes = {n["province_code"]: n for n in json.loads(listed.stdout)}
    assert nodes["13"]["health"] == "SERVING"
    assert nodes["13"]["endpoint"] == net.own.endpoint
    assert nodes["13"]["http_endpoint"].startswith("https://")
    assert nodes["13"]["version"] and nodes["11"]["version"] == nodes["13"]["version"]


def test_network_json_rebuilt_from_the_hub_alone_works(net: Network) -> None:
    out = net.data / "rebuilt.json"
    made = _cli(
        "network", "--hub", str(net.doc["hub"]["endpoint"]), "--tls-dir", str(net.data / "tls"),
        "--out", str(out),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    rebuilt = json.loads(out.read_text())
    assert sorted(rebuilt["provinces"]) == ["11", "13"]
    assert rebuilt["provinces"]["13"]["endpoint"] == net.own.endpoint
    assert rebuilt["provinces"]["11"]["http"] == net.doc["provinces"]["11"]["http"]
    visit = _cli("visit", "--target", str(out))
    assert visit.returncode == 0, visit.stderr
    checked = _cli("reconcile", "--target", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no differences" in checked.stdout


def test_journal_dump_is_masked_and_filtered(net: Network) -> None:
    dumped = _cli("journal", "--target", net.target, "--jsonl")
    assert dumped.returncode == 0, dumped.stderr
    lines = [json.loads(x) for x in dumped.stdout.splitlines()]
    assert lines and [x["seq"] for x in lines] == sorted(x["seq"] for x in lines)
    assert {x["infno"] for x in lines} >= {"1101", "2206", "2207"}
    settled = next(x for x in lines if x["infno"] == "2207" and x["outcome"] == "OK")
    assert settled["request"]["psn_no"] and settled["response"]["setlinfo"]["setl_id"]
    text = dumped.stdout
    for province in net.doc["provinces"].values():
        for person in province["persons"]:
            assert person["certno"] not in text
    one = _cli("journal", "--target", net.target, "--jsonl", "--msgid", settled["msgid"])
    assert [json.loads(x)["msgid"] for x in one.stdout.splitlines()] == [settled["msgid"]]
    to_11 = _cli("journal", "--target", net.target, "--jsonl", "--province", "11")
    assert all(
        "11" in (json.loads(x)["from_province"], json.loads(x)["to_province"])
        for x in to_11.stdout.splitlines()
    )
    future = _cli("journal", "--target", net.target, "--jsonl", "--from", "2099-01-01")
    assert future.returncode == 0 and future.stdout == ""
    bad = _cli("journal", "--target", net.target, "--from", "yesterday")
    assert bad.returncode == 1 and "from_time" in bad.stderr


def test_a_dump_replays_against_the_same_node_with_no_difference(net: Network) -> None:
    dump = net.data / "calls.jsonl"
    made = _cli("journal", "--target", net.target, "--jsonl", "--province", "13")
    dump.write_text(made.stdout)
    before = _cli("reconcile", "--target", net.target)
    first = _cli("replay", str(dump), "--target", net.target, "--node", "13", "--json")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr
    report = json.loads(first.stdout)
    settled = sum(
        1 for x in map(json.loads, made.stdout.splitlines())
        if x["to_province"] == "13" and x["infno"] == "2207"
    )  # fmt: skip
    assert settled >= 10 and report["replayed"] >= settled and report["differing"] == []
    # Dry runs kept nothing: the network reconciles as before, and a second replay agrees.
    after = _cli("reconcile", "--target", net.target)
    assert after.returncode == 0 and "no differences" in after.stdout
    assert after.stdout == before.stdout
    second = _cli("replay", str(dump), "--target", net.target, "--node", "13", "--json")
    assert json.loads(second.stdout)["differing"] == []


def test_replay_reports_an_answer_that_differs(net: Network) -> None:
    exact = net.data / "exact.jsonl"
    made = _cli(
        "journal", "--target", net.target, "--jsonl", "--exact", "--out", str(exact),
        "--province", "13",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert exact.stat().st_mode & 0o777 == 0o600
    lines = [json.loads(x) for x in exact.read_text().splitlines()]
    i = next(n for n, x in enumerate(lines) if x["infno"] == "2207" and x["to_province"] == "13")
    answer = insured_pb2.SettleResult.FromString(base64.b64decode(lines[i]["response_b64"]))
    answer.setlinfo.hifp_pay += 1  # as if the node had once paid one fen more
    lines[i]["response_b64"] = base64.b64encode(answer.SerializeToString()).decode()
    tampered = net.data / "tampered.jsonl"
    tampered.write_text("".join(json.dumps(x) + "\n" for x in lines))
    run = _cli("replay", str(tampered), "--target", net.target, "--node", "13", "--json")
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert [d["seq"] for d in report["differing"]] == [lines[i]["seq"]]
    assert [x["field"] for x in report["differing"][0]["differences"]] == ["setlinfo.hifp_pay"]
    garbage = net.data / "garbage.jsonl"
    garbage.write_text("not json\n")
    bad = _cli("replay", str(garbage), "--target", net.target, "--node", "13")
    assert bad.returncode == 2 and "garbage.jsonl:1" in bad.stderr


def test_deregister_and_register_again(net: Network) -> None:
    hebei = config.load(config.province_folder("13"))
    gone = _cli("nodes", "deregister", "--target", net.target, "--province", "13")
    assert gone.returncode == 0, gone.stderr
    try:
        visit = _cli("visit", "--target", net.target)
        assert visit.returncode == 1 and "NOT_FOUND" in visit.stderr
        again = _cli("nodes", "deregister", "--target", net.target, "--province", "13")
        assert again.returncode == 1 and "province_code" in again.stderr
    finally:
        back = _cli(
            "nodes", "register", "--target", net.target, "--province", "13",
            "--endpoint", net.own.endpoint,
        )  # fmt: skip
    assert back.returncode == 0, back.stderr
    assert sorted(hebei.regions)[0] in back.stdout
    assert _cli("visit", "--target", net.target).returncode == 0
    # Only the operator changes the registry: a hospital's credentials are refused.
    refused = _cli(
        "call", "--target", net.target, "--as", "H11010100001", "HubService/DeregisterNode",
        '{"province_code": "13"}',
    )  # fmt: skip
    assert refused.returncode == 1 and "PERMISSION_DENIED" in refused.stderr


def test_conformance_passes_against_the_external_node(net: Network) -> None:
    """The team's flow: its node, started by hand inside an `up --external` network, checked
    against the contract in both roles, with JUnit for its CI."""
    junit = net.data / "conformance.xml"
    run = _cli(
        "conformance", "--target", net.target, "--node", "13", "--junit", str(junit), "--quiet",
        timeout=240,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    import xml.etree.ElementTree as ET

    suites = ET.parse(junit).getroot()
    cases = suites.findall(".//testcase")
    assert len(cases) >= 20 and not suites.findall(".//failure")
