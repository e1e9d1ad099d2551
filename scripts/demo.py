"""``settlenet demo``: the national filing flow and a cross-province settlement, told step by step
on an in-process network (SQLite in a temporary folder, loopback gRPC).

A retiree insured in Hebei files long-term residence in Beijing through the national app; the
filing reaches the national registry; a Beijing hospital asks who the patient is (1101) and sees
the filing; Beijing classifies the fee lines under its own catalogue; the hub routes the claim to
Hebei, whose policy returns the split. Two neighbours have the same visit, side by side: one
referred to Beijing under a temporary referral filing (转诊备案) gets Hebei's temporary reduction,
the other, without a filing, Hebei's reduction for unfiled visits, while the long-term filer keeps
the home ratio; a diabetes patient settles a chronic-disease visit; the filing is revoked and the
next visit is unfiled again; and the hub's journal shows what Hebei now owes Beijing.

    settlenet demo [--step] [--lang zh|en] [--json] [--data DIR] [--via grpc|http]

Every call is real gRPC between the nodes; nothing is precomputed. With ``--via http`` the
hospital's calls go over the national HTTP interface (JSON, yuan, x-tif headers, 9001 sign-in)
through :mod:`scripts.clients.http_adapter`, and the story is told from the same answers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import re
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from google.protobuf.json_format import MessageToDict
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from scripts import connect, network
from scripts.clients import http_adapter
from scripts.clients.desk import Desk
from scripts.clients.his import His, Line
from scripts.clients.http_adapter import HttpHisAdapter
from scripts.options import Subparsers
from scripts.visit import identities, pick
from services.logs import setup as slog
from services.pb.settlenet.v1 import (
    admin_pb2,
    admin_pb2_grpc,
    filing_pb2,
    filing_pb2_grpc,
    hub_pb2,
    hub_pb2_grpc,
)
from services.values import certno, clock
from services.values.money import format_points, parse_ratio, yuan
from services.values.personal import mask_name

TREAT, INSURED = "11", "13"
REGION = "130100"


def _d(msg: Any) -> dict[str, Any]:
    out: dict[str, Any] = MessageToDict(
        msg, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return out


# ---- the story, as data --------------------------------------------------------------------


VIAS = ("grpc", "http")
"""How the hospital's calls reach the Beijing node: gRPC, or the national HTTP interface."""


class Story:
    """Runs the flow and records a transcript: a list of steps, each with its data. The
    hospital's calls go over ``via`` (gRPC, or the national HTTP interface); every other call
    (filing desks, admin, hub) is gRPC."""

    def __init__(
        self,
        doc: dict[str, Any],
        via: str = "grpc",
        on_step: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    ) -> None:
        self.doc = doc
        self.via = via
        self.steps: list[dict[str, Any]] = []
        self.on_step = on_step
        """Called after each step (``--web``: narrate it in the hub's web view, then pause)."""

    @contextlib.asynccontextmanager
    async def hospital(
        self, channel: Any, inst: dict[str, Any]
    ) -> AsyncIterator[His | HttpHisAdapter]:
        """The Beijing hospital's HIS: over ``channel`` (gRPC), or signed in over HTTP."""
        if self.via == "http":
            async with http_adapter.hospital(self.doc, TREAT, inst["fixmedins_code"]) as his:
                yield his
        else:
            yield His(channel, inst["fixmedins_code"], inst["admdvs"])

    def add(self, key: str, **data: Any) -> dict[str, Any]:
        step = {"n": len(self.steps) + 1, "key": key, **data}
        self.steps.append(step)
        return step

    async def step(self, key: str, **data: Any) -> None:
        step = self.add(key, **data)
        if self.on_step is not None:
            await self.on_step(step)

    async def run(self) -> list[dict[str, Any]]:
        bj, hb = self.doc["provinces"][TREAT], self.doc["provinces"][INSURED]
        # The sample visit of `settlenet visit`: a tertiary hospital, the retiree, seven lines.
        inst, retiree, lines, _ = pick(self.doc, TREAT, INSURED)
        diabetic = hb["persons"][5]
        now = clock.now()
        today = now.date()
        begntime = clock.format_time(now - timedelta(minutes=30))
        fee_time = clock.format_time(now - timedelta(minutes=20))
        total = sum(x.amount() for x in lines)

        await self.step(
            "network",
            hub=self.doc["hub"]["endpoint"],
            via=self.via,
            http=http_adapter.http_url(self.doc, TREAT) if self.via == "http" else "",
            provinces=[
                {
                    "code": c,
                    "name": p["name"],
                    "name_en": p["name_en"],
                    "endpoint": p["endpoint"],
                    "http": p.get("http", ""),
                    "regions": list(p["regions"]),
                }
                for c, p in self.doc["provinces"].items()
            ],
        )

        async with (
            connect.hospitals(self.doc, "11") as bj_ch,
            connect.hospitals(self.doc, "13") as hb_ch,
            connect.admin(self.doc, "13") as hb_admin,
            connect.operator(self.doc) as hub_ch,
            self.hospital(bj_ch, inst) as his,
        ):
            desk = Desk(hb_ch, REGION, "app")
            registry = filing_pb2_grpc.FilingRegistryServiceStub(hub_ch)

            # Two neighbours with the same profile, loaded through AdminService: one without a
            # filing, one a Hebei hospital refers to Beijing (a temporary referral filing).
            profile = {k: retiree[k] for k in ("insutype", "psn_type", "insuplc_admdvs")}
            neighbour = profile | {
                "psn_no": f"{REGION}00000000000099",
                "psn_name": "李建国",
                "certno": "130102195203150616",
                "acct_balc": retiree["acct_balc"],
            }
            referred = profile | {
                "psn_no": f"{REGION}00000000000098",
                "psn_name": "张秀英",
                "certno": certno.make("130104", date(1953, 8, 21), 26, female=True),
                "acct_balc": retiree["acct_balc"],
            }
            await admin_pb2_grpc.AdminServiceStub(hb_admin).LoadPersons(
                admin_pb2.LoadDocumentRequest(
                    yaml=yaml.safe_dump({"persons": [neighbour, referred]}, allow_unicode=True),
                    source_name="demo neighbours",
                ),
                timeout=10,
            )

            start = today.replace(day=1).isoformat()
            filing = await desk.create(retiree["psn_no"], "retiree_relocated", "110000", start)
            await self.step("filing", person=_person(retiree), filing=_d(filing))

            reg = await _registry(registry, retiree["psn_no"], 1)
            await self.step("registry", entries=[_event(e) for e in reg.entries])

            info = await his.query_person(REGION, retiree["certno"])
            await self.step("query", institution=inst, person=_d(info))

            reg_res = await his.register_visit(REGION, retiree["psn_no"], "310", begntime)
            mdtrt_id = reg_res.mdtrt_id
            up = await his.upload(REGION, mdtrt_id, retiree["psn_no"], lines, fee_time)
            await self.step(
                "classify",
                mdtrt_id=mdtrt_id,
                filing_status=reg_res.filing_status,
                lines=[_d(r) for r in up.result],
            )

            pre = await his.pre_settle(REGION, mdtrt_id, retiree["psn_no"], "310", total)
            done = await his.settle(REGION, mdtrt_id, retiree["psn_no"], "310", total)
            await self.step(
                "split",
                person=_person(retiree),
                presettle_same=_same(pre.setlinfo, done.setlinfo),
                setlinfo=_d(done.setlinfo),
            )

            referral = await Desk(hb_ch, REGION, "window").create(
                referred["psn_no"], "referral", "110000", start, evidence="referral_letter"
            )
            temporary = await _visit(his, referred, lines, begntime, fee_time)
            other = await _visit(his, neighbour, lines, begntime, fee_time)
            await self.step(
                "compare",
                filed=_d(done.setlinfo),
                temporary=_d(temporary),
                temporary_person=_person(referred),
                temporary_filing=_d(referral),
                unfiled=_d(other),
                unfiled_person=_person(neighbour),
            )

            dia_lines = [Line(_code(bj, "class_a", 0), "4", 1449)]
            chronic = await _visit(
                his,
                diabetic,
                dia_lines,
                begntime,
                fee_time,
                med_type="14",
                opsp_dise_code="M01600",
                diag=("E11.900",),
            )
            await self.step("chronic", person=_person(diabetic), setlinfo=_d(chronic))

            revoked = await desk.revoke(
                retiree["psn_no"], filing.filing_id, memo="moved back to Shijiazhuang"
            )
            reg = await _registry(registry, retiree["psn_no"], 2)
            again = await _visit(his, retiree, lines, begntime, fee_time, settle=False)
            await self.step(
                "revoke",
                filing=_d(revoked),
                entries=[_event(e) for e in reg.entries],
                next_presettle=_d(again),
            )

            journal = await hub_pb2_grpc.HubServiceStub(hub_ch).QueryJournal(
                hub_pb2.JournalQuery(limit=1000), timeout=10
            )
            owed: dict[str, dict[str, int]] = {}
            for e in journal.entries:
                if e.infno in ("2207", "2208") and e.outcome == "OK":
                    pair = owed.setdefault(
                        f"{e.to_province}->{e.from_province}", {"count": 0, "fund_pay_sumamt": 0}
                    )
                    pair["count"] += 1
                    pair["fund_pay_sumamt"] += e.fund_pay_sumamt
            await self.step("money", pairs=owed)
        return self.steps


def _points(s: dict[str, Any]) -> str:
    """A settlement's ratio reduction as percentage points ("0.10" → "10")."""
    return format_points(parse_ratio(s["ratio_reduction"] or "0"))


def _filing_step(s: dict[str, Any]) -> str:
    """The explanation of a settlement's filing step (the rule, the filing, the points)."""
    return next((str(x["desc"]) for x in s["setl_proc_info"] if x["step"] == "filing"), "")


def _code(province: dict[str, Any], cls: str, i: int) -> str:
    return str(province["catalogue"][cls][i]["med_list_codg"])


def _person(p: dict[str, Any]) -> dict[str, Any]:
    return {k: p[k] for k in ("psn_no", "psn_name", "insutype", "psn_type", "insuplc_admdvs")}


def _same(a: Any, b: Any) -> bool:
    return all(
        getattr(a, k) == getattr(b, k)
        for k in ("fund_pay_sumamt", "hifp_pay", "acct_pay", "psn_cash_pay", "pool_prop_selfpay")
    )


def _event(e: filing_pb2.RegistryEntry) -> dict[str, Any]:
    ev = e.event
    return {
        "infno": ev.infno,
        "filing_id": ev.filing.filing_id,
        "status": ev.filing.status,
        "category": ev.filing.category,
        "dest_admdvs": ev.filing.dest_admdvs,
        "channel": ev.filing.channel,
        "opter": ev.opter,
        "event_time": ev.event_time,
        "received_at": e.received_at,
    }


async def _registry(
    stub: filing_pb2_grpc.FilingRegistryServiceStub, psn_no: str, count: int
) -> filing_pb2.RegistryResponse:
    """The registry's history of a person, once the insured node's outbox has delivered
    ``count`` events (it publishes right after each change commits)."""
    for _ in range(200):
        reg: filing_pb2.RegistryResponse = await stub.QueryRegistry(
            filing_pb2.RegistryQuery(psn_no=psn_no), timeout=5
        )
        if len(reg.entries) >= count:
            return reg
        await asyncio.sleep(0.02)
    raise RuntimeError(f"the registry did not receive {count} event(s) for {psn_no}")


async def _visit(
    his: His | HttpHisAdapter,
    p: dict[str, Any],
    lines: list[Line],
    begntime: str,
    fee_time: str,
    *,
    med_type: str = "11",
    opsp_dise_code: str = "",
    diag: tuple[str, ...] = ("J06.900",),
    settle: bool = True,
) -> Any:
    mdtrt_id = await his.register(
        REGION,
        p["psn_no"],
        p["insutype"],
        begntime,
        med_type=med_type,
        opsp_dise_code=opsp_dise_code,
        diag=diag,
    )
    await his.upload(REGION, mdtrt_id, p["psn_no"], lines, fee_time)
    total = sum(x.amount() for x in lines)
    call = his.settle if settle else his.pre_settle
    return (
        await call(REGION, mdtrt_id, p["psn_no"], p["insutype"], total, med_type=med_type)
    ).setlinfo


# ---- telling it ----------------------------------------------------------------------------

T = {
    "en": {
        "title": "settlenet demo — cross-province direct settlement, told step by step",
        "network": "The network: a national hub and four province nodes, each its own gRPC "
        "server with its own database.",
        "filing": "{name}, a retiree insured in Hebei (Shijiazhuang), moves to Beijing to live "
        "with family, and on the national medical insurance app files long-term "
        "residence (异地安置退休) with the insured place, Hebei: transaction 2501.",
        "registry": "Hebei publishes the filing to the hub's national filing registry, which "
        "keeps who filed what, when and through which channel.",
        "query": "At {inst} in Beijing, the hospital asks who the patient is (1101). The Beijing "
        "node asks the hub, the hub asks Hebei — and the answer carries her filing.",
        "classify": "The doctor's orders become fee lines (2201 opens visit {mdtrt}, 2204 "
        "uploads them). Beijing classifies every line under its own catalogue "
        "(就医地目录): the place of treatment decides what is in scope.",
        "split": "At the cashier (2206, then 2207) the hub routes the classified totals to "
        "Hebei, whose own policy (参保地政策) decides how much is paid:",
        "compare": "Two neighbours of the same age and insurance have the same visit. {referred} "
        "was referred to Beijing by a Hebei hospital and holds a temporary referral filing "
        "(转诊备案, 2501, {filing_id}): a temporary visit, so Hebei lowers the ratio by "
        "{temporary_points} points (its temporary_referral rule, within the national ceiling of "
        "10). {name} has no filing: Hebei settles unfiled visits at its own reduction, "
        "{unfiled_points} points (unfiled_other). The long-term filer keeps the home ratio:",
        "chronic": "{name}, qualified by Hebei for diabetes (M01600), settles a chronic-disease "
        "visit (med_type 14) under Hebei's diabetes scheme:",
        "revoke": "{name} moves back home and revokes the filing (2502). The registry shows the "
        "history, and the very next pre-settlement in Beijing is unfiled again:",
        "money": "And the money: every settlement means the insured province owes the province "
        "of treatment what its funds paid (from the hub's journal; monthly clearing "
        "settles it).",
        "line": "line",
        "item": "item",
        "class": "class",
        "amount": "amount",
        "fulamt": "full self-pay",
        "overlmt": "over cap",
        "presel": "class-B self-pay",
        "inscp": "in scope",
        "reason": "reason",
        "who": "who pays",
        "node": "node",
        "endpoint": "endpoint",
        "regions": "regions",
        "hub_node": "national hub",
        "yuan": "yuan",
        "fund": "pooled fund (hifp_pay)",
        "funds": "all funds (fund_pay_sumamt)",
        "acct": "personal account (acct_pay)",
        "cash": "cash (psn_cash_pay)",
        "total": "total (medfee_sumamt)",
        "step": "step",
        "what": "what happened",
        "filed": "long-term filing",
        "temporary": "temporary referral filing",
        "unfiled": "without filing",
        "ratio": "ratio (pool_prop_selfpay)",
        "cut": "filing reduction",
        "basis": "filing_category",
        "why": "why (setl_proc_info, step filing)",
        "identities": "identities hold",
        "yes": "yes",
        "no": "NO",
        "pair": "insured → treatment",
        "count": "settlements",
        "owed": "funds owed (yuan)",
        "field": "field",
        "value": "value",
        "event": "event",
        "when": "when",
        "channel": "channel",
        "status": "status",
        "press": "[dim]press Enter to go on[/]",
        "done": "That is the whole flow. Every number above came over gRPC from the nodes.",
        "done_http": "That is the whole flow. Every number above came from the nodes: the "
        "hospital's over the national HTTP interface, the rest over gRPC.",
        "via_http": "The hospital speaks the national HTTP interface, as a hospital's own "
        "system does: it signs in (9001) and posts JSON envelopes with amounts in yuan and "
        "x-tif headers to {url}. The node answers them through the same service layer as "
        "gRPC.",
    },
    "zh": {
        "title": "settlenet 演示 — 跨省异地就医直接结算，一步一步",
        "network": "网络：一个国家平台（hub）和四个省级节点，各自是独立的 gRPC 服务，各有自己的数据库。",
        "filing": "{name}，河北石家庄参保的退休人员，随家人到北京长期生活，在国家医保服务平台 App 上向参保地"
        "河北办理异地安置退休备案：交易 2501。",
        "registry": "河北把备案发布到国家平台的全国备案库，记录谁、何时、通过哪个渠道备案了什么。",
        "query": "在北京的{inst}，医院查询患者身份（1101）。北京节点问国家平台，国家平台问河北——答复中带着备案信息。",
        "classify": "医嘱变成费用明细（2201 登记就诊 {mdtrt}，2204 上传明细）。北京按本地目录（就医地目录）逐条"
        "分类：就医地决定哪些费用属于支付范围。",
        "split": "收费处（先 2206 预结算，再 2207 结算）：国家平台把分类后的合计转给河北，由河北的政策（参保地政策）"
        "决定支付多少：",
        "compare": "两位年龄、险种相同的邻居看了同样的病。{referred}经河北的医院转诊到北京，办理了转诊备案（临时外出就医，"
        "2501，{filing_id}）：属于临时外出就医，河北降低 {temporary_points} 个百分点（temporary_referral 规则，"
        "不超过国家规定的 10 个百分点）。{name}没有备案：河北按本地未备案规则降低 {unfiled_points} 个百分点"
        "（unfiled_other）。长期备案人员执行参保地比例：",
        "chronic": "{name} 经河北认定患有糖尿病（M01600），按河北糖尿病门诊慢特病方案结算（医疗类别 14）：",
        "revoke": "{name} 回到家乡，撤销了备案（2502）。备案库保留历史，北京的下一次预结算又成为未备案：",
        "money": "资金：每一笔结算意味着参保省欠就医省其基金支付的金额（来自国家平台流水；月度清算时结清）。",
        "line": "序号",
        "item": "项目",
        "class": "等级",
        "amount": "金额",
        "fulamt": "全自费",
        "overlmt": "超限价",
        "presel": "先行自付",
        "inscp": "范围内",
        "reason": "原因",
        "who": "支付方",
        "node": "节点",
        "endpoint": "地址",
        "regions": "统筹区",
        "hub_node": "国家平台",
        "yuan": "元",
        "fund": "统筹基金（hifp_pay）",
        "funds": "基金合计（fund_pay_sumamt）",
        "acct": "个人账户（acct_pay）",
        "cash": "现金（psn_cash_pay）",
        "total": "医疗费总额（medfee_sumamt）",
        "step": "步骤",
        "what": "说明",
        "filed": "长期备案",
        "temporary": "转诊备案（临时）",
        "unfiled": "未备案",
        "ratio": "支付比例",
        "cut": "比例降低",
        "basis": "备案类别",
        "why": "依据（setl_proc_info 备案步骤）",
        "identities": "恒等式成立",
        "yes": "是",
        "no": "否",
        "pair": "参保地 → 就医地",
        "count": "笔数",
        "owed": "应付基金（元）",
        "field": "字段",
        "value": "值",
        "event": "交易",
        "when": "时间",
        "channel": "渠道",
        "status": "状态",
        "press": "[dim]按回车继续[/]",
        "done": "以上就是完整流程。每个数字都来自节点之间真实的 gRPC 调用。",
        "done_http": "以上就是完整流程。每个数字都来自节点的真实答复：医院的交易经国家 HTTP 接口，其余经 gRPC。",
        "via_http": "医院像真实的医院信息系统一样使用国家 HTTP 接口：先签到（9001），再以 JSON 报文（金额以元计，"
        "带 x-tif 请求头）发送到 {url}。节点用与 gRPC 相同的服务层处理这些交易。",
    },
}

CLASS = {"01": "A", "02": "B", "03": "C"}

STEP_NAMES_ZH = {
    "scope": "范围",
    "filing": "备案",
    "deductible": "起付线",
    "ratio": "比例",
    "cap": "封顶线",
    "civil_servant": "公务员补助",
    "medical_assistance": "医疗救助",
    "personal_account": "个人账户",
    "cash": "现金",
}
"""The split's steps by name, in Chinese (setl_proc_info.step stays the contract's key)."""

PHRASES_ZH = {
    "total": "合计",
    "no valid filing for this place and date": "本地、本日期无有效备案",
    "no valid filing; a referral visit": "无有效备案；转诊就医",
    "no filing; emergency treatment is treated as filed": "无备案；急诊视同已备案",
    "treated in the insured province": "在参保省就医",
    "treated at home": "在参保地就医",
    "during long-term filing": "（长期备案期间）",
    "long-term filing keeps the home ratio": "长期备案，执行参保地比例",
    "temporary referral visit": "临时外出就医·转诊",
    "emergency treatment": "急诊抢救",
    "other temporary visit": "其他临时外出就医",
    "unfiled referral visit": "未备案·转诊",
    "unfiled visit": "未备案就医",
    "0 points, normal ratio": "降低 0 个百分点，正常比例",
    "points": "个百分点",
    "ratio lowered by": "比例降低",
    "filed": "已备案",
    "full self-pay": "全自费",
    "over price cap": "超限价",
    "class-B pre-self-pay": "乙类先行自付",
    "in scope": "范围内",
    "filing": "备案",
    "normal ratio": "正常比例",
    "to open": "起长期有效",
    "to": "至",
    "annual deductible": "年度起付线",
    "left this year applies": "本年剩余，本次计入",
    "per-visit deductible": "单次起付线",
    "applies": "计入",
    "with": "，",
    "level": "医院等级",
    "ratio": "比例",
    "retiree tilt": "退休倾斜",
    "filing reduction": "备案规则降低",
    "by segment of this year's spending": "按本年累计费用分段",
    "segment from": "分段起点",
    "spent this year": "本年已发生",
    "after deductible": "扣除起付线",
    "limit": "限额",
    "caps allow": "封顶线内还可支付",
    "more (monthly": "（月度",
    "used": "已用",
    "annual": "年度",
    "pooled fund pays": "统筹基金支付",
    "no cap": "不封顶",
    "left of its yearly cap": "为年度封顶剩余",
    "civil-servant subsidy": "公务员医疗补助",
    "of the": "×",
    "left after the pooled fund": "（统筹基金支付后剩余）",
    "medical assistance (identity": "医疗救助（身份",
    "still left": "（仍剩余）",
    "account balance": "个人账户余额",
    "pays": "支付",
    "of the person's": "，个人负担",
    "(in-scope and class-B parts only)": "（仅限范围内及乙类部分）",
    "family account of": "家庭共济账户",
    "(balance": "（余额",
    "left": "剩余",
    "person pays": "个人现金支付",
    "in cash": "",
    "of": "×",
}
"""The split's step explanations (setl_proc_info.desc, English from the insured node) in
Chinese: phrase by phrase, longest first, so ``--lang zh`` explains every step in Chinese."""

_PHRASE_ZH = re.compile(
    "|".join(
        rf"(?<![A-Za-z-]){re.escape(k)}(?![A-Za-z-])"
        for k in sorted(PHRASES_ZH, key=len, reverse=True)
    )
)


def explain(desc: str, lang: str) -> str:
    """A step explanation in ``lang`` (the nodes write English; zh is translated here)."""
    if lang != "zh":
        return desc
    return _PHRASE_ZH.sub(lambda m: PHRASES_ZH[m.group(0)], desc)


def step_name(step: str, lang: str) -> str:
    return f"{STEP_NAMES_ZH.get(step, step)} ({step})" if lang == "zh" else step


class Teller:
    def __init__(self, console: Console, lang: str, wait: Callable[[], None] | None) -> None:
        self.c = console
        self.lang = lang
        self.t = T[lang]
        self.wait = wait

    def say(self, n: int, key: str, **fmt: Any) -> None:
        if self.wait is not None and n > 1:
            self.c.print(self.t["press"])
            self.wait()
        self.c.print()
        self.c.print(
            Panel(self.t[key].format(**fmt), title=f"{n}", title_align="left", expand=True)
        )

    def table(self, *cols: str, title: str = "") -> Table:
        table = Table(title=title or None)
        for col in cols:
            table.add_column(
                self.t.get(col, col),
                justify="right"
                if col
                in (
                    "amount",
                    "fulamt",
                    "overlmt",
                    "presel",
                    "inscp",
                    "yuan",
                    "count",
                    "owed",
                    "filed",
                    "temporary",
                    "unfiled",
                )
                else "left",
            )
        return table

    def split_tables(self, s: dict[str, Any]) -> None:
        t = self.t
        table = self.table("who", "yuan")
        for key, field in (
            ("fund", "hifp_pay"),
            ("funds", "fund_pay_sumamt"),
            ("acct", "acct_pay"),
            ("cash", "psn_cash_pay"),
        ):
            table.add_row(t[key], yuan(int(s[field])))
        table.add_row(f"[bold]{t['total']}", f"[bold]{yuan(int(s['medfee_sumamt']))}")
        self.c.print(table)
        steps = self.table("step", "what", "yuan", title=f"setl_proc_info — {s['setl_id']}")
        for st in s["setl_proc_info"]:
            steps.add_row(
                step_name(st["step"], self.lang),
                explain(st["desc"], self.lang),
                yuan(int(st["amount"])),
            )
        self.c.print(steps)
        bad = identities(s)
        self.c.print(
            f"{t['identities']}: "
            + ("[green]" + t["yes"] + "[/]" if not bad else f"[red]{t['no']}: {bad}[/]")
        )

    def tell(self, steps: list[dict[str, Any]]) -> bool:
        t = self.t
        ok = True
        self.c.rule(f"[bold]{t['title']}")
        for step in steps:
            n, key = step["n"], step["key"]
            if key == "network":
                self.say(n, key)
                table = self.table("node", "endpoint", "regions")
                table.add_row(self.t["hub_node"], step["hub"], "")
                for p in step["provinces"]:
                    table.add_row(
                        f"{p['code']} {p['name']} ({p['name_en']})",
                        p["endpoint"],
                        ", ".join(p["regions"]),
                    )
                self.c.print(table)
                if step.get("via") == "http":
                    self.c.print(t["via_http"].format(url=step["http"]))
            elif key == "filing":
                f = step["filing"]
                self.say(n, key, name=step["person"]["psn_name"])
                table = self.table("field", "value")
                for k in (
                    "filing_id",
                    "category",
                    "category_name",
                    "dest_admdvs",
                    "begndate",
                    "enddate",
                    "evidence",
                    "channel",
                    "status",
                ):
                    table.add_row(k, str(f[k]) or "(open-ended)")
                self.c.print(table)
            elif key in ("registry", "revoke"):
                if key == "revoke":
                    self.say(n, key, name=steps[1]["person"]["psn_name"])
                else:
                    self.say(n, key)
                table = self.table("event", "filing_id", "status", "channel", "when")
                for e in step["entries"]:
                    table.add_row(
                        e["infno"], e["filing_id"], e["status"], e["channel"], e["event_time"]
                    )
                self.c.print(table)
                if key == "revoke":
                    s = step["next_presettle"]
                    self.c.print(
                        f"2206: {t['ratio']} {s['pool_prop_selfpay']} "
                        f"({t['cut']} {s['ratio_reduction']}), {t['fund']} "
                        f"{yuan(int(s['hifp_pay']))}"
                    )
                    ok &= not identities(s)
            elif key == "query":
                inst = step["institution"]
                self.say(n, key, inst=f"{inst['fixmedins_name']} ({inst['fixmedins_code']})")
                p = step["person"]
                table = self.table("field", "value")
                table.add_row("psn_no", p["baseinfo"]["psn_no"])
                table.add_row(
                    "insutype / psn_type",
                    f"{p['insuinfo'][0]['insutype']} / {p['insuinfo'][0]['psn_type']}",
                )
                table.add_row("balc", yuan(int(p["insuinfo"][0]["balc"])))
                for f in p["fileinfo"]:
                    table.add_row(
                        "fileinfo",
                        f"{f['filing_id']} {f['category']} → {f['dest_admdvs']} ({f['status']})",
                    )
                self.c.print(table)
            elif key == "classify":
                self.say(n, key, mdtrt=step["mdtrt_id"])
                table = self.table(
                    "line",
                    "item",
                    "class",
                    "amount",
                    "fulamt",
                    "overlmt",
                    "presel",
                    "inscp",
                    "reason",
                )
                for r in step["lines"]:
                    table.add_row(
                        r["feedetl_sn"],
                        (r["med_list_name"] or r["med_list_codg"])[:20],
                        CLASS.get(r["chrgitm_lv"], "-"),
                        yuan(int(r["det_item_fee_sumamt"])),
                        yuan(int(r["fulamt_ownpay_amt"])),
                        yuan(int(r["overlmt_amt"])),
                        yuan(int(r["preselfpay_amt"])),
                        yuan(int(r["inscp_scp_amt"])),
                        ", ".join(r["reason_codes"]),
                    )
                self.c.print(table)
            elif key == "split":
                self.say(n, key)
                self.split_tables(step["setlinfo"])
                ok &= not identities(step["setlinfo"]) and step["presettle_same"]
            elif key == "compare":
                trio = [step["filed"], step["temporary"], step["unfiled"]]
                self.say(
                    n,
                    key,
                    name=step["unfiled_person"]["psn_name"],
                    referred=step["temporary_person"]["psn_name"],
                    filing_id=step["temporary_filing"]["filing_id"],
                    temporary_points=_points(trio[1]),
                    unfiled_points=_points(trio[2]),
                )
                table = self.table("field", "filed", "temporary", "unfiled")
                table.add_row(t["basis"], *(s["filing_category"] for s in trio))
                table.add_row(t["ratio"], *(s["pool_prop_selfpay"] for s in trio))
                table.add_row(t["cut"], *(s["ratio_reduction"] for s in trio))
                for k, field in (
                    ("fund", "hifp_pay"),
                    ("acct", "acct_pay"),
                    ("cash", "psn_cash_pay"),
                    ("total", "medfee_sumamt"),
                ):
                    table.add_row(t[k], *(yuan(int(s[field])) for s in trio))
                self.c.print(table)
                why = self.table("field", "why")
                for col, s in zip(("filed", "temporary", "unfiled"), trio, strict=True):
                    why.add_row(t[col], explain(_filing_step(s), self.lang))
                self.c.print(why)
                ok &= not any(identities(s) for s in trio[1:])
            elif key == "chronic":
                self.say(n, key, name=step["person"]["psn_name"])
                self.split_tables(step["setlinfo"])
                ok &= not identities(step["setlinfo"])
            elif key == "money":
                self.say(n, key)
                table = self.table("pair", "count", "owed")
                for pair, v in step["pairs"].items():
                    table.add_row(pair, str(v["count"]), yuan(v["fund_pay_sumamt"]))
                self.c.print(table)
        self.c.print()
        via_http = bool(steps) and steps[0].get("via") == "http"
        self.c.print(t["done_http"] if via_http else t["done"])
        return ok


async def _run(data: Path, via: str = "grpc", web: WebDemo | None = None) -> list[dict[str, Any]]:
    # As `settlenet up`: mutual TLS, credentials (and with --web the hub's web view).
    net = await network.start(data, secure=True, web=web is not None)
    try:
        if web is None:
            return await Story(net.describe(), via).run()
        return await web.run(net, via)
    finally:
        await net.stop()


class _Loose(dict[str, Any]):
    """Format fields a narration line cannot fill show as "…"."""

    def __missing__(self, key: str) -> str:
        return "…"


def narration(step: dict[str, Any], lang: str) -> dict[str, Any]:
    """One step as the web view's narration panel shows it (names masked)."""
    person = step.get("person") or step.get("temporary_person") or {}
    setlinfo = step.get("setlinfo") or step.get("filed") or {}
    fmt = _Loose(
        name=mask_name(str(person.get("psn_name", ""))) or "…",
        inst=(step.get("institution") or {}).get("fixmedins_name", "…"),
        mdtrt=step.get("mdtrt_id", "…"),
        referred=mask_name(str((step.get("temporary_person") or {}).get("psn_name", ""))) or "…",
        filing_id=(step.get("temporary_filing") or {}).get("filing_id", "…"),
    )
    if step["key"] == "compare":
        fmt["temporary_points"] = _points(step["temporary"])
        fmt["unfiled_points"] = _points(step["unfiled"])
        fmt["name"] = mask_name(str(step["unfiled_person"]["psn_name"]))
    return {
        "n": step["n"],
        "key": step["key"],
        "text": str(T[lang][step["key"]]).format_map(fmt),
        "setl_id": setlinfo.get("setl_id", ""),
        "mdtrt_id": step.get("mdtrt_id") or setlinfo.get("mdtrt_id", ""),
    }


@dataclass
class WebDemo:
    """``settlenet demo --web``: the hub serves its web view; each step is narrated there
    (a panel on the Network page, with a link to the step's settlement) and the story pauses
    ``pause_s`` so the pages move with it; then the story is told here too (``tell``) and the
    view stays open ``linger_s`` (None: until Ctrl-C)."""

    lang: str
    pause_s: float
    linger_s: float | None
    tell: Callable[[list[dict[str, Any]]], None]
    start_on_enter: bool = False

    async def run(self, net: network.Network, via: str) -> list[dict[str, Any]]:
        hub = net.hub
        print(
            f"settlenet demo: web view (one-time token): {hub.web_url}?token={hub.web_token}",
            file=sys.stderr,
            flush=True,
        )
        if self.start_on_enter:
            print("settlenet demo: open it, then press Enter to start", file=sys.stderr)
            await asyncio.to_thread(sys.stdin.readline)

        async def narrate(step: dict[str, Any]) -> None:
            hub.narrate(narration(step, self.lang))
            await asyncio.sleep(self.pause_s)

        steps = await Story(net.describe(), via, narrate).run()
        done = T[self.lang]["done_http" if via == "http" else "done"]
        hub.narrate({"n": len(steps) + 1, "key": "done", "text": done})
        self.tell(steps)
        await _linger(self.linger_s)
        return steps


async def _linger(seconds: float | None) -> None:
    """Keep serving ``seconds``, or until SIGINT/SIGTERM when None."""
    if seconds is not None:
        await asyncio.sleep(seconds)
        return
    print("settlenet demo: the view stays open; Ctrl-C stops", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def add_parser(sub: Subparsers) -> None:
    demo = sub.add_parser(
        "demo",
        help="tell the filing and settlement flow, step by step",
        description="Start an in-process network (hub + four provinces, "
        "SQLite in a temporary folder) and tell the story: a Hebei retiree "
        "files long-term residence in Beijing, the national registry, 1101, "
        "classification under Beijing's catalogue, Hebei's split, a neighbour "
        "under a temporary referral filing and one without a filing side by "
        "side, a diabetes visit, a revocation, and what "
        "Hebei owes Beijing. The narration, the step explanations and the "
        "labels follow --lang (zh: 中文; en: English).",
    )
    demo.add_argument("--json", action="store_true", help="print a JSON transcript instead")
    demo.add_argument(
        "--step", action="store_true", help="wait for Enter between steps (for a live audience)"
    )
    demo.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="en",
        help="language of the narration, the step explanations and the labels: "
        "zh (中文) or en (default en)",
    )
    demo.add_argument("--data", type=Path, help="keep the databases in this folder")
    demo.add_argument(
        "--web",
        action="store_true",
        help="serve the hub's web view, print its URL with a one-time token, and narrate "
        "each step there while the pages update live (docs/web.md); the view stays open "
        "after the story until Ctrl-C",
    )
    demo.add_argument(
        "--web-pause",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help="with --web: pause after each step (default 3)",
    )
    demo.add_argument(
        "--web-linger",
        type=float,
        default=None,
        metavar="SECONDS",
        help="with --web: keep the view open this long after the story (default: until Ctrl-C)",
    )
    demo.add_argument(
        "--via",
        choices=VIAS,
        default="grpc",
        help="how the hospital's calls reach the Beijing node: grpc (default), or http, the "
        "national HTTP/JSON interface (9001 sign-in, yuan, x-tif headers)",
    )


def main(args: argparse.Namespace) -> int:
    logs = io.StringIO()  # node logs go to a buffer: the demo's own output is the story
    slog.configure("demo", level="WARNING", stream=logs)
    via = getattr(args, "via", "grpc")
    told: list[bool] = []

    def wait_for_enter() -> None:
        sys.stdin.readline()

    def tell(steps: list[dict[str, Any]]) -> None:
        if args.json:
            print(json.dumps({"settlenet_demo": 1, "steps": steps}, ensure_ascii=False, indent=2))
            told.append(True)
            return
        wait = wait_for_enter if args.step else None
        # The terminal's width when there is one (panels and tables wrap to it); a pipe or file
        # gets lines as wide as the widest table, unwrapped.
        width = None if sys.stdout.isatty() else 140
        told.append(Teller(Console(file=sys.stdout, width=width), args.lang, wait).tell(steps))
        sys.stdout.flush()

    web = None
    if getattr(args, "web", False):
        web = WebDemo(
            args.lang,
            args.web_pause,
            args.web_linger,
            tell,
            start_on_enter=args.step and sys.stdin.isatty(),
        )
    if args.data:
        steps = asyncio.run(_run(args.data, via, web))
    else:
        with tempfile.TemporaryDirectory(prefix="settlenet-demo-") as tmp:
            steps = asyncio.run(_run(Path(tmp), via, web))
    if web is None:
        tell(steps)
    if logs.getvalue():
        print(logs.getvalue(), file=sys.stderr)
    return 0 if all(told) else 1
