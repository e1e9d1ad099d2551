"""A hospital information system (HIS) over the national HTTP interface, written from the spec
(《医疗保障信息平台定点医药机构接口规范》) alone: what a hospital's own software sends to any
province node's ``provinces.<code>.http`` URL, and nothing of settlenet's gRPC contract.

    python -m scripts.clients.http_his --target DIR/network.json [--treat 11 --insured 13]

drives one visit 9001 → 1101 → 2201 → 2204 → 2206 → 2207 → 2208 → 9002 and prints each answer.

How a call is made (one URL for every transaction; ``infno`` in the body chooses it)::

    POST {base}/fsi/api/rsfComIfsService/callService
    x-tif-paasid, x-tif-timestamp (Unix s), x-tif-nonce, x-tif-signature
        = lower-case hex SHA-256 of timestamp + token + nonce + timestamp, fresh per request
    {"infno": "2207", "msgid": ..., "mdtrtarea_admvs": ..., "insuplc_admdvs": ...,
     "sign_no": <from 9001>, ..., "input": {"data": {...}}}
    → 200 {"infcode": 0 | -1, "inf_refmsgid", "refmsg_time", "respond_time", "err_msg",
           "output": {...} | null}

Amounts are yuan with two decimals as JSON numbers. They are :class:`~decimal.Decimal` here from
end to end and never a float: answers are parsed with ``json.loads(..., parse_float=Decimal)``
and requests are written by :func:`dumps`, a small JSON writer that puts a Decimal's digits on
the wire as they are (the standard encoder cannot write a Decimal as a number without going
through float; ``simplejson``'s ``use_decimal`` can, but this HIS keeps to the standard library
and httpx, so that a hospital's team can lift it as it is). :func:`fen` and :func:`yuan` convert
exactly for callers that keep integer fen.

The server is verified with the network's CA (network.json ``security.ca``); a plain
``http://`` URL (a network started ``--insecure``) is used as it is, without x-tif headers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import secrets
import ssl
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

SERVICE_PATH = "/fsi/api/rsfComIfsService/callService"
CST = timezone(timedelta(hours=8), "CST")
"""China Standard Time: the zone of every time in an envelope."""

# ---- yuan, exactly ------------------------------------------------------------------------

CENT = Decimal("0.01")
MAX_YUAN = Decimal(10) ** 14
"""N16,2: sixteen digits, two of them decimals. Larger is not an amount (and keeps every
product below exact in Decimal's 28 digits)."""


class AmountError(ValueError):
    """A value that is not a yuan amount of the spec: names the field and the value."""

    def __init__(self, field: str, value: object, problem: str) -> None:
        super().__init__(f"{field}={value!r}: {problem}")
        self.field, self.value, self.problem = field, value, problem


def decimal_of(value: object, field: str) -> Decimal:
    """A JSON number (int or Decimal) or a numeric string as an exact, finite Decimal."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise AmountError(field, value, "must be a number")
    try:
        d = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise AmountError(field, value, "must be a number") from None
    if not d.is_finite():
        raise AmountError(field, value, "must be a finite number")
    if abs(d) >= MAX_YUAN:
        raise AmountError(field, value, "out of range (N16,2)")
    return d


def fen(value: object, field: str) -> int:
    """A yuan amount as the wire carries it → integer fen, exactly. At most two decimals (a
    third decimal that is zero is no decimal: 12.340 is 1234 fen); a float is refused."""
    d = decimal_of(value, field)
    cents = d * 100  # exact: |d| < 10^14, so at most 16 + 2 digits
    if cents != cents.to_integral_value():
        raise AmountError(field, value, "more than two decimals")
    return int(cents)


def yuan(amount_fen: int) -> Decimal:
    """Integer fen → yuan with exactly two decimals (12345 → Decimal("123.45"))."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise TypeError(f"fen must be an int, got {amount_fen!r}")
    return Decimal(amount_fen).scaleb(-2).quantize(CENT)


def line_amount(cnt: Decimal, pric: Decimal) -> Decimal:
    """A fee line's amount (det_item_fee_sumamt): cnt × pric rounded half up to the fen."""
    return (cnt * pric).quantize(CENT, ROUND_HALF_UP)


# ---- JSON without floats ------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads(data: bytes | str) -> Any:
    """Parse JSON with every number that has a fraction or exponent as a Decimal (integers stay
    int); NaN and Infinity are refused."""
    return json.loads(data, parse_float=Decimal, parse_constant=_refuse_constant)


def _write(obj: object, out: list[str], indent: int | None, level: int) -> None:
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, int):
        out.append(str(int(obj)))
    elif isinstance(obj, Decimal):
        if not obj.is_finite():
            raise ValueError(f"{obj} cannot be written as a JSON number")
        out.append(format(obj, "f"))  # the digits as they are: 12.50 stays 12.50, no exponent
    elif isinstance(obj, float):
        raise TypeError(f"a float ({obj!r}) is not an amount: use Decimal")
    elif isinstance(obj, str):
        out.append(json.dumps(obj, ensure_ascii=False))
    elif isinstance(obj, Mapping):
        items = list(obj.items())
        if not items:
            out.append("{}")
            return
        out.append("{")
        for i, (k, v) in enumerate(items):
            if not isinstance(k, str):
                raise TypeError(f"JSON object keys are strings, got {k!r}")
            out.append(("," if i else "") + _newline(indent, level + 1))
            out.append(json.dumps(k, ensure_ascii=False) + (": " if indent is not None else ":"))
            _write(v, out, indent, level + 1)
        out.append(_newline(indent, level) + "}")
    elif isinstance(obj, (list, tuple)):
        if not obj:
            out.append("[]")
            return
        out.append("[")
        for i, v in enumerate(obj):
            out.append(("," if i else "") + _newline(indent, level + 1))
            _write(v, out, indent, level + 1)
        out.append(_newline(indent, level) + "]")
    else:
        raise TypeError(f"{type(obj).__name__} is not JSON")


def _newline(indent: int | None, level: int) -> str:
    return "" if indent is None else "\n" + " " * (indent * level)


def dumps(obj: object, *, indent: int | None = None) -> str:
    """JSON text of ``obj`` (dicts, lists, str, int, bool, None, Decimal). A Decimal is written
    as the number it is; a float is refused."""
    out: list[str] = []
    _write(obj, out, indent, 0)
    return "".join(out)


# ---- the gateway's credentials ------------------------------------------------------------


def signature(timestamp: str, token: str, nonce: str) -> str:
    """x-tif-signature: lower-case hex SHA-256 of timestamp + token + nonce + timestamp."""
    return hashlib.sha256(f"{timestamp}{token}{nonce}{timestamp}".encode()).hexdigest()


def x_tif_headers(
    paasid: str, token: str, *, now: float | None = None, nonce: str | None = None
) -> dict[str, str]:
    """The four x-tif headers of one request: Unix seconds, a fresh 32-character nonce."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = nonce or secrets.token_hex(16)
    return {
        "x-tif-paasid": paasid,
        "x-tif-timestamp": timestamp,
        "x-tif-nonce": nonce,
        "x-tif-signature": signature(timestamp, token, nonce),
    }


# ---- the HIS ------------------------------------------------------------------------------


def format_time(moment: datetime) -> str:
    """DT: ``yyyy-MM-dd HH:mm:ss``."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def cst_now() -> datetime:
    return datetime.now(CST).replace(microsecond=0)


@dataclass(frozen=True)
class Institution:
    """Who the HIS is: the designated institution and its gateway credentials (empty on a
    network that checks none)."""

    fixmedins_code: str
    fixmedins_name: str
    mdtrtarea_admvs: str
    paasid: str = ""
    token: str = ""


@dataclass(frozen=True)
class FeeLine:
    """A fee line to upload (2204): national list code, quantity, unit price in yuan."""

    code: str
    cnt: Decimal
    pric: Decimal

    def amount(self) -> Decimal:
        return line_amount(self.cnt, self.pric)


class CallError(Exception):
    """A call the node refused: an answer with infcode -1 (HTTP 200), or another HTTP status
    (401/403 credentials, 400 not JSON, 404 wrong path) with its JSON body."""

    def __init__(self, infno: str, msgid: str, status: int, answer: Any) -> None:
        err = answer.get("err_msg") if isinstance(answer, dict) else None
        self.infno, self.msgid, self.status, self.answer = infno, msgid, status, answer
        self.err_msg = str(err if err is not None else answer)
        where = "" if status == 200 else f"HTTP {status}: "
        super().__init__(f"{infno} {msgid}: {where}{self.err_msg}")


class MsgidSequence:
    """msgids of one institution: fixmedins_code(12) + yyyyMMddHHmmss(14) + sequence(4); the
    sequence restarts each second at a random point, so two HIS processes rarely collide."""

    def __init__(self, code: str, now: Callable[[], datetime] = cst_now) -> None:
        self.code, self.now = code, now
        self._stamp, self._next = "", 0

    def __call__(self) -> str:
        while True:
            stamp = self.now().strftime("%Y%m%d%H%M%S")
            if stamp != self._stamp:
                self._stamp, self._next = stamp, secrets.randbelow(5000)
            if self._next <= 9999:
                n, self._next = self._next, self._next + 1
                return f"{self.code}{stamp}{n:04d}"
            time.sleep(0.05)  # 10,000 msgids in one second: wait for the next


def tls_context(ca: str | Path) -> ssl.SSLContext:
    """Verify the server against the network's CA only (no client certificate over HTTP)."""
    return ssl.create_default_context(cafile=str(ca))


class HttpHis:
    """One institution's HIS talking to its treatment node's national HTTP interface.

    ``client`` may be shared by many HIS of one node (one keep-alive connection pool); without
    one, the HIS opens its own (``verify``: an SSLContext, see :func:`tls_context`).
    ``now`` gives the HIS's clock (inf_time, msgids), ``msgids`` a msgid source."""

    def __init__(
        self,
        url: str,
        institution: Institution,
        *,
        client: httpx.AsyncClient | None = None,
        verify: ssl.SSLContext | bool = True,
        timeout: float = 10.0,
        now: Callable[[], datetime] = cst_now,
        msgids: Callable[[], str] | None = None,
        opter: str = "OP001",
        opter_name: str = "HIS",
        opter_type: str = "1",
    ) -> None:
        self.url = url
        self.inst = institution
        self._own = client is None
        self.client = client or httpx.AsyncClient(verify=verify, timeout=timeout)
        self.timeout = timeout
        self.now = now
        self.msgid = msgids or MsgidSequence(institution.fixmedins_code, now)
        self.opter, self.opter_name, self.opter_type = opter, opter_name, opter_type
        self.sign_no = ""
        self.last: dict[str, Any] = {}
        """The last answer (the whole JSON body), for showing."""

    async def __aenter__(self) -> HttpHis:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own:
            await self.client.aclose()

    # ---- the envelope ---------------------------------------------------------------------

    def envelope(
        self,
        infno: str,
        input: Mapping[str, Any],
        *,
        insuplc_admdvs: str = "",
        msgid: str | None = None,
    ) -> dict[str, Any]:
        """The request envelope (公共入参) around ``input``."""
        return {
            "infno": infno,
            "msgid": msgid or self.msgid(),
            "mdtrtarea_admvs": self.inst.mdtrtarea_admvs,
            "insuplc_admdvs": insuplc_admdvs,
            "recer_sys_code": "SETTLENET",
            "dev_no": "",
            "dev_safe_info": "",
            "cainfo": "",
            "signtype": "",
            "infver": "V1.0",
            "opter_type": self.opter_type,
            "opter": self.opter,
            "opter_name": self.opter_name,
            "inf_time": format_time(self.now()),
            "fixmedins_code": self.inst.fixmedins_code,
            "fixmedins_name": self.inst.fixmedins_name,
            "sign_no": self.sign_no,
            "input": dict(input),
        }

    def headers(self) -> dict[str, str]:
        headers = {"content-type": "application/json;charset=utf-8"}
        if self.inst.paasid:
            headers |= x_tif_headers(self.inst.paasid, self.inst.token)
        return headers

    async def post(self, envelope: Mapping[str, Any]) -> tuple[int, Any]:
        """POST one envelope; the HTTP status and the parsed body (the raw text if not JSON)."""
        res = await self.client.post(
            self.url,
            content=dumps(envelope).encode("utf-8"),
            headers=self.headers(),
            timeout=self.timeout,
        )
        try:
            body = loads(res.content)
        except ValueError:
            body = res.text
        return res.status_code, body

    async def call(
        self,
        infno: str,
        input: Mapping[str, Any],
        *,
        insuplc_admdvs: str = "",
        msgid: str | None = None,
    ) -> Any:
        """One transaction: its ``output``; :class:`CallError` unless HTTP 200 and infcode 0."""
        env = self.envelope(infno, input, insuplc_admdvs=insuplc_admdvs, msgid=msgid)
        status, answer = await self.post(env)
        if isinstance(answer, dict):
            self.last = answer
        if status != 200 or not isinstance(answer, dict) or answer.get("infcode") != 0:
            raise CallError(infno, env["msgid"], status, answer)
        return answer.get("output")

    # ---- sign-in ----------------------------------------------------------------------------

    async def sign_in(self, *, mac: str = "00-00-00-00-00-00", ip: str = "127.0.0.1") -> Any:
        """9001: every later call carries the returned sign_no."""
        self.sign_no = ""
        out = await self.call("9001", {"signIn": {"opter_no": self.opter, "mac": mac, "ip": ip}})
        self.sign_no = str(out["signinoutb"]["sign_no"])
        return out

    async def sign_out(self) -> Any:
        """9002."""
        out = await self.call(
            "9002", {"signOut": {"sign_no": self.sign_no, "opter_no": self.opter}}
        )
        self.sign_no = ""
        return out

    # ---- the outpatient path --------------------------------------------------------------

    async def query_person(
        self,
        certno: str,
        *,
        insuplc_admdvs: str = "",
        mdtrt_cert_type: str = "02",
        mdtrt_cert_no: str = "",
        psn_cert_type: str = "01",
        psn_name: str = "",
        msgid: str | None = None,
    ) -> Any:
        """1101: ``baseinfo``, ``insuinfo[]``, ``idetinfo[]``."""
        data = {
            "mdtrt_cert_type": mdtrt_cert_type,
            "mdtrt_cert_no": mdtrt_cert_no or certno,
            "card_sn": "",
            "begntime": "",
            "psn_cert_type": psn_cert_type,
            "certno": certno,
            "psn_name": psn_name,
        }
        return await self.call("1101", {"data": data}, insuplc_admdvs=insuplc_admdvs, msgid=msgid)

    async def register(
        self,
        insuplc_admdvs: str,
        psn_no: str,
        insutype: str,
        begntime: str,
        *,
        ipt_otp_no: str,
        med_type: str = "11",
        diag: Iterable[tuple[str, str]] = (("J06.900", "急性上呼吸道感染"),),
        dise_codg: str = "",
        refl_flag: str = "",
        dept: tuple[str, str] = ("A03", "内科"),
        doctor: tuple[str, str] = ("D001", "王医生"),
        mdtrt_cert_type: str = "01",
        mdtrt_cert_no: str = "",
        msgid: str | None = None,
    ) -> Any:
        """2201: opens a visit; output ``data`` {mdtrt_id, psn_no, ipt_otp_no}. ``diag`` are
        (code, name) diagnoses sent as ``diseinfo`` beside ``data``; ``dise_codg`` is the
        chronic/special disease of a med_type "14" visit."""
        data: dict[str, Any] = {
            "psn_no": psn_no,
            "insutype": insutype,
            "begntime": begntime,
            "mdtrt_cert_type": mdtrt_cert_type,
            "mdtrt_cert_no": mdtrt_cert_no or psn_no,
            "ipt_otp_no": ipt_otp_no,
            "atddr_no": doctor[0],
            "dr_name": doctor[1],
            "dept_code": dept[0],
            "dept_name": dept[1],
            "caty": dept[0],
            "med_type": med_type,
        }
        if dise_codg:
            # The spec's 病种编码; settlenet's gRPC contract names it opsp_dise_code.
            data |= {"dise_codg": dise_codg, "opsp_dise_code": dise_codg}
        if refl_flag:
            data["refl_flag"] = refl_flag
        diseinfo = [
            {
                "diag_type": "1",
                "diag_srt_no": str(i + 1),
                "diag_code": code,
                "diag_name": name,
                "diag_dept": dept[1],
                "dise_dor_no": doctor[0],
                "dise_dor_name": doctor[1],
                "diag_time": begntime,
                "vali_flag": "1",
            }
            for i, (code, name) in enumerate(diag)
        ]
        return await self.call(
            "2201",
            {"data": data, "diseinfo": diseinfo},
            insuplc_admdvs=insuplc_admdvs,
            msgid=msgid,
        )

    async def cancel_registration(
        self, insuplc_admdvs: str, psn_no: str, mdtrt_id: str, ipt_otp_no: str
    ) -> Any:
        """2202."""
        data = {"psn_no": psn_no, "mdtrt_id": mdtrt_id, "ipt_otp_no": ipt_otp_no}
        return await self.call("2202", {"data": data}, insuplc_admdvs=insuplc_admdvs)

    async def upload_diagnoses(
        self,
        insuplc_admdvs: str,
        mdtrt_id: str,
        psn_no: str,
        begntime: str,
        diag: Iterable[tuple[str, str]],
        *,
        med_type: str = "11",
        dise_codg: str = "",
    ) -> Any:
        """2203: the visit's diagnoses (``mdtrtinfo`` + ``diseinfo[]``)."""
        mdtrtinfo = {
            "mdtrt_id": mdtrt_id,
            "psn_no": psn_no,
            "med_type": med_type,
            "begntime": begntime,
            "main_cond_dscr": "",
            "dise_codg": dise_codg,
            "dise_name": "",
        }
        diseinfo = [
            {
                "diag_type": "1",
                "diag_srt_no": str(i + 1),
                "diag_code": code,
                "diag_name": name,
                "diag_dept": "内科",
                "dise_dor_no": "D001",
                "dise_dor_name": "王医生",
                "diag_time": begntime,
                "vali_flag": "1",
            }
            for i, (code, name) in enumerate(diag)
        ]
        return await self.call(
            "2203", {"mdtrtinfo": mdtrtinfo, "diseinfo": diseinfo}, insuplc_admdvs=insuplc_admdvs
        )

    def fee_line(
        self,
        mdtrt_id: str,
        psn_no: str,
        sn: str,
        line: FeeLine,
        fee_time: str,
        chrg_bchno: str,
        *,
        med_type: str = "11",
    ) -> dict[str, Any]:
        """One ``feedetail`` element of 2204."""
        return {
            "feedetl_sn": sn,
            "mdtrt_id": mdtrt_id,
            "psn_no": psn_no,
            "chrg_bchno": chrg_bchno,
            "med_type": med_type,
            "rx_circ_flag": "0",
            "fee_ocur_time": fee_time,
            "med_list_codg": line.code,
            "medins_list_codg": line.code,
            "det_item_fee_sumamt": line.amount(),
            "cnt": line.cnt,
            "pric": line.pric,
            "bilg_dept_codg": "A03",
            "bilg_dept_name": "内科",
            "bilg_dr_codg": "D001",
            "bilg_dr_name": "王医生",
            "hosp_appr_flag": "1",
        }

    async def upload_fees(
        self,
        insuplc_admdvs: str,
        mdtrt_id: str,
        psn_no: str,
        lines: Iterable[FeeLine],
        fee_time: str,
        *,
        chrg_bchno: str = "B0001",
        first_sn: int = 1,
        med_type: str = "11",
    ) -> Any:
        """2204: output ``result[]``, one classification per line."""
        feedetail = [
            self.fee_line(
                mdtrt_id, psn_no, f"{first_sn + i:04d}", x, fee_time, chrg_bchno, med_type=med_type
            )
            for i, x in enumerate(lines)
        ]
        return await self.call("2204", {"feedetail": feedetail}, insuplc_admdvs=insuplc_admdvs)

    async def cancel_fees(
        self, insuplc_admdvs: str, mdtrt_id: str, psn_no: str, chrg_bchno: str = "0000"
    ) -> Any:
        """2205: ``chrg_bchno`` "0000" cancels every unsettled line of the visit."""
        data = {"mdtrt_id": mdtrt_id, "chrg_bchno": chrg_bchno, "psn_no": psn_no}
        return await self.call("2205", {"data": data}, insuplc_admdvs=insuplc_admdvs)

    def settle_data(
        self,
        mdtrt_id: str,
        psn_no: str,
        insutype: str,
        medfee_sumamt: Decimal,
        *,
        med_type: str = "11",
        acct_used: bool = True,
        chrg_bchno: str = "B0001",
        sums: Mapping[str, Decimal] | None = None,
    ) -> dict[str, Any]:
        """``data`` of 2206 / 2207. ``sums`` are 2207's fulamt_ownpay_amt, overlmt_selfpay,
        preselfpay_amt and inscp_scp_amt as the 2206 answer gave them."""
        data: dict[str, Any] = {
            "psn_no": psn_no,
            "mdtrt_cert_type": "01",
            "mdtrt_cert_no": psn_no,
            "med_type": med_type,
            "medfee_sumamt": medfee_sumamt,
            "psn_setlway": "01",
            "mdtrt_id": mdtrt_id,
            "chrg_bchno": chrg_bchno,
            "acct_used_flag": "1" if acct_used else "0",
            "insutype": insutype,
        }
        return data | dict(sums or {})

    async def pre_settle(self, insuplc_admdvs: str, *args: Any, **kwargs: Any) -> Any:
        """2206: ``setlinfo`` + ``setldetail[]``; nothing is committed. Arguments as
        :meth:`settle_data`."""
        msgid = kwargs.pop("msgid", None)
        data = self.settle_data(*args, **kwargs)
        return await self.call("2206", {"data": data}, insuplc_admdvs=insuplc_admdvs, msgid=msgid)

    async def settle(self, insuplc_admdvs: str, *args: Any, **kwargs: Any) -> Any:
        """2207: ``setlinfo`` (``medins_setl_id`` = this msgid) + ``setldetail[]``."""
        msgid = kwargs.pop("msgid", None)
        data = self.settle_data(*args, **kwargs)
        return await self.call("2207", {"data": data}, insuplc_admdvs=insuplc_admdvs, msgid=msgid)

    async def revoke(
        self,
        insuplc_admdvs: str,
        setl_id: str,
        mdtrt_id: str,
        psn_no: str,
        *,
        msgid: str | None = None,
    ) -> Any:
        """2208: the revocation's ``setlinfo`` + ``setldetail[]``."""
        data = {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": psn_no}
        return await self.call("2208", {"data": data}, insuplc_admdvs=insuplc_admdvs, msgid=msgid)

    async def reverse(self, insuplc_admdvs: str, psn_no: str, omsgid: str, oinfno: str) -> Any:
        """2601: correct the call ``omsgid`` whose answer never came."""
        data = {"psn_no": psn_no, "omsgid": omsgid, "oinfno": oinfno}
        return await self.call("2601", {"data": data}, insuplc_admdvs=insuplc_admdvs)

    # ---- queries and statements -----------------------------------------------------------

    async def query_settlement(
        self, insuplc_admdvs: str, psn_no: str, setl_id: str, mdtrt_id: str
    ) -> Any:
        """5203: ``setlinfo`` + ``setldetail[]``."""
        data = {"psn_no": psn_no, "setl_id": setl_id, "mdtrt_id": mdtrt_id}
        return await self.call("5203", {"data": data}, insuplc_admdvs=insuplc_admdvs)

    async def query_fees(
        self, insuplc_admdvs: str, psn_no: str, mdtrt_id: str, setl_id: str = ""
    ) -> Any:
        """5204: a bare array of the visit's fee lines."""
        data = {"psn_no": psn_no, "setl_id": setl_id, "mdtrt_id": mdtrt_id}
        return await self.call("5204", {"data": data}, insuplc_admdvs=insuplc_admdvs)

    async def statement_totals(
        self,
        setl_optins: str,
        begndate: str,
        enddate: str,
        *,
        count: int,
        medfee_sumamt: Decimal,
        fund_pay_sumamt: Decimal,
        acct_pay: Decimal,
        insutype: str = "310",
        clr_type: str = "11",
    ) -> Any:
        """3201: the hospital's totals for the period; output ``stmtinfo``."""
        data = {
            "insutype": insutype,
            "clr_type": clr_type,
            "setl_optins": setl_optins,
            "stmt_begndate": begndate,
            "stmt_enddate": enddate,
            "medfee_sumamt": medfee_sumamt,
            "fund_pay_sumamt": fund_pay_sumamt,
            "acct_pay": acct_pay,
            "fixmedins_setl_cnt": count,
        }
        return await self.call("3201", {"data": data})

    async def statement_details(
        self,
        setl_optins: str,
        begndate: str,
        enddate: str,
        *,
        count: int,
        medfee_sumamt: Decimal,
        fund_pay_sumamt: Decimal,
        cash_payamt: Decimal,
    ) -> Any:
        """3202: the hospital's totals; output ``stmtinfo`` and the detail rows inline."""
        data = {
            "setl_optins": setl_optins,
            "file_qury_no": "",
            "stmt_begndate": begndate,
            "stmt_enddate": enddate,
            "medfee_sumamt": medfee_sumamt,
            "fund_pay_sumamt": fund_pay_sumamt,
            "cash_payamt": cash_payamt,
            "fixmedins_setl_cnt": count,
        }
        return await self.call("3202", {"data": data})


# ---- a visit from network.json ------------------------------------------------------------


def institution_of(doc: Mapping[str, Any], province: str, code: str | None = None) -> Institution:
    """An institution of ``province`` (``code``, or its highest-level cross-province one) and
    its credentials from network.json."""
    prov = doc["provinces"][province]
    eligible = [x for x in prov["institutions"] if x["cross_province"]]
    inst = (
        next(x for x in prov["institutions"] if x["fixmedins_code"] == code)
        if code
        else max(eligible, key=lambda x: x["medins_lv"])
    )
    security = doc.get("security") or {}
    account = next(
        (
            a
            for a in (security.get("accounts") or {}).get(province, [])
            if a["code"] == inst["fixmedins_code"]
        ),
        {"paasid": "", "token": ""},
    )
    return Institution(
        inst["fixmedins_code"],
        inst["fixmedins_name"],
        inst["admdvs"],
        account["paasid"],
        account["token"],
    )


def client_for(doc: Mapping[str, Any], url: str, timeout: float = 10.0) -> httpx.AsyncClient:
    """An HTTP client for ``url``: HTTPS verified with network.json's ``security.ca``."""
    ca = (doc.get("security") or {}).get("ca")
    verify: ssl.SSLContext | bool = tls_context(ca) if url.startswith("https:") and ca else True
    return httpx.AsyncClient(verify=verify, timeout=timeout)


def sample_lines(doc: Mapping[str, Any], province: str) -> list[FeeLine]:
    """Seven lines under ``province``'s catalogue: class A, B and C items and one outside."""
    cat = doc["provinces"][province]["catalogue"]

    def line(cls: str, i: int, cnt: str, pric: str) -> FeeLine:
        return FeeLine(cat[cls][i]["med_list_codg"], Decimal(cnt), Decimal(pric))

    return [
        line("class_a", 0, "2", "14.49"),
        line("class_a", 1, "1", "33.12"),
        line("class_b", 0, "1", "45.54"),
        line("class_b", 1, "2", "70.38"),
        line("class_a", 2, "3", "68.00"),
        line("class_c", 0, "1", "4.02"),
        FeeLine(cat["outside_catalogue"][0], Decimal("1"), Decimal("15.00")),
    ]


async def visit(
    doc: Mapping[str, Any],
    treat: str,
    insured: str,
    show: Callable[[str, Any], None],
    *,
    keep: bool = False,
    person_index: int = 1,
) -> None:
    """9001 → 1101 → 2201 → 2204 → 2206 → 2207 (→ 2208) → 9002, each answer to ``show``."""
    url = str(doc["provinces"][treat]["http"])
    persons = doc["provinces"][insured]["persons"]
    person = persons[min(person_index, len(persons) - 1)]
    region = str(person["insuplc_admdvs"])
    lines = sample_lines(doc, treat)
    async with client_for(doc, url) as client:
        his = HttpHis(url, institution_of(doc, treat), client=client)
        await his.sign_in()
        show("9001", his.last)
        try:
            info = await his.query_person(person["certno"], insuplc_admdvs=region)
            show("1101", his.last)
            psn_no = str(info["baseinfo"]["psn_no"])
            insutype = str(info["insuinfo"][0]["insutype"])
            now = his.now()
            begntime = format_time(now - timedelta(minutes=30))
            ipt_otp_no = f"OP{his.msgid()[-12:]}"
            reg = await his.register(region, psn_no, insutype, begntime, ipt_otp_no=ipt_otp_no)
            show("2201", his.last)
            mdtrt_id = str(reg["data"]["mdtrt_id"])
            fee_time = format_time(now - timedelta(minutes=20))
            await his.upload_fees(region, mdtrt_id, psn_no, lines, fee_time)
            show("2204", his.last)
            total = sum((x.amount() for x in lines), Decimal("0.00"))
            pre = await his.pre_settle(region, mdtrt_id, psn_no, insutype, total)
            show("2206", his.last)
            sums = {
                k: pre["setlinfo"][k]
                for k in ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")
            }
            done = await his.settle(region, mdtrt_id, psn_no, insutype, total, sums=sums)
            show("2207", his.last)
            if not keep:
                await his.revoke(region, str(done["setlinfo"]["setl_id"]), mdtrt_id, psn_no)
                show("2208", his.last)
        finally:
            await his.sign_out()
            show("9002", his.last)


def main(argv: list[str] | None = None) -> int:
    import asyncio

    p = argparse.ArgumentParser(
        prog="python -m scripts.clients.http_his",
        description="A hospital information system written from the national interface spec: "
        "drive one cross-province visit (9001 → 1101 → 2201 → 2204 → 2206 → 2207 → 2208 → 9002) "
        "over HTTP/JSON against a running network (settlenet up) and print each answer. "
        "HTTPS is verified with network.json's security.ca; every request carries fresh "
        "x-tif headers; amounts are yuan.",
    )
    p.add_argument("--target", type=Path, required=True, help="DIR/network.json")
    p.add_argument("--treat", default="11", help="treatment province code (default 11)")
    p.add_argument("--insured", default="13", help="insured province code (default 13)")
    p.add_argument("--keep", action="store_true", help="do not revoke the settlement (no 2208)")
    args = p.parse_args(argv)
    try:
        doc = json.loads(args.target.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"http_his: {args.target}: {exc}", file=sys.stderr)
        return 2
    for code in (args.treat, args.insured):
        if code not in doc.get("provinces", {}):
            print(f"http_his: province {code} is not in {args.target}", file=sys.stderr)
            return 2
    if "http" not in doc["provinces"][args.treat]:
        print(
            f"http_his: {args.target} gives no HTTP interface for province {args.treat} "
            "(provinces.<code>.http)",
            file=sys.stderr,
        )
        return 2

    def show(infno: str, answer: Any) -> None:
        print(f"--- {infno}")
        print(dumps(answer, indent=2))

    try:
        asyncio.run(visit(doc, args.treat, args.insured, show, keep=args.keep))
    except CallError as exc:
        print(f"http_his: {exc}", file=sys.stderr)
        return 1
    except httpx.HTTPError as exc:
        print(f"http_his: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    from scripts.options import ends_quietly

    raise SystemExit(ends_quietly(main))
