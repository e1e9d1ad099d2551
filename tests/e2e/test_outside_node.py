"""A province team joins a secure network with its own node: ``settlenet certs issue`` gives it a
certificate from the network's CA, the node registers under its own code and is routed to; a
node without that certificate cannot take the province over."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from provincial_nodes import config
from scripts import connect, launcher
from scripts.clients.his import His, Line
from services.storage.database import sqlite_url

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "scripts.cli"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60)


def test_an_outside_node_joins_with_a_certificate_from_the_network_ca(tmp_path: Path) -> None:
    data = tmp_path / "net"
    up, doc = launcher.start_network(data, ["--provinces", "11"], timeout=90)
    target = data / "network.json"
    outside: launcher.Process | None = None
    try:
        issued = _cli(
            "certs",
            "issue",
            "--target",
            str(target),
            "--province",
            "13",
            "--out",
            str(tmp_path / "p13"),
        )
        assert issued.returncode == 0, issued.stderr
        key = tmp_path / "p13" / "province-13.key"
        assert key.stat().st_mode & 0o777 == 0o600
        # Before the node runs, province 11's certificate cannot register as 13.
        spoof = _cli(
            "call",
            "--target",
            str(target),
            "--as",
            "11",
            "HubService/RegisterNode",
            '{"province_code": "13", "endpoint": "127.0.0.1:9"}',
        )
        assert spoof.returncode == 1 and "PERMISSION_DENIED" in spoof.stderr
        outside = launcher.start_node(
            "outside-13",
            [
                *CLI,
                "province",
                "--code",
                "13",
                "--hub",
                doc["hub"]["endpoint"],
                "--tls-dir",
                str(tmp_path / "p13"),
                "--db",
                sqlite_url(tmp_path / "p13.db"),
                "--log-json",
            ],
            tmp_path,
            tls=connect.tls(doc, "operator"),
        )
        listed = _cli("call", "--target", str(target), "HubService/ListNodes")
        nodes = {n["province_code"]: n["endpoint"] for n in json.loads(listed.stdout)["nodes"]}
        assert nodes["13"] == outside.endpoint
        # A Beijing hospital settles a Hebei person: the hub routes to the outside node.
        hebei = config.load(config.province_folder("13"))
        person = hebei.persons[1]
        bj = doc["provinces"]["11"]
        inst = next(i for i in bj["institutions"] if i["medins_lv"] == "3")
        code = bj["catalogue"]["class_a"][0]["med_list_codg"]

        async def visit() -> int:
            async with connect.hospitals(doc, "11") as ch:
                his = His(ch, inst["fixmedins_code"], inst["admdvs"])
                mdtrt_id = await his.register(
                    "130100", person.psn_no, person.insutype, "2026-10-15 09:00:00"
                )
                await his.upload(
                    "130100",
                    mdtrt_id,
                    person.psn_no,
                    [Line(code, "1", 2500)],
                    "2026-10-15 09:20:00",
                )
                done = await his.settle("130100", mdtrt_id, person.psn_no, person.insutype, 2500)
                return int(done.setlinfo.medfee_sumamt)

        assert asyncio.run(visit()) == 2500
        with sqlite3.connect(tmp_path / "p13.db") as db:  # the split was the outside node's
            (count,) = db.execute("select count(*) from insured_settlements").fetchone()
        assert count == 1
        # The impostor still cannot re-route 13 while the real node serves.
        again = _cli(
            "call",
            "--target",
            str(target),
            "--as",
            "11",
            "HubService/RegisterNode",
            '{"province_code": "13", "endpoint": "127.0.0.1:9"}',
        )
        assert again.returncode == 1
        listed = _cli("call", "--target", str(target), "HubService/ListNodes")
        nodes = {n["province_code"]: n["endpoint"] for n in json.loads(listed.stdout)["nodes"]}
        assert nodes["13"] == outside.endpoint
    finally:
        if outside is not None:
            outside.stop()
        up.stop(timeout=30)
