"""Plain values the hub's handlers pass around instead of generated protobuf types: a routed
message's header, a settlement record the hub routed, a registered node, a journal line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Header:
    """What the hub reads of a routed message's envelope (the body passes on unchanged)."""

    msgid: str
    infno: str
    insuplc_admdvs: str
    mdtrtarea_admvs: str

    @property
    def treatment(self) -> str:
        """The province of the place of treatment (the sender)."""
        return self.mdtrtarea_admvs[:2]


@dataclass(frozen=True, slots=True)
class RoutedSettlement:
    """A settlement or revocation record (``refd_setl_flag`` "1", negative amounts) that an
    insured node answered with, as the hub keeps it for reconciliation and clearing."""

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

    @property
    def is_revocation(self) -> bool:
        return self.refd_setl_flag == "1"

    @property
    def cleared_fen(self) -> int:
        """The part clearing moves between provinces: the funds' and the personal account's."""
        return self.fund_pay_sumamt + self.acct_pay


@dataclass(frozen=True, slots=True)
class Node:
    """A registered province node: the regions it insures and where it listens."""

    province_code: str
    endpoint: str
    admdvs: tuple[str, ...]
    name: str
    registered_at: str
    http_endpoint: str = ""
    """Where it serves the national HTTP interface, "" if nowhere or not said."""
    version: str = ""
    """Its software's version, as it registered ("" if not said)."""


@dataclass(frozen=True, slots=True)
class JournalFilter:
    """Which routed-message log lines to read (``QueryJournal``)."""

    limit: int
    msgid: str = ""
    province: str = ""
    from_time: str = ""
    to_time: str = ""
    after_seq: int = 0
    with_bodies: bool = False
    forward: bool = False
    """Oldest first after ``after_seq``; else the newest first."""


@dataclass(frozen=True, slots=True)
class RoutedMessage:
    """One line of the hub's routed-message log (``QueryJournal``)."""

    seq: int
    msgid: str
    infno: str
    from_province: str
    to_province: str
    outcome: str
    setl_id: str
    fund_pay_sumamt: int
    routed_at: str
    latency_ms: int
    request: bytes = b""
    """The request as forwarded (when the hub keeps bodies and they were asked for)."""
    response: bytes = b""
    """The answer of an OK outcome (likewise)."""
    error_message: str = ""
    error_reason: str = ""
