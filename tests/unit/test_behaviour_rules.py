"""Behaviour rules, pure: which rule acts on a call (first match, every condition, sampling that
is exact), what each counts, the calls ring; and a rules document refused naming the rule and
the field, checked against the real message descriptors (no server, no gRPC)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from provincial_nodes.domain.behaviour import Behaviour, Call
from provincial_nodes.domain.rules_document import RuleError, parse
from provincial_nodes.domain.served_calls import CallLog, Served, masked_certno
from provincial_nodes.entrypoints.behaviour_rules import CONTRACT, call_of, load, overridden
from services.pb.settlenet.v1 import common_pb2, insured_pb2, treatment_pb2
from services.values.errors import InvalidField

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "docs" / "behaviour").glob("*.yaml"))
SETTLE = Call("TreatmentService/Settle", "2207", "P1", "", "H11010100001", 2500)
COMMIT = Call("InsuredService/CommitSettlement", "2207", "P1", "", "H11010100001", 2500)
QUERY = Call("InsuredService/QueryPerson", "1101", "", "130102195005259039", "H11010100001")


def _rules(doc: object) -> Behaviour:
    return Behaviour(parse(doc, CONTRACT))


def _acting(behaviour: Behaviour, calls: list[Call]) -> list[str | None]:
    return [r.name if (r := behaviour.pick(c)) else None for c in calls]


def test_the_first_rule_whose_every_condition_holds_acts_and_counts() -> None:
    b = _rules(
        {
            "rules": [
                {"name": "a", "match": {"infno": 2207, "psn_no": "P2"}, "delay": 5},
                {"name": "b", "match": {"infno": [2206, 2207]}, "drop": "after"},
                {"name": "c", "match": {"rpc": "InsuredService"}, "delay": 5},
            ]
        }
    )
    assert _acting(b, [SETTLE, COMMIT, QUERY]) == ["b", "b", "c"]
    assert b.matches == [0, 2, 1]


def test_rpc_matches_a_method_or_a_whole_service_and_infno_both_transports() -> None:
    b = _rules({"rules": [{"match": {"rpc": "TreatmentService/Settle"}, "delay": 1}]})
    assert _acting(b, [SETTLE, COMMIT]) == ["rule 1", None]
    b = _rules({"rules": [{"match": {"infno": "2207"}, "delay": 1}]})
    assert _acting(b, [SETTLE, COMMIT, QUERY]) == ["rule 1", "rule 1", None]


@pytest.mark.parametrize(
    ("match", "acts"),
    [
        pytest.param({"amount_fen": {"min": 2500}}, True, id="min-inclusive"),
        pytest.param({"amount_fen": {"max": 2499}}, False, id="below-max"),
        pytest.param({"amount_fen": {"min": 0, "max": 10}}, False, id="outside"),
        pytest.param({"fixmedins_code": ["H11010100001", "X"]}, True, id="code-any-of"),
        pytest.param({"fixmedins_code": "H13010100001"}, False, id="other-code"),
        pytest.param({"psn_no": "P1", "infno": 1101}, False, id="every-key-must-hold"),
    ],
)
def test_conditions(match: dict[str, object], acts: bool) -> None:
    b = _rules({"rules": [{"match": match, "delay": 1}]})
    assert (b.pick(SETTLE) is not None) is acts


def test_a_call_without_an_amount_never_fits_an_amount_range() -> None:
    b = _rules({"rules": [{"match": {"amount_fen": {"min": 0}}, "delay": 1}]})
    assert b.pick(QUERY) is None


def test_every_nth_and_times_are_exact() -> None:
    b = _rules({"rules": [{"name": "third", "match": {"every": 3}, "delay": 1}]})
    assert _acting(b, [SETTLE] * 7) == [None, None, "third", None, None, "third", None]
    b = _rules({"rules": [{"name": "once", "match": {"times": 1}, "drop": "after"}]})
    assert _acting(b, [SETTLE] * 3) == ["once", None, None]
    assert b.matches == [1]


def test_a_fraction_is_drawn_from_its_seed_so_every_run_picks_the_same_calls() -> None:
    doc = {"rules": [{"name": "half", "match": {"fraction": 0.5, "seed": 7}, "delay": 1}]}
    draws = random.Random(7)
    expected = ["half" if draws.random() < 0.5 else None for _ in range(40)]
    assert _acting(_rules(doc), [SETTLE] * 40) == expected
    assert _acting(_rules(doc), [SETTLE] * 40) == expected
    assert 5 < expected.count("half") < 35


def test_a_call_a_sampling_rule_lets_pass_goes_to_the_next_rule() -> None:
    b = _rules(
        {
            "rules": [
                {"name": "second", "match": {"every": 2}, "drop": "before"},
                {"name": "rest", "delay": 1},
            ]
        }
    )
    assert _acting(b, [SETTLE] * 4) == ["rest", "second", "rest", "second"]


def test_an_empty_document_is_no_rules() -> None:
    assert parse(None, CONTRACT) == ()
    assert parse({"rules": []}, CONTRACT) == ()


@pytest.mark.parametrize(
    ("doc", "where", "words"),
    [
        pytest.param([], "rules", "mapping", id="not-a-mapping"),
        pytest.param({"rule": []}, "rule", "unknown key", id="top-key"),
        pytest.param({"rules": [{"name": "x"}]}, "rules[0]", "does nothing", id="no-action"),
        pytest.param(
            {"rules": [{"match": {"psn": "1"}, "delay": 1}]},
            "rules[0].match.psn",
            "unknown condition",
            id="unknown-condition",
        ),
        pytest.param(
            {"rules": [{"delay": 1}, {"delay": 1, "answer": {"status": "OK"}}]},
            "rules[1].answer.status",
            "gRPC status code",
            id="status-ok",
        ),
        pytest.param(
            {"rules": [{"answer": {"reason": "SUSPENDED"}}]},
            "rules[0].answer.reason",
            "reasons.py",
            id="unknown-reason",
        ),
        pytest.param(
            {"rules": [{"answer": {"status": "UNAVAILABLE", "infcode": 0}}]},
            "rules[0].answer.infcode",
            "other than 0",
            id="infcode-0",
        ),
        pytest.param({"rules": [{"drop": "later"}]}, "rules[0].drop", "'before'", id="drop-when"),
        pytest.param(
            {"rules": [{"drop": "after", "override": {"x": 1}}]},
            "rules[0].override",
            "one of answer, drop, override",
            id="two-actions",
        ),
        pytest.param(
            {"rules": [{"delay": 999_999}]}, "rules[0].delay", "1 to 60000", id="long-delay"
        ),
        pytest.param(
            {"rules": [{"match": {"fraction": 1.5}, "delay": 1}]},
            "rules[0].match.fraction",
            "from 0 to 1",
            id="fraction",
        ),
        pytest.param(
            {"rules": [{"match": {"seed": 3}, "delay": 1}]},
            "rules[0].match.seed",
            "fraction",
            id="seed-alone",
        ),
        pytest.param(
            {"rules": [{"match": {"rpc": "TreatmentService/Setle"}, "delay": 1}]},
            "rules[0].match.rpc",
            "no such RPC",
            id="unknown-rpc",
        ),
        pytest.param(
            {"rules": [{"override": {"setlinfo.psn_cash_pay": 0}}]},
            "rules[0].override",
            "needs match.rpc or match.infno",
            id="override-without-rpc",
        ),
        pytest.param(
            {"rules": [{"match": {"infno": 2207}, "override": {"setlinfo.psn_cashpay": 0}}]},
            "rules[0].override.setlinfo.psn_cashpay",
            "no field 'setlinfo.psn_cashpay' in SetlInfo",
            id="override-unknown-field",
        ),
        pytest.param(
            {"rules": [{"match": {"infno": 2207}, "override": {"setlinfo.psn_cash_pay": "0"}}]},
            "rules[0].override.setlinfo.psn_cash_pay",
            "takes a whole number (fen)",
            id="override-wrong-type",
        ),
        pytest.param(
            {"rules": [{"match": {"infno": 2207}, "override": {"setlinfo": 0}}]},
            "rules[0].override.setlinfo",
            "is a message",
            id="override-a-message",
        ),
        pytest.param(
            {"rules": [{"name": "a", "delay": 1}, {"name": "a", "delay": 2}]},
            "rules[1].name",
            "earlier rule",
            id="same-name",
        ),
    ],
)
def test_a_bad_document_is_refused_naming_the_rule_and_field(
    doc: object, where: str, words: str
) -> None:
    with pytest.raises(RuleError) as err:
        parse(doc, CONTRACT)
    assert err.value.where == where
    assert words in err.value.problem


def test_an_override_must_fit_every_rpc_the_rule_can_act_on() -> None:
    # 2207 is TreatmentService/Settle (SettleResponse) and InsuredService/CommitSettlement
    # (SettleResult): both have setlinfo.
    (rule,) = parse(
        {"rules": [{"match": {"infno": 2207}, "override": {"setlinfo.psn_cash_pay": 0}}]},
        CONTRACT,
    )
    assert rule.action.override == (("setlinfo.psn_cash_pay", 0),)
    with pytest.raises(RuleError) as err:
        parse(
            {"rules": [{"match": {"infno": 1101}, "override": {"setlinfo.psn_cash_pay": 0}}]},
            CONTRACT,
        )
    assert "no field 'setlinfo'" in err.value.problem


def test_the_loader_names_the_rule_and_yaml_path_and_refuses_bad_yaml() -> None:
    text = (
        "rules:\n"
        "  - name: ok\n    delay: 5\n"
        "  - name: cash\n    match: {infno: 2207}\n    override: {setlinfo.psn_cashpay: 0}\n"
    )
    with pytest.raises(InvalidField) as err:
        load(text, "t.yaml")
    assert err.value.field == "yaml.rules[1].override.setlinfo.psn_cashpay"
    assert "rule 'cash'" in err.value.problem
    with pytest.raises(InvalidField) as bad:
        load("rules: [a, &x [*x]]", "t.yaml")
    assert bad.value.field == "yaml"
    with pytest.raises(InvalidField):
        load("rules:\n  - delay: 1\n    delay: 2\n", "t.yaml")  # a key given twice


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_each_worked_example_loads(path: Path) -> None:
    rules = load(path.read_text(encoding="utf-8"), str(path))
    assert rules.rules and all(r.action.describe() for r in rules.rules)


def test_the_three_worked_examples_are_shipped() -> None:
    assert {p.stem for p in EXAMPLES} >= {"suspended-person", "slow-insured", "dropped-answers"}


def test_a_request_as_the_rules_see_it() -> None:
    header = common_pb2.RequestHeader(
        infno="2207", msgid="M", fixmedins_code="H11010100001", mdtrtarea_admvs="110100"
    )
    settle = treatment_pb2.SettleRequest(header=header, psn_no="P1", medfee_sumamt=2500)
    assert call_of("TreatmentService/Settle", settle) == replace(SETTLE, msgid="M")
    claim = insured_pb2.SettleClaim(
        header=common_pb2.RequestHeader(infno="2207"),
        psn_no="P1",
        medfee_sumamt=2500,
        fixmedins_code="H11010100001",
    )
    assert call_of("InsuredService/CommitSettlement", claim) == COMMIT
    query = insured_pb2.PersonQuery(mdtrt_cert_type="02", mdtrt_cert_no="130102195005259039")
    assert call_of("InsuredService/QueryPerson", query).certno == "130102195005259039"


def test_an_override_changes_a_copy_of_the_answer() -> None:
    answer = treatment_pb2.SettleResponse()
    answer.setlinfo.psn_cash_pay = 1234
    changed = overridden(answer, (("setlinfo.psn_cash_pay", 0),))
    assert isinstance(changed, treatment_pb2.SettleResponse)
    assert (changed.setlinfo.psn_cash_pay, answer.setlinfo.psn_cash_pay) == (0, 1234)


def test_the_calls_ring_keeps_the_newest_and_masks_id_numbers() -> None:
    log = CallLog(capacity=3)
    for i in range(5):
        log.add(
            Served(
                datetime(2026, 12, 1), "grpc", "R", "", f"m{i}", "", "", "", None, "OK", 1.0, "", ""
            )
        )
    assert [c.msgid for c in log.last(0)] == ["m2", "m3", "m4"]
    assert [c.msgid for c in log.last(2)] == ["m3", "m4"]
    assert log.recorded == 5
    assert masked_certno("130102195005259039") == "130102********9039"
