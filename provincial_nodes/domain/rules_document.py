"""A behaviour rules document (YAML already read into Python values) into rules
(:mod:`provincial_nodes.domain.behaviour`), or a :class:`RuleError` naming the rule, the field
and the problem: nothing of a document with an error is used.

What depends on the messages (which RPCs exist, which answer fields an override may set, and
with what values) is asked of a :class:`Contract`: the node's is read from the protobuf
descriptors (``provincial_nodes.entrypoints.behaviour_rules``). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from provincial_nodes.domain.behaviour import (
    AFTER,
    BEFORE,
    STATUS_CODES,
    Action,
    Answer,
    Match,
    Rule,
)
from services.values.reasons import Reason

MAX_RULES = 1000
MAX_DELAY_MS = 60_000
MAX_TEXT = 500


class RuleError(Exception):
    """A rules document that cannot be used: which rule (``rules[2]``, with its name), which
    field, what is wrong. Nothing of the document is used."""

    def __init__(self, where: str, value: object, problem: str, rule: str = "") -> None:
        self.where = where
        self.value = value
        self.problem = problem
        self.rule = rule
        super().__init__(where, problem)

    def __str__(self) -> str:
        named = f" (rule {self.rule!r})" if self.rule else ""
        return f"{self.where}{named}: {self.problem}"


class Contract(Protocol):
    """What the rules are checked against: the node's RPCs and their answers."""

    def rpcs(self) -> frozenset[str]:
        """Every RPC served, as ``Service/Method``."""
        ...

    def rpcs_of_infno(self, infno: str) -> frozenset[str]:
        """The RPCs that carry transaction ``infno`` (2207: TreatmentService/Settle and
        InsuredService/CommitSettlement)."""
        ...

    def override_problem(self, rpc: str, path: str, value: object) -> str | None:
        """What is wrong with setting answer field ``path`` of ``rpc`` to ``value``, or None."""
        ...


_RULE_KEYS = frozenset({"name", "match", "delay", "answer", "drop", "override"})
_MATCH_KEYS = frozenset(
    {
        "rpc",
        "infno",
        "psn_no",
        "certno",
        "fixmedins_code",
        "amount_fen",
        "every",
        "fraction",
        "seed",
        "times",
    }
)
_ANSWER_KEYS = frozenset({"status", "reason", "message", "field", "infcode", "err_msg"})


def parse(doc: object, contract: Contract) -> tuple[Rule, ...]:
    """The rules of a document (``{rules: [...]}``; empty or ``None``: no rules). Raises
    :class:`RuleError` naming the rule and the field of the first problem."""
    if doc is None:
        return ()
    if not isinstance(doc, Mapping):
        raise RuleError("rules", doc, "the document must be a mapping with a 'rules' list")
    unknown = sorted(str(k) for k in doc if k != "rules")
    if unknown:
        raise RuleError(unknown[0], None, "unknown key; the document has only 'rules'")
    items = doc.get("rules")
    if items is None:
        return ()
    if not isinstance(items, list):
        raise RuleError("rules", items, "must be a list of rules")
    if len(items) > MAX_RULES:
        raise RuleError("rules", len(items), f"at most {MAX_RULES} rules")
    rules = tuple(_rule(i, item, contract) for i, item in enumerate(items))
    names = [r.name for r in rules]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise RuleError(f"rules[{i}].name", name, "given to an earlier rule too")
    return rules


def _rule(i: int, item: object, contract: Contract) -> Rule:
    at = f"rules[{i}]"
    if not isinstance(item, Mapping):
        raise RuleError(at, item, "a rule must be a mapping (name, match, and its actions)")
    name = item.get("name", f"rule {i + 1}")
    if not isinstance(name, str) or not name or len(name) > 100:
        raise RuleError(f"{at}.name", name, "must be a text of 1 to 100 characters")
    try:
        for key in item:
            if key not in _RULE_KEYS:
                raise RuleError(
                    f"{at}.{key}", None, f"unknown key; one of {', '.join(sorted(_RULE_KEYS))}"
                )
        match = _match(at, item.get("match"))
        action = _action(at, item, match, contract)
    except RuleError as err:
        err.rule = name
        raise
    return Rule(name, match, action)


def _texts(where: str, value: object, most: int = 50) -> frozenset[str]:
    values = value if isinstance(value, list) else [value]
    out = set()
    for v in values:
        if isinstance(v, bool) or not isinstance(v, str | int) or not str(v) or len(str(v)) > most:
            raise RuleError(
                where, v, f"must be a text (or a list of texts) of 1 to {most} characters"
            )
        out.add(str(v))
    if not out:
        raise RuleError(where, value, "an empty list matches nothing")
    return frozenset(out)


def _int(where: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuleError(where, value, f"must be a whole number from {low} to {high}")
    return value


def _match(at: str, raw: object) -> Match:
    if raw is None:
        return Match()
    if not isinstance(raw, Mapping):
        raise RuleError(f"{at}.match", raw, "must be a mapping of conditions")
    for key in raw:
        if key not in _MATCH_KEYS:
            raise RuleError(
                f"{at}.match.{key}",
                None,
                f"unknown condition; one of {', '.join(sorted(_MATCH_KEYS))}",
            )
    w = f"{at}.match"
    fields: dict[str, Any] = {}
    if "rpc" in raw:
        fields["rpcs"] = _texts(f"{w}.rpc", raw["rpc"], 100)
    if "infno" in raw:
        fields["infnos"] = _texts(f"{w}.infno", raw["infno"], 16)
    if "psn_no" in raw:
        fields["psn_nos"] = _texts(f"{w}.psn_no", raw["psn_no"], 30)
    if "certno" in raw:
        fields["certnos"] = _texts(f"{w}.certno", raw["certno"], 50)
    if "fixmedins_code" in raw:
        fields["fixmedins_codes"] = _texts(f"{w}.fixmedins_code", raw["fixmedins_code"], 12)
    if "amount_fen" in raw:
        amount = raw["amount_fen"]
        if not isinstance(amount, Mapping) or not amount or set(amount) - {"min", "max"}:
            raise RuleError(
                f"{w}.amount_fen", amount, "must be {min: FEN, max: FEN} (either or both)"
            )
        if "min" in amount:
            fields["amount_min_fen"] = _int(f"{w}.amount_fen.min", amount["min"], 0, 10**12)
        if "max" in amount:
            fields["amount_max_fen"] = _int(f"{w}.amount_fen.max", amount["max"], 0, 10**12)
        if fields.get("amount_min_fen", 0) > fields.get("amount_max_fen", 10**12):
            raise RuleError(f"{w}.amount_fen.max", amount["max"], "less than min")
    if "every" in raw:
        fields["every"] = _int(f"{w}.every", raw["every"], 1, 1_000_000)
    if "fraction" in raw:
        fraction = raw["fraction"]
        try:
            exact = Decimal(str(fraction))
        except InvalidOperation:
            exact = Decimal(-1)
        if (
            isinstance(fraction, bool)
            or not isinstance(fraction, int | float | str)
            or not (0 <= exact <= 1)
        ):
            raise RuleError(f"{w}.fraction", fraction, "must be a number from 0 to 1, e.g. 0.05")
        fields["fraction"] = exact
    if "seed" in raw:
        if "fraction" not in raw:
            raise RuleError(f"{w}.seed", raw["seed"], "seeds the draws of 'fraction'; give one")
        fields["seed"] = _int(f"{w}.seed", raw["seed"], 0, 2**63)
    if "times" in raw:
        fields["times"] = _int(f"{w}.times", raw["times"], 1, 1_000_000_000)
    return Match(**fields)


def _action(at: str, item: Mapping[str, Any], match: Match, contract: Contract) -> Action:
    fields: dict[str, Any] = {}
    for rpc in sorted(match.rpcs):
        known = contract.rpcs()
        if rpc not in known and not any(k.startswith(rpc + "/") for k in known):
            raise RuleError(
                f"{at}.match.rpc",
                rpc,
                "no such RPC or service on a province node (e.g. TreatmentService/Settle, "
                "InsuredService)",
            )
    if "delay" in item:
        delay = item["delay"]
        if isinstance(delay, Mapping):
            if set(delay) - {"ms", "at"} or "ms" not in delay:
                raise RuleError(f"{at}.delay", delay, "must be MS or {ms: MS, at: before|after}")
            fields["delay_ms"] = _int(f"{at}.delay.ms", delay["ms"], 1, MAX_DELAY_MS)
            when = delay.get("at", BEFORE)
            if when not in (BEFORE, AFTER):
                raise RuleError(f"{at}.delay.at", when, "must be 'before' or 'after'")
            fields["delay_at"] = when
        else:
            fields["delay_ms"] = _int(f"{at}.delay", delay, 1, MAX_DELAY_MS)
    acts = [k for k in ("answer", "drop", "override") if k in item]
    if len(acts) > 1:
        raise RuleError(
            f"{at}.{acts[1]}", None, f"a rule does one of answer, drop, override ({acts[0]} given)"
        )
    if "answer" in item:
        fields["answer"] = _answer(f"{at}.answer", item["answer"])
    if "drop" in item:
        drop = item["drop"]
        if drop not in (BEFORE, AFTER):
            raise RuleError(
                f"{at}.drop",
                drop,
                "must be 'before' (no work, no answer) or 'after' (the work done, no answer)",
            )
        fields["drop"] = drop
    if "override" in item:
        fields["override"] = _override(f"{at}.override", item["override"], match, contract)
    if not fields:
        raise RuleError(at, None, "does nothing: give delay, answer, drop or override")
    return Action(**fields)


def _text(where: str, value: object, most: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or len(value) > most:
        raise RuleError(where, value, f"must be a text of at most {most} characters")
    return value


def _answer(at: str, raw: object) -> Answer:
    if not isinstance(raw, Mapping):
        raise RuleError(at, raw, "must be {status, reason, message, field, infcode, err_msg}")
    for key in raw:
        if key not in _ANSWER_KEYS:
            raise RuleError(
                f"{at}.{key}", None, f"unknown key; one of {', '.join(sorted(_ANSWER_KEYS))}"
            )
    reason = raw.get("reason", "")
    if reason and reason not in Reason.__members__:
        raise RuleError(
            f"{at}.reason",
            reason,
            "not a reason of services/values/reasons.py (the README's table)",
        )
    status = raw.get("status", "FAILED_PRECONDITION" if reason else None)
    if status not in STATUS_CODES:
        raise RuleError(
            f"{at}.status", status, f"must be a gRPC status code: {', '.join(STATUS_CODES)}"
        )
    infcode = raw.get("infcode", -1)
    if isinstance(infcode, bool) or not isinstance(infcode, int) or infcode == 0:
        raise RuleError(
            f"{at}.infcode", infcode, "must be a whole number other than 0 (0 is success)"
        )
    if not -(10**9) <= infcode <= 10**9:
        raise RuleError(f"{at}.infcode", infcode, "out of range")
    message = _text(f"{at}.message", raw.get("message", ""))
    return Answer(
        status=str(status),
        reason=str(reason),
        message=message,
        field=_text(f"{at}.field", raw.get("field", ""), 100),
        infcode=infcode,
        err_msg=_text(f"{at}.err_msg", raw.get("err_msg", "")),
    )


def _override(
    at: str, raw: object, match: Match, contract: Contract
) -> tuple[tuple[str, Any], ...]:
    if not isinstance(raw, Mapping) or not raw:
        raise RuleError(at, raw, "must be a mapping of answer fields to values")
    rpcs = _rpcs_of(match, contract)
    if not rpcs:
        raise RuleError(
            at,
            None,
            "an override needs match.rpc or match.infno: the answer's fields depend on the RPC",
        )
    out = []
    for path, value in raw.items():
        if not isinstance(path, str):
            raise RuleError(f"{at}", path, "field paths are texts, e.g. setlinfo.psn_cash_pay")
        for rpc in sorted(rpcs):
            problem = contract.override_problem(rpc, path, value)
            if problem:
                raise RuleError(f"{at}.{path}", value, f"answer of {rpc}: {problem}")
        out.append((path, value))
    return tuple(out)


def _rpcs_of(match: Match, contract: Contract) -> frozenset[str]:
    """The RPCs a rule can act on (for checking its overrides)."""
    known = contract.rpcs()
    by_rpc = (
        {r for r in known if r in match.rpcs or r.split("/")[0] in match.rpcs}
        if match.rpcs
        else None
    )
    by_infno = (
        {r for i in match.infnos for r in contract.rpcs_of_infno(i)} if match.infnos else None
    )
    if by_rpc is None and by_infno is None:
        return frozenset()
    if by_rpc is None:
        return frozenset(by_infno or ())
    if by_infno is None:
        return frozenset(by_rpc)
    return frozenset(by_rpc & by_infno)
