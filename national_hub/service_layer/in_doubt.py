"""The hub resolves the 2207s and 2208s it forwarded to an insured node without learning how
they ended (``docs/exactly-once.md``).

A row of the hub's in-doubt table still pending after its forward ended (the insured node
unreachable, a deadline, the hub killed mid-call) is resolved by asking the insured node what it
knows of the msgid (5203), then:

- it took effect there: record it here as the answer would have been (journal entry, routed
  settlement, advance drawn, postings);
- a correction closed it there: record what it left and close the msgid here the same way;
- the insured node never saw it: a 2207 is presumed aborted — the hub burns it with a 2601 of
  its own (reversing it, should it commit meanwhile); a 2208 is presumed committed — the hub
  sends it again under its msgid (a revocation is idempotent and cannot be corrected). The
  decision to burn is written to the row before the 2601 goes out; later attempts send the same
  2601 again instead of asking anew.

A treatment node's 5203 with ``follow`` resolves the hub's row first, and the hub answers
"pending" while it cannot: the treatment node then waits for the hub. :func:`in_doubt_count`
is what clearing asks before it closes a month.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import structlog

from national_hub.adapters import insured_node
from national_hub.adapters.insured_node import DownstreamError, Learnt, Link, Registry
from national_hub.adapters.unit_of_work import Repositories, UnitOfWork
from national_hub.domain.model import Header, RoutedSettlement
from national_hub.service_layer.correct import record_correction
from national_hub.service_layer.route import Router, after_forward, record_routed
from services.rpc.inflight import ForwardResolver
from services.rpc.status import RemoteStatus, uncertain
from services.values import clock
from services.values.forward import BURNED, CORRECTED, DONE, FAILED, Forward

log = structlog.get_logger("in_doubt")

"""Forwards resolved at once by one sweep."""


def _get(repos: Repositories, msgid: str) -> Forward | None:
    return repos.in_doubt.get(msgid)


def _pending(repos: Repositories) -> list[Forward]:
    return repos.in_doubt.pending()


def _correcting(repos: Repositories, msgid: str, by_msgid: str) -> None:
    repos.in_doubt.correcting(msgid, by_msgid)


def _attempted(repos: Repositories, msgid: str, note: str) -> None:
    repos.in_doubt.attempted(msgid, note)


def _claim(repos: Repositories, msgid: str) -> bool:
    return repos.in_doubt.claim(msgid)


def _refused(repos: Repositories, msgid: str, why: str) -> None:
    repos.in_doubt.finish(msgid, FAILED, why)


def listing(
    repos: Repositories, msgids: list[str], include_resolved: bool, limit: int
) -> list[Forward]:
    return repos.in_doubt.listing(msgids, include_resolved, limit)


def in_doubt_count(repos: Repositories, month: str = "") -> int:
    """Forwards the hub has not resolved yet; with ``month`` ("yyyy-MM"), those written before
    the month ended (a settlement of the month may still come out of them). Clearing refuses a
    month while this is not 0."""
    before = ""
    if month:
        year, mon = int(month[:4]), int(month[5:7])
        before = f"{year + mon // 12:04d}-{mon % 12 + 1:02d}-01"
    return repos.in_doubt.count_pending(before)


def _settled(repos: Repositories, f: Forward, link: Link, learnt: Learnt) -> str:
    """It took effect at the insured node: record it as the answer would have been."""
    s = learnt.original
    assert s is not None
    state, _, _ = repos.journal.state(f.msgid)
    if state == "unknown":
        repos.journal.record(f.msgid, f.infno, f.body_sha256, learnt.payload)
        record_routed(repos, s, f.msgid, link.province_code, s.mdtrtarea_admvs[:2])
    _log_line(repos, f, link, s)
    repos.in_doubt.finish(f.msgid, DONE, f"resolved: {s.setl_id} took effect at {link.peer}")
    return DONE


def _closed(repos: Repositories, f: Forward, link: Link, learnt: Learnt) -> str:
    """A correction closed it at the insured node: record what it left, close it here."""
    by = learnt.reversal_msgid or f"at {link.peer}"
    for s, msgid in ((learnt.original, f.msgid), (learnt.reversal, by)):
        if s is not None:
            record_routed(repos, s, msgid, link.province_code, s.mdtrtarea_admvs[:2])
    took = learnt.state == "corrected"
    repos.journal.close(f.msgid, f.infno, by, took_effect=took)
    state = CORRECTED if took else BURNED
    repos.in_doubt.finish(f.msgid, state, f"resolved: {learnt.state} at {link.peer}")
    return state


def _log_line(repos: Repositories, f: Forward, link: Link, s: RoutedSettlement) -> None:
    """The routed-message log's line for a forward resolved as taken effect."""
    repos.routed.add(
        msgid=f.msgid,
        infno=f.infno,
        from_province=s.mdtrtarea_admvs[:2],
        to_province=link.province_code,
        outcome="RESOLVED",
        setl_id=s.setl_id,
        fund_pay_sumamt=s.fund_pay_sumamt,
        routed_at=clock.format_time(clock.now()),
        latency_ms=0,
    )


class HubInDoubt(ForwardResolver):
    """The hub's resolver of its in-doubt forwards."""

    def __init__(
        self,
        uow: UnitOfWork,
        registry: Registry,
        router: Router,
        new_msgid: Callable[[], str],
        interval_s: float = 5.0,
    ) -> None:
        self.uow = uow
        self.registry = registry
        self.router = router
        self.new_msgid = new_msgid
        """A fresh msgid for a 2601 of the hub's own."""
        super().__init__(router.inflight, interval_s)
        router.resolve_now = self.resolve
        router.resolve_soon = self.soon

    async def listing(self, msgids: list[str], include_resolved: bool, limit: int) -> list[Forward]:
        return await self.uow.run(listing, msgids, include_resolved, limit)

    async def row(self, msgid: str) -> Forward | None:
        """The in-doubt row of ``msgid``, if the hub forwarded it."""
        return await self.uow.run(_get, msgid)

    async def _pending_rows(self) -> list[Forward]:
        return await self.uow.run(_pending)

    async def _attempted(self, msgid: str, note: str) -> None:
        await self.uow.run(_attempted, msgid, note)

    async def _claim(self, msgid: str) -> bool:
        return await self.uow.run(_claim, msgid)

    async def count(self, month: str = "") -> int:
        """:func:`in_doubt_count` in a unit of its own."""
        return await self.uow.run(in_doubt_count, month)

    async def _apply(self, f: Forward, link: Link, learnt: Learnt) -> str | None:
        if learnt.state == "done" and learnt.original is not None:
            return await self.uow.run(_settled, f, link, learnt)
        if learnt.state in ("burned", "corrected"):
            return await self.uow.run(_closed, f, link, learnt)
        return None

    async def _resolve(self, f: Forward) -> str:
        link = self.registry.route(f.insuplc_admdvs)
        if f.correction:  # decided before: send the same 2601 until its answer is recorded
            return await self._burn(f, link, f.correction)
        learnt = await insured_node.learn(link, f.infno, f.request)
        done = await self._apply(f, link, learnt)
        if done is not None:
            return done
        header = insured_node.stored(f.infno, f.request).header
        if f.infno == "2208":
            # Presumed commit: send the revocation again under its msgid.
            h = Header(f.msgid, f.infno, f.insuplc_admdvs, header.mdtrtarea_admvs)
            try:
                reply = await insured_node.forward(
                    link, f.infno, insured_node.stored(f.infno, f.request), keep=True
                )
            except DownstreamError as exc:
                if uncertain(exc.error):
                    raise
                await self.uow.run(_refused, f.msgid, f"refused by {link.peer}: {exc.error}")
                return FAILED
            await self.uow.run(
                after_forward, h, link, "OK", reply, time.perf_counter(), f.body_sha256
            )
            return "sent again: done"
        # A 2207 the insured node never committed: presumed abort, burned by the hub's 2601. The
        # decision is written first: every later attempt sends the same 2601.
        msgid = self.new_msgid()
        await self.uow.run(_correcting, f.msgid, msgid)
        return await self._burn(f, link, msgid)

    async def _burn(self, f: Forward, link: Link, msgid: str) -> str:
        header = insured_node.stored(f.infno, f.request).header
        started = time.perf_counter()
        try:
            result, _ = await insured_node.correct_stored(link, f.infno, f.request, msgid, f.psn_no)
        except RemoteStatus as exc:
            if exc.code.name == "ALREADY_EXISTS":  # msgid taken: took effect nowhere; a new one
                await self.uow.run(_correcting, f.msgid, self.new_msgid())
            raise
        h = Header(msgid, "2601", f.insuplc_admdvs, header.mdtrtarea_admvs)
        await self.uow.run(
            record_correction,
            h,
            f.msgid,
            f.infno,
            link,
            result,
            "in-doubt resolver",
            started,
        )
        return f"{result.outcome} by {msgid}"
