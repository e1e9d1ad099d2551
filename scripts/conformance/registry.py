"""The check registry: every check of the catalogue by name (``group.what_it_asserts``), the
roles it runs in, and the evidence it leaves (requests, answers, what was expected).

    @check("idempotency.same_msgid_same_answer", TREATMENT, INSURED)
    async def same_msgid_same_answer(ctx: Context, ev: Evidence) -> None:
        '''A 2207 sent twice with one msgid gets the same answer.'''
        ...
        ev.expect(first == second, "the same setlinfo", "another one")
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from services.logs.masking import mask_text

if TYPE_CHECKING:
    from scripts.conformance.context import Context

TREATMENT, INSURED = "treatment", "insured"
ROLES = (TREATMENT, INSURED)

EVIDENCE_CHARS = 1500
"""One piece of evidence is cut to this many characters (a whole setlinfo fits)."""


class CheckFailed(Exception):
    """A check's assertion did not hold; its evidence says why."""


@dataclass
class Evidence:
    """What one check sent, got and expected, in order; ID numbers and names masked."""

    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(self, label: str, value: Any) -> None:
        self.lines.append(f"{label}: {mask_text(show(value))[:EVIDENCE_CHARS]}")

    def request(self, what: str, message: Any) -> None:
        self.add(f"request {what}", message)

    def answer(self, what: str, message: Any) -> None:
        self.add(f"answer {what}", message)

    def note(self, text: str) -> None:
        self.lines.append(mask_text(text))

    def expect(self, ok: bool, expected: str, got: Any = None) -> bool:
        """Record one expectation (with what was got when it does not hold); a false one fails
        the check, which goes on, so every broken expectation is shown."""
        line = f"expected {expected}" + ("" if ok or got is None else f"; got {show(got)}")
        line = mask_text(line)[:EVIDENCE_CHARS]
        self.lines.append(("ok   " if ok else "FAIL ") + line)
        if not ok:
            self.failures.append(line)
        return ok

    def require(self, ok: bool, expected: str, got: Any = None) -> None:
        """As :meth:`expect`, but the check cannot go on without it."""
        if not self.expect(ok, expected, got):
            raise CheckFailed(expected)


def show(value: Any) -> str:
    """A value as one line of evidence: a protobuf message as compact JSON-like text."""
    if isinstance(value, Message):
        d = MessageToDict(value, preserving_proto_field_name=True)
        return _compact(d)
    if isinstance(value, (dict, list)):
        return _compact(value)
    return str(value)


def _compact(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


CheckFn = Callable[["Context", Evidence], Awaitable[None]]


@dataclass(frozen=True)
class Check:
    name: str
    roles: tuple[str, ...]
    doc: str
    fn: CheckFn

    @property
    def group(self) -> str:
        return self.name.split(".", 1)[0]


CHECKS: dict[str, Check] = {}
"""Every check of the catalogue by name, in the order the groups register them."""


def check(name: str, *roles: str) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` as check ``name`` for ``roles`` (both roles when none is given); its
    docstring's first line says what it asserts."""

    def register(fn: CheckFn) -> CheckFn:
        if name in CHECKS:
            raise ValueError(f"check {name} is registered twice")
        doc = (fn.__doc__ or "").strip().split("\n\n", 1)[0]
        CHECKS[name] = Check(name, roles or ROLES, " ".join(doc.split()), fn)
        return fn

    return register


GROUPS = (
    "service",
    "envelope",
    "details",
    "idempotency",
    "presettle",
    "revoke",
    "split",
    "deadline",
    "http",
)
"""The groups of checks, one module each, in the order a run takes them."""


def catalogue() -> dict[str, Check]:
    """Every check, group by group in :data:`GROUPS` order (importing a group's module
    registers its checks)."""
    import importlib

    for group in GROUPS:
        importlib.import_module(f"scripts.conformance.{group}")
    return {c.name: c for g in GROUPS for c in CHECKS.values() if c.group == g}


@dataclass
class Result:
    """One check's outcome in one role."""

    name: str
    role: str
    doc: str
    passed: bool
    seconds: float
    evidence: list[str]
    failures: list[str]
    error: str = ""
    skipped: str = ""

    @property
    def id(self) -> str:
        return f"{self.role}:{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "asserts": self.doc,
            "passed": self.passed,
            "skipped": self.skipped or None,
            "seconds": round(self.seconds, 3),
            "failures": self.failures,
            "error": self.error or None,
            "evidence": self.evidence,
        }
