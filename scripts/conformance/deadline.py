"""Deadline checks: each transaction of the outpatient path answers within the deadline
(``--deadline``, default 3 s), sent with that gRPC deadline. Every other check gives calls
``--timeout`` (default 30 s), so a slow node fails these checks and no others."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from scripts.conformance.context import Context, Visit
from scripts.conformance.registry import Evidence, check
from services.rpc.status import describe_rpc_error


async def _timed(
    ctx: Context, ev: Evidence, what: str, call: Callable[[float], Awaitable[Any]]
) -> bool | None:
    """Whether ``call`` answered within the deadline; None when the deadline cut it short (its
    outcome is then unknown here)."""
    start = time.monotonic()
    try:
        await call(ctx.options.deadline)
    except grpc.RpcError as exc:
        took = time.monotonic() - start
        ev.answer(what, describe_rpc_error(exc))
        late = exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        ev.expect(
            False,
            f"an answer within {ctx.options.deadline:g} s",
            f"{exc.code().name} after {took:.2f} s",
        )
        return None if late else False
    ev.note(f"answered in {time.monotonic() - start:.3f} s")
    return ev.expect(True, f"an answer within {ctx.options.deadline:g} s")


@check("deadline.query_person")
async def query_person(ctx: Context, ev: Evidence) -> None:
    """1101 answers within the deadline."""
    p = ctx.person
    assert p is not None

    async def call(t: float) -> Any:
        saved, ctx.his.timeout = ctx.his.timeout, t
        try:
            return await ctx.his.query_person(p.insuplc_admdvs, p.certno)
        finally:
            ctx.his.timeout = saved

    await _timed(ctx, ev, "1101", call)


@check("deadline.register_and_upload")
async def register_and_upload(ctx: Context, ev: Evidence) -> None:
    """2201 and 2204 each answer within the deadline."""
    saved = ctx.his.timeout
    ctx.his.timeout = ctx.options.deadline
    start = time.monotonic()
    visit: Visit | None = None
    try:
        visit = await ctx.open_visit()
        ev.note(f"both answered in {time.monotonic() - start:.3f} s")
        ev.expect(True, f"2201 and 2204 within {ctx.options.deadline:g} s each")
    except grpc.RpcError as exc:
        ev.answer("2201/2204", describe_rpc_error(exc))
        ev.expect(False, f"2201 and 2204 within {ctx.options.deadline:g} s each", exc.code().name)
    finally:
        ctx.his.timeout = saved
        if visit is not None:
            await ctx.cleanup(visit, ev)


@check("deadline.presettle")
async def presettle(ctx: Context, ev: Evidence) -> None:
    """2206 answers within the deadline."""
    visit = await ctx.open_visit()
    try:
        await _timed(ctx, ev, "2206", lambda t: ctx.pre_settle(visit, within=t))
    finally:
        await ctx.cleanup(visit, ev)


@check("deadline.settle")
async def settle(ctx: Context, ev: Evidence) -> None:
    """2207 answers within the deadline (when it does not, the check waits for 5203 to know
    its outcome before cleaning up)."""
    visit = await ctx.open_visit()
    msgid = ctx.his.msgid()
    try:
        ok = await _timed(ctx, ev, "2207", lambda t: ctx.settle(visit, msgid, within=t))
        if ok is None:
            await ctx.wait_final(msgid, ev)
    finally:
        await ctx.cleanup(visit, ev)


@check("deadline.revoke")
async def revoke(ctx: Context, ev: Evidence) -> None:
    """2208 answers within the deadline."""
    visit = await ctx.open_visit()
    msgid = ctx.his.msgid()
    try:
        settled = (await ctx.settle(visit)).setlinfo
        ok = await _timed(
            ctx, ev, "2208", lambda t: ctx.revoke(visit, settled.setl_id, msgid, within=t)
        )
        if ok is None:
            await ctx.wait_final(msgid, ev)
    finally:
        await ctx.cleanup(visit, ev)


@check("deadline.query_message")
async def query_message(ctx: Context, ev: Evidence) -> None:
    """5203 QueryMessage answers within the deadline."""
    await _timed(ctx, ev, "5203", lambda t: ctx.status(ctx.his.msgid(), within=t))
