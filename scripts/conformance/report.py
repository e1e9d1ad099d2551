"""A run's results as text (pass/fail with evidence), JSON, or JUnit XML for CI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from scripts.conformance.registry import Result
from services.logs.masking import mask_text


def line(r: Result) -> str:
    mark = "SKIP" if r.skipped else "PASS" if r.passed else "FAIL"
    return f"{mark}  {r.role:<9}  {r.name}  ({r.seconds:.2f} s)"


def text(r: Result, *, evidence: bool = True) -> str:
    """One result: its line and, unless passed quietly, what it asserts and its evidence."""
    out = [line(r)]
    if evidence or not r.passed:
        out.append(f"      asserts: {r.doc}")
        if r.skipped:
            out.append(f"      skipped: {r.skipped}")
        out += [f"      {e}" for e in r.evidence]
        if r.error:
            out += [f"      error: {mask_text(x)}" for x in r.error.splitlines()]
    return "\n".join(out)


def summary(results: Sequence[Result]) -> str:
    failed = [r for r in results if not r.passed]
    skipped = [r for r in results if r.skipped]
    head = (
        f"{len(results)} checks: {len(results) - len(failed) - len(skipped)} passed, "
        f"{len(failed)} failed, {len(skipped)} skipped"
    )
    return "\n".join([head, *(f"  failed: {r.id}" for r in failed)])


def to_json(results: Sequence[Result], meta: dict[str, Any]) -> str:
    return json.dumps(
        {
            **meta,
            "passed": all(r.passed for r in results),
            "failed": [r.id for r in results if not r.passed],
            "results": [r.to_dict() for r in results],
        },
        ensure_ascii=False,
        indent=2,
    )


def junit(results: Sequence[Result], node: str) -> bytes:
    """JUnit XML: one testsuite per role, one testcase per check (classname
    ``conformance.<role>.<group>``), a ``failure`` element with the evidence for each failed
    check (``type="error"`` when the check could not finish), ``skipped`` for a check that does
    not apply, the evidence as ``system-out`` for the others."""
    suites = ET.Element("testsuites", name=f"settlenet conformance of node {node}")
    for role in dict.fromkeys(r.role for r in results):
        mine = [r for r in results if r.role == role]
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"node {node} as {role}",
            tests=str(len(mine)),
            failures=str(sum(1 for r in mine if not r.passed)),
            errors="0",
            skipped=str(sum(1 for r in mine if r.skipped)),
            time=f"{sum(r.seconds for r in mine):.3f}",
        )
        for r in mine:
            group, _, what = r.name.partition(".")
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"conformance.{role}.{group}",
                name=what,
                time=f"{r.seconds:.3f}",
            )
            body = "\n".join([f"asserts: {r.doc}", *r.evidence, *([r.error] if r.error else [])])
            body = _xml_safe(mask_text(body))
            if r.skipped:
                ET.SubElement(case, "skipped", message=_xml_safe(r.skipped))
            elif not r.passed:
                why = "; ".join(r.failures) or r.error.splitlines()[0]
                fail = ET.SubElement(
                    case,
                    "failure",
                    message=_xml_safe(mask_text(why))[:500],
                    type="error" if r.error else "assertion",
                )
                fail.text = body
            else:
                out = ET.SubElement(case, "system-out")
                out.text = body
    ET.indent(suites)
    xml: bytes = ET.tostring(suites, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + xml


def _xml_safe(s: str) -> str:
    """Drop characters XML 1.0 cannot hold (control characters from a node's answer)."""
    return "".join(ch for ch in s if ch in "\t\n\r" or ord(ch) >= 0x20 and ch not in "\ufffe\uffff")
