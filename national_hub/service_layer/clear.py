"""Monthly clearing (清算): reconcile the month with every node, then post it and write its
statements once (in one unit); read a cleared month; confirm a province's statement.

A month whose records any node disagrees with is refused (UNRECONCILED). Clearing a month twice
posts nothing twice (the transfer ids name the month, ``national_hub/domain/postings.py``).
"""

from __future__ import annotations

from datetime import date, timedelta

import structlog

from national_hub.adapters import insured_node
from national_hub.adapters.insured_node import DownstreamError, Registry
from national_hub.adapters.unit_of_work import Repositories, UnitOfWork
from national_hub.domain import clearing
from national_hub.domain.clearing import Cleared
from national_hub.service_layer import in_doubt, posting
from services.reconcile import records as reconcile
from services.reconcile.records import Record
from services.values import clock
from services.values.errors import FailedPrecondition, NotFound, Unavailable
from services.values.reasons import Reason

log = structlog.get_logger("clearing")


def _records(repos: Repositories, begndate: str, enddate: str) -> list[Record]:
    return repos.settlements.records(begndate, enddate)


def _cleared(repos: Repositories, month: str) -> bool:
    return repos.clearing.cleared(month)


def _load(repos: Repositories, month: str) -> Cleared:
    return repos.clearing.load(month)


def record(repos: Repositories, month: str, records: list[Record]) -> bool:
    """Post the month's clearing and its statements once; False when it was cleared before."""
    if repos.clearing.cleared(month):
        return False
    by_pair = clearing.pairs(records)
    clearing.check_something_to_clear(month, by_pair)
    at = clock.format_time(clock.now())
    posting.cleared(repos, month, by_pair)
    repos.clearing.add(month, clearing.statements(by_pair), at)
    return True


def confirm(repos: Repositories, month: str, province: str) -> str:
    found = repos.clearing.load(month)
    if province not in {s.province for s in found.statements}:
        raise NotFound("province", province, f"no statement for this province in {month}")
    if province in found.confirmed:
        return found.confirmed[province]
    at = clock.format_time(clock.now())
    repos.clearing.confirm(month, province, at)
    return at


async def differences(
    registry: Registry, begndate: str, enddate: str, hub: list[Record]
) -> list[tuple[str, str, reconcile.Difference]]:
    """Reconcile the period with every registered node in both roles: (province, role,
    difference) for each record that differs; a node that does not answer is Unavailable,
    naming the month."""
    out: list[tuple[str, str, reconcile.Difference]] = []
    for link in registry.all():
        for role, _ in reconcile.ROLES:
            try:
                mine = await insured_node.details(link, role, begndate, enddate)
            except DownstreamError as exc:
                raise Unavailable(
                    "month",
                    begndate[:7],
                    f"cannot reconcile with province {link.province_code}: {exc.code}",
                ) from None
            _, diffs = reconcile.against_hub(link.province_code, role, mine, hub)
            out += [(link.province_code, role, d) for d in diffs]
    return out


class Clearing:
    """The ClearingService's handlers."""

    def __init__(self, uow: UnitOfWork, registry: Registry) -> None:
        self.uow = uow
        self.registry = registry

    async def _differences(self, begndate: str, enddate: str, hub: list[Record]) -> list[str]:
        """Reconcile the period with every registered node; the differences, in words."""
        found = await differences(self.registry, begndate, enddate, hub)
        return [d.describe(f"province {code} ({role})", "the hub") for code, role, d in found]

    async def _check_nothing_in_doubt(self, month: str, enddate: str) -> None:
        """Refuse while a message forwarded before the month ended is still in doubt at the hub
        or at a place of treatment: a settlement of the month may still come out of it."""
        before = (date.fromisoformat(enddate) + timedelta(days=1)).isoformat()
        where = {"the hub": await self.uow.run(in_doubt.in_doubt_count, month)}
        for link in self.registry.all():
            try:
                pending = await insured_node.pending_forwards(link, before)
            except DownstreamError as exc:
                raise Unavailable(
                    "month",
                    month,
                    f"cannot ask province {link.province_code} what it holds in doubt: {exc.code}",
                ) from None
            where[f"province {link.province_code}"] = len(pending)
        held = {k: n for k, n in where.items() if n}
        if held:
            raise FailedPrecondition(
                "month",
                month,
                f"{sum(held.values())} message(s) forwarded before the month ended are still in "
                "doubt (" + ", ".join(f"{k}: {n}" for k, n in held.items()) + "); the nodes are "
                "resolving them: run `settlenet resolve` or clear again shortly",
                reason=Reason.IN_DOUBT_OUTSTANDING,
            )

    async def clear(self, month: str) -> tuple[Cleared, bool, int]:
        """Clear ``month``: (the cleared month, whether it was posted now, the records its
        statements cover). A cleared month answers what was cleared, unchanged."""
        begndate, enddate = clearing.month_bounds(month)
        if await self.uow.run(_cleared, month):
            done = await self.uow.run(_load, month)
            return done, False, clearing.records_of(done)
        clearing.check_month_ended(month, clock.now().date())
        await self._check_nothing_in_doubt(month, enddate)
        hub = await self.uow.run(_records, begndate, enddate)
        texts = await self._differences(begndate, enddate, hub)
        if texts:
            raise FailedPrecondition(
                "month",
                month,
                f"{len(texts)} unreconciled difference(s) with the nodes; first: {texts[0]}",
                reason=Reason.UNRECONCILED,
            )
        posted = await self.uow.run(record, month, hub)
        log.info("month_cleared", month=month, posted=posted, records=len(hub))
        return await self.uow.run(_load, month), posted, len(hub)

    async def get(self, month: str) -> tuple[Cleared, int]:
        """A cleared month and how many records its statements cover."""
        clearing.month_bounds(month)
        done = await self.uow.run(_load, month)
        return done, clearing.records_of(done)

    async def confirm(self, month: str, province: str) -> Cleared:
        """Confirm a province's statement; the month as it now stands."""
        clearing.month_bounds(month)
        await self.uow.run(confirm, month, province)
        return await self.uow.run(_load, month)
