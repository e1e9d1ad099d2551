"""A visit (就诊) registered at the place of treatment (2201), and what may still change it.

A visit is ``open`` (fee lines may come and go: 2203, 2204, 2205), ``settled`` while one of its
settlements stands (2208 opens it again), or ``cancelled`` by 2202 (nothing more happens to it).
"""

from __future__ import annotations

from dataclasses import dataclass

from provincial_nodes.domain.catalogue import LineClassification
from provincial_nodes.domain.filing import VisitKind
from services.values.errors import FailedPrecondition
from services.values.reasons import Reason

OPEN, SETTLED, CANCELLED = "open", "settled", "cancelled"
ALL_BATCHES = "0000"
"""2205's chrg_bchno for every line of the visit (the national spec's)."""


@dataclass(frozen=True)
class Visit:
    mdtrt_id: str
    psn_no: str
    insuplc_admdvs: str
    mdtrtarea_admvs: str
    fixmedins_code: str
    medins_lv: str
    insutype: str
    med_type: str
    begntime: str
    diag_codes: tuple[str, ...]
    status: str
    opsp_dise_code: str = ""
    refl_flag: str = "0"
    filing_id: str = ""
    filing_status: str = "unknown"
    ipt_otp_no: str = ""

    @property
    def kind(self) -> VisitKind:
        """Emergency (med_type 13) is treated as filed; a referral may lower the ratio less."""
        if self.med_type == "13":
            return VisitKind.EMERGENCY
        return VisitKind.REFERRAL if self.refl_flag == "1" else VisitKind.ORDINARY


@dataclass(frozen=True)
class LineOrigin:
    """What the hospital said of a fee line beyond what classifies it (kept for 5204)."""

    fee_ocur_time: str
    medins_list_codg: str = ""
    bilg_dept_codg: str = ""
    bilg_dr_codg: str = ""
    rx_circ_flag: str = ""


@dataclass(frozen=True)
class UploadedLine:
    """A fee line as the visit holds it: its 2204 classification, where it came from, its
    charge batch and the msgid of the 2204 that brought it."""

    line: LineClassification
    origin: LineOrigin
    chrg_bchno: str
    msgid: str


def check_not_cancelled(visit: Visit) -> None:
    """Nothing happens to a visit its 2202 cancelled (2204, 2206, 2207, 2205, 2203, 5204)."""
    if visit.status == CANCELLED:
        raise FailedPrecondition(
            "mdtrt_id",
            visit.mdtrt_id,
            "visit was cancelled (2202); register a new visit",
            reason=Reason.VISIT_CANCELLED,
        )


def check_changeable(visit: Visit, in_doubt: list[str], what: str) -> None:
    """2202, 2203 and 2205 change a visit only while nothing of it is settled: no settlement
    standing, and no 2207 forwarded whose outcome this node does not know yet (``in_doubt``,
    its msgids) — it may have settled the lines at the insured place."""
    check_not_cancelled(visit)
    if visit.status != OPEN:
        raise FailedPrecondition(
            "mdtrt_id",
            visit.mdtrt_id,
            f"visit is settled; revoke the settlement (2208) before {what}",
            reason=Reason.VISIT_HAS_SETTLEMENT,
        )
    if in_doubt:
        raise FailedPrecondition(
            "mdtrt_id",
            visit.mdtrt_id,
            f"the 2207 {in_doubt[0]} of this visit is being settled or resolved; retry "
            f"{what} once it is answered (5203 tells)",
            reason=Reason.VISIT_HAS_SETTLEMENT,
        )
