"""``settlenet conformance`` as a province team runs it: a separate process against a node of a
secure ``settlenet up`` network (mutual TLS, x-tif credentials, the HTTP interface), both roles,
JUnit XML for its CI."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scripts import launcher

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
CLI = [sys.executable, "-m", "scripts.cli"]


def test_conformance_of_a_node_of_settlenet_up_passes_and_writes_junit(tmp_path: Path) -> None:
    data = tmp_path / "net"
    up, _ = launcher.start_network(data, ["--provinces", "11,13"], timeout=120)
    try:
        junit = tmp_path / "conformance.xml"
        done = subprocess.run(
            [
                *CLI,
                "conformance",
                "--target",
                str(data / "network.json"),
                "--node",
                "13",
                "--junit",
                str(junit),
                "--quiet",
            ],
            capture_output=True,
            text=True,
            timeout=240,
        )
    finally:
        up.stop()
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 failed, 0 skipped" in done.stdout
    suites = ET.parse(junit).getroot()
    assert {s.get("name") for s in suites.findall("testsuite")} == {
        "node 13 as treatment",
        "node 13 as insured",
    }
    assert len(suites.findall(".//testcase")) > 40 and not suites.findall(".//failure")
