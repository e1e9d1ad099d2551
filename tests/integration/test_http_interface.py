"""The national HTTP interface of a secure in-process network, spoken as a hospital system writes
it from the spec: JSON dicts, x-tif headers, yuan. It is a translation only: the same split as
gRPC to the fen, the same msgid journal across transports, the same refusals, nothing changed by
a refused call."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import ssl
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from scripts import connect, network
from services.pb.settlenet.v1 import common_pb2, treatment_pb2, treatment_pb2_grpc
from tests.conftest import Net

TREAT, INSURED, REGION = "11", "13", "130100"


class Hospital:
    """A HIS written from the spec: nothing of settlenet's but the network.json it reads."""

    def __init__(self, doc: dict[str, Any], client: httpx.AsyncClient, code: str) -> None:
        self.url = doc["provinces"][TREAT]["http"]
        self.account = next(a for a in doc["security"]["accounts"][TREAT] if a["code"] == code)
        self.code = code
        self.client = client
        self.sign_no = ""
        self.seq = secrets.randbelow(5000)

    def headers(self) -> dict[str, str]:
        ts, nonce = str(int(time.time())), secrets.token_hex(8)
        digest = hashlib.sha256((ts + self.account["token"] + nonce + ts).encode()).hexdigest()
        return {
            "x-tif-paasid": self.account["paasid"],
            "x-tif-timestamp": ts,
            "x-tif-nonce": nonce,
            "x-tif-signature": digest,
        }

    def msgid(self) -> str:
        self.seq += 1
        return f"{self.code}{time.strftime('%Y%m%d%H%M%S')}{self.seq % 10000:04d}"

    def envelope(self, infno: str, input_: Any, msgid: str | None = None) -> dict[str, Any]:
        return {
            "infno": infno,
            "msgid": msgid or self.msgid(),
            "mdtrtarea_admvs": "110000",
            "insuplc_admdvs": REGION,
            "recer_sys_code": "SETTLENET",
            "infver": "V1.0",
            "opter_type": "1",
            "opter": "OP01",
            "opter_name": "王医生",
            "inf_time": time.strftime("%Y-%m-%d %H:%M:%S"),
            "fixmedins_code": self.code,
            "fixmedins_name": "北京协和医院",
            "sign_no": self.sign_no,
            "input": input_,
        }

    async def post(self, body: Any, *, raw: bytes | None = None, signed: bool = True) -> Any:
        content = raw if raw is not None else httpx_json(body).encode()
        headers = {"content-type": "application/json"}
        if signed:
            headers |= self.headers()
        return await self.client.post(self.url, content=content, headers=headers)

    async def call(self, infno: str, input_: Any, msgid: str | None = None) -> dict[str, Any]:
        response = await self.post(self.envelope(infno, input_, msgid))
        assert response.status_code == 200, response.text
        return dict(response.json(parse_float=Decimal))

    async def sign_in(self) -> None:
        answer = await self.call(
            "9001", {"signIn": {"opter_no": "OP01", "mac": "00-00", "ip": "10.0.0.1"}}
        )
        assert answer["infcode"] == 0, answer
        self.sign_no = answer["output"]["signinoutb"]["sign_no"]


@pytest_asyncio.fixture
async def world(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    net = await network.start(tmp_path, (TREAT, INSURED), secure=True)
    doc = net.describe()
    context = ssl.create_default_context(cafile=doc["security"]["ca"])
    try:
        async with httpx.AsyncClient(verify=context, timeout=15) as client:
            yield {"net": net, "doc": doc, "client": client, "data": tmp_path}
    finally:
        await net.stop()


def _snapshot(data: Path) -> dict[str, Any]:
    return Net.snapshot(Net(None, data, None, None, None, None))  # type: ignore[arg-type]


def _person(world: dict[str, Any], index: int = 1) -> Any:
    return world["net"].provinces[INSURED].data.persons[index]


def _catalogue_code(world: dict[str, Any], prefix: str) -> str:
    entries = world["net"].provinces[TREAT].data.catalogue.entries()
    return next(e.med_list_codg for e in entries if e.name.startswith(prefix))


VISIT = {
    "insutype": "310",
    "begntime": "2026-10-15 09:00:00",
    "mdtrt_cert_type": "02",
    "mdtrt_cert_no": "130102195005259039",
    "ipt_otp_no": "MZ0001",
    "atddr_no": "D001",
    "dr_name": "李医生",
    "dept_code": "NK",
    "dept_name": "内科",
    "caty": "A03",
}

LINES = [
    ("二甲双胍片", "2", Decimal("14.49")),
    ("CT平扫", "1", Decimal("276")),
    ("维生素C片", "1", Decimal("4.0")),
]


async def _open_visit(
    world: dict[str, Any], his: Hospital, person: Any, lines: list[Any] = LINES
) -> tuple[str, Decimal]:
    registered = await his.call(
        "2201",
        {
            "data": {
                "psn_no": person.psn_no,
                "insutype": person.insutype,
                "begntime": "2026-10-15 09:00:00",
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": person.certno,
                "ipt_otp_no": "MZ0001",
                "atddr_no": "D001",
                "dr_name": "李医生",
                "dept_code": "NK",
                "dept_name": "内科",
                "caty": "A03",
            }
        },
    )
    assert registered["infcode"] == 0, registered
    mdtrt_id = registered["output"]["data"]["mdtrt_id"]
    uploaded = await his.call(
        "2204",
        {
            "feedetail": [
                {
                    "feedetl_sn": f"{i + 1:04d}",
                    "mdtrt_id": mdtrt_id,
                    "psn_no": person.psn_no,
                    "chrg_bchno": "B1",
                    "rx_circ_flag": "0",
                    "fee_ocur_time": "2026-10-15 09:20:00",
                    "med_list_codg": _catalogue_code(world, name),
                    "medins_list_codg": f"M{i}",
                    "det_item_fee_sumamt": pric * Decimal(cnt),
                    "cnt": cnt,
                    "pric": pric,
                    "bilg_dept_codg": "NK",
                    "bilg_dept_name": "内科",
                    "bilg_dr_codg": "D001",
                    "bilg_dr_name": "李医生",
                    "hosp_appr_flag": "1",
                }
                for i, (name, cnt, pric) in enumerate(lines)
            ]
        },
    )
    assert uploaded["infcode"] == 0, uploaded
    assert len(uploaded["output"]["result"]) == len(lines)
    return mdtrt_id, sum((p * Decimal(c) for _, c, p in lines), Decimal(0))


def _settle_input(person: Any, mdtrt_id: str, total: Decimal) -> dict[str, Any]:
    return {
        "data": {
            "psn_no": person.psn_no,
            "mdtrt_cert_type": "02",
            "mdtrt_cert_no": person.certno,
            "med_type": "11",
            "medfee_sumamt": total,
            "psn_setlway": "01",
            "mdtrt_id": mdtrt_id,
            "chrg_bchno": "B1",
            "acct_used_flag": "1",
            "insutype": person.insutype,
        }
    }


async def test_a_visit_over_http_splits_as_over_grpc_to_the_fen(world: dict[str, Any]) -> None:
    his = Hospital(world["doc"], world["client"], "H11010100001")
    await his.sign_in()
    person = _person(world)
    looked_up = await his.call(
        "1101",
        {
            "data": {
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": person.certno,
                "psn_cert_type": "01",
                "certno": person.certno,
            }
        },
    )
    assert looked_up["output"]["baseinfo"]["psn_no"] == person.psn_no
    assert isinstance(looked_up["output"]["insuinfo"], list)
    mdtrt_id, total = await _open_visit(world, his, person)
    preview = await his.call("2206", _settle_input(person, mdtrt_id, total))
    assert preview["infcode"] == 0, preview
    # The same 2206 over gRPC, for the same visit: the same split, fen for fen.
    async with connect.hospitals(world["doc"], TREAT) as ch:
        stub = treatment_pb2_grpc.TreatmentServiceStub(ch)
        over_grpc = await stub.PreSettle(
            treatment_pb2.SettleRequest(
                header=common_pb2.RequestHeader(
                    infno="2206",
                    msgid=his.msgid(),
                    mdtrtarea_admvs="110000",
                    insuplc_admdvs=REGION,
                    fixmedins_code=his.code,
                    opter_type="1",
                    opter="OP01",
                    inf_time=time.strftime("%Y-%m-%d %H:%M:%S"),
                ),
                psn_no=person.psn_no,
                mdtrt_cert_type="02",
                mdtrt_cert_no=person.certno,
                med_type="11",
                medfee_sumamt=int(total * 100),
                psn_setlway="01",
                mdtrt_id=mdtrt_id,
                chrg_bchno="B1",
                acct_used_flag="1",
                insutype=person.insutype,
            ),
            timeout=10,
        )
    info = preview["output"]["setlinfo"]
    for name in (
        "medfee_sumamt",
        "fund_pay_sumamt",
        "acct_pay",
        "psn_cash_pay",
        "hifp_pay",
        "inscp_scp_amt",
        "fulamt_ownpay_amt",
        "preselfpay_amt",
        "overlmt_selfpay",
    ):
        assert int(info[name] * 100) == getattr(over_grpc.setlinfo, name), name
        assert info[name] == info[name].quantize(Decimal("0.01"))
    assert (
        info["medfee_sumamt"] == info["fund_pay_sumamt"] + info["acct_pay"] + info["psn_cash_pay"]
    )
    settled = await his.call("2207", _settle_input(person, mdtrt_id, total))
    assert settled["infcode"] == 0, settled
    setl = settled["output"]["setlinfo"]
    assert setl["fund_pay_sumamt"] == info["fund_pay_sumamt"]
    assert isinstance(settled["output"]["setldetail"], list)
    queried = await his.call(
        "5203",
        {"data": {"psn_no": person.psn_no, "setl_id": setl["setl_id"], "mdtrt_id": mdtrt_id}},
    )
    assert queried["output"]["setlinfo"]["cash_payamt"] == setl["psn_cash_pay"]
    revoked = await his.call(
        "2208",
        {"data": {"psn_no": person.psn_no, "setl_id": setl["setl_id"], "mdtrt_id": mdtrt_id}},
    )
    assert revoked["infcode"] == 0, revoked
    assert (
        revoked["output"]["setlinfo"]["pdn_cash_pay"]
        == revoked["output"]["setlinfo"]["psn_cash_pay"]
    )


async def test_one_msgid_one_answer_across_transports(world: dict[str, Any]) -> None:
    his = Hospital(world["doc"], world["client"], "H11010100001")
    await his.sign_in()
    person = _person(world, 2)
    msgid = his.msgid()
    visit = {
        "psn_no": person.psn_no,
        "insutype": person.insutype,
        "begntime": "2026-10-15 09:00:00",
        "mdtrt_cert_type": "02",
        "mdtrt_cert_no": person.certno,
        "ipt_otp_no": "MZ9",
        "atddr_no": "D001",
        "dr_name": "李医生",
        "dept_code": "NK",
        "dept_name": "内科",
        "caty": "A03",
    }
    first = await his.call("2201", {"data": visit}, msgid)
    mdtrt_id = first["output"]["data"]["mdtrt_id"]
    async with connect.hospitals(world["doc"], TREAT) as ch:
        again = await treatment_pb2_grpc.TreatmentServiceStub(ch).RegisterVisit(
            treatment_pb2.RegisterVisitRequest(
                header=common_pb2.RequestHeader(
                    infno="2201",
                    msgid=msgid,
                    mdtrtarea_admvs="110000",
                    insuplc_admdvs=REGION,
                    fixmedins_code=his.code,
                    opter_type="1",
                    opter="OP01",
                    inf_time=time.strftime("%Y-%m-%d %H:%M:%S"),
                ),
                med_type="11",
                **visit,
            ),
            timeout=10,
        )
    assert again.mdtrt_id == mdtrt_id  # the journal's answer, not a second visit
    repeated = await his.call("2201", {"data": visit}, msgid)
    assert repeated["output"]["data"]["mdtrt_id"] == mdtrt_id
    other = await his.call("2201", {"data": visit | {"ipt_otp_no": "MZ10"}}, msgid)
    assert other["infcode"] == -1 and "header.msgid" in other["err_msg"]


@pytest.mark.parametrize(
    ("amount", "accepted"),
    [("25", True), ("25.0", True), ("25.00", True), ("25.000", True), ("25.001", False)],
)
async def test_amounts_are_yuan_with_at_most_two_decimals(
    world: dict[str, Any], amount: str, accepted: bool
) -> None:
    his = Hospital(world["doc"], world["client"], "H11010100001")
    await his.sign_in()
    person = _person(world, 3)
    mdtrt_id, total = await _open_visit(
        world, his, person, [("普通门诊诊查费", "1", Decimal("25"))]
    )
    assert total == 25
    body = his.envelope("2206", _settle_input(person, mdtrt_id, Decimal("25.00")))
    raw = httpx_json(body).replace('"medfee_sumamt": 25.00', f'"medfee_sumamt": {amount}')
    assert f'"medfee_sumamt": {amount}' in raw
    response = await his.post(None, raw=raw.encode())
    answer = response.json()
    if accepted:
        assert answer["infcode"] == 0, answer
        assert answer["output"]["setlinfo"]["medfee_sumamt"] == 25
    else:
        assert answer["infcode"] == -1
        assert "input.data.medfee_sumamt" in answer["err_msg"] and "decimal" in answer["err_msg"]


def httpx_json(body: Any) -> str:
    import simplejson

    return str(simplejson.dumps(body, use_decimal=True, ensure_ascii=False))


async def test_bad_input_is_refused_naming_the_field_and_changes_nothing(
    world: dict[str, Any],
) -> None:
    his = Hospital(world["doc"], world["client"], "H11010100001")
    await his.sign_in()
    person = _person(world, 4)
    mdtrt_id, total = await _open_visit(world, his, person)
    before = _snapshot(world["data"])
    # A body that is not JSON, a wrong path, a wrong method: a clear HTTP status, a JSON body.
    assert (await his.post(None, raw=b"{not json")).status_code == 400
    wrong = await world["client"].post(his.url.replace("callService", "nothing"), content=b"{}")
    assert wrong.status_code == 404 and wrong.json()["infcode"] == -1
    assert (await world["client"].get(his.url)).status_code == 405
    # Credentials: none, forged, another institution's.
    assert (await his.post(his.envelope("1101", {"data": {}}), signed=False)).status_code == 401
    forged = his.headers() | {"x-tif-signature": "0" * 64}
    assert (
        await world["client"].post(his.url, json=his.envelope("1101", {"data": {}}), headers=forged)
    ).status_code == 401
    spoof = his.envelope("2207", _settle_input(person, mdtrt_id, total))
    spoof["fixmedins_code"] = "H11010200001"
    spoof["msgid"] = "H11010200001" + spoof["msgid"][12:]
    assert (await his.post(spoof)).status_code == 403
    # Business refusals: infcode -1 naming the field.
    cases = [
        ("9999", {"data": {}}, "infno"),
        ("2207", "not an object", "input"),
        ("2207", {"data": {}}, "mdtrt_id"),
        (
            "2207",
            _settle_input(person, mdtrt_id, total)
            | {
                "data": {
                    **_settle_input(person, mdtrt_id, total)["data"],
                    "medfee_sumamt": "12.345",
                }
            },
            "input.data.medfee_sumamt",
        ),
        (
            "2207",
            _settle_input(person, mdtrt_id, total)
            | {"data": {**_settle_input(person, mdtrt_id, total)["data"], "medfee_sumamt": True}},
            "input.data.medfee_sumamt",
        ),
        (
            "2204",
            {"feedetail": [{"mdtrt_id": mdtrt_id}, {"mdtrt_id": "X"}]},
            "input.feedetail[1].mdtrt_id",
        ),
        ("2201", {"data": VISIT | {"psn_no": "' OR 1=1 --"}}, "psn_no"),
    ]
    for infno, input_, field in cases:
        answer = await his.call(infno, input_)
        assert answer["infcode"] == -1 and field in answer["err_msg"], (infno, field, answer)
        assert answer["output"] is None
    # No sign-in, or a signed-out one.
    stranger = Hospital(world["doc"], world["client"], "H11010100001")
    answer = await stranger.call("2207", _settle_input(person, mdtrt_id, total))
    assert answer["infcode"] == -1 and "sign_no" in answer["err_msg"]
    out = await his.call("9002", {"signOut": {"sign_no": his.sign_no, "opter_no": "OP01"}})
    assert out["infcode"] == 0 and out["output"]["signoutoutb"]["sign_time"]
    answer = await his.call("2207", _settle_input(person, mdtrt_id, total))
    assert answer["infcode"] == -1 and "signed out" in answer["err_msg"]
    after = _snapshot(world["data"])
    changed = {k for k in before if before[k] != after.get(k) and not k.endswith("sign_ins")}
    assert changed == set()


async def test_cancel_and_query_transactions_over_http(world: dict[str, Any]) -> None:
    his = Hospital(world["doc"], world["client"], "H11010100001")
    await his.sign_in()
    person = _person(world, 5)
    mdtrt_id, total = await _open_visit(world, his, person)
    rows = await his.call("5204", {"data": {"psn_no": person.psn_no, "mdtrt_id": mdtrt_id}})
    assert rows["infcode"] == 0, rows["err_msg"]
    assert isinstance(rows["output"], list) and len(rows["output"]) == len(LINES)
    assert sum(r["det_item_fee_sumamt"] for r in rows["output"]) == total
    diagnosed = await his.call(
        "2203",
        {
            "mdtrtinfo": {
                "mdtrt_id": mdtrt_id,
                "psn_no": person.psn_no,
                "med_type": "11",
                "begntime": "2026-10-15 09:00:00",
            },
            "diseinfo": [
                {
                    "diag_type": "1",
                    "diag_srt_no": 1,
                    "diag_code": "E11.900",
                    "diag_name": "2型糖尿病",
                    "diag_dept": "内科",
                    "dise_dor_no": "D001",
                    "dise_dor_name": "李医生",
                    "diag_time": "2026-10-15 09:10:00",
                    "vali_flag": "1",
                }
            ],
        },
    )
    assert diagnosed["infcode"] == 0, diagnosed
    taken_back = await his.call(
        "2205", {"data": {"mdtrt_id": mdtrt_id, "chrg_bchno": "0000", "psn_no": person.psn_no}}
    )
    assert taken_back["infcode"] == 0 and taken_back["output"] == {}, taken_back
    rows = await his.call("5204", {"data": {"psn_no": person.psn_no, "mdtrt_id": mdtrt_id}})
    assert rows["output"] == []
    cancelled = await his.call(
        "2202", {"data": {"psn_no": person.psn_no, "mdtrt_id": mdtrt_id, "ipt_otp_no": "MZ0001"}}
    )
    assert cancelled["infcode"] == 0, cancelled
    refused = await his.call("2207", _settle_input(person, mdtrt_id, total))
    assert refused["infcode"] == -1 and "mdtrt_id" in refused["err_msg"], refused


async def test_admission_refusal_over_http_is_503_with_retry_after(tmp_path: Path) -> None:
    """Admission control over the HTTP interface: with its limit of visits being started
    reached, the node answers a 1101 HTTP 503, Retry-After, infcode -1 naming the limit."""
    rules = tmp_path / "slow-1101.yaml"
    rules.write_text(
        "rules:\n  - name: slow\n    match: {rpc: InsuredService/QueryPerson}\n"
        "    delay: {ms: 2000, at: before}\n",
        encoding="utf-8",
    )
    net = await network.start(
        tmp_path,
        (TREAT, INSURED),
        secure=True,
        node_options={
            TREAT: {"admit_latency_ms": 60_000, "admit_limits": (1, 1, 1)},
            INSURED: {"behaviour_file": rules},
        },
    )
    doc = net.describe()
    context = ssl.create_default_context(cafile=doc["security"]["ca"])
    try:
        async with httpx.AsyncClient(verify=context, timeout=15) as client:
            his = Hospital(doc, client, "H11010100001")
            await his.sign_in()
            person = net.provinces[INSURED].data.persons[1]
            query = {
                "data": {
                    "mdtrt_cert_type": "02",
                    "mdtrt_cert_no": person.certno,
                    "psn_cert_type": "01",
                    "certno": person.certno,
                }
            }
            held = asyncio.create_task(his.call("1101", query))
            admission = net.provinces[TREAT].admission
            assert admission is not None
            for _ in range(300):
                if admission.in_progress == 1:
                    break
                await asyncio.sleep(0.01)
            refused = await his.post(his.envelope("1101", query))
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "1"
            body = refused.json()
            assert body["infcode"] == -1 and "admission.limit=1" in body["err_msg"]
            answer = await held
            assert answer["infcode"] == 0, answer
    finally:
        await net.stop()
