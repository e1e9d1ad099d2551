"""A visit (就诊) registered at the place of treatment (2201)."""

from __future__ import annotations

from dataclasses import dataclass

from provincial_nodes.domain.filing import VisitKind


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

    @property
    def kind(self) -> VisitKind:
        """Emergency (med_type 13) is treated as filed; a referral may lower the ratio less."""
        if self.med_type == "13":
            return VisitKind.EMERGENCY
        return VisitKind.REFERRAL if self.refl_flag == "1" else VisitKind.ORDINARY
