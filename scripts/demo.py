"""``settlenet demo``: an in-process network on the embedded default (SQLite in a temporary
folder, loopback gRPC), and one cross-province visit told step by step: a Hebei retiree treated
at a Beijing hospital. Prints the per-line classification and the split, with the identities
checked. ``--json`` prints the transcript instead."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from scripts import network, visit
from services import logging as slog
from services.money import yuan

TREAT, INSURED = "11", "13"


async def _run(data: Path) -> dict[str, Any]:
    net = await network.start(data)
    try:
        nodes = {code: (node.endpoint, node.db.url) for code, node in net.provinces.items()}
        doc = network.describe(net.hub.endpoint, nodes, data)
        return await visit.run(doc, TREAT, INSURED)
    finally:
        await net.stop()


def _render(out: dict[str, Any], console: Console) -> bool:
    steps = {s["infno"]: s for s in out["steps"]}
    inst = out["institution"]
    person = steps["1101"]["person"]
    base, insu = person["baseinfo"], person["insuinfo"][0]
    console.rule("[bold]settlenet demo: a cross-province outpatient visit")
    console.print(f"1. [bold]1101 person query[/] — {inst['fixmedins_name']} "
                  f"({inst['fixmedins_code']}, level {inst['medins_lv']}) in Beijing asks, "
                  f"through the national hub, the insured place {insu['insuplc_admdvs']} (Hebei) "
                  f"who the patient is: psn_no {base['psn_no']}, insutype {insu['insutype']}, "
                  f"psn_type {insu['psn_type']}, account balance {yuan(int(insu['balc']))} yuan.")
    console.print(f"2. [bold]2201 register[/] — the visit opens as mdtrt_id "
                  f"{steps['2201']['mdtrt_id']}.")
    console.print("3. [bold]2204 fee details[/] — Beijing classifies each line under [italic]its "
                  "own[/] catalogue (就医地目录):")
    table = Table(show_lines=False)
    for col in ("line", "item", "class", "amount", "full self-pay", "over cap",
                "class-B self-pay", "in scope", "reason"):
        table.add_column(col, justify="right" if col not in ("item", "reason", "class") else
                         "left")
    for r in steps["2204"]["result"]:
        table.add_row(r["feedetl_sn"], (r["med_list_name"] or r["med_list_codg"])[:22],
                      {"01": "A", "02": "B", "03": "C"}.get(r["chrgitm_lv"], "-"),
                      yuan(int(r["det_item_fee_sumamt"])), yuan(int(r["fulamt_ownpay_amt"])),
                      yuan(int(r["overlmt_amt"])), yuan(int(r["preselfpay_amt"])),
                      yuan(int(r["inscp_scp_amt"])), r["memo"][:48])
    console.print(table)
    s = steps["2207"]["setlinfo"]
    console.print("4. [bold]2206 pre-settle[/] and [bold]5. 2207 settle[/] — the hub routes the "
                  "classified totals to Hebei, whose own policy (参保地政策) decides how much is "
                  "paid:")
    split = Table()
    split.add_column("who pays")
    split.add_column("yuan", justify="right")
    split.add_row("basic pooled fund (hifp_pay)", yuan(int(s["hifp_pay"])))
    split.add_row("all funds (fund_pay_sumamt)", yuan(int(s["fund_pay_sumamt"])))
    split.add_row("personal account (acct_pay)", yuan(int(s["acct_pay"])))
    split.add_row("cash (psn_cash_pay)", yuan(int(s["psn_cash_pay"])))
    split.add_row("[bold]total (medfee_sumamt)", f"[bold]{yuan(int(s['medfee_sumamt']))}")
    console.print(split)
    steps_table = Table(title=f"how Hebei computed it (setl_id {s['setl_id']})")
    steps_table.add_column("step")
    steps_table.add_column("what happened")
    steps_table.add_column("yuan", justify="right")
    for st in s["setl_proc_info"]:
        steps_table.add_row(st["step"], st["desc"], yuan(int(st["amount"])))
    console.print(steps_table)
    bad = visit.identities(s)
    pre = steps["2206"]["setlinfo"]
    same = all(pre[k] == s[k] for k in ("fund_pay_sumamt", "acct_pay", "psn_cash_pay"))
    console.print(f"   identities: medfee {yuan(int(s['medfee_sumamt']))} = fund "
                  f"{yuan(int(s['fund_pay_sumamt']))} + account {yuan(int(s['acct_pay']))} + "
                  f"cash {yuan(int(s['psn_cash_pay']))} — "
                  + ("[green]hold[/]" if not bad else f"[red]FAIL {bad}[/]")
                  + f"; pre-settlement gave the same split: {'yes' if same else 'NO'}")
    r = steps["2208"]["setlinfo"]
    console.print(f"6. [bold]2208 revoke[/] — revocation record {r['setl_id']} reverses "
                  f"{r['init_setl_id']} ({yuan(int(r['medfee_sumamt']))} yuan); the account "
                  f"balance is back to {yuan(int(r['balc']))} yuan.")
    return not bad and same


def main(args: argparse.Namespace) -> int:
    # Node logs go to a buffer: the demo's own output is the story.
    logs = io.StringIO()
    slog.configure("demo", level="WARNING", stream=logs)
    if args.data:
        out = asyncio.run(_run(args.data))
    else:
        with tempfile.TemporaryDirectory(prefix="settlenet-demo-") as tmp:
            out = asyncio.run(_run(Path(tmp)))
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    ok = _render(out, Console(file=sys.stdout, width=140))
    if logs.getvalue():
        print(logs.getvalue(), file=sys.stderr)
    return 0 if ok else 1
