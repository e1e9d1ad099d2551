"""Advance funds (预付金): levels, the exhausted policy and sizing, as pure rules.

Each insured province's advance is the ledger account ``advance:<province>``, funded from
``bank:<province>`` and drawn by every settlement routed to it. Usage of 70% raises a yellow
warning and 90% a red one (a red one starts an emergency top-up); an exhausted advance is handled
by the hub's policy: ``refuse`` direct settlement (FAILED_PRECONDITION, reason
ADVANCE_EXHAUSTED) or ``allow`` it and flag the settlement. The annual re-sizing takes N months
of the previous year's cross-province payments (funds and accounts) of the insured province.

Top-ups are two-phase (a hold, ``bank:<P>`` → ``advance:<P>``, posted when the money arrives);
their ids and amounts are here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.values.errors import FailedPrecondition, InvalidField
from services.values.money import BP_ONE, format_ratio
from services.values.reasons import Reason

YELLOW_BP, RED_BP = 7000, 9000
DEFAULT_SIZE_FEN = 100_000_000  # 1,000,000 yuan until the first re-sizing
POLICIES = ("refuse", "allow")
TOP_UP_PREFIX = "top_up_request"


def account(code: str) -> str:
    return f"advance:{code}"


def check_province(value: str) -> str:
    """A province code as the advance and top-up services take it."""
    if len(value) != 2 or not value.isdigit():
        raise InvalidField("province", value, "a two-digit province code, e.g. 13")
    return value


@dataclass(frozen=True)
class Status:
    province: str
    size_fen: int
    available_fen: int
    flagged_count: int

    @property
    def used_bp(self) -> int:
        if self.size_fen <= 0:
            return BP_ONE
        used = self.size_fen - self.available_fen
        return max(0, used * BP_ONE // self.size_fen)

    @property
    def level(self) -> str:
        if self.available_fen <= 0:
            return "exhausted"
        if self.used_bp >= RED_BP:
            return "red"
        return "yellow" if self.used_bp >= YELLOW_BP else "green"

    @property
    def used_ratio(self) -> str:
        return format_ratio(self.used_bp)


def check_before_settle(st: Status, policy: str) -> None:
    """Before routing a 2207 to ``st.province``: refuse when its advance is exhausted and the
    policy says so."""
    if st.level == "exhausted" and policy == "refuse":
        code = st.province
        raise FailedPrecondition(
            "header.insuplc_admdvs",
            code,
            f"the advance fund of province {code} is exhausted ({st.available_fen} fen left of "
            f"{st.size_fen}); it must be topped up before direct settlement resumes",
            reason=Reason.ADVANCE_EXHAUSTED,
        )


def warning_crossed(before_available_fen: int, after: Status) -> str | None:
    """The warning level (yellow, red, exhausted) a draw from ``before_available_fen`` to
    ``after`` crossed into, or None."""
    was = Status(after.province, after.size_fen, before_available_fen, after.flagged_count).level
    if after.level != was and after.level in ("yellow", "red", "exhausted"):
        return after.level
    return None


def starts_emergency_top_up(level: str | None) -> bool:
    """A red (or exhausted) warning starts an emergency top-up (a hold)."""
    return level in ("red", "exhausted")


def restoration(used_fen: int, st: Status) -> int:
    """What clearing puts back into an advance for a month that used ``used_fen`` of it: all of
    it, but never more than brings the advance back to its size — a top-up made before clearing
    already paid part of the month back, and that money is not paid twice (an advance above its
    size gives the surplus back). A month with more revoked than settled (negative use) gives
    the difference back."""
    return min(used_fen, st.size_fen - st.available_fen)


def check_resize(size_fen: int, months: int, request_id: str) -> None:
    if not request_id:
        raise InvalidField("request_id", "", "required: it makes a retried re-sizing safe")
    if (size_fen > 0) == (months > 0):
        raise InvalidField("size_fen", size_fen, "give either size_fen or months (> 0)")
    if months > 24:
        raise InvalidField("months", months, "at most 24")


def sized_on_payments(code: str, paid_fen: int, months: int, year: int) -> int:
    """``months`` of a year's payments (``paid_fen``): the size of the advance."""
    size_fen = paid_fen * months // 12
    if size_fen <= 0:
        raise FailedPrecondition(
            "year",
            year,
            f"no cross-province payments of province {code} in {year} to size the advance on",
        )
    return size_fen


def top_up_hold_id(code: str, request_id: str) -> str:
    return f"advance:{code}:{TOP_UP_PREFIX}:{request_id}"


def request_id_of(hold_id: str) -> str:
    return hold_id.split(f":{TOP_UP_PREFIX}:", 1)[1]


def emergency_request_id(now: datetime) -> str:
    return f"emergency-{now:%Y%m%d%H%M%S}"


def top_up_amount(st: Status, pending_fen: int, amount_fen: int = 0) -> int:
    """What a top-up requests: ``amount_fen``, or by default what restores the advance to its
    size less what is already pending; FailedPrecondition when nothing is left to top up."""
    amount = amount_fen or st.size_fen - st.available_fen - pending_fen
    if amount <= 0:
        raise FailedPrecondition(
            "province",
            st.province,
            f"the advance is full counting pending "
            f"top-ups ({st.available_fen} fen left of {st.size_fen})",
            reason=Reason.NOTHING_TO_TOP_UP,
        )
    return amount


def check_top_up_request(request_id: str, amount_fen: int) -> None:
    if not request_id:
        raise InvalidField("request_id", "", "required: it names the top-up and makes a retry safe")
    if amount_fen < 0:
        raise InvalidField("amount_fen", amount_fen, "must be positive (0: restore the size)")
