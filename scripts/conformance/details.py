"""Error-detail checks: every refusal carries a google.rpc BadRequest whose field violation
names the field that was wrong (``header.msgid``, ``medfee_sumamt``, ``feedetail[0].cnt``), and
an ErrorInfo with the reason (services/values/reasons.py), as the contract promises."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from scripts.clients.his import Line
from scripts.conformance import envelope
from scripts.conformance.context import Context
from scripts.conformance.registry import TREATMENT, Evidence, check
from services.rpc.status import describe_rpc_error, details_of


def expect_named(ev: Evidence, what: str, exc: grpc.RpcError | None, field: str) -> None:
    if exc is None:
        ev.expect(False, f"a refusal of {what} naming {field}", "no refusal")
        return
    violations, reason = details_of(exc)
    fields = [f for f, _ in violations]
    ev.expect(
        any(f == field or f.endswith("." + field) for f in fields),
        f"{what}: a BadRequest field violation naming {field}",
        fields or "no BadRequest detail",
    )
    ev.expect(bool(reason), f"{what}: an ErrorInfo reason", reason or "no ErrorInfo detail")


async def refusal(
    ev: Evidence, what: str, call: Callable[[], Awaitable[Any]]
) -> grpc.RpcError | None:
    try:
        await call()
    except grpc.RpcError as exc:
        ev.answer(what, describe_rpc_error(exc))
        return exc
    ev.answer(what, "accepted")
    return None


@check("details.envelope_errors_name_field", TREATMENT)
async def envelope_errors_name_field(ctx: Context, ev: Evidence) -> None:
    """Each envelope refusal (bad msgid, infno, fixmedins_code) names its field in a BadRequest
    detail and gives an ErrorInfo reason."""
    for bad in (*envelope.BAD_MSGIDS, *envelope.BAD_INFNO, *envelope.BAD_FIXMEDINS):
        visit = await ctx.scratch_visit()
        req = envelope.bad_request(ctx, ctx.settle_request("2207", visit), bad)
        ev.note(f"2207 with {bad.what}:")
        exc = await refusal(ev, "2207", lambda r=req: ctx.send_settle(r))  # type: ignore[misc]
        if exc is None:
            await ctx.spoil_scratch(ev)
        expect_named(ev, bad.what, exc, bad.field)


@check("details.body_errors_name_field", TREATMENT)
async def body_errors_name_field(ctx: Context, ev: Evidence) -> None:
    """Refusals of a body field name it: a negative medfee_sumamt (2207), an unknown insutype
    (2201), a quantity that is not a number (2204 feedetail[0].cnt)."""
    visit = await ctx.scratch_visit()
    p = visit.person
    neg = ctx.settle_request("2207", visit, medfee_sumamt=-1)
    ev.request("2207 medfee_sumamt -1", neg)
    exc = await refusal(ev, "2207", lambda: ctx.send_settle(neg))
    if exc is None:
        await ctx.spoil_scratch(ev)
    expect_named(ev, "medfee_sumamt -1", exc, "medfee_sumamt")
    exc = await refusal(
        ev,
        "2201 insutype 999",
        lambda: ctx.his.register(p.insuplc_admdvs, p.psn_no, "999", "2026-01-01 09:00:00"),
    )
    expect_named(ev, "insutype 999", exc, "insutype")
    visit = await ctx.scratch_visit()
    line = Line(ctx.lines[0].code, "abc", 100)
    exc = await refusal(
        ev,
        "2204 cnt 'abc'",
        lambda: ctx.his.stub.UploadFeeDetails(
            _upload(ctx, visit.mdtrt_id, p.psn_no, p.insuplc_admdvs, line),
            timeout=ctx.options.timeout,
        ),
    )
    expect_named(ev, "cnt 'abc'", exc, "cnt")


def _upload(ctx: Context, mdtrt_id: str, psn_no: str, region: str, line: Line) -> Any:
    from services.pb.settlenet.v1 import treatment_pb2

    return treatment_pb2.UploadFeeDetailsRequest(
        header=ctx.his.header("2204", region),
        mdtrt_id=mdtrt_id,
        psn_no=psn_no,
        feedetail=[
            treatment_pb2.FeeDetail(
                feedetl_sn="9001",
                fee_ocur_time="2026-01-01 09:10:00",
                med_list_codg=line.code,
                cnt=line.cnt,
                pric=line.pric,
                det_item_fee_sumamt=line.pric,
            )
        ],
    )
