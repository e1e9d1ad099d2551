"""The results of running scenarios, and their report: pass/fail per step with a diff naming
each field that differed (text for a person, JSON for a program)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StepResult:
    label: str
    diffs: list[str] = field(default_factory=list)
    got: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.diffs


@dataclass
class ScenarioResult:
    file: str
    name: str
    steps: list[StepResult] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and all(s.ok for s in self.steps)


def report(results: list[ScenarioResult], *, verbose: bool = False) -> str:
    lines: list[str] = []
    for r in results:
        mark = "PASS" if r.ok else "FAIL"
        lines.append(f"{mark}  {r.file} :: {r.name}")
        if r.error:
            lines.append(f"      error: {r.error}")
        for s in r.steps:
            lines.append(f"      {'ok  ' if s.ok else 'FAIL'} {s.label}")
            lines += [f"           {d}" for d in s.diffs]
            if verbose and s.ok and s.got:
                lines.append(f"           {json.dumps(s.got, ensure_ascii=False)}")
    passed = sum(r.ok for r in results)
    lines.append(f"{passed} of {len(results)} scenarios passed")
    return "\n".join(lines)


def to_json(results: list[ScenarioResult]) -> list[dict[str, Any]]:
    """The results as JSON-ready data."""
    return [
        {
            "file": r.file,
            "name": r.name,
            "ok": r.ok,
            "error": r.error,
            "steps": [
                {"label": s.label, "ok": s.ok, "diffs": s.diffs, "got": s.got} for s in r.steps
            ],
        }
        for r in results
    ]
