"""``settlenet up --faults SEED:RATE``: a real network whose own links drop, duplicate and delay
settlement calls, as a province team would run it to test its hospital system. A HIS that
retries and corrects still ends with books that agree with its treatment node, and the network
reconciles with no difference."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import connect, launcher, reconcile
from scripts.clients.his import Line
from scripts.clients.retrying_his import RetryingHis

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "scripts.cli"]


def test_a_faulty_network_still_settles_exactly_once(tmp_path: Path) -> None:
    data = tmp_path / "net"
    bad = subprocess.run(
        [*CLI, "up", "--data", str(data), "--faults", "x"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode == 2 and "SEED:RATE" in bad.stderr
    up, doc = launcher.start_network(
        data, ["--provinces", "11,13", "--faults", "5:0.06"], timeout=90
    )
    try:
        bj, hb = doc["provinces"]["11"], doc["provinces"]["13"]
        inst = next(i for i in bj["institutions"] if i["medins_lv"] == "3")
        code = bj["catalogue"]["class_a"][0]["med_list_codg"]

        async def drive() -> tuple[RetryingHis, int]:
            async with connect.hospitals(doc, "11") as ch:
                his = RetryingHis(ch, inst["fixmedins_code"], inst["admdvs"], backoff_s=0.02)
                rng = random.Random(5)
                settled = 0
                for _ in range(60):
                    p = rng.choice(hb["persons"])
                    mdtrt_id = await his.register_surely(
                        "130100", p["psn_no"], p["insutype"], "2026-10-15 09:00:00"
                    )
                    lines = [Line(code, "1", rng.randrange(500, 5000))]
                    await his.upload_surely(
                        "130100", mdtrt_id, p["psn_no"], lines, "2026-10-15 09:10:00"
                    )
                    out = await his.settle_surely(
                        "130100", mdtrt_id, p["psn_no"], p["insutype"], lines[0].amount()
                    )
                    settled += out.setlinfo is not None
                totals, details = await his.reconcile()
                assert (totals.stmt_rslt, details.stmt_rslt) == ("0", "0"), [
                    d.text for d in details.differences
                ]
                return his, settled

        his, settled = asyncio.run(drive())
        assert settled >= 55 and his.tally.retries > 0  # the links did fail, and it coped
        report = asyncio.run(reconcile.run(doc, "", ""))
        assert report["differences"] == 0, reconcile.render(report)
    finally:
        up.stop(timeout=30)
    assert "fault transport on" in (data / "logs" / "hub.log").read_text()
