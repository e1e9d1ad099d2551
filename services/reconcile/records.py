"""Reconciliation (对账), shared by the nodes and the command: records as each side holds them,
totals per (treatment, insured) province pair, and the comparison of two sides (pure).

A record is keyed by setl_id. Comparing side A with side B gives, per record, ``missing`` (A
lacks what B has), ``extra`` (A has what B lacks) or ``different`` (both have it, with other
amounts); two sides agree when the list is empty.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

AMOUNTS = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")


@dataclass(frozen=True)
class Record:
    setl_id: str
    mdtrt_id: str
    psn_no: str
    insuplc_admdvs: str
    mdtrtarea_admvs: str
    fixmedins_code: str
    setl_time: str
    refd_setl_flag: str
    medfee_sumamt: int
    fund_pay_sumamt: int
    acct_pay: int
    psn_cash_pay: int
    msgid: str = ""
    """The call that made the record (a 2207, 2208 or 2601), as the side holding it says."""

    @property
    def pair(self) -> tuple[str, str]:
        """(treatment province, insured province)."""
        return self.mdtrtarea_admvs[:2], self.insuplc_admdvs[:2]


@dataclass(frozen=True)
class Totals:
    treatment: str
    insured: str
    count: int
    medfee_sumamt: int
    fund_pay_sumamt: int
    acct_pay: int


def totals(records: list[Record]) -> list[Totals]:
    acc: dict[tuple[str, str], list[int]] = {}
    for r in records:
        a = acc.setdefault(r.pair, [0, 0, 0, 0])
        a[0] += 1
        a[1] += r.medfee_sumamt
        a[2] += r.fund_pay_sumamt
        a[3] += r.acct_pay
    return [Totals(t, i, *v) for (t, i), v in sorted(acc.items())]


@dataclass(frozen=True)
class Difference:
    setl_id: str
    kind: str
    """"missing" (the first side lacks it), "extra" (only the first side has it), "different"."""
    first: dict[str, Any] | None
    second: dict[str, Any] | None

    @property
    def msgid(self) -> str:
        """The msgid that made the record (from whichever side holds it)."""
        for side in (self.first, self.second):
            if side and side.get("msgid"):
                return str(side["msgid"])
        return ""

    def describe(self, first: str, second: str) -> str:
        name = f"{self.setl_id} (msgid {self.msgid})" if self.msgid else self.setl_id
        if self.kind == "missing":
            return f"{name}: only {second} has it ({_amounts(self.second)})"
        if self.kind == "extra":
            return f"{name}: only {first} has it ({_amounts(self.first)})"
        mine, theirs = self.first or {}, self.second or {}
        diffs = [
            f"{k} {first} {mine[k]} vs {second} {theirs[k]}"
            for k in AMOUNTS
            if mine[k] != theirs[k]
        ]
        return f"{name}: " + "; ".join(diffs)


def _amounts(d: dict[str, Any] | None) -> str:
    assert d is not None
    return ", ".join(f"{k} {d[k]}" for k in AMOUNTS)


def compare(first: list[Record], second: list[Record]) -> list[Difference]:
    a = {r.setl_id: r for r in first}
    b = {r.setl_id: r for r in second}
    out = []
    for setl_id in sorted(set(a) | set(b)):
        ra, rb = a.get(setl_id), b.get(setl_id)
        if ra is None:
            out.append(Difference(setl_id, "missing", None, asdict(rb)))  # type: ignore[arg-type]
        elif rb is None:
            out.append(Difference(setl_id, "extra", asdict(ra), None))
        elif any(getattr(ra, k) != getattr(rb, k) for k in AMOUNTS):
            out.append(Difference(setl_id, "different", asdict(ra), asdict(rb)))
    return out


ROLES = (("treatment", 0), ("insured", 1))
"""A province's two roles, and which side of a record's (treatment, insured) pair each is."""


def against_hub(
    code: str, role: str, mine: list[Record], hub: list[Record]
) -> tuple[list[Record], list[Difference]]:
    """What the hub routed for province ``code`` in ``role``, and how ``mine`` differs."""
    index = dict(ROLES)[role]
    routed = [r for r in hub if r.pair[index] == code]
    return routed, compare(mine, routed)
