"""What a place of treatment knows of a person's filings and qualifications: learnt from the
insured place's 1101 answer (through the hub), dropped when the hub says they changed
(FilingChanged), and forgotten after ``ttl_s`` in any case.

It only informs (2201 tells the hospital whether the visit looks filed); the insured place decides
at 2206/2207 from its own records, so a stale entry can never change a split. The entry also
says the person is known at the insured place, and under which insutype, which 2201 checks
(:meth:`FilingCache.person`) without asking the hub again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from provincial_nodes.domain.chronic import Qualification
from provincial_nodes.domain.filing import Basis, Filing, VisitKind, coverage

DEFAULT_TTL_S = 600.0
MAX_ENTRIES = 200_000


@dataclass(frozen=True)
class _Entry:
    insuplc_admdvs: str
    filings: tuple[Filing, ...]
    chronic: tuple[Qualification, ...]
    learnt_at: float
    insutype: str


class FilingCache:
    def __init__(self, ttl_s: float = DEFAULT_TTL_S) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[str, _Entry] = {}

    def learn(
        self,
        psn_no: str,
        insuplc_admdvs: str,
        filings: tuple[Filing, ...],
        chronic: tuple[Qualification, ...],
        insutype: str = "",
    ) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.pop(next(iter(self._entries)))  # oldest first (insertion order)
        self._entries.pop(psn_no, None)
        self._entries[psn_no] = _Entry(insuplc_admdvs, filings, chronic, time.monotonic(), insutype)

    def forget(self, psn_no: str) -> int:
        return 1 if self._entries.pop(psn_no, None) is not None else 0

    def _get(self, psn_no: str) -> _Entry | None:
        entry = self._entries.get(psn_no)
        if entry is not None and time.monotonic() - entry.learnt_at > self.ttl_s:
            del self._entries[psn_no]
            return None
        return entry

    def person(self, psn_no: str) -> tuple[str, str] | None:
        """(insuplc_admdvs, insutype) of a person a current 1101 answer named, else ``None``."""
        entry = self._get(psn_no)
        return None if entry is None else (entry.insuplc_admdvs, entry.insutype)

    def status(self, psn_no: str, area: str, day: date, kind: VisitKind) -> tuple[str, str]:
        """(filing_id, status) for a visit: status "filed", "emergency", "unfiled", "local",
        "home_during_long_term", or "unknown" when no current 1101 answer is known."""
        entry = self._get(psn_no)
        if entry is None:
            return "", "unknown"
        cov = coverage(list(entry.filings), entry.insuplc_admdvs, area, day, kind)
        status = {Basis.UNFILED_REFERRAL: "unfiled"}.get(cov.basis, cov.basis.value)
        return (cov.filing.filing_id if cov.filing else ""), status
