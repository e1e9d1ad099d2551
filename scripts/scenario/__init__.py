"""Golden scenarios: policy, catalogue, persons and visits as data, with the expected result of
every visit computed by hand, run over real gRPC.

- :mod:`scripts.scenario.schema`: the YAML format (documented there) and reading it;
- :mod:`scripts.scenario.runner`: running scenarios against a network;
- :mod:`scripts.scenario.report`: the results and their report;
- :mod:`scripts.scenario.command`: ``settlenet scenario run FILE...``.
"""

from scripts.scenario.command import add_parser, main
from scripts.scenario.report import ScenarioResult, StepResult, report, to_json
from scripts.scenario.runner import Runner, run_against, run_in_process
from scripts.scenario.schema import ScenarioError, expand, provinces_needed, read

__all__ = [
    "Runner",
    "ScenarioError",
    "ScenarioResult",
    "StepResult",
    "add_parser",
    "expand",
    "main",
    "provinces_needed",
    "read",
    "report",
    "run_against",
    "run_in_process",
    "to_json",
]
