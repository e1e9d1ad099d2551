"""A hospital information system that knows only the national interface spec — the JSON envelope,
each transaction's input and output, the x-tif headers, amounts in yuan — against `settlenet up`
(real processes, HTTPS verified with the network's CA).

The HIS here is plain dicts and httpx, with its own JSON writer for yuan (Decimal digits on the
wire, never a float) and the x-tif recipe from the spec; nothing of settlenet's but the
signature function. It settles, revokes, cancels, reverses, queries and reconciles over HTTP; the
split of a visit over HTTP equals the same visit's over gRPC to the fen; a msgid sent on one
transport and retried on the other gets the same answer; amounts take 0, 1 or 2 decimals and a
third is refused naming the field; every class of bad input is refused naming the field and
changes nothing; and the whole network reconciles at the end.
"""

from __future__ import annotations

import itertools
import json
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from scripts import connect, launcher, reconcile
from scripts.clients.http_his import signature
from services.pb.settlenet.v1 import common_pb2, treatment_pb2, treatment_pb2_grpc

pytestmark = pytest.mark.slow
TREAT, INSURED, REGION = "11", "13", "130100"
MAIN, OTHER, BOOKS = "H11010100001", "H11010500002", "H11010100003"
"""Institutions of Beijing: MAIN for most tests, OTHER's credentials for a spoofing test, BOOKS
only for the statements test (its books must hold only what that test settled)."""
CST = timezone(timedelta(hours=8))
SEQ = itertools.count(1)
"""One msgid sequence for every call of this module, HTTP and gRPC alike (never repeats)."""
MONEY = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "cvlserv_pay",
    "hifes_pay",
    "hifmi_pay",
    "hifob_pay",
    "maf_pay",
    "oth_pay",
    "fund_pay_sumamt",
    "psn_part_amt",
    "acct_pay",
    "psn_cash_pay",
    "hosp_part_amt",
    "balc",
    "acct_mulaid_pay",
)
LINE_MONEY = (
    "det_item_fee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_amt",
    "preselfpay_amt",
    "inscp_scp_amt",
)
SUMS = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


# ---- the spec's wire, by hand ---------------------------------------------------------------


def _json(o: Any) -> str:
    """JSON with Decimals written as the numbers they are."""
    if isinstance(o, Decimal):
        return str(o)
    if isinstance(o, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_json(v)}" for k, v in o.items()) + "}"
    if isinstance(o, list):
        return "[" + ",".join(_json(v) for v in o) + "]"
    return json.dumps(o, ensure_ascii=False)


def _loads(raw: bytes) -> Any:
    return json.loads(raw, parse_float=Decimal)


def _fen(yuan: Any) -> int:
    cents = Decimal(yuan) * 100
    assert cents == cents.to_integral_value(), f"{yuan} has more than two decimals"
    return int(cents)


def _now() -> datetime:
    return datetime.now(CST).replace(microsecond=0)


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _x_tif(paasid: str, token: str, timestamp: int | None = None) -> dict[str, str]:
    ts, nonce = str(int(time.time()) if timestamp is None else timestamp), uuid.uuid4().hex
    return {
        "x-tif-paasid": paasid,
        "x-tif-timestamp": ts,
        "x-tif-nonce": nonce,
        "x-tif-signature": signature(ts, token, nonce),
    }


class SpecHis:
    """One institution's HIS as the spec describes it."""

    def __init__(self, client: httpx.AsyncClient, doc: dict[str, Any], code: str) -> None:
        prov = doc["provinces"][TREAT]
        self.client, self.url = client, str(prov["http"])
        self.inst = next(i for i in prov["institutions"] if i["fixmedins_code"] == code)
        self.account = next(a for a in doc["security"]["accounts"][TREAT] if a["code"] == code)
        self.code = code
        self.sign_no = ""

    def msgid(self) -> str:
        return f"{self.code}{_now():%Y%m%d%H%M%S}{next(SEQ) % 10000:04d}"

    def envelope(
        self, infno: str, input: Any, *, insuplc: str = REGION, msgid: str | None = None
    ) -> dict[str, Any]:
        return {
            "infno": infno,
            "msgid": msgid or self.msgid(),
            "mdtrtarea_admvs": self.inst["admdvs"],
            "insuplc_admdvs": insuplc,
            "recer_sys_code": "YBXT",
            "dev_no": "",
            "dev_safe_info": "",
            "cainfo": "",
            "signtype": "",
            "infver": "V1.0",
            "opter_type": "1",
            "opter": "OP001",
            "opter_name": "收费员",
            "inf_time": _time(_now()),
            "fixmedins_code": self.code,
            "fixmedins_name": self.inst["fixmedins_name"],
            "sign_no": self.sign_no,
            "input": input,
        }

    def headers(self) -> dict[str, str]:
        return {"content-type": "application/json"} | _x_tif(
            self.account["paasid"], self.account["token"]
        )

    async def post(
        self,
        env: dict[str, Any] | None,
        *,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        url: str | None = None,
    ) -> tuple[int, Any]:
        res = await self.client.post(
            url or self.url,
            content=content if content is not None else _json(env).encode(),
            headers=self.headers() if headers is None else headers,
        )
        return res.status_code, _loads(res.content)

    async def ok(self, infno: str, input: Any, **kw: Any) -> Any:
        status, answer = await self.post(self.envelope(infno, input, **kw))
        assert status == 200 and answer["infcode"] == 0, (infno, status, answer.get("err_msg"))
        for k in ("inf_refmsgid", "refmsg_time", "respond_time"):
            assert k in answer
        assert len(answer["respond_time"]) == 17 and answer["respond_time"].isdigit()
        return answer["output"]

    async def refused(self, env: dict[str, Any], field: str, status_code: int = 200) -> str:
        """Post ``env``: it must be refused with infcode -1 naming ``field`` (HTTP 200: a
        business error; 403: the envelope speaks for a code the credentials are not bound to)."""
        status, answer = await self.post(env)
        assert status == status_code, (env["infno"], status, answer.get("err_msg"))
        assert answer["infcode"] == -1 and answer["output"] is None, answer
        assert field in answer["err_msg"], (field, answer["err_msg"])
        return str(answer["err_msg"])

    async def sign_in(self) -> None:
        out = await self.ok(
            "9001",
            {"signIn": {"opter_no": "OP001", "mac": "70-B5-E8-3F-1C-34", "ip": "127.0.0.1"}},
            insuplc="",
        )
        self.sign_no = str(out["signinoutb"]["sign_no"])
        assert self.sign_no and out["signinoutb"]["sign_time"]

    async def register(self, psn_no: str, insutype: str, ipt_otp_no: str) -> str:
        begntime = _time(_now() - timedelta(minutes=30))
        out = await self.ok(
            "2201",
            {
                "data": {
                    "psn_no": psn_no,
                    "insutype": insutype,
                    "begntime": begntime,
                    "mdtrt_cert_type": "01",
                    "mdtrt_cert_no": psn_no,
                    "ipt_otp_no": ipt_otp_no,
                    "atddr_no": "D001",
                    "dr_name": "王医生",
                    "dept_code": "A03",
                    "dept_name": "内科",
                    "caty": "A03",
                    "med_type": "11",
                },
                "diseinfo": [
                    {
                        "diag_type": "1",
                        "diag_srt_no": 1,
                        "diag_code": "J06.900",
                        "diag_name": "急性上呼吸道感染",
                        "diag_dept": "内科",
                        "dise_dor_no": "D001",
                        "dise_dor_name": "王医生",
                        "diag_time": begntime,
                        "vali_flag": "1",
                    }
                ],
            },
        )
        assert out["data"]["psn_no"] == psn_no and out["data"]["ipt_otp_no"] == ipt_otp_no
        return str(out["data"]["mdtrt_id"])

    async def upload(self, mdtrt_id: str, psn_no: str, lines: list[Any], first: int = 1) -> Any:
        return (await self.ok("2204", {"feedetail": feedetail(mdtrt_id, psn_no, lines, first)}))[
            "result"
        ]


def feedetail(
    mdtrt_id: str, psn_no: str, lines: list[tuple[str, Decimal, Decimal]], first: int = 1
) -> list[dict[str, Any]]:
    fee_time = _time(_now() - timedelta(minutes=20))
    return [
        {
            "feedetl_sn": f"{first + i:04d}",
            "mdtrt_id": mdtrt_id,
            "psn_no": psn_no,
            "chrg_bchno": "B0001",
            "rx_circ_flag": "0",
            "fee_ocur_time": fee_time,
            "med_list_codg": code,
            "medins_list_codg": code,
            "det_item_fee_sumamt": (cnt * pric).quantize(Decimal("0.01")),
            "cnt": cnt,
            "pric": pric,
            "bilg_dept_codg": "A03",
            "bilg_dept_name": "内科",
            "bilg_dr_codg": "D001",
            "bilg_dr_name": "王医生",
            "hosp_appr_flag": "1",
        }
        for i, (code, cnt, pric) in enumerate(lines)
    ]


def settle_data(mdtrt_id: str, person: dict[str, Any], total: Any) -> dict[str, Any]:
    return {
        "psn_no": person["psn_no"],
        "mdtrt_cert_type": "01",
        "mdtrt_cert_no": person["psn_no"],
        "med_type": "11",
        "medfee_sumamt": total,
        "psn_setlway": "01",
        "mdtrt_id": mdtrt_id,
        "chrg_bchno": "B0001",
        "acct_used_flag": "1",
        "insutype": person["insutype"],
    }


def lines_of(doc: dict[str, Any]) -> list[tuple[str, Decimal, Decimal]]:
    cat = doc["provinces"][TREAT]["catalogue"]
    return [
        (cat["class_a"][0]["med_list_codg"], Decimal("2"), Decimal("14.49")),
        (cat["class_a"][1]["med_list_codg"], Decimal("1"), Decimal("33.12")),
        (cat["class_b"][0]["med_list_codg"], Decimal("1"), Decimal("45.54")),
        (cat["class_b"][1]["med_list_codg"], Decimal("2"), Decimal("70.38")),
        (cat["class_a"][2]["med_list_codg"], Decimal("0.5"), Decimal("68.00")),
        (cat["class_c"][0]["med_list_codg"], Decimal("1"), Decimal("4.02")),
        (cat["outside_catalogue"][0], Decimal("1"), Decimal("15.00")),
    ]


def total_of(lines: list[tuple[str, Decimal, Decimal]]) -> Decimal:
    return sum(((c * p).quantize(Decimal("0.01")) for _, c, p in lines), Decimal("0.00"))


def person(doc: dict[str, Any], i: int) -> dict[str, Any]:
    return dict(doc["provinces"][INSURED]["persons"][i])


def money(s: dict[str, Any], fields: tuple[str, ...] = MONEY) -> dict[str, int]:
    return {k: _fen(s[k]) for k in fields if k in s}


def identities(s: dict[str, Any]) -> None:
    m = money(s)
    parts = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")
    assert m["medfee_sumamt"] == sum(m[k] for k in parts)
    assert m["medfee_sumamt"] == m["fund_pay_sumamt"] + m["acct_pay"] + m["psn_cash_pay"]


# ---- gRPC, for the comparisons ------------------------------------------------------------------


def grpc_header(his: SpecHis, infno: str, msgid: str | None = None) -> common_pb2.RequestHeader:
    return common_pb2.RequestHeader(
        infno=infno,
        msgid=msgid or his.msgid(),
        mdtrtarea_admvs=his.inst["admdvs"],
        insuplc_admdvs=REGION,
        fixmedins_code=his.code,
        opter_type="1",
        opter="OP001",
        inf_time=_time(_now()),
    )


def grpc_settle(
    his: SpecHis, infno: str, mdtrt_id: str, p: dict[str, Any], total: Decimal, msgid: str
) -> treatment_pb2.SettleRequest:
    """The gRPC twin of :func:`settle_data` (same fields, fen)."""
    return treatment_pb2.SettleRequest(
        header=grpc_header(his, infno, msgid),
        psn_no=p["psn_no"],
        mdtrt_cert_type="01",
        mdtrt_cert_no=p["psn_no"],
        med_type="11",
        medfee_sumamt=_fen(total),
        psn_setlway="01",
        mdtrt_id=mdtrt_id,
        chrg_bchno="B0001",
        acct_used_flag="1",
        insutype=p["insutype"],
    )


def proto_money(s: Any, fields: tuple[str, ...] = MONEY) -> dict[str, int]:
    return {k: int(getattr(s, k)) for k in fields}


# ---- the network ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("http-his") / "net"
    try:
        up, doc = launcher.start_network(data, ["--provinces", "11,13"], timeout=120)
    except launcher.LaunchError as exc:
        pytest.fail(str(exc))
    try:
        assert doc["provinces"][TREAT]["http"].startswith("https://")
        yield doc  # type: ignore[misc]
    finally:
        up.stop(timeout=30)


@pytest_asyncio.fixture
async def http(running: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client that trusts the network's CA only."""
    ca = ssl.create_default_context(cafile=str(Path(running["security"]["ca"])))
    async with httpx.AsyncClient(verify=ca, timeout=30) as client:
        yield client


# ---- the tests ------------------------------------------------------------------------------


async def test_a_spec_his_settles_revokes_cancels_reverses_and_queries_over_http(
    running: dict[str, Any], http: httpx.AsyncClient
) -> None:
    doc, p = running, person(running, 1)
    his = SpecHis(http, doc, MAIN)
    await his.sign_in()

    info = await his.ok(
        "1101",
        {
            "data": {
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": p["certno"],
                "card_sn": "",
                "begntime": "",
                "psn_cert_type": "01",
                "certno": p["certno"],
                "psn_name": "",
            }
        },
    )
    psn_no = info["baseinfo"]["psn_no"]
    assert psn_no == p["psn_no"] and isinstance(info["idetinfo"], list)
    insu = info["insuinfo"][0]
    assert insu["insutype"] == p["insutype"] and insu["insuplc_admdvs"] == REGION
    assert _fen(insu["balc"]) >= 0

    lines = lines_of(doc)
    total = total_of(lines)
    mdtrt_id = await his.register(psn_no, p["insutype"], "OPHTTP0001")
    result = await his.upload(mdtrt_id, psn_no, lines)
    assert [r["feedetl_sn"] for r in result] == [f"{i:04d}" for i in range(1, 8)]
    for r in result:
        m = money(r, LINE_MONEY)
        assert m["det_item_fee_sumamt"] == sum(m[k] for k in LINE_MONEY[1:])
    fees = await his.ok("5204", {"data": {"psn_no": psn_no, "setl_id": "", "mdtrt_id": mdtrt_id}})
    assert isinstance(fees, list) and len(fees) == 7
    assert sum(_fen(f["det_item_fee_sumamt"]) for f in fees) == _fen(total)

    pre = await his.ok("2206", {"data": settle_data(mdtrt_id, p, total)})
    identities(pre["setlinfo"])
    assert _fen(pre["setlinfo"]["medfee_sumamt"]) == _fen(total)
    msgid = his.msgid()
    sums = {k: pre["setlinfo"][k] for k in SUMS}
    done = await his.ok("2207", {"data": settle_data(mdtrt_id, p, total) | sums}, msgid=msgid)
    s = done["setlinfo"]
    assert s["setl_id"] and s["medins_setl_id"] == msgid and s["mdtrt_id"] == mdtrt_id
    assert money(s) == money(pre["setlinfo"])
    assert sum(_fen(d["fund_payamt"]) for d in done["setldetail"]) == _fen(s["fund_pay_sumamt"])

    q = await his.ok(
        "5203", {"data": {"psn_no": psn_no, "setl_id": s["setl_id"], "mdtrt_id": mdtrt_id}}
    )
    assert q["setlinfo"]["setl_id"] == s["setl_id"]
    same = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "hifp_pay")
    assert money(q["setlinfo"], same) == money(s, same)
    assert isinstance(q["setldetail"], list)
    fees = await his.ok(
        "5204", {"data": {"psn_no": psn_no, "setl_id": s["setl_id"], "mdtrt_id": mdtrt_id}}
    )
    assert sorted(f["feedetl_sn"] for f in fees) == [r["feedetl_sn"] for r in result]

    rev = (
        await his.ok(
            "2208", {"data": {"setl_id": s["setl_id"], "mdtrt_id": mdtrt_id, "psn_no": psn_no}}
        )
    )["setlinfo"]
    assert rev["setl_id"] != s["setl_id"]
    for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay"):
        assert _fen(rev[k]) == -_fen(s[k]), k
    assert _fen(rev["pdn_cash_pay"]) == _fen(rev["psn_cash_pay"])

    # 2202: a registration cancelled takes no fee lines.
    second = await his.register(psn_no, p["insutype"], "OPHTTP0002")
    cancelled = await his.ok(
        "2202", {"data": {"psn_no": psn_no, "mdtrt_id": second, "ipt_otp_no": "OPHTTP0002"}}
    )
    assert not cancelled
    await his.refused(
        his.envelope("2204", {"feedetail": feedetail(second, psn_no, lines[:1])}), "mdtrt_id"
    )

    # 2205: every unsettled line cancelled ("0000"), other lines uploaded, the visit settles them.
    third = await his.register(psn_no, p["insutype"], "OPHTTP0003")
    await his.upload(third, psn_no, lines[:3])
    assert not await his.ok(
        "2205", {"data": {"mdtrt_id": third, "chrg_bchno": "0000", "psn_no": psn_no}}
    )
    assert (
        await his.ok("5204", {"data": {"psn_no": psn_no, "setl_id": "", "mdtrt_id": third}}) == []
    )
    await his.upload(third, psn_no, lines[3:5], first=11)
    rest = total_of(lines[3:5])
    await his.refused(
        his.envelope("2206", {"data": settle_data(third, p, total_of(lines[:5]))}), "medfee_sumamt"
    )
    assert _fen(
        (await his.ok("2206", {"data": settle_data(third, p, rest)}))["setlinfo"]["medfee_sumamt"]
    ) == _fen(rest)

    # 2601: a 2207 whose answer the HIS never saw, corrected; its msgid is closed for good.
    lost = his.msgid()
    await his.ok("2207", {"data": settle_data(third, p, rest)}, msgid=lost)
    out = await his.ok("2601", {"data": {"psn_no": psn_no, "omsgid": lost, "oinfno": "2207"}})
    assert out["omsgid"] == lost and out["outcome"] == "reversed"
    await his.refused(
        his.envelope("2207", {"data": settle_data(third, p, rest)}, msgid=lost), "msgid"
    )

    # 9002: the sign_no is no good afterwards.
    await his.ok("9002", {"signOut": {"sign_no": his.sign_no, "opter_no": "OP001"}}, insuplc="")
    await his.refused(
        his.envelope("5204", {"data": {"psn_no": psn_no, "setl_id": "", "mdtrt_id": mdtrt_id}}),
        "sign_no",
    )


async def test_the_split_of_a_visit_over_http_equals_the_same_visit_over_grpc_to_the_fen(
    running: dict[str, Any], http: httpx.AsyncClient
) -> None:
    doc, p = running, person(running, 0)
    lines, total = lines_of(doc), total_of(lines_of(doc))
    his = SpecHis(http, doc, MAIN)
    await his.sign_in()
    async with connect.hospitals(doc, TREAT) as channel:
        stub = treatment_pb2_grpc.TreatmentServiceStub(channel)
        # The same person, the same lines: visit A over HTTP, visit B over gRPC.
        a = await his.register(p["psn_no"], p["insutype"], "OPSPLIT0001")
        a_lines = await his.upload(a, p["psn_no"], lines)
        reg = await stub.RegisterVisit(
            treatment_pb2.RegisterVisitRequest(
                header=grpc_header(his, "2201"),
                psn_no=p["psn_no"],
                insutype=p["insutype"],
                begntime=_time(_now() - timedelta(minutes=30)),
                mdtrt_cert_type="01",
                mdtrt_cert_no=p["psn_no"],
                ipt_otp_no="OPSPLIT0002",
                med_type="11",
                dept_code="A03",
                dept_name="内科",
                diseinfo=[common_pb2.Diagnosis(diag_code="J06.900", diag_name="急性上呼吸道感染")],
            ),
            timeout=30,
        )
        b = reg.mdtrt_id
        b_lines = await stub.UploadFeeDetails(
            treatment_pb2.UploadFeeDetailsRequest(
                header=grpc_header(his, "2204"),
                mdtrt_id=b,
                psn_no=p["psn_no"],
                chrg_bchno="B0001",
                feedetail=[
                    treatment_pb2.FeeDetail(
                        feedetl_sn=f"{i + 1:04d}",
                        fee_ocur_time=_time(_now() - timedelta(minutes=20)),
                        med_list_codg=code,
                        cnt=str(cnt),
                        pric=_fen(pric),
                        det_item_fee_sumamt=_fen((cnt * pric).quantize(Decimal("0.01"))),
                    )
                    for i, (code, cnt, pric) in enumerate(lines)
                ],
            ),
            timeout=30,
        )
        for x, y in zip(a_lines, b_lines.result, strict=True):
            assert money(x, LINE_MONEY) == proto_money(y, LINE_MONEY)
            assert x["chrgitm_lv"] == y.chrgitm_lv
            assert Decimal(x["selfpay_prop"] or "0") == Decimal(y.selfpay_prop or "0")

        pre_a = (await his.ok("2206", {"data": settle_data(a, p, total)}))["setlinfo"]
        pre_b = (
            await stub.PreSettle(grpc_settle(his, "2206", b, p, total, his.msgid()), timeout=30)
        ).setlinfo
        assert money(pre_a) == proto_money(pre_b)
        assert Decimal(pre_a["pool_prop_selfpay"]) == Decimal(pre_b.pool_prop_selfpay)

        # Settled over HTTP, revoked; then the twin settled over gRPC from the same state.
        done_a = await his.ok("2207", {"data": settle_data(a, p, total)})
        s = done_a["setlinfo"]
        await his.ok(
            "2208", {"data": {"setl_id": s["setl_id"], "mdtrt_id": a, "psn_no": p["psn_no"]}}
        )
        done_b = (
            await stub.Settle(grpc_settle(his, "2207", b, p, total, his.msgid()), timeout=30)
        ).setlinfo
        assert money(s) == proto_money(done_b)
        assert money(s) == money(pre_a)
        assert {d["fund_pay_type"]: _fen(d["fund_payamt"]) for d in done_a["setldetail"]} == {
            d.fund_pay_type: d.fund_payamt for d in done_b.setldetail
        }
        await stub.RevokeSettlement(
            treatment_pb2.RevokeSettlementRequest(
                header=grpc_header(his, "2208"),
                setl_id=done_b.setl_id,
                mdtrt_id=b,
                psn_no=p["psn_no"],
            ),
            timeout=30,
        )


async def test_a_msgid_sent_on_one_transport_and_retried_on_the_other_gets_the_same_answer(
    running: dict[str, Any], http: httpx.AsyncClient
) -> None:
    doc, p = running, person(running, 2)
    lines = lines_of(doc)[:4]
    total = total_of(lines)
    his = SpecHis(http, doc, MAIN)
    await his.sign_in()
    mdtrt_id = await his.register(p["psn_no"], p["insutype"], "OPRETRY0001")
    await his.upload(mdtrt_id, p["psn_no"], lines)
    async with connect.hospitals(doc, TREAT) as channel:
        stub = treatment_pb2_grpc.TreatmentServiceStub(channel)
        # HTTP first, then gRPC (and HTTP again) with the same msgid and body.
        m = his.msgid()
        first = (await his.ok("2207", {"data": settle_data(mdtrt_id, p, total)}, msgid=m))[
            "setlinfo"
        ]
        again = await stub.Settle(grpc_settle(his, "2207", mdtrt_id, p, total, m), timeout=30)
        assert again.setlinfo.setl_id == first["setl_id"]
        assert proto_money(again.setlinfo) == money(first)
        assert again.setlinfo.medins_setl_id == m
        third = (await his.ok("2207", {"data": settle_data(mdtrt_id, p, total)}, msgid=m))[
            "setlinfo"
        ]
        assert third["setl_id"] == first["setl_id"] and money(third) == money(first)

        # gRPC first, then HTTP.
        n = his.msgid()
        rev = await stub.RevokeSettlement(
            treatment_pb2.RevokeSettlementRequest(
                header=grpc_header(his, "2208", n),
                setl_id=first["setl_id"],
                mdtrt_id=mdtrt_id,
                psn_no=p["psn_no"],
            ),
            timeout=30,
        )
        retried = (
            await his.ok(
                "2208",
                {
                    "data": {
                        "setl_id": first["setl_id"],
                        "mdtrt_id": mdtrt_id,
                        "psn_no": p["psn_no"],
                    }
                },
                msgid=n,
            )
        )["setlinfo"]
        assert retried["setl_id"] == rev.setlinfo.setl_id
        assert money(retried) == proto_money(rev.setlinfo)


async def test_amounts_take_0_1_or_2_decimals_and_a_third_is_refused_naming_the_field(
    running: dict[str, Any], http: httpx.AsyncClient
) -> None:
    doc, p = running, person(running, 3)
    code = doc["provinces"][TREAT]["catalogue"]["class_a"][0]["med_list_codg"]
    his = SpecHis(http, doc, MAIN)
    await his.sign_in()
    mdtrt_id = await his.register(p["psn_no"], p["insutype"], "OPDEC0001")

    def line(sn: int, pric: Any, amount: Any) -> dict[str, Any]:
        fee = feedetail(mdtrt_id, p["psn_no"], [(code, Decimal(1), Decimal(1))], sn)[0]
        return fee | {"pric": pric, "det_item_fee_sumamt": amount}

    async def presettle(total: Any) -> int:
        out = await his.ok("2206", {"data": settle_data(mdtrt_id, p, total)})
        return _fen(out["setlinfo"]["medfee_sumamt"])

    # 0 decimals: the JSON integer 12.
    [r] = (await his.ok("2204", {"feedetail": [line(1, 12, 12)]}))["result"]
    assert _fen(r["det_item_fee_sumamt"]) == 1200 and _fen(r["pric"]) == 1200
    assert await presettle(12) == 1200
    # 1 decimal, then 2.
    await his.ok("2204", {"feedetail": [line(2, Decimal("0.5"), Decimal("0.5"))]})
    assert await presettle(Decimal("12.5")) == 1250
    await his.ok("2204", {"feedetail": [line(3, Decimal("0.34"), Decimal("0.34"))]})
    assert await presettle(Decimal("12.84")) == 1284
    # A third decimal that is zero is no decimal; a numeric string is a number.
    assert await presettle(Decimal("12.840")) == 1284
    assert await presettle("12.84") == 1284
    # A third decimal is refused, naming the field; nothing is uploaded.
    await his.refused(
        his.envelope("2204", {"feedetail": [line(4, Decimal("0.345"), Decimal("0.35"))]}), "pric"
    )
    await his.refused(
        his.envelope("2204", {"feedetail": [line(4, Decimal("0.34"), Decimal("0.345"))]}),
        "det_item_fee_sumamt",
    )
    await his.refused(
        his.envelope("2206", {"data": settle_data(mdtrt_id, p, Decimal("12.845"))}),
        "medfee_sumamt",
    )
    fees = await his.ok(
        "5204", {"data": {"psn_no": p["psn_no"], "setl_id": "", "mdtrt_id": mdtrt_id}}
    )
    assert sorted(_fen(f["det_item_fee_sumamt"]) for f in fees) == [34, 50, 1200]
    # Settled and queried: fen exactly.
    s = (await his.ok("2207", {"data": settle_data(mdtrt_id, p, Decimal("12.84"))}))["setlinfo"]
    identities(s)
    q = await his.ok(
        "5203", {"data": {"psn_no": p["psn_no"], "setl_id": s["setl_id"], "mdtrt_id": mdtrt_id}}
    )
    assert _fen(q["setlinfo"]["medfee_sumamt"]) == 1284


async def _state(his: SpecHis, doc: dict[str, Any], visit: dict[str, str]) -> dict[str, Any]:
    """What the network holds, read through its query transactions and reconciliation."""
    report = await reconcile.run(doc, "", "")
    settlement = await his.ok("5203", {"data": visit})
    fees = await his.ok("5204", {"data": visit | {"setl_id": ""}})
    async with connect.hospitals(doc, TREAT) as channel:
        stub = treatment_pb2_grpc.TreatmentServiceStub(channel)
        known = await stub.QuerySettlement(
            treatment_pb2.QuerySettlementRequest(
                header=grpc_header(his, "5203"), mdtrt_id=visit["mdtrt_id"]
            ),
            timeout=30,
        )
    return {
        "hub_totals": report["hub_totals"],
        "records": [(c["province"], c["role"], c["records"]) for c in report["comparisons"]],
        "setlinfo": money(settlement["setlinfo"]),
        "fees": sorted((f["feedetl_sn"], _fen(f["det_item_fee_sumamt"])) for f in fees),
        "grpc": [(x.setl_id, x.medfee_sumamt, x.refd_setl_flag) for x in known.setlinfo],
    }


async def test_every_class_of_bad_input_is_refused_naming_the_field_and_changes_nothing(
    running: dict[str, Any], http: httpx.AsyncClient
) -> None:
    doc, p = running, person(running, 4)
    lines = lines_of(doc)[:3]
    total = total_of(lines)
    his = SpecHis(http, doc, MAIN)
    await his.sign_in()
    mdtrt_id = await his.register(p["psn_no"], p["insutype"], "OPBAD0001")
    await his.upload(mdtrt_id, p["psn_no"], lines)
    m = his.msgid()
    s = (await his.ok("2207", {"data": settle_data(mdtrt_id, p, total)}, msgid=m))["setlinfo"]
    visit = {"psn_no": p["psn_no"], "setl_id": s["setl_id"], "mdtrt_id": mdtrt_id}
    other = await his.register(p["psn_no"], p["insutype"], "OPBAD0002")
    await his.upload(other, p["psn_no"], lines[:1])
    before = await _state(his, doc, visit)

    def with_data(infno: str, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return his.envelope(infno, {"data": data}, **kw)

    def registration(**changes: Any) -> dict[str, Any]:
        data = {
            "psn_no": p["psn_no"],
            "insutype": p["insutype"],
            "begntime": _time(_now() - timedelta(minutes=30)),
            "mdtrt_cert_type": "01",
            "mdtrt_cert_no": p["psn_no"],
            "ipt_otp_no": "OPBAD0003",
            "atddr_no": "D001",
            "dr_name": "王医生",
            "dept_code": "A03",
            "dept_name": "内科",
            "caty": "A03",
            "med_type": "11",
        } | changes
        return with_data("2201", {k: v for k, v in data.items() if v is not None})

    def fee(**changes: Any) -> dict[str, Any]:
        line = feedetail(other, p["psn_no"], lines[1:2], first=2)[0] | changes
        return his.envelope("2204", {"feedetail": [line]})

    def presettle(amount: Any) -> dict[str, Any]:
        return with_data("2206", settle_data(other, p, amount))

    def envelope(**changes: Any) -> dict[str, Any]:
        """A 2206 that would be answered (and changes nothing), with ``changes``."""
        env = with_data("2206", settle_data(other, p, total_of(lines[:1])))
        return {k: v for k, v in (env | changes).items() if v is not None}

    # Missing, malformed, too long, control characters, wrong values.
    await his.refused(registration(psn_no=None), "psn_no")
    await his.refused(registration(begntime="2026-13-45 25:00:00"), "begntime")
    await his.refused(registration(ipt_otp_no="X" * 31), "ipt_otp_no")
    await his.refused(registration(dept_name="内\u0000科"), "dept_name")
    await his.refused(registration(insutype="999"), "insutype")
    # Wrong JSON types, amounts that are not amounts.
    await his.refused(his.envelope("2204", {"feedetail": "0001"}), "feedetail")
    await his.refused(fee(pric=Decimal("-1.00")), "pric")
    await his.refused(fee(cnt="abc"), "cnt")
    await his.refused(fee(det_item_fee_sumamt=Decimal("1.00")), "det_item_fee_sumamt")
    await his.refused(fee(feedetl_sn="0001"), "feedetl_sn")  # already uploaded
    await his.refused(presettle("abc"), "medfee_sumamt")
    await his.refused(presettle({"yuan": 1}), "medfee_sumamt")
    await his.refused(presettle(Decimal("1.234")), "medfee_sumamt")
    await his.refused(presettle(total + 1), "medfee_sumamt")  # not the node's total
    # Ids that name nothing.
    await his.refused(with_data("2207", settle_data("M" * 20, p, total)), "mdtrt_id")
    await his.refused(with_data("2208", {**visit, "setl_id": "S" * 20}), "setl_id")
    await his.refused(with_data("5203", {**visit, "setl_id": "S" * 20}), "setl_id")
    await his.refused(
        with_data("2601", {"psn_no": p["psn_no"], "omsgid": "123", "oinfno": "2207"}), "omsgid"
    )
    # A msgid reused with another body.
    await his.refused(with_data("2207", settle_data(other, p, total), msgid=m), "msgid")
    # The envelope.
    await his.refused(envelope(infno="9999"), "infno")
    await his.refused(envelope(msgid=f"{MAIN}{_now():%Y%m%d}9961xx01"), "msgid")
    # A msgid that does not start with the caller's code speaks for another institution: 403,
    # as gRPC's PERMISSION_DENIED (the credentials are checked before the envelope).
    await his.refused(envelope(msgid="123"), "msgid", 403)
    await his.refused(envelope(msgid=f"{OTHER}{_now():%Y%m%d%H%M%S}0001"), "msgid", 403)
    await his.refused(envelope(fixmedins_code=OTHER), "fixmedins_code", 403)
    await his.refused(envelope(inf_time="yesterday"), "inf_time")
    await his.refused(envelope(opter_type="9"), "opter_type")
    await his.refused(envelope(insuplc_admdvs="99"), "insuplc_admdvs")
    await his.refused(envelope(input=None), "input")
    await his.refused(envelope(sign_no="NOSUCHSIGN"), "sign_no")
    await his.refused(envelope(sign_no=""), "sign_no")

    # Transport and credentials: a clear HTTP status with a JSON body.
    async def status_of(**kw: Any) -> int:
        status, answer = await his.post(envelope(), **kw)
        assert answer["infcode"] == -1 and answer["err_msg"], answer
        return status

    assert await status_of(content=b"{not json") == 400
    assert await status_of(url=his.url.replace("callService", "callNothing")) == 404
    assert await status_of(headers={"content-type": "application/json"}) == 401
    token = his.account["token"]
    wrong = _x_tif(his.account["paasid"], token[::-1])
    assert await status_of(headers=wrong) == 401
    stale = _x_tif(his.account["paasid"], token, int(time.time()) - 3600)
    assert await status_of(headers=stale) == 401
    once = his.headers()
    status, _ = await his.post(envelope(), headers=once)
    assert status == 200
    assert await status_of(headers=once) == 401  # the same nonce again: a replay
    spoof = next(a for a in doc["security"]["accounts"][TREAT] if a["code"] == OTHER)
    assert await status_of(headers=_x_tif(spoof["paasid"], spoof["token"])) == 403

    assert await _state(his, doc, visit) == before


async def test_the_hospitals_statements_3201_and_3202_agree_with_its_books(
    running: dict[str, Any], http: httpx.AsyncClient
) -> None:
    doc, p = running, person(running, 5)
    lines = lines_of(doc)[:5]
    total = total_of(lines)
    his = SpecHis(http, doc, BOOKS)
    await his.sign_in()
    books: list[dict[str, Any]] = []
    for n in (1, 2):
        mdtrt_id = await his.register(p["psn_no"], p["insutype"], f"OPBOOK000{n}")
        await his.upload(mdtrt_id, p["psn_no"], lines)
        books.append((await his.ok("2207", {"data": settle_data(mdtrt_id, p, total)}))["setlinfo"])
    last = books[-1]
    revoked = {"setl_id": last["setl_id"], "mdtrt_id": last["mdtrt_id"], "psn_no": p["psn_no"]}
    books.append((await his.ok("2208", {"data": revoked}))["setlinfo"])

    def sum_of(k: str) -> Decimal:
        return sum((Decimal(b[k]) for b in books), Decimal("0.00"))

    days = sorted(b["setl_time"][:10] for b in books)
    period = {"setl_optins": REGION, "stmt_begndate": days[0], "stmt_enddate": days[-1]}
    totals = period | {
        "insutype": p["insutype"],
        "clr_type": "11",
        "medfee_sumamt": sum_of("medfee_sumamt"),
        "fund_pay_sumamt": sum_of("fund_pay_sumamt"),
        "acct_pay": sum_of("acct_pay"),
        "fixmedins_setl_cnt": len(books),
    }
    agreed = await his.ok("3201", {"data": totals}, insuplc="")
    assert agreed["stmtinfo"]["stmt_rslt"] == "0", agreed
    off = totals | {"medfee_sumamt": sum_of("medfee_sumamt") + Decimal("0.01")}
    differs = await his.ok("3201", {"data": off}, insuplc="")
    assert differs["stmtinfo"]["stmt_rslt"] != "0", differs

    # 3202: the hospital's records inline (no file service), the node's differences back.
    details = period | {
        "file_qury_no": "",
        "medfee_sumamt": sum_of("medfee_sumamt"),
        "fund_pay_sumamt": sum_of("fund_pay_sumamt"),
        "cash_payamt": sum_of("psn_cash_pay"),
        "fixmedins_setl_cnt": len(books),
    }
    rows = [
        {
            k: b[k]
            for k in (
                "setl_id",
                "mdtrt_id",
                "psn_no",
                "setl_time",
                "refd_setl_flag",
                "medfee_sumamt",
                "fund_pay_sumamt",
                "acct_pay",
                "psn_cash_pay",
            )
        }
        | {"msgid": b["medins_setl_id"]}
        for b in books
    ]
    same = await his.ok("3202", {"data": details, "detail": rows}, insuplc="")
    assert same["stmtinfo"]["stmt_rslt"] == "0" and same["detail"] == [], same
    rows[0] = rows[0] | {"medfee_sumamt": Decimal(rows[0]["medfee_sumamt"]) + Decimal("0.01")}
    other = await his.ok("3202", {"data": details, "detail": rows[:2]}, insuplc="")
    assert other["stmtinfo"]["stmt_rslt"] != "0"
    assert {(d["setl_id"], d["kind"]) for d in other["detail"]} == {
        (books[0]["setl_id"], "different"),
        (books[2]["setl_id"], "missing_at_hospital"),
    }


def _run(
    *args: str, cwd: Path | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, timeout=timeout, cwd=cwd
    )


def test_the_worked_his_drives_a_visit_and_the_load_test_runs_over_http_and_grpc(
    running: dict[str, Any], tmp_path: Path
) -> None:
    target = str(Path(running["data_dir"]) / "network.json")
    visit = _run("scripts.clients.http_his", "--target", target)
    assert visit.returncode == 0, visit.stderr[-2000:]
    shown = [line[4:] for line in visit.stdout.splitlines() if line.startswith("--- ")]
    assert shown == ["9001", "1101", "2201", "2204", "2206", "2207", "2208", "9002"]
    assert '"infcode": 0' in visit.stdout and '"infcode": -1' not in visit.stdout

    report = tmp_path / "report.json"
    load = _run(
        "scripts.cli",
        "loadtest",
        "--target",
        target,
        "--via",
        "both",
        "--count",
        "24",
        "--concurrency",
        "2",
        "--no-progress",
        "--fail-on-errors",
        "--report",
        str(report),
        cwd=tmp_path,
    )
    assert load.returncode == 0, load.stdout[-2000:] + load.stderr[-2000:]
    doc = json.loads(report.read_text())
    assert doc["settings"]["via"] == "both" and doc["summary"]["errors"] == 0
    assert doc["calls"]["2207 Settle"]["ok"] >= 1 and doc["calls"]["2207 Settle (http)"]["ok"] >= 1
    assert doc["reconciliation"]["lost"] == 0 and doc["reconciliation"]["differences"] == 0


def test_the_demo_tells_the_same_story_over_http_as_over_grpc(tmp_path: Path) -> None:
    """Every amount, class, ratio and step of the story is the same whichever way the
    hospital's calls go; only ids, times and addresses differ."""
    runs = {
        via: subprocess.Popen(
            [sys.executable, "-m", "scripts.cli", "demo", "--json", "--via", via],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        for via in ("grpc", "http")
    }
    told = {}
    for via, proc in runs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        told[via] = json.loads(out)["steps"]
    volatile = (
        "setl_id",
        "mdtrt_id",
        "setl_time",
        "medins_setl_id",
        "init_setl_id",
        "endpoint",
        "hub",
        "http",
        "via",
        "event_time",
        "received_at",
        "filing_id",
        "header",
    )

    def same(a: Any, b: Any, path: str) -> None:
        if isinstance(a, dict):
            assert isinstance(b, dict) and set(a) == set(b), path
            for k in a:
                if k not in volatile:
                    same(a[k], b[k], f"{path}.{k}")
        elif isinstance(a, list):
            assert isinstance(b, list) and len(a) == len(b), path
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                same(x, y, f"{path}[{i}]")
        else:
            assert a == b, (path, a, b)

    assert [s["key"] for s in told["grpc"]] == [s["key"] for s in told["http"]]
    assert told["http"][0]["via"] == "http" and told["http"][0]["http"].startswith("https://")
    for g, h in zip(told["grpc"], told["http"], strict=True):
        same(g, h, g["key"])


async def test_the_network_reconciles_after_everything_above(running: dict[str, Any]) -> None:
    report = await reconcile.run(running, "", "")
    assert report["differences"] == 0, reconcile.render(report)
    assert not report["unreachable"] and report["pending_in_doubt"] == 0
    assert sum(t["count"] for t in report["hub_totals"]) > 0
