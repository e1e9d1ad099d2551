"""The worked HIS over HTTP (scripts/clients/http_his.py), its adapter to the gRPC client's
messages and the load test's HTTP path, against a small fake node (httpx.MockTransport) that
checks what a spec node checks: the x-tif signature, the envelope, sign-in first, amounts as
JSON numbers with at most two decimals. Yuan ↔ fen is exact; JSON never goes through float."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scripts.clients import http_adapter, http_his
from scripts.clients.his import Line
from scripts.clients.http_his import AmountError, CallError, FeeLine, HttpHis, Institution
from scripts.loadtest.http_client import HttpLoadClient
from scripts.loadtest.model import FeeLineSpec, InstitutionRef, Op, PersonRef, ProvinceView
from scripts.loadtest.stats import Recorder
from services.security import credentials

URL = "https://node.test/fsi/api/rsfComIfsService/callService"
CODE, PAASID, TOKEN = "H11010100001", "h11010100001_ab12cd34", "s3cret-token"
ENVELOPE = {
    "infno",
    "msgid",
    "mdtrtarea_admvs",
    "insuplc_admdvs",
    "recer_sys_code",
    "dev_no",
    "dev_safe_info",
    "cainfo",
    "signtype",
    "infver",
    "opter_type",
    "opter",
    "opter_name",
    "inf_time",
    "fixmedins_code",
    "fixmedins_name",
    "sign_no",
    "input",
}
AMOUNTS = {"medfee_sumamt", "det_item_fee_sumamt", "pric", "fund_pay_sumamt", "acct_pay"}

# ---- yuan and fen -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "fen"),
    [
        pytest.param(12, 1200, id="0-decimals-int"),
        pytest.param(Decimal("12.5"), 1250, id="1-decimal"),
        pytest.param(Decimal("12.34"), 1234, id="2-decimals"),
        pytest.param(Decimal("12.340"), 1234, id="third-decimal-zero"),
        pytest.param("12.34", 1234, id="numeric-string"),
        pytest.param(" 7 ", 700, id="string-with-spaces"),
        pytest.param(Decimal("-0.05"), -5, id="negative"),
        pytest.param(Decimal("0"), 0, id="zero"),
        pytest.param(Decimal("1E+2"), 10000, id="exponent"),
        pytest.param(Decimal("99999999999999.99"), 9999999999999999, id="largest-N16-2"),
    ],
)
def test_a_yuan_amount_on_the_wire_is_exact_fen(wire: object, fen: int) -> None:
    assert http_his.fen(wire, "medfee_sumamt") == fen


@pytest.mark.parametrize(
    ("wire", "problem"),
    [
        pytest.param(Decimal("12.345"), "more than two decimals", id="3-decimals"),
        pytest.param("0.001", "more than two decimals", id="3-decimals-string"),
        pytest.param(12.34, "must be a number", id="float"),
        pytest.param(True, "must be a number", id="bool"),
        pytest.param("abc", "must be a number", id="text"),
        pytest.param(None, "must be a number", id="null"),
        pytest.param({"v": 1}, "must be a number", id="object"),
        pytest.param(Decimal("NaN"), "finite", id="nan"),
        pytest.param("Infinity", "finite", id="infinity"),
        pytest.param(Decimal("1E+14"), "out of range", id="too-large"),
    ],
)
def test_anything_else_is_refused_naming_the_field_and_value(wire: object, problem: str) -> None:
    with pytest.raises(AmountError) as caught:
        http_his.fen(wire, "medfee_sumamt")
    assert caught.value.field == "medfee_sumamt"
    assert problem in str(caught.value)
    assert str(caught.value).startswith("medfee_sumamt=")


def test_fen_become_yuan_with_exactly_two_decimals() -> None:
    assert str(http_his.yuan(12345)) == "123.45"
    assert str(http_his.yuan(0)) == "0.00"
    assert str(http_his.yuan(-5)) == "-0.05"
    assert str(http_his.yuan(100)) == "1.00"
    assert http_his.dumps({"a": http_his.yuan(1250)}) == '{"a":12.50}'
    with pytest.raises(TypeError):
        http_his.yuan(12.5)  # type: ignore[arg-type]


@given(st.integers(min_value=-(10**16) + 1, max_value=10**16 - 1))
def test_fen_to_yuan_to_json_and_back_is_the_identity(amount: int) -> None:
    text = http_his.dumps({"medfee_sumamt": http_his.yuan(amount)})
    assert http_his.fen(http_his.loads(text)["medfee_sumamt"], "medfee_sumamt") == amount


@given(st.decimals(min_value=0, max_value=10000, places=4), st.integers(1, 10**7))
def test_a_line_amount_is_the_fen_rounding_of_the_grpc_client(cnt: Decimal, pric_fen: int) -> None:
    line = Line("X", str(cnt), pric_fen)
    yuan_line = FeeLine("X", cnt, http_his.yuan(pric_fen))
    assert http_his.fen(yuan_line.amount(), "det_item_fee_sumamt") == line.amount()


# ---- JSON without floats --------------------------------------------------------------------


def test_json_numbers_are_decimals_and_are_written_back_digit_for_digit() -> None:
    doc = http_his.loads('{"a": 12.345, "b": 7, "c": [0.10, 1e2], "d": "x\\"y", "e": null}')
    assert doc == {
        "a": Decimal("12.345"),
        "b": 7,
        "c": [Decimal("0.10"), Decimal("1E+2")],
        "d": 'x"y',
        "e": None,
    }
    assert type(doc["a"]) is Decimal and type(doc["b"]) is int
    text = http_his.dumps(doc)
    assert text == '{"a":12.345,"b":7,"c":[0.10,100],"d":"x\\"y","e":null}'
    assert http_his.loads(text) == doc
    pretty = http_his.dumps({"k": [1, {"m": Decimal("2.50")}], "z": {}}, indent=2)
    assert json.loads(pretty) == {"k": [1, {"m": 2.5}], "z": {}}
    assert "2.50" in pretty


def test_json_refuses_floats_nan_and_non_string_keys() -> None:
    with pytest.raises(TypeError, match="float"):
        http_his.dumps({"a": 1.5})
    with pytest.raises(ValueError):
        http_his.dumps(Decimal("NaN"))
    with pytest.raises(TypeError):
        http_his.dumps({1: "a"})
    with pytest.raises(ValueError):
        http_his.loads('{"a": NaN}')
    assert http_his.dumps("中文") == '"中文"'


# ---- x-tif -------------------------------------------------------------------------------------


def test_the_signature_is_sha256_of_timestamp_token_nonce_timestamp() -> None:
    ts, nonce = "1764590400", "0123456789abcdef0123456789abcdef"
    by_hand = hashlib.sha256(f"{ts}{TOKEN}{nonce}{ts}".encode()).hexdigest()
    assert http_his.signature(ts, TOKEN, nonce) == by_hand
    assert http_his.signature(ts, TOKEN, nonce) == credentials.signature(ts, TOKEN, nonce)
    assert by_hand == by_hand.lower() and len(by_hand) == 64


def test_every_request_gets_fresh_headers_the_node_accepts() -> None:
    account = credentials.Account(PAASID, TOKEN, CODE, "institution", "11")
    verifier = credentials.Verifier([account])
    first = http_his.x_tif_headers(PAASID, TOKEN)
    second = http_his.x_tif_headers(PAASID, TOKEN)
    assert set(first) == {"x-tif-paasid", "x-tif-timestamp", "x-tif-nonce", "x-tif-signature"}
    assert first["x-tif-nonce"] != second["x-tif-nonce"] and len(first["x-tif-nonce"]) == 32
    assert verifier.verify(first) == account
    assert verifier.verify(second) == account


# ---- a fake node ----------------------------------------------------------------------------


def _max_decimals(value: Any) -> int:
    exponent = Decimal(value).as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


class FakeNode:
    """Answers the spec's transactions the way a node does, with floats in its JSON (as a node
    in any language may write 123.45), and checks every request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.sign_no = ""
        self.signed_in = 0
        self.visits = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.startswith("/fsi/api/rsfComIfsService/callService"):
            return httpx.Response(404, json={"infcode": -1, "err_msg": "no such path"})
        h = request.headers
        expected = credentials.signature(h["x-tif-timestamp"], TOKEN, h["x-tif-nonce"])
        if h.get("x-tif-paasid") != PAASID or h.get("x-tif-signature") != expected:
            return httpx.Response(401, json={"infcode": -1, "err_msg": "x-tif-signature"})
        env = http_his.loads(request.content)
        self.requests.append(env)
        assert set(env) == ENVELOPE
        assert len(env["msgid"]) == 30 and env["msgid"].startswith(env["fixmedins_code"])
        self._check_amounts(env["input"])
        infno = env["infno"]
        if infno == "9001":
            assert env["sign_no"] == ""
            self.signed_in += 1
            self.sign_no = "SN0001" if self.signed_in == 1 else f"SN{self.signed_in:04d}"
            return self._ok(
                env, {"signinoutb": {"sign_time": "2026-12-01 10:00:00", "sign_no": self.sign_no}}
            )
        if env["sign_no"] != self.sign_no or not self.sign_no:
            return self._refused(env, f"sign_no={env['sign_no']}: not signed in")
        data = env["input"].get("data") or {}
        if infno == "9002":
            assert env["input"]["signOut"]["sign_no"] == self.sign_no
            self.sign_no = ""
            return self._ok(env, {"signoutoutb": {"sign_time": "2026-12-01 10:05:00"}})
        if infno == "1101":
            return self._ok(
                env,
                {
                    "baseinfo": {"psn_no": "P1", "psn_name": "张三", "age": 45.0, "gend": "1"},
                    "insuinfo": [{"balc": 1500.05, "insutype": "310", "psn_type": "12"}],
                    "idetinfo": [],
                },
            )
        if infno == "2201":
            assert isinstance(env["input"]["diseinfo"], list)
            self.visits += 1
            out = {"mdtrt_id": f"M{self.visits}", "psn_no": data["psn_no"]}
            return self._ok(env, {"data": out | {"ipt_otp_no": data["ipt_otp_no"]}})
        if infno == "2204":
            result = [
                {
                    "feedetl_sn": x["feedetl_sn"],
                    "det_item_fee_sumamt": float(x["det_item_fee_sumamt"]),
                    "cnt": float(x["cnt"]),
                    "pric": float(x["pric"]),
                    "pric_uplmt_amt": 0,
                    "selfpay_prop": 0.1,
                    "fulamt_ownpay_amt": 0,
                    "overlmt_amt": 0,
                    "preselfpay_amt": 0,
                    "inscp_scp_amt": float(x["det_item_fee_sumamt"]),
                    "chrgitm_lv": "01",
                    "med_list_name": "阿莫西林",
                    "reason_codes": ["CLASS_B_PRESELFPAY"],
                }
                for x in env["input"]["feedetail"]
            ]
            return self._ok(env, {"result": result})
        if infno in ("2206", "2207", "2208"):
            sign = -1 if infno == "2208" else 1
            setlinfo: dict[str, Any] = {
                "mdtrt_id": data["mdtrt_id"],
                "setl_id": "" if infno == "2206" else f"S{infno}",
                "medfee_sumamt": sign * 246.62,
                "fund_pay_sumamt": sign * 150.01,
                "hifp_pay": sign * 150.01,
                "acct_pay": sign * 96.61,
                "pool_prop_selfpay": 0.7,
                "balc": 1403.44,
                "medins_setl_id": env["msgid"],
                "setl_proc_info": [{"step": "ratio", "desc": "70%", "amount": sign * 150.01}],
            }
            cash = "pdn_cash_pay" if infno == "2208" else "psn_cash_pay"
            setlinfo[cash] = 0
            setldetail = [{"fund_pay_type": "310100", "fund_payamt": sign * 150.01}]
            return self._ok(env, {"setlinfo": setlinfo, "setldetail": setldetail})
        return self._refused(env, f"infno={infno}: unknown transaction")

    def _check_amounts(self, node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in AMOUNTS:
                    assert isinstance(v, (int, Decimal)), f"{k} is not a JSON number: {v!r}"
                    assert _max_decimals(v) <= (6 if k == "pric" else 2), (k, v)
                self._check_amounts(v)
        elif isinstance(node, list):
            for x in node:
                self._check_amounts(x)

    def _ok(self, env: dict[str, Any], output: Any) -> httpx.Response:
        return self._answer(env, 0, "success", output)

    def _refused(self, env: dict[str, Any], err: str) -> httpx.Response:
        return self._answer(env, -1, err, None)

    def _answer(self, env: dict[str, Any], code: int, err: str, output: Any) -> httpx.Response:
        body = {
            "infcode": code,
            "inf_refmsgid": "110000202612011000000000000001",
            "refmsg_time": "20261201100000123",
            "respond_time": "20261201100000145",
            "err_msg": err,
            "warn_msg": None,
            "output": output,
        }
        return httpx.Response(200, content=json.dumps(body, ensure_ascii=False).encode())


def _client(node: FakeNode) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(node))


def _doc() -> dict[str, Any]:
    return {
        "provinces": {
            "11": {
                "http": URL,
                "endpoint": "127.0.0.1:1",
                "institutions": [
                    {
                        "fixmedins_code": CODE,
                        "fixmedins_name": "北京协和医院",
                        "medins_lv": "3",
                        "admdvs": "110000",
                        "cross_province": True,
                    }
                ],
            }
        },
        "security": {
            "mode": "mtls",
            "ca": None,
            "accounts": {"11": [{"code": CODE, "paasid": PAASID, "token": TOKEN}]},
        },
    }


async def test_the_his_signs_in_first_and_carries_sign_no_in_every_later_envelope() -> None:
    node = FakeNode()
    inst = Institution(CODE, "北京协和医院", "110000", PAASID, TOKEN)
    async with _client(node) as client:
        his = HttpHis(URL, inst, client=client)
        await his.sign_in()
        assert his.sign_no == "SN0001"
        info = await his.query_person("130102195005259039", insuplc_admdvs="130100")
        assert info["insuinfo"][0]["balc"] == Decimal("1500.05")
        reg = await his.register("130100", "P1", "310", "2026-12-01 09:30:00", ipt_otp_no="OP1")
        lines = [FeeLine("XA01", Decimal("2"), Decimal("14.49"))]
        result = await his.upload_fees(
            "130100", reg["data"]["mdtrt_id"], "P1", lines, "2026-12-01 09:40:00"
        )
        assert result["result"][0]["det_item_fee_sumamt"] == Decimal("28.98")
        done = await his.settle(
            "130100", "M1", "P1", "310", Decimal("246.62"), msgid=f"{CODE}202612011000000042"
        )
        assert done["setlinfo"]["medfee_sumamt"] == Decimal("246.62")
        await his.sign_out()
        with pytest.raises(CallError) as refused:
            await his.query_person("130102195005259039", insuplc_admdvs="130100")
    assert refused.value.status == 200 and "sign_no" in refused.value.err_msg
    infnos = [r["infno"] for r in node.requests]
    assert infnos == ["9001", "1101", "2201", "2204", "2207", "9002", "1101"]
    assert [r["sign_no"] for r in node.requests] == ["", *["SN0001"] * 5, ""]
    assert len({r["msgid"] for r in node.requests}) == len(node.requests)
    settle = node.requests[4]
    assert settle["msgid"] == f"{CODE}202612011000000042" and settle["insuplc_admdvs"] == "130100"
    assert settle["input"]["data"]["medfee_sumamt"] == Decimal("246.62")


async def test_a_wrong_token_or_path_is_a_call_error_with_the_http_status() -> None:
    node = FakeNode()
    async with _client(node) as client:
        bad = HttpHis(URL, Institution(CODE, "x", "110000", PAASID, "wrong"), client=client)
        with pytest.raises(CallError) as caught:
            await bad.sign_in()
        assert caught.value.status == 401 and "x-tif-signature" in caught.value.err_msg
        lost = HttpHis(
            "https://node.test/elsewhere",
            Institution(CODE, "x", "110000", PAASID, TOKEN),
            client=client,
        )
        with pytest.raises(CallError) as caught:
            await lost.sign_in()
        assert caught.value.status == 404


async def test_the_adapter_gives_the_grpc_clients_messages_in_fen() -> None:
    node = FakeNode()
    async with (
        _client(node) as client,
        http_adapter.hospital(_doc(), "11", CODE, client=client) as his,
    ):
        info = await his.query_person("130100", "130102195005259039")
        assert info.insuinfo[0].balc == 150005 and info.baseinfo.age == 45
        assert info.header.respond_time == "2026-12-01 10:00:00"
        mdtrt_id = await his.register("130100", "P1", "310", "2026-12-01 09:30:00")
        up = await his.upload(
            "130100", mdtrt_id, "P1", [Line("XA01", "2", 1449)], "2026-12-01 09:40:00"
        )
        r = up.result[0]
        assert (r.det_item_fee_sumamt, r.pric, r.cnt, r.selfpay_prop) == (2898, 1449, "2", "0.10")
        assert list(r.reason_codes) == ["CLASS_B_PRESELFPAY"] and r.med_list_name == "阿莫西林"
        done = await his.settle("130100", mdtrt_id, "P1", "310", 24662)
        s = done.setlinfo
        assert (s.medfee_sumamt, s.fund_pay_sumamt, s.acct_pay, s.balc) == (
            24662,
            15001,
            9661,
            140344,
        )
        assert s.pool_prop_selfpay == "0.70" and s.setldetail[0].fund_payamt == 15001
        assert s.setl_proc_info[0].amount == 15001 and s.medins_setl_id == done.header.msgid
        rev = await his.revoke("130100", s.setl_id, mdtrt_id, "P1")
        assert rev.setlinfo.medfee_sumamt == -24662 and rev.setlinfo.psn_cash_pay == 0
    assert node.requests[-1]["infno"] == "9002"  # signed out when the block ended
    settle = next(r for r in node.requests if r["infno"] == "2207")
    assert settle["input"]["data"]["medfee_sumamt"] == Decimal("246.62")


def test_an_answer_with_more_than_two_decimals_is_not_read_as_fen_silently() -> None:
    with pytest.raises(AmountError, match=r"setlinfo\.medfee_sumamt"):
        http_adapter.setlinfo({"setlinfo": {"medfee_sumamt": Decimal("1.005")}})
    assert http_adapter.setlinfo({"setlinfo": {"psn_pay": 3, "cash_payamt": 1}}).psn_cash_pay == 100


async def test_the_load_client_runs_a_visit_over_http_with_the_same_call_names() -> None:
    node = FakeNode()
    inst = InstitutionRef(CODE, "110000", "3")
    person = PersonRef("P1", "130102195005259039", "310", "130100")
    view = ProvinceView("11", "127.0.0.1:1", (inst,), (), (), [person])
    recorder = Recorder()
    load = HttpLoadClient({"11": view}, recorder, doc=_doc())
    load.pools["11"] = _client(node)
    op = Op(1, "visit", "11", "13", inst, person, (FeeLineSpec("XA01", "2", 1449),))
    try:
        outcome = await load.run(op)
        revoke = await load.run(Op(2, "revoke", "11", "13", inst, person, op.lines))
    finally:
        await load.close()
    assert outcome.code == "OK" and outcome.settled == 1 and revoke.code == "OK"
    assert load.acknowledged == {"S2207", "S2208"}
    assert {name: t.ok for name, t in recorder.calls.items()} == {
        "1101 QueryPerson": 1,
        "2201 RegisterVisit": 1,
        "2204 UploadFeeDetails": 1,
        "2206 PreSettle": 1,
        "2207 Settle": 1,
        "2208 RevokeSettlement": 1,
    }
    assert [r["infno"] for r in node.requests] == [
        "9001",
        "1101",
        "2201",
        "2204",
        "2206",
        "2207",
        "2208",
        "9002",
    ]


async def test_the_load_client_signs_in_again_when_the_node_forgets_its_sign_no() -> None:
    node = FakeNode()
    inst = InstitutionRef(CODE, "110000", "3")
    person = PersonRef("P1", "130102195005259039", "310", "130100")
    view = ProvinceView("11", "127.0.0.1:1", (inst,), (), (), [person])
    recorder = Recorder()
    load = HttpLoadClient({"11": view}, recorder, doc=_doc())
    load.pools["11"] = _client(node)
    lines = (FeeLineSpec("XA01", "2", 1449),)
    try:
        assert (await load.run(Op(1, "visit", "11", "13", inst, person, lines))).code == "OK"
        node.sign_no = "RESTARTED"  # a node restarted: the sign_no it gave is unknown now
        failed = await load.run(Op(2, "visit", "11", "13", inst, person, lines))
        again = await load.run(Op(3, "visit", "11", "13", inst, person, lines))
    finally:
        await load.close()
    assert failed.code == "INFCODE_-1" and again.code == "OK"
    assert [r["infno"] for r in node.requests].count("9001") == 2
    assert recorder.calls["1101 QueryPerson"].errors == {"INFCODE_-1": 1}
