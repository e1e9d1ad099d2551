"""The bounds table is complete, the protos' comments repeat it, and the checks say what is wrong:
every string field of every request of every service has a length, every repeated field a
most-count; each request field's comment has the "Bounds:" line the table gives."""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.descriptor import FieldDescriptor

import services.pb.settlenet.v1 as pb
from provincial_nodes import seed
from services.pb.settlenet.v1 import common_pb2, filing_pb2, treatment_pb2
from services.rpc.bounds import check_request
from services.rpc.status import to_status
from services.values import admdvs, limits
from services.values.errors import InvalidField

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 1)


def _request_fields() -> dict[tuple[str, str], list[Any]]:
    """(proto file, message name) -> its string and repeated fields, for every message a
    request of any service holds."""
    found: dict[tuple[str, str], list[Any]] = {}
    seen: set[str] = set()

    def walk(d: Any) -> None:
        if d.full_name in seen:
            return
        seen.add(d.full_name)
        for f in d.fields:
            if f.type == FieldDescriptor.TYPE_STRING or f.is_repeated:
                found.setdefault((d.file.name, d.name), []).append(f)
            if f.type == FieldDescriptor.TYPE_MESSAGE:
                walk(f.message_type)

    for info in pkgutil.iter_modules(pb.__path__):
        if info.name.endswith("_pb2"):
            module = importlib.import_module(f"{pb.__name__}.{info.name}")
            for service in module.DESCRIPTOR.services_by_name.values():
                for method in service.methods:
                    walk(method.input_type)
    return found


FIELDS = _request_fields()


def test_every_request_string_field_has_a_length_and_every_repeated_field_a_count() -> None:
    strings = {
        f.name for fs in FIELDS.values() for f in fs if f.type == FieldDescriptor.TYPE_STRING
    }
    repeated = {f.name for fs in FIELDS.values() for f in fs if f.is_repeated}
    assert strings - set(limits.FIELD_CHARS) == set()
    assert repeated - set(limits.REPEATED_MAX) == set()
    assert {"TreatmentService", "FilingService", "HubService"} <= {
        s
        for info in pkgutil.iter_modules(pb.__path__)
        if info.name.endswith("_pb2")
        for s in importlib.import_module(f"{pb.__name__}.{info.name}").DESCRIPTOR.services_by_name
    }


def _bounds_line(f: Any) -> str:
    parts = []
    if f.is_repeated and f.name in limits.REPEATED_MAX:
        parts.append(f"at most {limits.REPEATED_MAX[f.name]:,} entries")
    if f.type == FieldDescriptor.TYPE_STRING:
        n = limits.FIELD_CHARS[f.name]
        each = "each " if f.is_repeated else ""
        parts.append(f"{each}at most {n:,} character" + ("" if n == 1 else "s"))
    if f.name in limits.TIME_FIELDS or f.name in limits.EVENT_DATE_FIELDS:
        parts.append("from 1900-01-01 to the node's today + 1 day")
    if f.name in limits.PLANNED_DATE_FIELDS:
        parts.append(f"from 1900-01-01 to the node's today + {limits.PLANNED_YEARS} years")
    return "// Bounds: " + "; ".join(parts) + "."


def test_the_protos_comments_list_each_request_fields_bounds() -> None:
    missing = []
    for (file, message), fields in FIELDS.items():
        text = (ROOT / "protos" / file).read_text()
        body = re.search(rf"\nmessage {message} \{{\n(.*?)\n\}}", text, re.S)
        assert body, (file, message)
        lines = body.group(1).split("\n")
        for f in fields:
            at = next(
                i for i, ln in enumerate(lines) if re.match(rf"\s*(repeated )?\S+ {f.name} = ", ln)
            )
            if lines[at - 1].strip() != _bounds_line(f):
                missing.append(f"{file} {message}.{f.name}: want {_bounds_line(f)!r}")
    assert missing == []


def test_the_province_codes_are_the_national_networks() -> None:
    assert admdvs.PROVINCE_CODES == set(seed.NATIONAL_CODES)
    assert admdvs.division_problem("110000") is None
    assert "no province 99" in (admdvs.division_problem("990000") or "")
    assert admdvs.division_problem("１１００００")  # full-width digits are not a code


def _header(**over: str) -> common_pb2.RequestHeader:
    fields = dict(
        infno="2201",
        msgid="H11010100001202612011000000001",
        mdtrtarea_admvs="110100",
        insuplc_admdvs="130100",
        fixmedins_code="H11010100001",
        opter_type="1",
        opter="OP1",
        inf_time="2026-12-01 10:00:00",
    )
    fields.update(over)
    return common_pb2.RequestHeader(**fields)


@pytest.mark.parametrize(
    ("request_", "field", "problem"),
    [
        pytest.param(
            treatment_pb2.RegisterVisitRequest(header=_header(), psn_no="1" * 31),
            "psn_no",
            "longer than 30 characters (31)",
            id="length",
        ),
        pytest.param(
            treatment_pb2.RegisterVisitRequest(header=_header(opter="O\x00P")),
            "header.opter",
            "contains a control character",
            id="nul-in-header",
        ),
        pytest.param(
            treatment_pb2.RegisterVisitRequest(header=_header(), begntime="2026-12-03 00:00:00"),
            "begntime",
            "in the future (after 2026-12-02, the node's today plus one day)",
            id="tomorrow-but-one",
        ),
        pytest.param(
            treatment_pb2.RegisterVisitRequest(header=_header(), begntime="1899-12-31 00:00:00"),
            "begntime",
            "before 1900-01-01",
            id="before-1900",
        ),
        pytest.param(
            treatment_pb2.RegisterVisitRequest(header=_header(), begntime="2026-02-30 00:00:00"),
            "begntime",
            "must be a time yyyy-MM-dd HH:mm:ss",
            id="no-such-day",
        ),
        pytest.param(
            treatment_pb2.UploadFeeDetailsRequest(
                header=_header(),
                feedetail=[
                    treatment_pb2.FeeDetail(feedetl_sn="1"),
                    treatment_pb2.FeeDetail(cnt="1" * 17),
                ],
            ),
            "feedetail[1].cnt",
            "longer than 16 characters (17)",
            id="nested-repeated-path",
        ),
        pytest.param(
            treatment_pb2.RegisterVisitRequest(
                header=_header(), diseinfo=[common_pb2.Diagnosis()] * 51
            ),
            "diseinfo",
            "at most 50 entries (51 given)",
            id="count",
        ),
        pytest.param(
            filing_pb2.CreateFilingRequest(header=_header(), begndate="2037-01-01"),
            "begndate",
            "more than 10 years ahead (after 2036-12-01)",
            id="planned-too-far",
        ),
        pytest.param(
            filing_pb2.CreateFilingRequest(
                header=_header(), begndate="2026-10-01", enddate="2026-09-01"
            ),
            "enddate",
            "before begndate 2026-10-01",
            id="end-before-begin",
        ),
    ],
)
def test_check_request_names_the_first_field_out_of_bounds(
    request_: Any, field: str, problem: str
) -> None:
    with pytest.raises(InvalidField) as err:
        check_request(request_, TODAY)
    assert (err.value.field, err.value.problem) == (field, problem)


def test_a_request_within_bounds_passes() -> None:
    check_request(
        filing_pb2.CreateFilingRequest(
            header=_header(), memo="第一行\n第二行\t", begndate="2026-12-01", enddate="2036-12-01"
        ),
        TODAY,
    )
    check_request(
        treatment_pb2.RegisterVisitRequest(header=_header(), begntime="2026-12-02 23:59:59"), TODAY
    )


def test_a_status_shows_the_value_once_and_stays_small() -> None:
    status = to_status(InvalidField("memo", "备" * 1_000_000, "longer than 500 characters"))
    message = status.details
    assert message.startswith("memo='备备") and message.count("备") == 62
    assert "(1000000 characters)" in message
    ((_, details_bin),) = status.trailing_metadata
    # The details carry the status (its message, once) and name the field and the problem.
    assert details_bin.count("备".encode()) == 62 and len(details_bin) < 600
