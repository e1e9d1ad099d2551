"""The ErrorInfo reasons are one list: the Python enum, the proto enum and every reason the code
raises agree."""

from __future__ import annotations

import ast
from pathlib import Path

from services.pb.settlenet.v1 import common_pb2
from services.values.reasons import MEANING, Reason

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "national_hub", "provincial_nodes", "scripts")


def test_every_reason_has_a_meaning() -> None:
    assert set(MEANING) == set(Reason)
    assert all(text.endswith(".") for text in MEANING.values())


def test_proto_enum_lists_the_same_reasons_in_the_same_order() -> None:
    in_proto = [v.name for v in common_pb2.DESCRIPTOR.enum_types_by_name["Reason"].values]
    assert in_proto == ["REASON_UNSPECIFIED", *(r.value for r in Reason)]


def test_readme_error_table_lists_every_reason() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [r.value for r in Reason if f"`{r.value}`" not in readme]
    assert missing == []


def _reasons_raised() -> list[tuple[str, str]]:
    """(where, code) of every ``reason=...`` keyword with a literal or ``Reason.X`` value."""
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "pb" in path.relative_to(ROOT).parts[:2]:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.keyword) or node.arg != "reason":
                    continue
                value = node.value
                where = f"{path.relative_to(ROOT)}:{value.lineno}"
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.append((where, value.value))
                elif (
                    isinstance(value, ast.Attribute) and getattr(value.value, "id", "") == "Reason"
                ):
                    found.append((where, value.attr))
    return found


def test_every_reason_the_code_raises_is_in_the_enum() -> None:
    raised = _reasons_raised()
    assert len(raised) > 20  # the walk finds them
    unknown = [(where, code) for where, code in raised if code not in Reason.__members__]
    assert unknown == []
