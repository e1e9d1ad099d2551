"""``settlenet conformance`` against real nodes: every simulated province passes every check in
both roles, and each deliberately broken node (tests/conformance/broken.py) fails exactly the
checks of its class."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from scripts import cli, network
from scripts.conformance.context import Options
from scripts.conformance.registry import INSURED, TREATMENT, Result
from scripts.conformance.runner import Plan, run
from tests.conformance import broken

pytestmark = pytest.mark.timeout(240)


def failed(results: list[Result]) -> set[str]:
    return {r.name for r in results if not r.passed}


def shown(results: list[Result]) -> str:
    """The failures with their evidence, for an assertion message."""
    from scripts.conformance import report

    return "\n".join(report.text(r) for r in results if not r.passed)


@pytest_asyncio.fixture
async def insecure_net(tmp_path: Path) -> AsyncIterator[network.Network]:
    net = await network.start(tmp_path, ("11", "13"))
    try:
        yield net
    finally:
        await net.stop()


async def test_every_simulated_node_passes_every_check_in_both_roles(tmp_path: Path) -> None:
    net = await network.start(tmp_path, network.DEFAULT_PROVINCES, secure=True)
    try:
        doc = net.describe()
        for code in network.DEFAULT_PROVINCES:
            results = await run(doc, Plan(node=code))
            assert {r.role for r in results} == {TREATMENT, INSURED}
            assert not failed(results), shown(results)
            assert not [r for r in results if r.skipped]  # the HTTP interface is served too
    finally:
        await net.stop()


BROKEN_TREATMENT = {
    "double_charge": {"idempotency.retry_changes_nothing"},
    "commit_on_presettle": {"presettle.commits_nothing", "presettle.same_split_as_settle"},
    "split_off": {
        "split.presettle_identities",
        "split.settle_identities",
        "split.revocation_negates",
    },
    "no_details": {"details.envelope_errors_name_field", "details.body_errors_name_field"},
    "slow": {"deadline.settle"},
    "revoke_noop": {
        "revoke.restores_reconciliation",
        "revoke.msgid_status_shows_reversal",
        "revoke.query_shows_revocation",
        "revoke.second_revocation_refused",
    },
}
"""Each broken node's class and the checks it must fail (every other check passes)."""

SLOW_CHECKS = (
    "deadline.*",
    "service.*",
    "split.presettle_identities",
    "envelope.bad_infno_refused",
)
"""The slow node delays every 2207: its run is kept to a few of them."""


async def conformance_of_broken(
    net: network.Network, kind: str, role: str, only: tuple[str, ...] = ()
) -> list[Result]:
    proxy = await broken.start(kind, net.provinces["13"].endpoint)
    try:
        doc: dict[str, Any] = net.describe()
        doc["provinces"]["13"]["endpoint"] = proxy.endpoint
        if role == INSURED:
            regions = sorted(net.provinces["13"].data.regions)
            await broken.route_hub_to(net.hub.endpoint, "13", proxy.endpoint, regions)
        options = Options(deadline=broken.DELAY_S / 2) if kind == "slow" else Options()
        return await run(doc, Plan(node="13", roles=(role,), only=only, options=options))
    finally:
        await proxy.stop()


@pytest.mark.parametrize("kind", sorted(BROKEN_TREATMENT))
async def test_a_broken_treatment_node_fails_exactly_its_checks(
    insecure_net: network.Network, kind: str
) -> None:
    only = SLOW_CHECKS if kind == "slow" else ()
    results = await conformance_of_broken(insecure_net, kind, TREATMENT, only)
    assert failed(results) == BROKEN_TREATMENT[kind], shown(results)
    for r in results:
        if not r.passed:
            assert r.evidence and (r.failures or r.error), r  # each failure shows its evidence


BROKEN_INSURED = {
    "commit_on_presettle": {"presettle.commits_nothing", "presettle.same_split_as_settle"},
    "revoke_noop": {"revoke.restores_reconciliation", "revoke.msgid_status_shows_reversal"},
    "split_off": {
        "split.presettle_identities",
        "split.settle_identities",
        "split.revocation_negates",
    },
}


@pytest.mark.parametrize("kind", sorted(BROKEN_INSURED))
async def test_a_broken_insured_node_behind_the_hub_fails_exactly_its_checks(
    insecure_net: network.Network, kind: str
) -> None:
    results = await conformance_of_broken(insecure_net, kind, INSURED)
    assert {r.role for r in results} == {INSURED}
    assert failed(results) == BROKEN_INSURED[kind], shown(results)


async def test_command_writes_junit_and_json_and_exits_by_outcome(
    insecure_net: network.Network, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "network.json"
    network.write_network_json(target, insecure_net.describe())
    junit = tmp_path / "conformance.xml"
    argv = ["conformance", "--target", str(target), "--node", "13", "--role", "treatment"]
    rc = await asyncio.to_thread(
        cli.main,
        [*argv, "--only", "split.*", "--only", "service.*", "--junit", str(junit), "--json"],
    )
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["passed"] and out["failed"] == []
    assert {r["name"] for r in out["results"]} >= {
        "split.settle_identities",
        "service.health_serving",
    }
    suites = ET.parse(junit).getroot()
    cases = suites.findall(".//testcase")
    assert len(cases) == len(out["results"]) and not suites.findall(".//failure")

    proxy = await broken.start("split_off", insecure_net.provinces["13"].endpoint)
    try:
        doc = insecure_net.describe()
        doc["provinces"]["13"]["endpoint"] = proxy.endpoint
        network.write_network_json(target, doc)
        rc = await asyncio.to_thread(cli.main, [*argv, "--only", "split.*", "--junit", str(junit)])
    finally:
        await proxy.stop()
    text = capsys.readouterr().out
    assert rc == 1
    assert "FAIL  treatment  split.settle_identities" in text
    assert "medfee_sumamt = fund_pay_sumamt + acct_pay + psn_cash_pay" in text
    failures = ET.parse(junit).getroot().findall(".//testcase/failure")
    assert {f.get("message", "")[:40] for f in failures} and len(failures) == 3


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--node", "99"], "province 99 is not in network.json"),
        (["--node", "13", "--only", "nothing.*"], "matches no check"),
        (["--node", "13", "--via", "13", "--role", "insured"], "--via 13"),
        (["--node", "13", "--persons", "PERSONS"], "persons[0].insutype"),
    ],
)
async def test_usage_errors_exit_2(
    insecure_net: network.Network,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    says: str,
) -> None:
    target = tmp_path / "network.json"
    network.write_network_json(target, insecure_net.describe())
    persons = tmp_path / "persons.yaml"
    persons.write_text(
        "persons:\n  - {psn_no: '13010000000000000003', certno: '130102195005259039',\n"
        "     insutype: '300'}\n"
    )
    argv = [
        "conformance",
        "--target",
        str(target),
        *[str(persons) if a == "PERSONS" else a for a in args],
    ]
    rc = await asyncio.to_thread(cli.main, argv)
    assert rc == 2
    assert says in capsys.readouterr().err


async def test_persons_from_a_file_are_settled_and_never_shown_whole(
    insecure_net: network.Network, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = insecure_net.describe()
    target = tmp_path / "network.json"
    network.write_network_json(target, doc)
    chosen = [doc["provinces"]["13"]["persons"][2], doc["provinces"]["11"]["persons"][2]]
    persons = tmp_path / "persons.yaml"
    persons.write_text(
        "persons:\n"
        + "".join(
            f"  - {{psn_no: '{p['psn_no']}', certno: '{p['certno']}', insutype: "
            f"'{p['insutype']}', insuplc_admdvs: '{p['insuplc_admdvs']}'}}\n"
            for p in chosen
        )
    )
    argv = ["conformance", "--target", str(target), "--node", "13", "--persons", str(persons)]
    rc = await asyncio.to_thread(cli.main, [*argv, "--only", "revoke.*", "--json"])
    out = capsys.readouterr().out
    assert rc == 0, out
    results = json.loads(out)["results"]
    assert {r["role"] for r in results} == {"treatment", "insured"}
    assert chosen[0]["psn_no"] in out and chosen[1]["psn_no"] in out  # the file's persons
    for p in chosen:
        assert p["certno"] not in out and p["certno"][6:14] not in out  # birth dates hidden
