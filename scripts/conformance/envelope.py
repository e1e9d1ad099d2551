"""Envelope checks: a 2207 whose envelope is wrong — a malformed msgid, an infno that is not
the RPC's transaction, a malformed fixmedins_code — is refused with INVALID_ARGUMENT and changes
nothing. (On a secure network the node's gate sees a fixmedins_code that is not the caller's
own first and refuses it with PERMISSION_DENIED, also naming the field; both are accepted.)
Whether the refusal names the field is checked by the ``details`` group."""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from scripts.conformance.context import Context
from scripts.conformance.registry import TREATMENT, Evidence, check
from services.pb.settlenet.v1 import treatment_pb2
from services.rpc.status import describe_rpc_error


@dataclass(frozen=True)
class Bad:
    """One wrong envelope: the field it breaks, how, and the codes a node may refuse it with."""

    field: str
    what: str
    msgid_tail: str | None = None
    msgid: str | None = None
    infno: str | None = None
    fixmedins_code: str | None = None
    codes: tuple[grpc.StatusCode, ...] = (grpc.StatusCode.INVALID_ARGUMENT,)


BAD_MSGIDS = (
    Bad("header.msgid", "msgid too short (16 characters)", msgid_tail="2026"),
    Bad("header.msgid", "msgid whose time is not a time", msgid_tail="202613999999990001"),
    Bad(
        "header.msgid",
        "msgid with a character outside letters and digits",
        msgid_tail="2026120112000000-1",
    ),
    Bad(
        "header.msgid",
        "msgid of another institution (H99999999999…)",
        msgid="H99999999999202612011200000001",
        codes=(grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED),
    ),
)
BAD_INFNO = (Bad("header.infno", "infno 2206 on Settle (2207)", infno="2206"),)
BAD_FIXMEDINS = (
    Bad(
        "header.fixmedins_code",
        "fixmedins_code malformed (h1)",
        fixmedins_code="h1",
        codes=(grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED),
    ),
)


def bad_request(
    ctx: Context, visit_request: treatment_pb2.SettleRequest, bad: Bad
) -> treatment_pb2.SettleRequest:
    req = treatment_pb2.SettleRequest()
    req.CopyFrom(visit_request)
    if bad.msgid_tail is not None:
        req.header.msgid = ctx.his.fixmedins_code + bad.msgid_tail
    if bad.msgid is not None:
        req.header.msgid = bad.msgid
    if bad.infno is not None:
        req.header.infno = bad.infno
    if bad.fixmedins_code is not None:
        req.header.fixmedins_code = bad.fixmedins_code
    return req


async def refuse(ctx: Context, ev: Evidence, bad: Bad) -> grpc.RpcError | None:
    """Send the wrong 2207 on the scratch visit; expect a refusal with one of ``bad.codes`` and
    nothing changed. The refusal, for the details group."""
    visit = await ctx.scratch_visit()
    req = bad_request(ctx, ctx.settle_request("2207", visit), bad)
    before = await ctx.observe(visit, ev, "before")
    ev.note(f"2207 with {bad.what}:")
    refusal: grpc.RpcError | None = None
    try:
        res = await ctx.send_settle(req)
        ev.answer("2207", res.setlinfo)
        ev.expect(False, f"{' or '.join(c.name for c in bad.codes)} ({bad.what})", "an answer")
        await ctx.spoil_scratch(ev)
        return None
    except grpc.RpcError as exc:
        refusal = exc
        ev.answer("2207", describe_rpc_error(exc))
        ev.expect(
            exc.code() in bad.codes,
            f"{' or '.join(c.name for c in bad.codes)} ({bad.what})",
            exc.code().name,
        )
    after = await ctx.observe(visit, ev, "after")
    ev.expect(before == after, "nothing changed", after)
    return refusal


@check("envelope.bad_msgid_refused", TREATMENT)
async def bad_msgid_refused(ctx: Context, ev: Evidence) -> None:
    """A 2207 with a malformed msgid (too short; characters 13-26 not a time; a character other
    than a letter or digit) is refused with INVALID_ARGUMENT, and one that starts with another
    institution's code with INVALID_ARGUMENT (or PERMISSION_DENIED from a secure node's gate);
    none changes anything."""
    for bad in BAD_MSGIDS:
        await refuse(ctx, ev, bad)


@check("envelope.bad_infno_refused", TREATMENT)
async def bad_infno_refused(ctx: Context, ev: Evidence) -> None:
    """A Settle call whose header.infno is not 2207 is refused with INVALID_ARGUMENT and
    changes nothing."""
    for bad in BAD_INFNO:
        await refuse(ctx, ev, bad)


@check("envelope.bad_fixmedins_code_refused", TREATMENT)
async def bad_fixmedins_code_refused(ctx: Context, ev: Evidence) -> None:
    """A 2207 with a malformed header.fixmedins_code is refused (INVALID_ARGUMENT, or
    PERMISSION_DENIED from a secure node's gate) and changes nothing."""
    for bad in BAD_FIXMEDINS:
        await refuse(ctx, ev, bad)
