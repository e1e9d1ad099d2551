"""A behaviour rules document against the node's messages: read the YAML (bounded, as the admin
documents are), check each rule's RPCs and override fields against the message descriptors, and
describe a request as the rules see it (:class:`~provincial_nodes.domain.behaviour.Call`).

The matching itself is pure (:mod:`provincial_nodes.domain.behaviour`); this is the part that
knows protobuf.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from provincial_nodes import config
from provincial_nodes.domain.behaviour import Behaviour, Call
from provincial_nodes.domain.rules_document import RuleError, parse
from provincial_nodes.entrypoints.http.transactions import TRANSACTIONS
from services.pb.settlenet.v1 import (
    admin_pb2,
    correction_pb2,
    filing_pb2,
    hospital_reconcile_pb2,
    insured_pb2,
    reconcile_pb2,
    treatment_pb2,
)
from services.values.errors import ConfigError, InvalidField

_MODULES = (
    treatment_pb2,
    insured_pb2,
    correction_pb2,
    hospital_reconcile_pb2,
    filing_pb2,
    reconcile_pb2,
    admin_pb2,
)
"""The services a province node serves (BehaviourService itself is never subject to rules)."""

INSURED_INFNOS = {
    "1101": "InsuredService/QueryPerson",
    "2206": "InsuredService/ComputeSplit",
    "2207": "InsuredService/CommitSettlement",
    "2208": "InsuredService/RevokeSettlement",
}
"""The insured place's halves of the transactions the hub forwards."""


@cache
def _outputs() -> dict[str, Descriptor]:
    """``Service/Method`` → the descriptor of its answer."""
    return {
        f"{service.name}/{method.name}": method.output_type
        for module in _MODULES
        for service in module.DESCRIPTOR.services_by_name.values()
        for method in service.methods
    }


@cache
def _infno_rpcs() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for t in TRANSACTIONS.values():
        found.setdefault(t.infno, set()).add(f"{t.service}/{t.method}")
    for infno, rpc in INSURED_INFNOS.items():
        found.setdefault(infno, set()).add(rpc)
    return {k: frozenset(v) for k, v in found.items()}


@cache
def infno_of_rpc() -> dict[str, str]:
    """``Service/Method`` → its transaction number, where one is known."""
    return {rpc: infno for infno, rpcs in _infno_rpcs().items() for rpc in rpcs}


_INT_TYPES = {
    FieldDescriptor.CPPTYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.CPPTYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.CPPTYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.CPPTYPE_UINT64: (0, 2**64 - 1),
}


def _is_repeated(f: FieldDescriptor) -> bool:
    return bool(f.is_repeated)


class MessageContract:
    """The province node's RPCs and answers, read from the generated descriptors."""

    def rpcs(self) -> frozenset[str]:
        return frozenset(_outputs())

    def rpcs_of_infno(self, infno: str) -> frozenset[str]:
        return _infno_rpcs().get(infno, frozenset())

    def override_problem(self, rpc: str, path: str, value: object) -> str | None:
        message = _outputs().get(rpc)
        if message is None:
            return "no such RPC"
        parts = path.split(".")
        for i, part in enumerate(parts):
            f = message.fields_by_name.get(part)
            where = ".".join(parts[: i + 1])
            if f is None:
                near = difflib.get_close_matches(part, list(message.fields_by_name), n=3)
                hint = f"; did you mean {' or '.join(near)}?" if near else ""
                return f"no field {where!r} in {message.name}{hint}"
            if _is_repeated(f):
                return f"{where} is a repeated field: an override sets single fields only"
            if i < len(parts) - 1:
                if f.message_type is None:
                    return f"{where} is not a message: nothing under it"
                message = f.message_type
                continue
            return _value_problem(f, value)
        return None


def _value_problem(f: FieldDescriptor, value: object) -> str | None:
    if f.message_type is not None:
        return f"{f.name} is a message ({f.message_type.name}): name a field inside it"
    if f.cpp_type in _INT_TYPES:
        low, high = _INT_TYPES[f.cpp_type]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            unit = " (fen)" if f.cpp_type == FieldDescriptor.CPPTYPE_INT64 else ""
            return f"{f.name} takes a whole number{unit}"
        return None
    if f.cpp_type == FieldDescriptor.CPPTYPE_STRING:
        if not isinstance(value, str):
            return f"{f.name} takes a text (quote it in YAML: '0')"
        return None
    if f.cpp_type == FieldDescriptor.CPPTYPE_BOOL:
        return None if isinstance(value, bool) else f"{f.name} takes true or false"
    if f.cpp_type == FieldDescriptor.CPPTYPE_ENUM:
        names = [v.name for v in f.enum_type.values]
        return None if value in names else f"{f.name} takes one of {', '.join(names)}"
    return f"{f.name} cannot be overridden"


CONTRACT = MessageContract()


def load(text: str, source: str) -> Behaviour:
    """A rules document sent by a caller; raises InvalidField naming ``yaml.rules[i].<field>``
    (and the rule's name) when anything is wrong: nothing of it is used then."""
    try:
        root = config.Reader(source, text, max_bytes=config.MAX_DOCUMENT_BYTES).root
    except config.DocumentError as err:
        raise InvalidField("yaml", err.value, err.what) from None
    try:
        rules = parse(root, CONTRACT)
    except RuleError as err:
        named = f"rule {err.rule!r}: " if err.rule else ""
        raise InvalidField(f"yaml.{err.where}", err.value, named + err.problem) from None
    return Behaviour(rules, source, text)


def load_file(path: Path) -> Behaviour:
    """A rules file given at start (``--behaviour FILE``); raises ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), "(file)", f"cannot read: {exc.strerror}") from None
    try:
        return load(text, str(path))
    except InvalidField as err:
        raise ConfigError(str(path), err.field, str(err).split(": ", 1)[-1]) from None


def call_of(rpc: str, request: Any) -> Call:
    """What the rules look at in ``request`` of ``rpc`` (how to read it is worked out once per
    RPC and message type: a call costs a few attribute reads)."""
    key = (rpc, type(request))
    read = _readers.get(key)
    if read is None:
        read = _readers[key] = _reader(rpc, request.DESCRIPTOR)
    return read(request)


_readers: dict[tuple[str, type], Callable[[Any], Call]] = {}


def _reader(rpc: str, message: Descriptor) -> Callable[[Any], Call]:
    fields = message.fields_by_name
    header = "header" in fields
    psn_no = "psn_no" in fields
    certno = "certno" in fields
    card = "mdtrt_cert_no" in fields and "mdtrt_cert_type" in fields
    code = "fixmedins_code" in fields
    amount = "medfee_sumamt" in fields
    known_infno = infno_of_rpc().get(rpc, "")

    def read(request: Any) -> Call:
        h = request.header if header else None
        number = request.certno if certno else ""
        if not number and card and request.mdtrt_cert_type == "02":  # a resident ID card
            number = request.mdtrt_cert_no
        return Call(
            rpc=rpc,
            infno=known_infno or (h.infno if h is not None else ""),
            msgid=h.msgid if h is not None else "",
            psn_no=request.psn_no if psn_no else "",
            certno=number,
            fixmedins_code=(h.fixmedins_code if h is not None else "")
            or (request.fixmedins_code if code else ""),
            amount_fen=request.medfee_sumamt if amount else None,
        )

    return read


def overridden(answer: Message, override: tuple[tuple[str, Any], ...]) -> Message:
    """A copy of ``answer`` with the override's fields set (the node's own answer, which its
    msgid journal may hold, is left as it is)."""
    out = type(answer)()
    out.CopyFrom(answer)
    for path, value in override:
        *parents, last = path.split(".")
        target: Any = out
        for part in parents:
            target = getattr(target, part)
        setattr(target, last, value)
    return out
