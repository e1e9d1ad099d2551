"""The treatment place's catalogue (就医地目录) and the classification of one fee line.

``classify_line(entry, line, visit)`` splits a line's amount into four parts that add up exactly:

    det_item_fee_sumamt = fulamt_ownpay_amt + overlmt_amt + preselfpay_amt + inscp_scp_amt

in this order: outside the catalogue / class C / a restriction not met → full self-pay; the
quantity above a per-visit limit → full self-pay; unit price above the cap → over-limit; class B
→ pre-self-pay at the item's ratio of the in-cap amount; the rest is within policy scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from services.values.money import apply_ratio, format_ratio, line_amount_fen, yuan


class Level(StrEnum):
    """chrgitm_lv: charge item level."""

    A = "01"
    B = "02"
    C = "03"


class ListType(StrEnum):
    WESTERN_DRUG = "101"
    CHINESE_PATENT_DRUG = "102"
    HERBAL_PIECES = "103"
    SERVICE_ITEM = "201"
    CONSUMABLE = "301"


class Reason(StrEnum):
    """Machine-readable reasons for an amount outside policy scope."""

    NOT_IN_CATALOGUE = "NOT_IN_CATALOGUE"
    NOT_VALID_ON_DATE = "NOT_VALID_ON_DATE"
    CLASS_C = "CLASS_C"
    RESTRICTION_DIAGNOSIS = "RESTRICTION_DIAGNOSIS"
    RESTRICTION_MEDINS_LEVEL = "RESTRICTION_MEDINS_LEVEL"
    RESTRICTION_QUANTITY = "RESTRICTION_QUANTITY"
    OVER_PRICE_CAP = "OVER_PRICE_CAP"
    CLASS_B_PRESELFPAY = "CLASS_B_PRESELFPAY"


@dataclass(frozen=True)
class Restriction:
    """Restricted use (限定使用, lmt_used_flag=1). Each set condition must hold."""

    diagnoses: tuple[str, ...] = ()
    """Diagnosis code prefixes; in scope only when the visit has one of them."""
    min_medins_lv: str = ""
    """Only at institutions of this level or above ("1" primary … "3" tertiary)."""
    max_cnt_per_visit: Decimal | None = None
    """Quantity per visit above this is full self-pay."""
    memo: str = ""


@dataclass(frozen=True)
class CatalogueEntry:
    """One version of one catalogue item, valid from ``valid_from`` to ``valid_to`` inclusive."""

    med_list_codg: str
    name: str
    list_type: ListType
    chrgitm_lv: Level
    med_chrgitm_type: str
    selfpay_prop_bp: int = 0
    pric_uplmt_amt: int = 0
    """Price cap per unit, fen; 0 means no cap."""
    restriction: Restriction | None = None
    negotiated: bool = False
    essential: bool = False
    valid_from: date = date(2000, 1, 1)
    valid_to: date | None = None

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class FeeLine:
    """A fee line as uploaded by the hospital (2204), already validated."""

    feedetl_sn: str
    med_list_codg: str
    cnt: Decimal
    pric: int
    det_item_fee_sumamt: int
    fee_ocur_date: date


@dataclass(frozen=True)
class VisitContext:
    """What the classification needs to know about the visit."""

    medins_lv: str
    diag_codes: tuple[str, ...] = ()
    cnt_already: dict[str, Decimal] = field(default_factory=dict)
    """Quantity of each code already uploaded in this visit (for per-visit quantity limits)."""


@dataclass(frozen=True)
class LineClassification:
    feedetl_sn: str
    med_list_codg: str
    med_list_name: str
    det_item_fee_sumamt: int
    cnt: Decimal
    pric: int
    pric_uplmt_amt: int
    selfpay_prop_bp: int
    fulamt_ownpay_amt: int
    overlmt_amt: int
    preselfpay_amt: int
    inscp_scp_amt: int
    chrgitm_lv: str
    med_chrgitm_type: str
    lmt_used_flag: str
    list_type: str
    reasons: tuple[Reason, ...]
    memo: str


class Catalogue:
    """All versions of all items of one treatment place's catalogue."""

    def __init__(self, entries: list[CatalogueEntry]) -> None:
        self._versions: dict[str, list[CatalogueEntry]] = {}
        for entry in entries:
            self._versions.setdefault(entry.med_list_codg, []).append(entry)
        for versions in self._versions.values():
            versions.sort(key=lambda e: e.valid_from)

    def __len__(self) -> int:
        return len(self._versions)

    def knows(self, code: str) -> bool:
        return code in self._versions

    def codes(self) -> list[str]:
        return sorted(self._versions)

    def entry_on(self, code: str, day: date) -> CatalogueEntry | None:
        """The version of ``code`` in force on ``day``, None when none is."""
        for entry in self._versions.get(code, ()):
            if entry.valid_on(day):
                return entry
        return None

    def entries(self) -> list[CatalogueEntry]:
        return [e for versions in self._versions.values() for e in versions]

    def with_entries(self, entries: list[CatalogueEntry]) -> Catalogue:
        """A new catalogue where every version of each code named in ``entries`` is replaced by
        the versions given."""
        named = {e.med_list_codg for e in entries}
        return Catalogue([e for e in self.entries() if e.med_list_codg not in named] + entries)


def _restriction_failure(restriction: Restriction, visit: VisitContext) -> Reason | None:
    if restriction.diagnoses and not any(
        code.startswith(prefix) for code in visit.diag_codes for prefix in restriction.diagnoses
    ):
        return Reason.RESTRICTION_DIAGNOSIS
    if restriction.min_medins_lv and visit.medins_lv < restriction.min_medins_lv:
        return Reason.RESTRICTION_MEDINS_LEVEL
    return None


_MEMO = {
    Reason.NOT_IN_CATALOGUE: "not in this place's catalogue: full self-pay",
    Reason.NOT_VALID_ON_DATE: "catalogue item not valid on the fee date: full self-pay",
    Reason.CLASS_C: "class C (丙类): full self-pay",
    Reason.RESTRICTION_DIAGNOSIS: "restricted use: visit lacks a qualifying diagnosis",
    Reason.RESTRICTION_MEDINS_LEVEL: "restricted use: institution level too low",
    Reason.RESTRICTION_QUANTITY: "restricted use: quantity above the per-visit limit",
    Reason.OVER_PRICE_CAP: "unit price above the price cap",
    Reason.CLASS_B_PRESELFPAY: "class B (乙类) pre-self-pay",
}


def classify_line(
    entry: CatalogueEntry | None, line: FeeLine, visit: VisitContext, *, code_known: bool = True
) -> LineClassification:
    """Classify one fee line under the catalogue version ``entry`` (None: none in force)."""
    amount = line.det_item_fee_sumamt
    reasons: list[Reason] = []
    memos: list[str] = []

    def full_self_pay(reason: Reason) -> LineClassification:
        return LineClassification(
            feedetl_sn=line.feedetl_sn,
            med_list_codg=line.med_list_codg,
            med_list_name=entry.name if entry else "",
            det_item_fee_sumamt=amount,
            cnt=line.cnt,
            pric=line.pric,
            pric_uplmt_amt=entry.pric_uplmt_amt if entry else 0,
            selfpay_prop_bp=0,
            fulamt_ownpay_amt=amount,
            overlmt_amt=0,
            preselfpay_amt=0,
            inscp_scp_amt=0,
            chrgitm_lv=entry.chrgitm_lv.value if entry else "",
            med_chrgitm_type=entry.med_chrgitm_type if entry else "",
            lmt_used_flag="1" if entry and entry.restriction else "0",
            list_type=entry.list_type.value if entry else "",
            reasons=(reason,),
            memo=f"{_MEMO[reason]} {yuan(amount)}",
        )

    if entry is None:
        return full_self_pay(
            Reason.NOT_IN_CATALOGUE if not code_known else Reason.NOT_VALID_ON_DATE
        )
    if entry.chrgitm_lv is Level.C:
        return full_self_pay(Reason.CLASS_C)
    restriction = entry.restriction
    if restriction is not None:
        failed = _restriction_failure(restriction, visit)
        if failed is not None:
            return full_self_pay(failed)

    fulamt = 0
    cnt_in_scope = line.cnt
    if restriction is not None and restriction.max_cnt_per_visit is not None:
        already = visit.cnt_already.get(line.med_list_codg, Decimal(0))
        allowed = max(Decimal(0), restriction.max_cnt_per_visit - already)
        if line.cnt > allowed:
            excess = line.cnt - allowed
            fulamt = min(amount, line_amount_fen(excess, line.pric))
            cnt_in_scope = allowed
            reasons.append(Reason.RESTRICTION_QUANTITY)
            memos.append(f"{_MEMO[Reason.RESTRICTION_QUANTITY]} ({excess} over) {yuan(fulamt)}")
    remaining = amount - fulamt

    overlmt = 0
    if entry.pric_uplmt_amt and line.pric > entry.pric_uplmt_amt:
        overlmt = min(remaining, line_amount_fen(cnt_in_scope, line.pric - entry.pric_uplmt_amt))
        reasons.append(Reason.OVER_PRICE_CAP)
        memos.append(
            f"{_MEMO[Reason.OVER_PRICE_CAP]} {yuan(entry.pric_uplmt_amt)}/unit: {yuan(overlmt)}"
        )
    in_cap = remaining - overlmt

    preselfpay = 0
    if entry.chrgitm_lv is Level.B and entry.selfpay_prop_bp:
        preselfpay = apply_ratio(in_cap, entry.selfpay_prop_bp)
        reasons.append(Reason.CLASS_B_PRESELFPAY)
        memos.append(
            f"{_MEMO[Reason.CLASS_B_PRESELFPAY]} "
            f"{format_ratio(entry.selfpay_prop_bp)}: {yuan(preselfpay)}"
        )

    return LineClassification(
        feedetl_sn=line.feedetl_sn,
        med_list_codg=line.med_list_codg,
        med_list_name=entry.name,
        det_item_fee_sumamt=amount,
        cnt=line.cnt,
        pric=line.pric,
        pric_uplmt_amt=entry.pric_uplmt_amt,
        selfpay_prop_bp=entry.selfpay_prop_bp if entry.chrgitm_lv is Level.B else 0,
        fulamt_ownpay_amt=fulamt,
        overlmt_amt=overlmt,
        preselfpay_amt=preselfpay,
        inscp_scp_amt=in_cap - preselfpay,
        chrgitm_lv=entry.chrgitm_lv.value,
        med_chrgitm_type=entry.med_chrgitm_type,
        lmt_used_flag="1" if restriction else "0",
        list_type=entry.list_type.value,
        reasons=tuple(reasons),
        memo="; ".join(memos),
    )


@dataclass(frozen=True)
class ClaimTotals:
    """The four parts of a visit's expenses, summed over its classified lines."""

    medfee_sumamt: int = 0
    fulamt_ownpay_amt: int = 0
    overlmt_selfpay: int = 0
    preselfpay_amt: int = 0
    inscp_scp_amt: int = 0

    @staticmethod
    def of(lines: list[LineClassification]) -> ClaimTotals:
        return ClaimTotals(
            medfee_sumamt=sum(x.det_item_fee_sumamt for x in lines),
            fulamt_ownpay_amt=sum(x.fulamt_ownpay_amt for x in lines),
            overlmt_selfpay=sum(x.overlmt_amt for x in lines),
            preselfpay_amt=sum(x.preselfpay_amt for x in lines),
            inscp_scp_amt=sum(x.inscp_scp_amt for x in lines),
        )

    def balanced(self) -> bool:
        return self.medfee_sumamt == (
            self.fulamt_ownpay_amt + self.overlmt_selfpay + self.preselfpay_amt + self.inscp_scp_amt
        )
