"""Outpatient chronic and special diseases (门诊慢特病): the five settled across provinces, and a
person's qualification for one of them, certified by the insured place (2503 / 2504).

Codes are the national outpatient chronic/special disease codes (国家医保门诊慢特病病种代码).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.values.errors import FailedPrecondition, InvalidField
from services.values.reasons import Reason

CROSS_PROVINCE_DISEASES: dict[str, str] = {
    "M03900": "高血压",
    "M01600": "糖尿病",
    "M00503": "恶性肿瘤门诊放化疗",
    "M07803": "尿毒症透析（血透）",
    "M07804": "尿毒症透析（腹透）",
    "M08300": "器官移植抗排异治疗",
}
"""The five diseases settled directly across provinces since September 2021 (dialysis has a
code each for haemodialysis and peritoneal dialysis)."""


def check_disease(field: str, code: str) -> str:
    if code not in CROSS_PROVINCE_DISEASES:
        raise InvalidField(
            field,
            code,
            "not one of the five cross-province chronic/special "
            "diseases: " + ", ".join(f"{c} {n}" for c, n in CROSS_PROVINCE_DISEASES.items()),
        )
    return code


@dataclass(frozen=True)
class Qualification:
    """A person certified for a disease, valid from ``begndate`` to ``enddate`` inclusive."""

    qual_id: str
    psn_no: str
    opsp_dise_code: str
    begndate: date
    enddate: date | None
    status: str = "active"
    hosp_name: str = ""
    """Hospital that certified the diagnosis, for people."""

    @property
    def opsp_dise_name(self) -> str:
        return CROSS_PROVINCE_DISEASES.get(self.opsp_dise_code, "")

    def active_on(self, day: date) -> bool:
        return (
            self.status == "active"
            and self.begndate <= day
            and (self.enddate is None or day <= self.enddate)
        )


def require_qualified(
    quals: list[Qualification], psn_no: str, code: str, day: date
) -> Qualification:
    """The qualification that lets ``psn_no`` settle a chronic-disease visit for ``code`` on
    ``day``; FailedPrecondition naming ``opsp_dise_code`` when there is none."""
    for q in quals:
        if q.opsp_dise_code == code and q.active_on(day):
            return q
    held = [f"{q.opsp_dise_code} {q.begndate}–{q.enddate or 'open'} ({q.status})" for q in quals]
    raise FailedPrecondition(
        "opsp_dise_code",
        code,
        f"person {psn_no} is not qualified by the insured place for "
        f"{CROSS_PROVINCE_DISEASES.get(code, code)} on {day}"
        + (f" (qualifications: {'; '.join(held)})" if held else " (no qualification on record)"),
        reason=Reason.CHRONIC_NOT_QUALIFIED,
    )
