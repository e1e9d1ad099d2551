"""The README's grpcurl example works: its shell lines compute TLS paths and x-tif headers from
network.json that a secure node accepts (grpcurl itself is not installable here, so gRPC's own
client makes the call with exactly those flags' files and headers)."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import grpc
import pytest

from scripts import network
from services.pb.settlenet.v1 import common_pb2, insured_pb2, treatment_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]


def _readme_shell() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Call a node with grpcurl") :]
    block = section[section.index("```sh") + 5 : section.index("```", section.index("```sh") + 5)]
    return [line for line in block.splitlines() if re.match(r"^[A-Z]+=", line)]


@pytest.mark.skipif(
    not (shutil.which("jq") and shutil.which("openssl")), reason="needs jq, openssl"
)
async def test_the_readme_grpcurl_headers_are_accepted(tmp_path: Path) -> None:
    net = await network.start(tmp_path, ("11", "13"), secure=True)
    try:
        doc = net.describe()
        target = tmp_path / "network.json"
        network.write_network_json(target, doc)
        lines = _readme_shell()
        assert any(line.startswith("SIG=") for line in lines)
        script = "\n".join(
            [line.replace("var/net/network.json", str(target)) for line in lines]
            + [
                'printf \'{"tls":"%s","port":"%s","paasid":"%s","ts":"%s","nonce":"%s",'
                '"sig":"%s"}\' "$TLS" "$PORT" "$PAASID" "$TS" "$NONCE" "$SIG"'
            ]
        )
        out = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-euo", "pipefail", "-c", script],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        got = json.loads(out.stdout)
        tls = Path(got["tls"])
        creds = grpc.ssl_channel_credentials(
            root_certificates=(tls / "ca.pem").read_bytes(),
            private_key=(tls / "access.key").read_bytes(),
            certificate_chain=(tls / "access.pem").read_bytes(),
        )
        header = common_pb2.RequestHeader(
            infno="1101",
            msgid=f"H11010100001{time.strftime('%Y%m%d%H%M%S')}0001",
            mdtrtarea_admvs="110000",
            insuplc_admdvs="130100",
            fixmedins_code="H11010100001",
            opter_type="1",
            opter="OP001",
            inf_time=time.strftime("%Y-%m-%d %H:%M:%S"),
        )
        person = net.provinces["13"].data.persons[1]
        metadata = [
            ("x-tif-paasid", got["paasid"]),
            ("x-tif-timestamp", got["ts"]),
            ("x-tif-nonce", got["nonce"]),
            ("x-tif-signature", got["sig"]),
        ]
        async with grpc.aio.secure_channel(got["port"], creds) as ch:
            answer = await treatment_pb2_grpc.TreatmentServiceStub(ch).QueryPerson(
                insured_pb2.PersonQuery(header=header, certno=person.certno),
                metadata=metadata,
                timeout=10,
            )
        assert answer.baseinfo.psn_no == person.psn_no
    finally:
        await net.stop()
