"""The conformance report: JUnit XML that parses whatever a node answered, and ID numbers masked
in every form."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from scripts.conformance import report
from scripts.conformance.registry import Evidence, Result


def _results() -> list[Result]:
    ev = Evidence()
    ev.answer("2207", {"certno": "130102195005259039", "psn_name": "张三丰", "memo": "a\x00<&>]]>"})
    ev.expect(False, "the same setlinfo", "another one for 130102195005259039")
    return [
        Result(
            "split.settle_identities",
            "treatment",
            "identities hold",
            False,
            0.1,
            ev.lines,
            ev.failures,
        ),
        Result("service.health_serving", "treatment", "SERVING", True, 0.01, ["ok"], []),
        Result(
            "deadline.settle",
            "insured",
            "in time",
            False,
            1.0,
            [],
            [],
            error="DEADLINE_EXCEEDED: x",
        ),
        Result("http.refusal_names_field", "insured", "http", True, 0.0, [], [], skipped="no http"),
    ]


def test_junit_parses_and_has_a_testcase_per_check_and_a_failure_per_failed_one() -> None:
    xml = report.junit(_results(), "13")
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["node 13 as treatment", "node 13 as insured"]
    assert [s.get("failures") for s in suites] == ["1", "1"]
    cases = root.findall(".//testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("conformance.treatment.split", "settle_identities"),
        ("conformance.treatment.service", "health_serving"),
        ("conformance.insured.deadline", "settle"),
        ("conformance.insured.http", "refusal_names_field"),
    ]
    failures = root.findall(".//testcase/failure")
    assert [f.get("type") for f in failures] == ["assertion", "error"]
    assert root.find(".//testcase/skipped") is not None
    assert b"19500525" not in xml and "张三丰".encode() not in xml


def test_text_and_json_show_the_evidence_masked() -> None:
    results = _results()
    text = "\n".join(report.text(r) for r in results) + report.summary(results)
    doc = json.loads(report.to_json(results, {"node": "13"}))
    assert doc["failed"] == ["treatment:split.settle_identities", "insured:deadline.settle"]
    for shown in (text, json.dumps(doc, ensure_ascii=False)):
        assert "130102********9039" in shown
        assert "19500525" not in shown and "张三丰" not in shown
    assert "FAIL expected the same setlinfo; got another one for 130102********9039" in text
    assert "4 checks: 1 passed, 2 failed, 1 skipped" in text
