"""Each transaction of the HTTP interface: which servicer method runs it, how its ``input``
becomes the request message, and how the answer becomes its ``output``.

The shapes are the spec's (定点医药机构接口规范, as hospital systems transcribe it): ``input.data``
for most transactions, ``input.feedetail[]`` for 2204, ``input.mdtrtinfo`` + ``input.diseinfo[]``
for 2203; ``output.baseinfo`` / ``insuinfo[]`` / ``idetinfo[]`` for 1101, ``output.setlinfo`` and
``output.setldetail[]`` for settlements, ``output.result[]`` for 2204, a bare list for 5204.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from provincial_nodes.entrypoints.http.wire import fill, render
from services.pb.settlenet.v1 import (
    correction_pb2,
    hospital_reconcile_pb2,
    insured_pb2,
    treatment_pb2,
)
from services.values.errors import InvalidField, NotFound

Read = Callable[[dict[str, Any], Any], None]
Write = Callable[[Any, Any, dict[str, Any]], Any]


@dataclass(frozen=True)
class Transaction:
    infno: str
    name: str
    """The spec's name of the transaction."""
    service: str
    method: str
    request: type[Message]
    read: Read
    """Fills the request from ``input``."""
    write: Write
    """The ``output`` of an answer (given the request and ``input``)."""
    input_nodes: tuple[str, ...]
    """The nodes of ``input`` (for the OpenAPI document)."""

    @property
    def grpc_method(self) -> str:
        return f"/settlenet.v1.{self.service}/{self.method}"


def _node(input_: dict[str, Any], *names: str) -> Any:
    """The first of ``names`` present in ``input`` (regional clients say ``mdtrtinfo`` where
    the national spec says ``data``)."""
    for name in names:
        if name in input_:
            return input_[name]
    raise InvalidField(f"input.{names[0]}", None, "required")


def _data(input_: dict[str, Any], request: Any) -> None:
    fill(request, _node(input_, "data"), "input.data")


def _visit(input_: dict[str, Any], request: Any) -> None:
    data = _node(input_, "data", "mdtrtinfo")
    if not isinstance(data, dict):
        raise InvalidField("input.data", data, "must be a JSON object")
    fill(request, data, "input.data")
    if "diseinfo" in input_:
        fill(request, {"diseinfo": input_["diseinfo"]}, "input")
    if not request.med_type:
        request.med_type = "11"  # 普通门诊: the spec's 2201 has no med_type (2203 carries it)


SHARED_LINE_FIELDS = ("mdtrt_id", "psn_no", "chrg_bchno")


def _fee_lines(input_: dict[str, Any], request: Any) -> None:
    lines = _node(input_, "feedetail")
    if isinstance(lines, dict):
        lines = [lines]
    if not isinstance(lines, list) or not lines:
        raise InvalidField("input.feedetail", lines, "a list of fee lines, at least one")
    first = lines[0]
    if not isinstance(first, dict):
        raise InvalidField("input.feedetail[0]", first, "must be a JSON object")
    for name in SHARED_LINE_FIELDS:
        for i, line in enumerate(lines):
            if not isinstance(line, dict):
                raise InvalidField(f"input.feedetail[{i}]", line, "must be a JSON object")
            if line.get(name) != first.get(name):
                raise InvalidField(
                    f"input.feedetail[{i}].{name}",
                    line.get(name),
                    f"one 2204 is one visit and one batch: must equal feedetail[0]'s "
                    f"{first.get(name)!r}",
                )
    fill(request, {name: first.get(name) for name in SHARED_LINE_FIELDS}, "input.feedetail[0]")
    fill(request, {"feedetail": lines}, "input")


def _diagnoses(input_: dict[str, Any], request: Any) -> None:
    info = _node(input_, "mdtrtinfo", "mdtrtInfo")
    fill(request, {"mdtrtinfo": info, "diseinfo": input_.get("diseinfo", [])}, "input")


def _renamed(renames: dict[str, str]) -> Read:
    """``input.data`` with the spec's names mapped onto the contract's."""

    def read(input_: dict[str, Any], request: Any) -> None:
        data = _node(input_, "data")
        if not isinstance(data, dict):
            raise InvalidField("input.data", data, "must be a JSON object")
        fill(request, {renames.get(k, k): v for k, v in data.items()}, "input.data")

    return read


def _statement_details(input_: dict[str, Any], request: Any) -> None:
    _renamed(STATEMENT_NAMES)(input_, request)
    rows = input_.get("detail", [])
    fill(request, {"records": rows}, "input.detail")


STATEMENT_NAMES = {
    "stmt_begndate": "begndate",
    "stmt_enddate": "enddate",
    "fixmedins_setl_cnt": "count",
    "cash_payamt": "psn_cash_pay",
}


# ------------------------------------------------------------------ outputs


def _person(answer: Any, request: Any, input_: dict[str, Any]) -> Any:
    return render(answer)


def _registered(answer: Any, request: Any, input_: dict[str, Any]) -> Any:
    return {"data": render(answer)}


def _classified(answer: Any, request: Any, input_: dict[str, Any]) -> Any:
    return render(answer)  # {"result": [...]}


def settlement(setlinfo: Any) -> dict[str, Any]:
    """``setlinfo`` and ``setldetail`` as the spec puts them, side by side."""
    info = render(setlinfo, skip=("setldetail",))
    return {"setlinfo": info, "setldetail": [render(d) for d in setlinfo.setldetail]}


def _settled(answer: Any, request: Any, input_: dict[str, Any]) -> Any:
    return settlement(answer.setlinfo)


def _revoked(answer: Any, request: Any, input_: dict[str, Any]) -> Any:
    out = settlement(answer.setlinfo)
    out["setlinfo"]["pdn_cash_pay"] = out["setlinfo"]["psn_cash_pay"]  # the spec's 2208 spelling
    return out


def _queried(answer: Any, request: Any, input_: dict[str, Any]) -> Any:
    found = [s for s in answer.setlinfo if not request.setl_id or s.setl_id == request.setl_id]
    if not found:
        raise NotFound("input.data.setl_id", request.setl_id, "no such settlement of this visit")
    out = settlement(found[0])
    info = out["setlinfo"]
    info["psn_pay"], info["cash_payamt"] = info["psn_part_amt"], info["psn_cash_pay"]
    return out


def _nothing(answer: Any, request: Any, input_: dict[str, Any]) -> Any:
    return {}  # the spec's 2202, 2203 and 2205 have no output


def _fee_rows(answer: Any, request: Any, input_: dict[str, Any]) -> Any:
    """5204: a bare list, each row the line's classification and its upload's facts."""
    return [render(r, skip=("result",)) | render(r.result) for r in answer.feedetail]


def _corrected(answer: Any, request: Any, input_: dict[str, Any]) -> Any:
    return {"omsgid": answer.omsgid, "outcome": answer.outcome}


def _stmt(answer: Any, input_: dict[str, Any], dscr: str) -> dict[str, Any]:
    data = input_.get("data") if isinstance(input_.get("data"), dict) else {}
    return {
        "setl_optins": str(data.get("setl_optins", "")) if data else "",
        "stmt_rslt": answer.stmt_rslt,
        "stmt_rslt_dscr": dscr,
    }


def _totals(answer: Any, request: Any, input_: dict[str, Any]) -> Any:
    dscr = "agree" if not answer.differing else "differ: " + ", ".join(answer.differing)
    return {"stmtinfo": _stmt(answer, input_, dscr), "node": render(answer)}


def _details(answer: Any, request: Any, input_: dict[str, Any]) -> Any:
    dscr = f"{answer.agreed} agree, {len(answer.differences)} differ"
    return {
        "stmtinfo": _stmt(answer, input_, dscr),
        "detail": [render(d) for d in answer.differences],
    }


TRANSACTIONS: dict[str, Transaction] = {
    t.infno: t
    for t in (
        Transaction(
            "1101",
            "人员信息获取",
            "TreatmentService",
            "QueryPerson",
            insured_pb2.PersonQuery,
            _data,
            _person,
            ("data",),
        ),
        Transaction(
            "2201",
            "门诊挂号",
            "TreatmentService",
            "RegisterVisit",
            treatment_pb2.RegisterVisitRequest,
            _visit,
            _registered,
            ("data", "diseinfo"),
        ),
        Transaction(
            "2202",
            "门诊挂号撤销",
            "TreatmentService",
            "CancelRegistration",
            treatment_pb2.CancelRegistrationRequest,
            _data,
            _nothing,
            ("data",),
        ),
        Transaction(
            "2203",
            "门诊就诊信息上传",
            "TreatmentService",
            "UploadDiagnoses",
            treatment_pb2.UploadDiagnosesRequest,
            _diagnoses,
            _nothing,
            ("mdtrtinfo", "diseinfo"),
        ),
        Transaction(
            "2204",
            "门诊费用明细信息上传",
            "TreatmentService",
            "UploadFeeDetails",
            treatment_pb2.UploadFeeDetailsRequest,
            _fee_lines,
            _classified,
            ("feedetail",),
        ),
        Transaction(
            "2205",
            "门诊费用明细撤销",
            "TreatmentService",
            "CancelFeeDetails",
            treatment_pb2.CancelFeeDetailsRequest,
            _data,
            _nothing,
            ("data",),
        ),
        Transaction(
            "2206",
            "门诊预结算",
            "TreatmentService",
            "PreSettle",
            treatment_pb2.SettleRequest,
            _data,
            _settled,
            ("data",),
        ),
        Transaction(
            "2207",
            "门诊结算",
            "TreatmentService",
            "Settle",
            treatment_pb2.SettleRequest,
            _data,
            _settled,
            ("data",),
        ),
        Transaction(
            "2208",
            "门诊结算撤销",
            "TreatmentService",
            "RevokeSettlement",
            treatment_pb2.RevokeSettlementRequest,
            _data,
            _revoked,
            ("data",),
        ),
        Transaction(
            "5203",
            "结算信息查询",
            "TreatmentService",
            "QuerySettlement",
            treatment_pb2.QuerySettlementRequest,
            _data,
            _queried,
            ("data",),
        ),
        Transaction(
            "5204",
            "费用明细查询",
            "TreatmentService",
            "QueryFeeDetails",
            treatment_pb2.QueryFeeDetailsRequest,
            _data,
            _fee_rows,
            ("data",),
        ),
        Transaction(
            "2601",
            "冲正交易",
            "CorrectionService",
            "Correct",
            correction_pb2.CorrectionRequest,
            _data,
            _corrected,
            ("data",),
        ),
        Transaction(
            "3201",
            "医药机构费用结算对总账",
            "HospitalReconcileService",
            "Totals",
            hospital_reconcile_pb2.HospitalTotalsRequest,
            _renamed(STATEMENT_NAMES),
            _totals,
            ("data",),
        ),
        Transaction(
            "3202",
            "医药机构费用结算对明细账",
            "HospitalReconcileService",
            "Details",
            hospital_reconcile_pb2.HospitalDetailsRequest,
            _statement_details,
            _details,
            ("data", "detail"),
        ),
    )
}
"""Every transaction the HTTP interface runs through a servicer (9001 and 9002 are the HTTP
layer's own)."""
