"""The scenario file format (YAML), and reading it. A golden scenario holds policy, catalogue,
persons and visits as data, with the expected result of every visit computed by hand.
``settlenet scenario run FILE...`` runs them over real gRPC against an in-process network
(default) or a running one (``--target DIR/network.json``) and reports pass/fail per step with a
diff that names each field that differed (runner.py, report.py).

A scenario file (YAML) holds one scenario, or several under ``scenarios:`` (with ``shared:`` for
YAML anchors they refer to, such as a common catalogue)::

    name: Guangzhou employee outpatient, 300 yuan a month
    about: |                      # the arithmetic, by hand
      ...
    treatment: "11"               # province code of the place of treatment (default 11)
    insured: "44"                 # province code of the insured place (default 13)
    catalogue: [...]              # entries loaded into the treatment node (catalogue.yaml format)
    policy: [...]                 # schemes of the insured region (a policy.yaml region's list)
    persons: [...]                # persons.yaml entries; psn_no/certno/psn_name may be left out
    steps:
      - visit: first              # a label for later steps
        person: 0                 # index into persons (default 0)
        date: 2026-10-15          # visit and fee date (setl_date is the visit date)
        level: "3"                # institution level at the place of treatment (or fixmedins_code)
        med_type: "11"            # 11 general, 13 emergency, 14 chronic (with opsp_dise_code)
        refl_flag: "1"            # referral
        diag: [E11.900]
        acct_used: true
        lines: [{code: ..., cnt: "2", pric: 1449}]   # a line may add date: (its fee date)
        expect:
          lines: [{inscp_scp_amt: 2898, reason_codes: []}]   # FeeDetailResult fields per line
          split: {hifp_pay: 1234, pool_prop_selfpay: "0.65"} # SetlInfo fields
          setldetail: {"310100": 1234}                       # fund_payamt (or a mapping)
          steps: [scope, filing, deductible, ratio, personal_account, cash]
          explains: {filing: "(temporary_referral): ratio lowered by 10 points"}  # in desc
          error: {code: FAILED_PRECONDITION, field: opsp_dise_code, reason: ...}
      - revoke: first
        expect: {split: {fund_pay_sumamt: -1234}}
      - state: {person: 0, balc: 150000, accumulators: {"2026 11:fund": 0}}

Before each scenario the runner resets both nodes to their data files (AdminService ResetData),
then loads the scenario's catalogue, policy and persons; at the end it resets the nodes again (so
against a running network, documents loaded there with ``settlenet admin`` are dropped too).
Every visit runs 2201 → 2204 → 2206 → 2207; the 2206 answer must equal the 2207 one (nothing
happened in between).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SCENARIO_KEYS = {"name", "about", "treatment", "insured", "catalogue", "policy", "persons", "steps"}
VISIT_KEYS = {
    "visit",
    "person",
    "date",
    "level",
    "fixmedins_code",
    "med_type",
    "opsp_dise_code",
    "refl_flag",
    "diag",
    "acct_used",
    "lines",
    "expect",
}
EXPECT_KEYS = {"lines", "split", "setldetail", "steps", "explains", "error"}
LINE_KEYS = {"code", "cnt", "pric", "date"}


class ScenarioError(Exception):
    """A scenario file is malformed: names the file, the key and the problem."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}")


def _check_keys(
    file: str,
    key: str,
    value: Any,
    allowed: set[str],
    required: frozenset[str] | set[str] = frozenset(),
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(file, key or "(top)", f"must be a mapping, got {type(value).__name__}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ScenarioError(
            file,
            f"{key}.{unknown[0]}".lstrip("."),
            f"unknown key (allowed: {', '.join(sorted(allowed))})",
        )
    missing = sorted(required - set(value))
    if missing:
        raise ScenarioError(file, f"{key}.{missing[0]}".lstrip("."), "missing")
    return value


def read(path: Path) -> list[dict[str, Any]]:
    """The scenarios of a file, their shape checked (the documents inside are checked by the
    nodes when loaded)."""
    file = str(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(file, "(file)", str(exc)) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(file, "(yaml)", str(exc).replace("\n", " ")) from None
    if isinstance(doc, dict) and "scenarios" in doc:
        _check_keys(file, "", doc, {"scenarios", "shared"}, {"scenarios"})
        items = doc["scenarios"]  # "shared:" holds YAML anchors the scenarios refer to
    else:
        items = [doc]
    if not isinstance(items, list) or not items:
        raise ScenarioError(file, "scenarios", "must be a non-empty list")
    for i, sc in enumerate(items):
        key = f"scenarios[{i}]" if len(items) > 1 else ""
        _check_keys(file, key, sc, SCENARIO_KEYS, {"name", "steps"})
        if not isinstance(sc["steps"], list) or not sc["steps"]:
            raise ScenarioError(file, f"{key}.steps".lstrip("."), "must be a non-empty list")
        labels: set[str] = set()
        for j, step in enumerate(sc["steps"]):
            sk = f"{key}.steps[{j}]".lstrip(".")
            if not isinstance(step, dict):
                raise ScenarioError(file, sk, "must be a mapping")
            if "visit" in step:
                _check_keys(file, sk, step, VISIT_KEYS, {"visit", "date", "lines"})
                labels.add(str(step["visit"]))
                for n, line in enumerate(step["lines"] or []):
                    _check_keys(file, f"{sk}.lines[{n}]", line, LINE_KEYS, {"code", "pric"})
                _check_keys(file, f"{sk}.expect", step.get("expect", {}), EXPECT_KEYS)
            elif "revoke" in step:
                _check_keys(file, sk, step, {"revoke", "expect"})
                if str(step["revoke"]) not in labels:
                    raise ScenarioError(
                        file, f"{sk}.revoke", f"no earlier visit labelled {step['revoke']!r}"
                    )
                _check_keys(file, f"{sk}.expect", step.get("expect", {}), EXPECT_KEYS)
            elif "state" in step:
                _check_keys(file, sk, step, {"state"})
                _check_keys(file, f"{sk}.state", step["state"], {"person", "balc", "accumulators"})
            else:
                raise ScenarioError(file, sk, "a step is a visit:, a revoke: or a state:")
    return items


def provinces_needed(paths: list[Path]) -> tuple[str, ...]:
    codes = {"11", "13"}
    for path in paths:
        try:
            for sc in read(path):
                codes |= {str(sc.get("treatment", "11")), str(sc.get("insured", "13"))}
        except ScenarioError:
            continue
    return tuple(sorted(codes))


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for every *.yaml under it."""
    out: list[Path] = []
    for p in paths:
        out += sorted(p.rglob("*.yaml")) if p.is_dir() else [p]
    return out
