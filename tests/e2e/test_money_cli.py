"""``settlenet msgid`` and ``settlenet topup`` against ``settlenet up``: the status of a msgid
on every node, and its 2601 correction (burned when it never took effect, reversed when it did),
after which the network still reconciles with no difference; a two-phase top-up promised, then
paid."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import connect, launcher
from scripts.clients.his import His, Line

pytestmark = pytest.mark.slow
CLI = [sys.executable, "-m", "scripts.cli"]


def _cli(*args: str) -> dict:
    out = subprocess.run([*CLI, *args, "--json"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_msgid_status_correction_and_top_up_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "net"
    up, doc = launcher.start_network(data, ["--provinces", "11,13"], timeout=90)
    target = data / "network.json"
    try:
        bj, hb = doc["provinces"]["11"], doc["provinces"]["13"]
        inst = next(i for i in bj["institutions"] if i["medins_lv"] == "3")
        person = hb["persons"][1]
        code = bj["catalogue"]["class_a"][0]["med_list_codg"]

        async def settle() -> tuple[str, str]:
            async with connect.hospitals(doc, "11") as ch:
                his = His(ch, inst["fixmedins_code"], inst["admdvs"])
                mdtrt_id = await his.register(
                    "130100", person["psn_no"], person["insutype"], "2026-10-15 09:00:00"
                )
                await his.upload(
                    "130100",
                    mdtrt_id,
                    person["psn_no"],
                    [Line(code, "1", 2500)],
                    "2026-10-15 09:10:00",
                )
                res = await his.settle(
                    "130100", mdtrt_id, person["psn_no"], person["insutype"], 2500
                )
                return res.setlinfo.medins_setl_id, res.setlinfo.setl_id

        msgid, setl_id = asyncio.run(settle())
        t = str(target)
        status = _cli("msgid", "--target", t, msgid, "--insured", "130100")["status"]
        assert (status["state"], status["hub"]["state"], status["insured"]["state"]) == (
            "done",
            "done",
            "done",
        )
        assert status["insured"]["setlinfo"]["setl_id"] == setl_id

        fixed = _cli(
            "msgid",
            "--target",
            t,
            msgid,
            "--insured",
            "130100",
            "--correct",
            "--psn-no",
            person["psn_no"],
        )
        assert fixed["correction"]["outcome"] == "reversed"
        assert {fixed["status"][k]["state"] for k in ("hub", "insured")} == {"corrected"}

        never = inst["fixmedins_code"] + "20261015090000" + "9999"
        burned = _cli(
            "msgid",
            "--target",
            t,
            never,
            "--insured",
            "130100",
            "--correct",
            "--psn-no",
            person["psn_no"],
        )
        assert burned["correction"]["outcome"] == "burned"
        assert burned["status"]["insured"]["state"] == "burned"
        human = subprocess.run(
            [*CLI, "msgid", "--target", t, never, "--insured", "130100"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "insured 13" in human.stdout and "burned" in human.stdout

        rec = subprocess.run(
            [*CLI, "reconcile", "--target", t, "--json"], capture_output=True, text=True, timeout=60
        )
        assert rec.returncode == 0 and json.loads(rec.stdout)["differences"] == 0

        asked = _cli("topup", "--target", t, "request", "13", "--id", "T1", "--amount-fen", "100")
        assert (asked["state"], asked["pending_fen"]) == ("pending", "100")
        paid = _cli("topup", "--target", t, "arrived", "13", "--id", "T1")
        assert (paid["state"], paid["posted_fen"], paid["pending_fen"]) == ("posted", "100", "0")
        assert int(paid["available_fen"]) == int(asked["available_fen"]) + 100
        listed = subprocess.run(
            [*CLI, "topup", "--target", t], capture_output=True, text=True, timeout=60
        )
        assert "top-up T1: posted" in listed.stdout
    finally:
        up.stop(timeout=30)
