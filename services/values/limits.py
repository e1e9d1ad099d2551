"""How long, how many and how far: the bounds of every request field, in one table.

Every string field of every request that any settlenet service takes is listed here by its
name (a name means the same thing in every message: ``psn_no`` is 30 characters wherever it
appears), with the national interface specification's length where it gives one. Repeated
fields have a most-count, date and time fields a range. ``services.rpc.bounds`` walks each
request against these tables before its servicer sees it (the one place they are checked), so
a megabyte ``psn_no``, a NUL, 10,000 diagnoses or a begntime in the year 9999 are refused with
INVALID_ARGUMENT naming the field, before any code that might choke on them runs. The protos'
field comments repeat the lengths; ``tests/unit/test_limits.py`` keeps the table complete.

Pure: values in, a problem text (or ``None``) out; the caller passes the node's today.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

NAME_CHARS = 50
"""A person's, an operator's, an institution's, a doctor's name."""
MEMO_CHARS = 500
CODE_CHARS = 30
"""Identifiers the spec gives 30 characters: msgid, psn_no, mdtrt_id, setl_id, ..."""

FIELD_CHARS: dict[str, int] = {
    # ---- the envelope (RequestHeader) -------------------------------------------------------
    "infno": 16,
    "msgid": CODE_CHARS,
    "mdtrtarea_admvs": 6,
    "insuplc_admdvs": 6,
    "recer_sys_code": 10,
    "infver": 6,
    "opter_type": 3,
    "opter": CODE_CHARS,
    "opter_name": NAME_CHARS,
    "inf_time": 19,
    "fixmedins_code": 12,
    "fixmedins_name": NAME_CHARS,
    "sign_no": CODE_CHARS,
    # ---- persons and visits -----------------------------------------------------------------
    "psn_no": CODE_CHARS,
    "psn_name": NAME_CHARS,
    "psn_cert_type": 6,
    "certno": 50,
    "mdtrt_cert_type": 3,
    "mdtrt_cert_no": 50,
    "insutype": 6,
    "med_type": 6,
    "begntime": 19,
    "ipt_otp_no": CODE_CHARS,
    "atddr_no": CODE_CHARS,
    "dr_name": NAME_CHARS,
    "dept_code": CODE_CHARS,
    "dept_name": NAME_CHARS,
    "caty": 10,
    "diag_code": CODE_CHARS,
    "diag_name": 100,
    "diag_type": 3,
    "diag_dept": NAME_CHARS,
    "dise_dor_no": CODE_CHARS,
    "dise_dor_name": NAME_CHARS,
    "diag_time": 19,
    "vali_flag": 3,
    "main_cond_dscr": 1000,
    "dise_codg": CODE_CHARS,
    "dise_name": MEMO_CHARS,
    "birctrl_type": 6,
    "birctrl_matn_date": 10,
    "matn_type": 6,
    "opsp_dise_code": CODE_CHARS,
    "opsp_dise_name": 100,
    "refl_flag": 1,
    "mdtrt_id": CODE_CHARS,
    # ---- fee lines --------------------------------------------------------------------------
    "chrg_bchno": CODE_CHARS,
    "feedetl_sn": CODE_CHARS,
    "fee_ocur_time": 19,
    "med_list_codg": 50,
    "medins_list_codg": 50,
    "cnt": 16,
    "bilg_dept_codg": CODE_CHARS,
    "bilg_dr_codg": CODE_CHARS,
    "rx_circ_flag": 1,
    # ---- settlements ------------------------------------------------------------------------
    "setl_id": CODE_CHARS,
    "setl_date": 10,
    "setl_time": 19,
    "medins_lv": 3,
    "acct_used_flag": 1,
    "psn_setlway": 6,
    "invono": 20,
    "refd_setl_flag": 1,
    # ---- filings and qualifications ---------------------------------------------------------
    "filing_id": CODE_CHARS,
    "qual_id": CODE_CHARS,
    "category": CODE_CHARS,
    "category_name": NAME_CHARS,
    "dest_admdvs": 6,
    "previous_dest_admdvs": 6,
    "begndate": 10,
    "enddate": 10,
    "evidence": 100,
    "channel": 20,
    "memo": MEMO_CHARS,
    "hosp_name": 100,
    "status": 20,
    "event_id": CODE_CHARS,
    "event_time": 19,
    # ---- corrections, in-doubt, registry, reconciliation ------------------------------------
    "omsgid": CODE_CHARS,
    "oinfno": 16,
    "msgids": CODE_CHARS,
    "role": 16,
    "counterpart": 6,
    "page_token": 64,
    # ---- the hub's node registry, advances, top-ups, clearing -------------------------------
    "province_code": 6,
    "province": 6,
    "endpoint": 255,
    "http_endpoint": 255,
    "version": 32,
    "admdvs": 6,
    "name": NAME_CHARS,
    "request_id": 64,
    "month": 7,
    "from_time": 19,  # a journal query's window: checked as a moment by the hub, may be ahead
    "to_time": 19,
    # ---- AdminService documents (their own size limit is the admin layer's) -----------------
    "yaml": 8 * 1024 * 1024,
    "source_name": 255,
}
"""Most characters of each string field, by field name."""

FREE_TEXT = frozenset(
    {
        "memo",
        "evidence",
        "yaml",
        "diag_name",
        "hosp_name",
        "dept_name",
        "opsp_dise_name",
        "main_cond_dscr",
        "dise_name",
    }
)
"""Fields that may hold a tab, a newline or a carriage return; no field may hold another
control character (a NUL breaks PostgreSQL's text type, the rest only hides things in logs)."""

REPEATED_MAX: dict[str, int] = {
    "feedetail": 500,
    "diseinfo": 50,
    "admdvs": 1000,
    "msgids": 10_000,
    "records": 100_000,
}
"""Most entries of each repeated field, by field name."""

EARLIEST = date(1900, 1, 1)
"""No date or time on the wire is before this."""
EVENT_SLACK = timedelta(days=1)
"""An event time may be this far past the node's today (clocks and midnights differ a little)."""
PLANNED_YEARS = 10
"""A planned date (a filing's or qualification's begin or end, a reconciliation period) is at
most this many years past the node's today."""

TIME_FIELDS = frozenset(
    {"begntime", "fee_ocur_time", "inf_time", "event_time", "setl_time", "diag_time"}
)
"""``yyyy-MM-dd HH:mm:ss`` of something that happened: from :data:`EARLIEST` to today + 1 day."""
EVENT_DATE_FIELDS = frozenset({"setl_date", "birctrl_matn_date"})
"""``yyyy-MM-dd`` of something that happened: the same range."""
PLANNED_DATE_FIELDS = frozenset({"begndate", "enddate"})
"""``yyyy-MM-dd`` of a period: from :data:`EARLIEST` to today + :data:`PLANNED_YEARS` years."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_problem(name: str, value: str) -> str | None:
    """What is wrong with ``value`` for the string field ``name``, or ``None``."""
    most = FIELD_CHARS.get(name)
    if most is None:
        return "field has no length limit in services/values/limits.py"
    if len(value) > most:
        return f"longer than {most} characters ({len(value)})"
    pattern = _CONTROL_BUT_LINES if name in FREE_TEXT else _CONTROL
    if pattern.search(value):
        return "contains a control character"
    return None


def count_problem(name: str, count: int) -> str | None:
    """What is wrong with ``count`` entries of the repeated field ``name``, or ``None``."""
    most = REPEATED_MAX.get(name)
    if most is None:
        return "repeated field has no most-count in services/values/limits.py"
    if count > most:
        return f"at most {most} entries ({count} given)"
    return None


def latest_event(today: date) -> date:
    """The last day an event time may fall on."""
    return today + EVENT_SLACK


def latest_planned(today: date) -> date:
    """The last day a planned date may be."""
    try:
        return today.replace(year=today.year + PLANNED_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + PLANNED_YEARS, day=28)


def date_problem(name: str, day: date, today: date) -> str | None:
    """What is wrong with the date ``day`` of the date or time field ``name``, or ``None``."""
    if day < EARLIEST:
        return f"before {EARLIEST.isoformat()}"
    if name in PLANNED_DATE_FIELDS:
        last = latest_planned(today)
        if day > last:
            return f"more than {PLANNED_YEARS} years ahead (after {last.isoformat()})"
        return None
    last = latest_event(today)
    if day > last:
        return f"in the future (after {last.isoformat()}, the node's today plus one day)"
    return None
