"""The sample HIS (:class:`scripts.clients.his.His`) over the national HTTP interface instead of
gRPC: the same method names, arguments and returns (settlenet's response messages, amounts in
fen), so code written against ``His`` (the demo's story, the tests) runs unchanged over HTTP.

    async with http_adapter.hospital(doc, "11", "H11010100001") as his:   # signs in (9001)
        info = await his.query_person("130100", certno)                   # 1101 over HTTP
        ...                                                               # signs out (9002)

Requests are built by :class:`scripts.clients.http_his.HttpHis`, the HIS written from the spec;
answers are read back into the proto messages by :func:`to_message`, led by each message's
descriptor: every int64 field of these messages is an amount in fen (yuan on the wire, converted
exactly by :func:`scripts.clients.http_his.fen`), ratios and quantities are exact decimal strings
as gRPC gives them, and anything the HTTP answer does not carry keeps its default.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from scripts.clients import http_his
from scripts.clients.his import Line
from services.pb.settlenet.v1 import common_pb2, insured_pb2, treatment_pb2
from services.rpc.envelope import MsgidFactory
from services.values import clock
from services.values.money import format_cnt, format_ratio, parse_ratio

M = TypeVar("M", bound=Message)

RATIOS = frozenset({"selfpay_prop", "pool_prop_selfpay", "ratio_reduction"})
"""String fields that hold a ratio: numbers like 0.9000 on the wire, "0.90" over gRPC."""
QUANTITIES = frozenset({"cnt"})
"""String fields that hold a quantity: a number on the wire, "2" or "0.5" over gRPC."""
ALIASES: dict[str, tuple[str, ...]] = {
    "psn_cash_pay": ("pdn_cash_pay", "cash_payamt"),  # 2208's spelling, 5203's name
    "psn_part_amt": ("psn_pay",),  # 5203's name
}
"""Spec names of a proto field in some transactions' outputs, used when the field's own name
is absent."""

DIAGNOSES = {"J06.900": "急性上呼吸道感染", "E11.900": "2型糖尿病"}
"""Names for the diagnoses the samples use (the spec requires diag_name; gRPC does not)."""


class NoHttpInterface(LookupError):
    """network.json gives no national HTTP interface for the province."""


def http_url(doc: Mapping[str, Any], province: str) -> str:
    """``provinces.<code>.http`` of network.json: the full callService URL."""
    url = (doc.get("provinces") or {}).get(province, {}).get("http")
    if not url:
        raise NoHttpInterface(
            f"network.json gives no HTTP interface for province {province} "
            "(provinces.<code>.http): is the network started by a settlenet that serves it?"
        )
    return str(url)


# ---- JSON answers → proto messages --------------------------------------------------------


def _value(data: Mapping[str, Any], name: str) -> Any:
    value = data.get(name)
    if value is None:
        for alias in ALIASES.get(name, ()):
            if data.get(alias) is not None:
                return data[alias]
    return value


def _scalar(field: FieldDescriptor, value: Any, path: str) -> Any:
    if field.cpp_type == FieldDescriptor.CPPTYPE_INT64:
        return http_his.fen(value, path)  # every int64 of these messages is an amount in fen
    if field.cpp_type == FieldDescriptor.CPPTYPE_INT32:
        return int(http_his.decimal_of(value, path))
    if field.cpp_type == FieldDescriptor.CPPTYPE_BOOL:
        return bool(value)
    if field.cpp_type != FieldDescriptor.CPPTYPE_STRING:
        return value
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        if field.name in RATIOS:
            with contextlib.suppress(ValueError):
                return format_ratio(parse_ratio(str(value)))
        if field.name in QUANTITIES:
            return format_cnt(Decimal(value))
        return format(Decimal(value), "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, str):
        return value
    return None  # an object where a string belongs: not this message's shape


def fill(msg: Message, data: Mapping[str, Any], where: str = "") -> None:
    """Set ``msg``'s fields from the JSON object ``data`` (spec names = proto names)."""
    for field in msg.DESCRIPTOR.fields:
        value = _value(data, field.name)
        if value is None:
            continue
        path = f"{where}{field.name}"
        if field.message_type is not None:
            items = value if isinstance(value, list) else [value]
            objects = [x for x in items if isinstance(x, Mapping)]
            if field.is_repeated:
                for i, x in enumerate(objects):
                    fill(getattr(msg, field.name).add(), x, f"{path}[{i}].")
            elif objects:
                fill(getattr(msg, field.name), objects[0], f"{path}.")
        elif field.is_repeated:
            items = value if isinstance(value, list) else [value]
            converted = [_scalar(field, x, path) for x in items]
            getattr(msg, field.name).extend(x for x in converted if x is not None)
        else:
            converted = _scalar(field, value, path)
            if converted is not None:
                setattr(msg, field.name, converted)


def to_message(cls: type[M], data: Mapping[str, Any] | None, where: str = "") -> M:
    """A ``cls`` message read from a JSON object of an HTTP answer."""
    msg: M = cls()
    if data:
        fill(msg, data, where)
    return msg


def _compact_time(text: Any) -> str:
    """``yyyyMMddHHmmssSSS`` (the HTTP answer's) → ``yyyy-MM-dd HH:mm:ss`` (gRPC's)."""
    s = str(text or "")
    if len(s) >= 14 and s[:14].isdigit():
        return f"{s[0:4]}-{s[4:6]}-{s[6:8]} {s[8:10]}:{s[10:12]}:{s[12:14]}"
    return s


def response_header(answer: Mapping[str, Any], msgid: str) -> common_pb2.ResponseHeader:
    return common_pb2.ResponseHeader(
        inf_refmsgid=str(answer.get("inf_refmsgid") or ""),
        refmsg_time=_compact_time(answer.get("refmsg_time")),
        respond_time=_compact_time(answer.get("respond_time")),
        infcode=int(answer.get("infcode") or 0),
        msgid=msgid,
    )


def setlinfo(output: Mapping[str, Any] | None) -> common_pb2.SetlInfo:
    """``setlinfo`` + ``setldetail[]`` of a 2206 / 2207 / 2208 / 5203 answer as one SetlInfo
    (gRPC keeps the fund rows inside it)."""
    output = output or {}
    info = dict(output.get("setlinfo") or {})
    if "setldetail" not in info and output.get("setldetail") is not None:
        info["setldetail"] = output["setldetail"]
    return to_message(common_pb2.SetlInfo, info, "setlinfo.")


# ---- the adapter ----------------------------------------------------------------------------


class HttpHisAdapter:
    """:class:`scripts.clients.his.His`'s calls over HTTP; ``http`` must be signed in."""

    def __init__(self, http: http_his.HttpHis) -> None:
        self.http = http
        self.fixmedins_code = http.inst.fixmedins_code
        self.mdtrtarea_admvs = http.inst.mdtrtarea_admvs
        self.msgid: Callable[[], str] = http.msgid
        self.timeout = http.timeout

    async def _call(
        self, infno: str, input: Mapping[str, Any], insuplc_admdvs: str, msgid: str | None = None
    ) -> tuple[Any, common_pb2.ResponseHeader]:
        msgid = msgid or self.msgid()
        output = await self.http.call(infno, input, insuplc_admdvs=insuplc_admdvs, msgid=msgid)
        return output, response_header(self.http.last, msgid)

    async def query_person(self, insuplc_admdvs: str, certno: str) -> insured_pb2.PersonInfo:
        """1101."""
        msgid = self.msgid()
        out = await self.http.query_person(certno, insuplc_admdvs=insuplc_admdvs, msgid=msgid)
        info = to_message(insured_pb2.PersonInfo, out)
        info.header.CopyFrom(response_header(self.http.last, msgid))
        return info

    async def register_visit(
        self,
        insuplc_admdvs: str,
        psn_no: str,
        insutype: str,
        begntime: str,
        *,
        med_type: str = "11",
        diag: tuple[str, ...] = ("J06.900",),
        opsp_dise_code: str = "",
        refl_flag: str = "",
    ) -> treatment_pb2.RegisterVisitResponse:
        """2201, as :meth:`His.register_visit`."""
        msgid = self.msgid()
        out = await self.http.register(
            insuplc_admdvs,
            psn_no,
            insutype,
            begntime,
            ipt_otp_no=f"OP{psn_no[-6:]}",
            med_type=med_type,
            diag=[(d, DIAGNOSES.get(d, d)) for d in diag],
            dise_codg=opsp_dise_code,
            refl_flag=refl_flag,
            msgid=msgid,
        )
        res = to_message(treatment_pb2.RegisterVisitResponse, (out or {}).get("data"))
        res.header.CopyFrom(response_header(self.http.last, msgid))
        return res

    async def register(self, *args: Any, **kwargs: Any) -> str:
        """2201; returns the visit id (mdtrt_id)."""
        return str((await self.register_visit(*args, **kwargs)).mdtrt_id)

    async def upload(
        self,
        insuplc_admdvs: str,
        mdtrt_id: str,
        psn_no: str,
        lines: list[Line],
        fee_time: str,
        *,
        first_sn: int = 1,
    ) -> treatment_pb2.UploadFeeDetailsResponse:
        """2204; ``lines`` in fen as for :meth:`His.upload`."""
        feedetail = [
            self.http.fee_line(
                mdtrt_id,
                psn_no,
                f"{first_sn + i:04d}",
                http_his.FeeLine(x.code, Decimal(x.cnt), http_his.yuan(x.pric)),
                fee_time,
                "B0001",
            )
            for i, x in enumerate(lines)
        ]
        out, header = await self._call("2204", {"feedetail": feedetail}, insuplc_admdvs)
        res = to_message(treatment_pb2.UploadFeeDetailsResponse, out)
        res.header.CopyFrom(header)
        return res

    async def _settle(
        self,
        infno: str,
        insuplc_admdvs: str,
        mdtrt_id: str,
        psn_no: str,
        insutype: str,
        medfee_sumamt: int,
        *,
        med_type: str = "11",
        acct_used: bool = True,
        msgid: str | None = None,
    ) -> treatment_pb2.SettleResponse:
        data = self.http.settle_data(
            mdtrt_id,
            psn_no,
            insutype,
            http_his.yuan(medfee_sumamt),
            med_type=med_type,
            acct_used=acct_used,
        )
        out, header = await self._call(infno, {"data": data}, insuplc_admdvs, msgid)
        return treatment_pb2.SettleResponse(header=header, setlinfo=setlinfo(out))

    async def pre_settle(self, *args: Any, **kwargs: Any) -> treatment_pb2.SettleResponse:
        """2206, as :meth:`His.pre_settle` (``medfee_sumamt`` in fen)."""
        return await self._settle("2206", *args, **kwargs)

    async def settle(self, *args: Any, **kwargs: Any) -> treatment_pb2.SettleResponse:
        """2207, as :meth:`His.settle`."""
        return await self._settle("2207", *args, **kwargs)

    async def revoke(
        self,
        insuplc_admdvs: str,
        setl_id: str,
        mdtrt_id: str,
        psn_no: str,
        *,
        msgid: str | None = None,
    ) -> treatment_pb2.RevokeSettlementResponse:
        """2208, as :meth:`His.revoke`."""
        data = {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": psn_no}
        out, header = await self._call("2208", {"data": data}, insuplc_admdvs, msgid)
        return treatment_pb2.RevokeSettlementResponse(header=header, setlinfo=setlinfo(out))


@contextlib.asynccontextmanager
async def hospital(
    doc: Mapping[str, Any],
    province: str,
    fixmedins_code: str,
    *,
    timeout_s: float = 10.0,
    client: httpx.AsyncClient | None = None,
    now: Callable[[], datetime] = clock.now,
) -> AsyncIterator[HttpHisAdapter]:
    """Institution ``fixmedins_code`` of ``province`` over HTTP, signed in (9001) for the block
    and signed out (9002) after it. ``client`` may be shared (one connection pool per node)."""
    url = http_url(doc, province)
    own = client is None
    opened = client or http_his.client_for(doc, url, timeout_s)
    his = http_his.HttpHis(
        url,
        http_his.institution_of(doc, province, fixmedins_code),
        client=opened,
        timeout=timeout_s,
        now=now,
        msgids=MsgidFactory(fixmedins_code),
    )
    try:
        await his.sign_in()
        try:
            yield HttpHisAdapter(his)
        finally:
            with contextlib.suppress(http_his.CallError, httpx.HTTPError):
                await his.sign_out()
    finally:
        if own:
            await opened.aclose()
