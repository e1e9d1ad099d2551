"""The README's curl example of the national HTTP interface works as written (with settlenet
and network.json of a secure in-process network)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import network

ROOT = Path(__file__).resolve().parents[2]


def _readme_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### The national HTTP interface") :]
    start = section.index("```sh") + len("```sh")
    return section[start : section.index("```", start)]


@pytest.mark.skipif(
    not all(shutil.which(t) for t in ("curl", "jq", "bash")), reason="needs curl, jq, bash"
)
async def test_the_readme_curl_example_signs_in_and_asks_1101(tmp_path: Path) -> None:
    net = await network.start(tmp_path, ("11", "13"), secure=True)
    try:
        target = tmp_path / "network.json"
        network.write_network_json(target, net.describe())
        script = (
            f'settlenet() {{ "{sys.executable}" -m scripts.cli "$@"; }}\n'
            + _readme_block().replace("var/net/network.json", str(target))
        )
        out = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-euo", "pipefail", "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        assert out.returncode == 0, out.stderr
        answer = json.loads(out.stdout)
        assert answer["infcode"] == 0, answer
        assert answer["output"]["baseinfo"]["certno"] == "130102195005259039"
    finally:
        await net.stop()
