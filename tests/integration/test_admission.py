"""Admission control at the place of treatment (``--admit-latency-ms``): with as many visits
being started as its limit, a node refuses the next 1101 or 2201 at once, RESOURCE_EXHAUSTED
with reason OVERLOADED naming the limit, changing nothing; calls that continue a visit (2204,
2207) are still served; once a started call ends, new ones are admitted again. Real servers on
port 0, real gRPC; the insured place holds each 1101 for a while (a behaviour rule) so that the
treatment node's 1101s stay in progress."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio

from services.rpc.status import details_of
from tests.conftest import (
    FEE_TIME,
    INSURED,
    REGION,
    TREAT,
    VISIT_TIME,
    Net,
    open_net,
    sample_lines,
)

HOLD_S = 2.0


@pytest_asyncio.fixture
async def held(tmp_path: Path) -> AsyncIterator[Net]:
    rules = tmp_path / "slow-1101.yaml"
    rules.write_text(
        "rules:\n"
        "  - name: slow-1101\n"
        "    match: {rpc: InsuredService/QueryPerson}\n"
        f"    delay: {{ms: {int(HOLD_S * 1000)}, at: before}}\n",
        encoding="utf-8",
    )
    async with open_net(
        tmp_path,
        his_timeout=30,
        node_options={
            TREAT: {"admit_latency_ms": 60_000, "admit_limits": (2, 2, 2)},
            INSURED: {"behaviour_file": rules},
        },
    ) as n:
        yield n


async def test_past_the_limit_new_visits_are_refused_and_started_ones_go_on(held: Net) -> None:
    n = held
    person, other = n.person(1), n.person(2)
    admission = n.net.provinces[TREAT].admission
    assert admission is not None and int(admission.limit) == 2
    await n.his.query_person(REGION, person.certno)  # the card read: 2201 asks no one now
    mdtrt_id = await n.his.register(REGION, person.psn_no, person.insutype, VISIT_TIME)

    # Two 1101s held at the insured place: the node is starting as many visits as it takes.
    slow = [asyncio.create_task(n.his.query_person(REGION, p.certno)) for p in (person, other)]
    for _ in range(200):
        if admission.in_progress == 2:
            break
        await asyncio.sleep(0.01)
    assert admission.in_progress == 2
    before = n.snapshot()

    for attempt in (
        n.his.query_person(REGION, person.certno),
        n.his.register(REGION, person.psn_no, person.insutype, VISIT_TIME),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await attempt
        err = caught.value
        assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "admission.limit=2" in (err.details() or "")
        violations, reason = details_of(err)
        assert reason == "OVERLOADED"
        assert [f for f, _ in violations] == ["admission.limit"]
    assert n.snapshot() == before  # refused: nothing written anywhere
    assert admission.refused == 2

    # A call that continues a visit is not subject to the limit.
    lines = sample_lines(n)
    await n.his.upload(REGION, mdtrt_id, person.psn_no, lines, FEE_TIME)
    assert admission.in_progress == 2

    answers = await asyncio.gather(*slow)
    assert [a.baseinfo.psn_no for a in answers] == [person.psn_no, other.psn_no]
    assert admission.in_progress == 0
    # Admitted again once the started calls ended, and the visit settles.
    assert (await n.his.query_person(REGION, other.certno)).baseinfo.psn_no == other.psn_no
    total = sum(x.amount() for x in lines)
    s = (await n.his.settle(REGION, mdtrt_id, person.psn_no, person.insutype, total)).setlinfo
    assert s.medfee_sumamt == total == s.fund_pay_sumamt + s.acct_pay + s.psn_cash_pay
    assert admission.admitted == 5 and admission.refused == 2  # 1101, 2201, two held, one more
