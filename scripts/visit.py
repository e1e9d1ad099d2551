"""``settlenet visit``: one sample cross-province visit against a running network, driven only
by what network.json says (endpoints, persons, institutions, catalogue codes)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.json_format import MessageToDict

from scripts import connect, target
from scripts.clients.his import His, Line
from scripts.options import Subparsers
from services.rpc.status import describe_rpc_error
from services.values import clock
from services.values.money import yuan

SPLIT_FIELDS = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "pool_prop_selfpay",
    "fund_pay_sumamt",
    "psn_part_amt",
    "acct_pay",
    "psn_cash_pay",
    "balc",
)


def pick(
    doc: dict[str, Any], treat: str, insured: str, person_index: int = 1
) -> tuple[dict[str, Any], dict[str, Any], list[Line], str]:
    """The institution, person, fee lines and insured region for a sample visit."""
    t, i = doc["provinces"][treat], doc["provinces"][insured]
    inst = max((x for x in t["institutions"] if x["cross_province"]), key=lambda x: x["medins_lv"])
    persons = i["persons"]
    person = persons[min(person_index, len(persons) - 1)]
    cat = t["catalogue"]
    lines = [
        Line(cat["class_a"][0]["med_list_codg"], "2", 1449),
        Line(cat["class_a"][1]["med_list_codg"], "1", 3312),
        Line(cat["class_b"][0]["med_list_codg"], "1", 4554),
        Line(cat["class_b"][1]["med_list_codg"], "2", 7038),
        Line(cat["class_a"][2]["med_list_codg"], "3", 6800),
        Line(cat["class_c"][0]["med_list_codg"], "1", 402),
        Line(cat["outside_catalogue"][0], "1", 1500),
    ]
    return inst, person, lines, person["insuplc_admdvs"]


async def run(
    doc: dict[str, Any], treat: str, insured: str, *, keep: bool = False, person_index: int = 1
) -> dict[str, Any]:
    """Drive 1101 → 2201 → 2204 → 2206 → 2207 (→ 2208); return a transcript."""
    inst, person, lines, region = pick(doc, treat, insured, person_index)
    out: dict[str, Any] = {
        "treatment_province": treat,
        "insured_province": insured,
        "insuplc_admdvs": region,
        "institution": inst,
        "steps": [],
    }
    async with connect.hospitals(doc, treat) as channel:
        his = His(channel, inst["fixmedins_code"], inst["admdvs"])
        now = clock.now()
        begntime = clock.format_time(now - timedelta(minutes=30))
        info = await his.query_person(region, person["certno"])
        out["steps"].append(
            {"infno": "1101", "person": MessageToDict(info, preserving_proto_field_name=True)}
        )
        psn_no, insutype = info.baseinfo.psn_no, info.insuinfo[0].insutype
        mdtrt_id = await his.register(region, psn_no, insutype, begntime)
        out["steps"].append({"infno": "2201", "mdtrt_id": mdtrt_id})
        up = await his.upload(
            region, mdtrt_id, psn_no, lines, clock.format_time(now - timedelta(minutes=20))
        )
        out["steps"].append(
            {
                "infno": "2204",
                "result": [
                    MessageToDict(
                        r,
                        preserving_proto_field_name=True,
                        always_print_fields_with_no_presence=True,
                    )
                    for r in up.result
                ],
            }
        )
        total = sum(x.amount() for x in lines)
        pre = await his.pre_settle(region, mdtrt_id, psn_no, insutype, total)
        out["steps"].append({"infno": "2206", "setlinfo": _setl(pre.setlinfo)})
        # The 2207's and 2208's msgids are shown: `settlenet msgid MSGID` asks the network.
        msgid = his.msgid()
        settled = await his.settle(region, mdtrt_id, psn_no, insutype, total, msgid=msgid)
        out["steps"].append({"infno": "2207", "msgid": msgid, "setlinfo": _setl(settled.setlinfo)})
        if not keep:
            msgid = his.msgid()
            rev = await his.revoke(region, settled.setlinfo.setl_id, mdtrt_id, psn_no, msgid=msgid)
            out["steps"].append({"infno": "2208", "msgid": msgid, "setlinfo": _setl(rev.setlinfo)})
    return out


def _setl(s: Any) -> dict[str, Any]:
    return dict(
        MessageToDict(
            s, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
        )
    )


def identities(s: dict[str, Any]) -> list[str]:
    """Which identities of DESIGN.md fail for a setlinfo dict (empty when all hold)."""
    n = {
        k: int(v)
        for k, v in s.items()
        if isinstance(v, (int, str))
        and k.endswith(("_amt", "_pay", "_sumamt", "_selfpay", "_dedc"))
        and str(v).lstrip("-").isdigit()
    }
    bad = []
    if n["medfee_sumamt"] != (
        n["fulamt_ownpay_amt"] + n["overlmt_selfpay"] + n["preselfpay_amt"] + n["inscp_scp_amt"]
    ):
        bad.append(
            "medfee_sumamt = fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt + inscp_scp_amt"
        )
    if n["medfee_sumamt"] != n["fund_pay_sumamt"] + n["acct_pay"] + n["psn_cash_pay"]:
        bad.append("medfee_sumamt = fund_pay_sumamt + acct_pay + psn_cash_pay")
    return bad


def add_parser(sub: Subparsers) -> None:
    visit = sub.add_parser(
        "visit",
        help="drive one sample visit against a running network",
        description="Using only network.json, run 1101 → 2201 → 2204 → 2206 → "
        "2207 → 2208 for a person insured in one province at a hospital of "
        "another, and print each answer.",
    )
    visit.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    visit.add_argument("--treat", default="11", help="treatment province code (default 11)")
    visit.add_argument("--insured", default="13", help="insured province code (default 13)")
    visit.add_argument("--keep", action="store_true", help="do not revoke the settlement")
    visit.add_argument("--json", action="store_true", help="print JSON")


def render(out: dict[str, Any], path: Path) -> str:
    """A visit's transcript as text: each step's answer, the 2207's and 2208's msgids, and the
    ``settlenet msgid`` command that asks every node about one (``path``: the network.json)."""
    lines: list[str] = []
    for step in out["steps"]:
        s = step.get("setlinfo")
        if s:
            parts = ", ".join(
                f"{k}={yuan(int(s[k])) if k != 'pool_prop_selfpay' else s[k]}" for k in SPLIT_FIELDS
            )
            lines.append(f"{step['infno']}: setl_id={s['setl_id'] or '-'} {parts}")
            if "msgid" in step:
                lines.append(f"      msgid {step['msgid']}")
            bad = identities(s)
            lines.append(f"      identities {'hold' if not bad else 'FAIL: ' + '; '.join(bad)}")
        elif step["infno"] == "2204":
            for r in step["result"]:
                lines.append(
                    f"2204: line {r['feedetl_sn']} {r['med_list_codg']} "
                    f"class={r['chrgitm_lv'] or '-'} in_scope={yuan(int(r['inscp_scp_amt']))} "
                    f"{r['memo']}"
                )
        else:
            lines.append(
                f"{step['infno']}: "
                + json.dumps({k: v for k, v in step.items() if k != "infno"}, ensure_ascii=False)[
                    :200
                ]
            )
    lines.append(
        f"a msgid's status on every node: settlenet msgid --target {path} MSGID "
        f"--insured {out['insuplc_admdvs']}"
    )
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    try:
        doc = target.load(args.target)
    except target.TargetError as exc:
        print(f"settlenet visit: {exc}", file=sys.stderr)
        return 2
    for code in (args.treat, args.insured):
        if code not in doc["provinces"]:
            print(f"settlenet visit: province {code} is not in {args.target}", file=sys.stderr)
            return 2
    try:
        out = asyncio.run(run(doc, args.treat, args.insured, keep=args.keep))
    except grpc.RpcError as exc:
        print(f"settlenet visit: {describe_rpc_error(exc)}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(render(out, args.target))
    return 0
