"""2601 correction and the 5203-style message status at the hub.

The hub routes a correction to the insured node by ``insuplc_admdvs`` (the insured place decides:
reverse or burn) and then, in one unit, records whatever of the original settlement and its
reversal it had not routed itself — a 2207 whose answer was lost between the insured node and
the hub took effect there but never reached this journal — posting them to its ledger as any
routed settlement, and closes the omsgid in its journal so a late arrival is refused here too.
The correction is journalled by its own msgid like every mutating call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import structlog

from national_hub.adapters import insured_node
from national_hub.adapters.insured_node import Corrected, Link, Registry
from national_hub.adapters.unit_of_work import Repositories, UnitOfWork
from national_hub.domain.model import Header
from national_hub.service_layer.route import record_routed
from services.values import clock
from services.values.forward import BURNED, CORRECTED

log = structlog.get_logger("hub")

R = TypeVar("R")


def _replay(repos: Repositories, msgid: str, digest: str) -> bytes | None:
    return repos.journal.replay(msgid, "2601", digest)


def record_correction(
    repos: Repositories,
    h: Header,
    omsgid: str,
    oinfno: str,
    link: Link,
    result: Corrected[Any],
    digest: str,
    started: float,
) -> bytes | None:
    """Record the correction's effects; the journalled answer instead when a concurrent
    duplicate recorded it first."""
    prior = repos.journal.replay(h.msgid, "2601", digest)
    if prior is not None:
        return prior
    learned = []
    for setl, msgid in ((result.original, omsgid), (result.reversal, h.msgid)):
        if (
            setl.setl_id
            and record_routed(repos, setl, msgid, link.province_code, h.treatment) is None
        ):
            learned.append(setl.setl_id)
    if learned:
        log.info("correction_recorded_unrouted", setl_ids=learned, omsgid=omsgid)
    took_effect = result.outcome != "burned"
    repos.journal.close(omsgid, oinfno, h.msgid, took_effect=took_effect)
    repos.in_doubt.finish(
        omsgid, CORRECTED if took_effect else BURNED, f"2601 {h.msgid}: {result.outcome}"
    )
    repos.journal.record(h.msgid, "2601", digest, result.payload)
    repos.routed.add(
        msgid=h.msgid,
        infno="2601",
        from_province=h.treatment,
        to_province=link.province_code,
        outcome="OK",
        setl_id=result.reversal.setl_id,
        fund_pay_sumamt=result.reversal.fund_pay_sumamt,
        routed_at=clock.format_time(clock.now()),
        latency_ms=int((time.perf_counter() - started) * 1000),
    )
    return None


def _status(repos: Repositories, omsgid: str) -> tuple[str, str, bytes]:
    return repos.journal.state(omsgid)


class Correction:
    """The hub's CorrectionService handlers."""

    def __init__(self, uow: UnitOfWork, registry: Registry) -> None:
        self.uow = uow
        self.registry = registry

    async def correct(
        self,
        h: Header,
        request: Any,
        omsgid: str,
        oinfno: str,
        digest: str,
        parse: Callable[[bytes], R],
    ) -> R | Any:
        """Route a 2601 and record what it did; a retried msgid gets the journalled answer."""
        link = self.registry.route(h.insuplc_admdvs)
        prior = await self.uow.run(_replay, h.msgid, digest)
        if prior is not None:
            return parse(prior)
        started = time.perf_counter()
        result = await insured_node.correct(link, request)
        first = await self.uow.run(
            record_correction, h, omsgid, oinfno, link, result, digest, started
        )
        return parse(first) if first is not None else result.response

    async def status(self, omsgid: str) -> tuple[str, str, bytes]:
        """(state, infno, journalled answer) of a msgid at the hub."""
        return await self.uow.run(_status, omsgid)

    async def follow(self, h: Header, request: Any) -> Any:
        """The insured node's own status of the msgid."""
        return await insured_node.query_message(self.registry.route(h.insuplc_admdvs), request)
