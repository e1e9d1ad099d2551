"""Running the catalogue against one node in one or both roles: choose the hospital and the
persons, run each check in turn (bounded in time), and collect :class:`Result` rows."""

from __future__ import annotations

import asyncio
import fnmatch
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import grpc

from scripts.conformance import http
from scripts.conformance.context import Context, Options, SetupError, rpc_error
from scripts.conformance.persons import Person, from_network
from scripts.conformance.registry import (
    INSURED,
    TREATMENT,
    Check,
    CheckFailed,
    Evidence,
    Result,
    catalogue,
)


class UsageError(ValueError):
    """The run cannot be made as asked (exit code 2)."""


@dataclass
class Plan:
    """What to run: the node, its roles, the treatment province of the insured role, persons
    from a file (or none: network.json's), which checks."""

    node: str
    roles: tuple[str, ...] = (TREATMENT, INSURED)
    via: str = ""
    persons: list[Person] | None = None
    only: tuple[str, ...] = ()
    options: Options = field(default_factory=Options)


def selected(only: Iterable[str]) -> list[Check]:
    """The checks whose name matches one of the ``only`` patterns (glob: ``idempotency.*``), or
    every check; UsageError for a pattern that matches none."""
    checks = list(catalogue().values())
    patterns = list(only)
    if not patterns:
        return checks
    for p in patterns:
        if not any(fnmatch.fnmatchcase(c.name, p) for c in checks):
            raise UsageError(f"--only {p!r} matches no check (see --list)")
    return [c for c in checks if any(fnmatch.fnmatchcase(c.name, p) for p in patterns)]


def contexts(doc: dict[str, Any], plan: Plan) -> list[Context]:
    """One context per role: its treatment province and candidate persons."""
    provinces = doc.get("provinces") or {}
    if plan.node not in provinces:
        known = ", ".join(sorted(provinces)) or "none"
        raise UsageError(f"province {plan.node} is not in network.json (it lists {known})")
    others = sorted(c for c in provinces if c != plan.node)
    if not others:
        raise UsageError("network.json lists no other province: a cross-province visit needs one")
    out: list[Context] = []
    for role in plan.roles:
        if role == TREATMENT:
            given = [p for p in plan.persons or [] if p.province != plan.node]
            candidates = given + [p for code in others for p in from_network(doc, code)]
            out.append(Context(doc, plan.node, role, plan.node, candidates, plan.options))
        else:
            via = plan.via or others[0]
            if via not in others:
                raise UsageError(
                    f"--via {via}: not another province of network.json ({', '.join(others)})"
                )
            own = [p for p in plan.persons or [] if p.province == plan.node]
            if plan.persons is not None and not own:
                raise UsageError(
                    f"--persons lists nobody insured in province {plan.node} (insuplc_admdvs "
                    f"{plan.node}xxxx) for the insured role"
                )
            candidates = own if plan.persons is not None else from_network(doc, plan.node)
            out.append(Context(doc, plan.node, role, via, candidates, plan.options))
    return out


async def run(
    doc: dict[str, Any],
    plan: Plan,
    progress: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Every selected check in every role of ``plan``; ``progress`` sees each result as it
    comes."""
    checks = selected(plan.only)
    results: list[Result] = []
    for ctx in contexts(doc, plan):
        mine = [c for c in checks if ctx.role in c.roles]
        if not mine:
            continue
        setup_error = ""
        try:
            await asyncio.wait_for(ctx.open(), timeout=plan.options.timeout * 4)
        except SetupError as exc:
            setup_error = f"setup: {exc}"
        except (grpc.RpcError, TimeoutError, OSError) as exc:
            setup_error = f"setup: {rpc_error(exc)}"
        try:
            for c in mine:
                r = (
                    Result(c.name, ctx.role, c.doc, False, 0.0, [], [], error=setup_error)
                    if setup_error
                    else await run_check(ctx, c)
                )
                results.append(r)
                if progress is not None:
                    progress(r)
        finally:
            await ctx.close()
    return results


async def run_check(ctx: Context, c: Check) -> Result:
    ev = Evidence()
    error = skipped = ""
    start = time.monotonic()
    ctx.trace = ev
    try:
        await asyncio.wait_for(c.fn(ctx, ev), timeout=ctx.options.timeout * 3 + 10)
    except http.Skip as exc:
        skipped = str(exc)
    except CheckFailed:
        pass
    except TimeoutError:
        error = "the check did not finish in time"
    except grpc.RpcError as exc:
        error = rpc_error(exc)
    except Exception as exc:  # a check's bug or an answer it could not read: a failure, shown
        error = rpc_error(exc)
    finally:
        ctx.trace = None
    seconds = time.monotonic() - start
    passed = not ev.failures and not error
    return Result(c.name, ctx.role, c.doc, passed, seconds, ev.lines, ev.failures, error, skipped)
