"""What the hub's web view reads (``national_hub/entrypoints/web``): its own records through the
repositories, and, where only a node knows, the nodes through the hub's clients of them (their
health, what each recorded of a settlement, reconciliation). Nothing here writes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from national_hub.adapters import insured_node, node_health
from national_hub.adapters.insured_node import DownstreamError, Learnt, Registry
from national_hub.adapters.unit_of_work import Repositories, UnitOfWork
from national_hub.adapters.views import PairTotal, Routed
from national_hub.domain import clearing
from national_hub.domain.advance import Status, account
from national_hub.domain.clearing import Cleared
from national_hub.domain.filing_registry import RegistryQuery
from national_hub.domain.model import JournalFilter, RoutedMessage, RoutedSettlement
from national_hub.service_layer import top_up
from national_hub.service_layer.clear import differences
from national_hub.service_layer.filing_registry import FilingRegistry
from services.ledger.holds import Hold
from services.ledger.model import Transfer
from services.pb.settlenet.v1 import common_pb2, correction_pb2, insured_pb2, treatment_pb2
from services.reconcile import records as reconcile
from services.reconcile.records import Record
from services.rpc.envelope import MsgidFactory
from services.values import clock
from services.values.errors import InvalidField
from services.values.forward import Forward

SEARCH_LIMIT = 20
ASKED_MEMORY = 200


@dataclass(frozen=True)
class AdvanceView:
    status: Status
    pending_fen: int
    holds: list[Hold]


@dataclass(frozen=True)
class RecordView:
    """One settlement record the hub keeps, with what it knows of it."""

    settlement: RoutedSettlement
    msgid: str
    routed: list[RoutedMessage]
    answer: Any
    """The answer the hub journalled for the msgid (a SettleResult), or None."""
    postings: list[Transfer]
    claim: Any = None
    """The claim as the hub forwarded it (a SettleClaim or RevokeClaim), when it kept bodies."""


@dataclass(frozen=True)
class NodeRecord:
    """What one node recorded of a settlement (its reconciliation record), or why not known."""

    province: str
    role: str
    record: Record | None
    error: str = ""


@dataclass
class SettlementView:
    query: str
    records: list[RecordView] = field(default_factory=list)
    visits: list[tuple[str, str, str]] = field(default_factory=list)
    """Every visit the query matched: (mdtrt_id, psn_no, setl_time), newest first."""
    routed: list[RoutedMessage] = field(default_factory=list)
    """The log lines of the query as a msgid, when no settlement record has it."""
    nodes: list[NodeRecord] = field(default_factory=list)
    insured_status: Learnt | None = None
    insured_error: str = ""
    fee_lines: list[Any] = field(default_factory=list)
    """The visit's fee lines as its place of treatment classified them (FeeDetailResult):
    the catalogue entries the settlement used."""
    fee_error: str = ""


@dataclass(frozen=True)
class ClearingView:
    month: str
    cleared: Cleared | None
    totals: list[PairTotal]


def _advances(repos: Repositories) -> list[AdvanceView]:
    out = []
    for code in repos.advances.codes():
        holds = [h for h in repos.ledger.holds(account(code)) if h.transfer.credit == account(code)]
        out.append(AdvanceView(repos.advances.status(code), top_up.pending_fen(repos, code), holds))
    return out


def _last_seq(repos: Repositories) -> int:
    return repos.views.last_seq()


def _routed_since(repos: Repositories, seq: int, limit: int) -> list[Routed]:
    return repos.views.routed_since(seq, limit)


def _answer(repos: Repositories, msgid: str) -> Any:
    state, infno, payload = repos.journal.state(msgid)
    if state == "unknown" or not payload or infno not in ("2207", "2208"):
        return None
    return insured_pb2.SettleResult.FromString(payload)


_CLAIMS: dict[str, Callable[[bytes], Any]] = {
    "2207": insured_pb2.SettleClaim.FromString,
    "2208": insured_pb2.RevokeClaim.FromString,
}


def _claim(lines: list[RoutedMessage]) -> Any:
    """The claim of the line that was answered (as forwarded), if the hub kept it."""
    for m in lines:
        if m.outcome == "OK" and m.request and m.infno in _CLAIMS:
            return _CLAIMS[m.infno](m.request)
    return None


def _search(repos: Repositories, q: str) -> SettlementView:
    view = SettlementView(q)
    matches = repos.views.settlements_matching(q, SEARCH_LIMIT)
    if not matches:
        view.routed = repos.routed.entries(JournalFilter(limit=50, msgid=q))
        return view
    seen: set[str] = set()
    for s, _ in matches:
        if s.mdtrt_id not in seen:
            seen.add(s.mdtrt_id)
            view.visits.append((s.mdtrt_id, s.psn_no, s.setl_time))
    for s, msgid in repos.views.settlements_of_visit(matches[0][0].mdtrt_id):
        lines = repos.routed.entries(JournalFilter(limit=20, msgid=msgid, with_bodies=True))
        view.records.append(
            RecordView(
                s,
                msgid,
                [replace(m, request=b"", response=b"") for m in lines],
                _answer(repos, msgid),
                repos.views.postings(s.setl_id),
                _claim(lines),
            )
        )
    return view


def _clearing(repos: Repositories, month: str) -> ClearingView:
    cleared = repos.clearing.load(month) if repos.clearing.cleared(month) else None
    return ClearingView(month, cleared, repos.views.totals(month))


def _hub_records(repos: Repositories, begndate: str, enddate: str) -> list[Record]:
    return repos.settlements.records(begndate, enddate)


def _in_doubt(repos: Repositories, limit: int) -> list[Forward]:
    return repos.in_doubt.listing([], False, limit)


def _forwards(repos: Repositories, msgids: list[str]) -> list[Forward]:
    return repos.in_doubt.listing(msgids, True, len(msgids))


def _header(s: RoutedSettlement, infno: str, msgid: str) -> Any:
    """The envelope of a question the hub asks a node about settlement ``s``'s visit, in its
    institution's name."""
    return common_pb2.RequestHeader(
        infno=infno,
        msgid=msgid,
        mdtrtarea_admvs=s.mdtrtarea_admvs,
        insuplc_admdvs=s.insuplc_admdvs,
        fixmedins_code=s.fixmedins_code,
        opter_type="1",
        opter="HUB",
        inf_time=clock.format_time(clock.now()),
    )


def _fee_query(s: RoutedSettlement) -> Any:
    """A 5204 for the visit of ``s``, as the hub asks it."""
    header = _header(s, "5204", MsgidFactory(s.fixmedins_code)())
    return treatment_pb2.QueryFeeDetailsRequest(header=header, mdtrt_id=s.mdtrt_id, psn_no=s.psn_no)


def _status_query(s: RoutedSettlement, msgid: str) -> Any:
    """A 5203 for ``msgid`` as the hub asks it (as its in-doubt resolver does)."""
    return correction_pb2.MessageStatusQuery(header=_header(s, "5203", msgid), omsgid=msgid)


_Asked = tuple[list[NodeRecord], Learnt | None, str, list[Any], str]
"""What the nodes said of a visit: records, the insured node's 5203, its error, the fee lines,
their error."""


class View:
    """The web view's reads."""

    def __init__(self, uow: UnitOfWork, registry: Registry, filings: FilingRegistry) -> None:
        self.uow = uow
        self.registry = registry
        self.filings = filings
        self._asked: dict[tuple[str, ...], _Asked] = {}
        """What the nodes answered for a visit's records, by its setl_ids."""

    async def health(self) -> dict[str, str]:
        """Each registered node's health, by province code (probed at once)."""
        links = self.registry.all()
        found = await asyncio.gather(*(node_health.probe(link) for link in links))
        return {link.province_code: h for link, h in zip(links, found, strict=True)}

    async def last_seq(self) -> int:
        return await self.uow.run(_last_seq)

    async def routed_since(self, seq: int, limit: int = 20_000) -> list[Routed]:
        return await self.uow.run(_routed_since, seq, limit)

    async def advances(self) -> list[AdvanceView]:
        return await self.uow.run(_advances)

    async def in_doubt(self, limit: int = 50) -> list[Forward]:
        return await self.uow.run(_in_doubt, limit)

    async def forwards(self, msgids: list[str]) -> list[Forward]:
        """The in-doubt rows of ``msgids``, whatever their state."""
        return await self.uow.run(_forwards, msgids) if msgids else []

    async def settlement(self, q: str, *, ask_nodes: bool = True) -> SettlementView:
        q = q.strip()
        if not q or len(q) > 40:
            raise InvalidField("q", q, "a msgid, setl_id, mdtrt_id or psn_no (1 to 40 characters)")
        view = await self.uow.run(_search, q)
        if ask_nodes and view.records:
            # The nodes are asked again only when the hub's records of the visit changed (a
            # page left open re-reads the hub every few seconds under load).
            key = tuple(r.settlement.setl_id for r in view.records)
            known = self._asked.get(key)
            if known is None:
                await self._ask_nodes(view)
                if len(self._asked) >= ASKED_MEMORY:
                    self._asked.pop(next(iter(self._asked)))
                self._asked[key] = (
                    view.nodes,
                    view.insured_status,
                    view.insured_error,
                    view.fee_lines,
                    view.fee_error,
                )
            else:
                (
                    view.nodes,
                    view.insured_status,
                    view.insured_error,
                    view.fee_lines,
                    view.fee_error,
                ) = known
        return view

    async def _ask_nodes(self, view: SettlementView) -> None:
        first = view.records[0]
        s = first.settlement
        day = s.setl_time[:10]
        wanted = {r.settlement.setl_id for r in view.records}
        for role, code in (
            ("treatment", s.mdtrtarea_admvs[:2]),
            ("insured", s.insuplc_admdvs[:2]),
        ):
            link = next((k for k in self.registry.all() if k.province_code == code), None)
            if link is None:
                view.nodes.append(NodeRecord(code, role, None, "not registered at the hub"))
                continue
            try:
                mine = await insured_node.details(link, role, day, day)
            except DownstreamError as exc:
                view.nodes.append(NodeRecord(code, role, None, exc.code))
                continue
            got = [r for r in mine if r.setl_id in wanted]
            if not got:
                view.nodes.append(NodeRecord(code, role, None, "no record there"))
            view.nodes += [NodeRecord(code, role, r) for r in got]
        treating = next(
            (k for k in self.registry.all() if k.province_code == s.mdtrtarea_admvs[:2]), None
        )
        if treating is not None:
            try:
                view.fee_lines = await insured_node.fee_lines(treating, _fee_query(s))
            except DownstreamError as exc:
                view.fee_error = f"{exc.code}: {str(exc.error)[:200]}"
        try:
            link = self.registry.route(s.insuplc_admdvs)
            msg = await insured_node.query_message(link, _status_query(s, first.msgid))
            view.insured_status = insured_node.learnt_of(msg)
        except Exception as exc:  # shown, not raised: the hub's own records still stand
            view.insured_error = str(exc)[:300]

    async def clearing(self, month: str) -> ClearingView:
        clearing.month_bounds(month)
        return await self.uow.run(_clearing, month)

    async def reconcile(self, month: str) -> list[tuple[str, str, reconcile.Difference]]:
        """Reconcile ``month`` so far with every registered node: (province, role, difference)
        for each record that differs (a clean month gives none)."""
        begndate, enddate = clearing.month_bounds(month)
        today = clock.now().date()
        if date.fromisoformat(begndate) > today:
            raise InvalidField("month", month, "a month that has begun")
        enddate = min(date.fromisoformat(enddate), today + timedelta(days=1)).isoformat()
        hub = await self.uow.run(_hub_records, begndate, enddate)
        return await differences(self.registry, begndate, enddate, hub)

    async def filing_events(self, q: RegistryQuery) -> list[tuple[bytes, str]]:
        return await self.filings.query(q)
