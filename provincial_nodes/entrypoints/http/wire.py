"""The HTTP interface's wire: JSON without floats, the spec's envelope, the answer, and the
conversion between the spec's JSON (yuan) and settlenet's request and answer messages (fen).

Conversion is by field name, the spec's and the contract's being the same (``psn_no``,
``medfee_sumamt``, ``feedetl_sn``…): an int64 field is an amount (yuan ↔ fen) unless it is a
count; ``cnt`` is an exact decimal of up to four places; ``pric`` is yuan read to six places
whose digits past the fen must be zeros. Keys the contract does not carry (``expContent``,
``dr_name`` of a client that sends more) are accepted and ignored; a value of the wrong kind is
refused naming its path (``input.feedetail[2].cnt``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import simplejson
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from services.values import clock
from services.values.errors import InvalidField
from services.values.limits import FIELD_CHARS
from services.values.yuan import decimal_text, of_fen, to_fen

MAX_BODY_BYTES = 4 * 1024 * 1024
"""As gRPC's message limit."""
COUNTS = frozenset({"count", "agreed", "fixmedins_setl_cnt"})
"""int64 fields that are counts, not amounts."""
ENVELOPE_LIMITS = {
    name: FIELD_CHARS.get(name, limit)
    for name, limit in {
        "infno": 4,
        "msgid": 30,
        "mdtrtarea_admvs": 6,
        "insuplc_admdvs": 6,
        "recer_sys_code": 10,
        "dev_no": 100,
        "dev_safe_info": 2000,
        "cainfo": 1024,
        "signtype": 10,
        "infver": 6,
        "opter_type": 3,
        "opter": 30,
        "opter_name": 50,
        "inf_time": 19,
        "fixmedins_code": 12,
        "fixmedins_name": 200,
        "sign_no": 30,
        "fixmedins_soft_fcty": 200,
        "enc_type": 10,
    }.items()
}
"""Every envelope field the spec defines and its length (settlenet's table where it has one);
``input`` besides."""
HEADER_FIELDS = (
    "infno",
    "msgid",
    "mdtrtarea_admvs",
    "insuplc_admdvs",
    "fixmedins_code",
    "opter_type",
    "opter",
    "inf_time",
)
"""The envelope fields settlenet's request header carries (the rest are read and bounded)."""

_T = FieldDescriptor
_STRING, _INT64, _INT32, _BOOL, _MESSAGE = (
    _T.TYPE_STRING,
    _T.TYPE_INT64,
    _T.TYPE_INT32,
    _T.TYPE_BOOL,
    _T.TYPE_MESSAGE,
)


class BadBody(Exception):
    """A body that is not a JSON object (HTTP 400)."""


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def read_json(body: bytes) -> dict[str, Any]:
    """The body as a JSON object; numbers with a point or exponent as Decimal (never float)."""
    if len(body) > MAX_BODY_BYTES:
        raise BadBody(f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        doc = json.loads(body.decode("utf-8"), parse_float=Decimal, parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadBody(f"the body is not JSON: {str(exc)[:200]}") from None
    if not isinstance(doc, dict):
        raise BadBody("the body must be a JSON object (the envelope)")
    return doc


def write_json(doc: Any) -> bytes:
    """JSON with Decimal amounts written as the numbers they are (120.50, not "120.50")."""
    return simplejson.dumps(doc, use_decimal=True, ensure_ascii=False).encode("utf-8")


def text(path: str, value: Any, limit: int) -> str:
    """A string field of the envelope or input: numbers become their text (some clients send
    diag_srt_no as 1); anything else is refused; at most ``limit`` characters."""
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise InvalidField(path, value, "must be a string")
    if isinstance(value, int | Decimal):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidField(path, value, "must be a string")
    if len(value) > limit:
        raise InvalidField(path, value, f"longer than {limit} characters")
    return value


def envelope(doc: Mapping[str, Any]) -> dict[str, str]:
    """The envelope's fields (bounded); ``input`` is left to the transaction."""
    out = {}
    for name, limit in ENVELOPE_LIMITS.items():
        out[name] = text(name, doc.get(name), limit)
    if not out["infno"]:
        raise InvalidField("infno", "", "required: the transaction number, e.g. 2207")
    return out


def stamp(moment: datetime) -> str:
    """``yyyyMMddHHmmssSSS``, as the spec's answer times."""
    return f"{moment:%Y%m%d%H%M%S}{moment.microsecond // 1000:03d}"


def answer(
    *,
    infcode: int,
    inf_refmsgid: str,
    received: datetime,
    output: Any = None,
    err_msg: str = "success",
) -> dict[str, Any]:
    return {
        "infcode": infcode,
        "inf_refmsgid": inf_refmsgid,
        "refmsg_time": stamp(received),
        "respond_time": stamp(clock.now()),
        "err_msg": err_msg,
        "warn_msg": None,
        "cainfo": None,
        "signtype": None,
        "output": output,
    }


# ------------------------------------------------------------------ input JSON → request


def fill(message: Message, doc: Any, path: str, *, skip: tuple[str, ...] = ()) -> None:
    """Set ``message``'s fields from the JSON object ``doc`` by name (yuan → fen)."""
    if doc is None:
        return
    if not isinstance(doc, dict):
        raise InvalidField(path, doc, "must be a JSON object")
    descriptor: Descriptor = message.DESCRIPTOR
    for field in descriptor.fields:
        if field.name in skip or field.name == "header" or field.name not in doc:
            continue
        value = doc[field.name]
        where = f"{path}.{field.name}"
        if field.is_repeated:
            items = value if isinstance(value, list) else [value] if value is not None else []
            target = getattr(message, field.name)
            for i, item in enumerate(items):
                if field.type == _MESSAGE:
                    fill(target.add(), item, f"{where}[{i}]")
                else:
                    target.append(_scalar(field, item, f"{where}[{i}]"))
        elif field.type == _MESSAGE:
            fill(getattr(message, field.name), value, where)
        else:
            setattr(message, field.name, _scalar(field, value, where))


def _scalar(field: FieldDescriptor, value: Any, where: str) -> Any:
    if field.type == _STRING:
        if field.name == "cnt":
            return decimal_text(where, value, places=4)
        return text(where, value, 100_000)  # the field's own bound is the servicer's to check
    if field.type == _INT64:
        if field.name in COUNTS:
            return _integer(where, value)
        if field.name in ("pric", "pric_uplmt_amt"):
            return to_fen(where, value, max_places=6)
        # A hospital's 3202 rows hold revocation records, whose amounts are negative.
        return to_fen(where, value, negative=field.containing_type.name == "ReconcileRecord")
    if field.type == _INT32:
        return _integer(where, value)
    if field.type == _BOOL:
        if not isinstance(value, bool):
            raise InvalidField(where, value, "must be true or false")
        return value
    raise InvalidField(where, value, "not accepted here")


def _integer(where: str, value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidField(where, value, "must be a whole number")
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        raise InvalidField(where, value, "must be a whole number") from None
    if not number.is_finite() or number != number.to_integral_value() or abs(number) >= 2**31:
        raise InvalidField(where, value, "must be a whole number")
    return int(number)


# ------------------------------------------------------------------ answer message → output JSON


def render(message: Message, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every field of ``message`` (defaults too: a hospital system expects each key), amounts in
    yuan with two decimals."""
    out: dict[str, Any] = {}
    for field in message.DESCRIPTOR.fields:
        if field.name in skip or field.name == "header":
            continue
        value = getattr(message, field.name)
        if field.is_repeated:
            out[field.name] = [
                render(v) if field.type == _MESSAGE else _out(field, v) for v in value
            ]
        elif field.type == _MESSAGE:
            out[field.name] = render(value)
        else:
            out[field.name] = _out(field, value)
    return out


def _out(field: FieldDescriptor, value: Any) -> Any:
    if field.type == _INT64 and field.name not in COUNTS:
        return of_fen(int(value))
    if field.name in ("selfpay_prop", "pool_prop_selfpay") and value:
        return Decimal(value).quantize(Decimal("0.0001"))
    return value
