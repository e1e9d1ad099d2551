"""Programmable behaviour of a simulated node: rules that match the calls it serves and act on
them (delay, answer with a status, drop the answer, override answer fields), each rule counting
its matches.

    rules:
      - name: suspended
        match: {infno: [1101, 2207], psn_no: "13010000000000000002"}
        answer: {status: FAILED_PRECONDITION, reason: INSURANCE_SUSPENDED}

**Order.** Rules are tried top to bottom; the first whose every condition holds acts, and only
it. A condition is one key of ``match`` (a list means any of its values); every key given must
hold. The sampling keys (``every``, ``fraction``, ``times``) are looked at last, only for a call
every other condition of the rule holds for; a call they let pass goes on to the next rule.

Pure. A rules document becomes these rules in :mod:`provincial_nodes.domain.rules_document`;
the calls served are kept by :mod:`provincial_nodes.domain.served_calls`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.values.personal import mask_certno

STATUS_CODES = (
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
)
"""The gRPC status codes an ``answer`` may give (every one but OK)."""

BEFORE, AFTER = "before", "after"


@dataclass(frozen=True, slots=True)
class Call:
    """What rules look at in one call (either transport)."""

    rpc: str
    """``TreatmentService/Settle``."""
    infno: str
    psn_no: str = ""
    certno: str = ""
    fixmedins_code: str = ""
    amount_fen: int | None = None
    """``medfee_sumamt`` (fen; over HTTP the yuan are converted before rules see them)."""
    msgid: str = ""


@dataclass(frozen=True)
class Match:
    rpcs: frozenset[str] = frozenset()
    """``Service/Method`` or a whole ``Service``."""
    infnos: frozenset[str] = frozenset()
    psn_nos: frozenset[str] = frozenset()
    certnos: frozenset[str] = frozenset()
    fixmedins_codes: frozenset[str] = frozenset()
    amount_min_fen: int | None = None
    amount_max_fen: int | None = None
    every: int = 0
    """Only every N-th call the other conditions hold for (the N-th, 2N-th, ...)."""
    fraction: Decimal | None = None
    """Only this fraction of those calls, drawn from a random generator seeded with ``seed``."""
    seed: int = 1
    times: int = 0
    """Act at most this many times (0: no limit)."""

    def holds(self, call: Call) -> bool:
        """Whether every condition but the sampling ones holds for ``call``."""
        if self.rpcs and call.rpc not in self.rpcs and call.rpc.split("/")[0] not in self.rpcs:
            return False
        if self.infnos and call.infno not in self.infnos:
            return False
        if self.psn_nos and call.psn_no not in self.psn_nos:
            return False
        if self.certnos and call.certno not in self.certnos:
            return False
        if self.fixmedins_codes and call.fixmedins_code not in self.fixmedins_codes:
            return False
        if self.amount_min_fen is not None or self.amount_max_fen is not None:
            amount = call.amount_fen
            if amount is None:
                return False
            if self.amount_min_fen is not None and amount < self.amount_min_fen:
                return False
            if self.amount_max_fen is not None and amount > self.amount_max_fen:
                return False
        return True

    def describe(self) -> str:
        parts = []
        for name, values in (
            ("rpc", self.rpcs),
            ("infno", self.infnos),
            ("psn_no", self.psn_nos),
            ("certno", frozenset(mask_certno(c) for c in self.certnos)),
            ("fixmedins_code", self.fixmedins_codes),
        ):
            if values:
                parts.append(f"{name} {'|'.join(sorted(values))}")
        if self.amount_min_fen is not None or self.amount_max_fen is not None:
            low = "" if self.amount_min_fen is None else self.amount_min_fen
            high = "" if self.amount_max_fen is None else self.amount_max_fen
            parts.append(f"amount {low}..{high} fen")
        if self.every:
            parts.append(f"every {self.every}th")
        if self.fraction is not None:
            parts.append(f"fraction {self.fraction} (seed {self.seed})")
        if self.times:
            parts.append(f"at most {self.times} times")
        return ", ".join(parts) or "every call"


@dataclass(frozen=True)
class Answer:
    status: str
    """A gRPC status code name (:data:`STATUS_CODES`)."""
    reason: str = ""
    message: str = ""
    field: str = ""
    """The field a BadRequest detail names, if any."""
    infcode: int = -1
    """Over HTTP: the envelope's infcode."""
    err_msg: str = ""
    """Over HTTP: the envelope's err_msg (default: the message)."""


@dataclass(frozen=True)
class Action:
    delay_ms: int = 0
    delay_at: str = BEFORE
    """``before`` the node's work, or ``after`` it (before the answer goes out)."""
    answer: Answer | None = None
    """Answer this instead of doing the node's work."""
    drop: str = ""
    """``before``: no work, no answer; ``after``: the node does its work (and commits), then
    sends no answer."""
    override: tuple[tuple[str, Any], ...] = ()
    """(dotted answer field, value), set on the node's own answer."""

    def describe(self) -> str:
        parts = []
        if self.delay_ms:
            parts.append(f"delay {self.delay_ms} ms {self.delay_at}")
        if self.answer is not None:
            a = self.answer
            parts.append(" ".join(p for p in ("answer", a.status, a.reason) if p))
        if self.drop:
            parts.append(f"drop {self.drop}")
        if self.override:
            parts.append("override " + ", ".join(f"{k}={v!r}" for k, v in self.override))
        return "; ".join(parts)


@dataclass(frozen=True)
class Rule:
    name: str
    match: Match
    action: Action


class Behaviour:
    """A loaded rules document and its counters: which rule acts on a call."""

    def __init__(self, rules: Iterable[Rule], source: str = "", text: str = "") -> None:
        self.rules = tuple(rules)
        self.source = source
        self.text = text
        self.matches = [0] * len(self.rules)
        self._held = [0] * len(self.rules)
        self._draws = [random.Random(r.match.seed) for r in self.rules]

    def pick(self, call: Call) -> Rule | None:
        """The first rule that acts on ``call`` (counted), or None."""
        for i, rule in enumerate(self.rules):
            m = rule.match
            if not m.holds(call):
                continue
            if m.times and self.matches[i] >= m.times:
                continue
            self._held[i] += 1
            if m.every and self._held[i] % m.every:
                continue
            if m.fraction is not None and Decimal(self._draws[i].random()) >= m.fraction:
                continue
            self.matches[i] += 1
            return rule
        return None


@dataclass
class Counted:
    """A rule with its match count, for showing."""

    index: int
    rule: Rule
    matches: int = field(default=0)


def counted(behaviour: Behaviour) -> list[Counted]:
    return [Counted(i + 1, r, behaviour.matches[i]) for i, r in enumerate(behaviour.rules)]
