"""HTTP interface checks, where network.json lists ``provinces.<code>.http``: the node serves
the national interface (``POST …/fsi/api/rsfComIfsService/callService``, docs/http.md) beside
gRPC — sign-in (9001) and 1101 answer as over gRPC, and a refusal names its field in
``err_msg``. Skipped (not failed) for a node that lists no HTTP endpoint."""

from __future__ import annotations

from typing import Any

from scripts.clients import http_his
from scripts.conformance.context import Context
from scripts.conformance.registry import TREATMENT, Evidence, check


class Skip(Exception):
    """The check does not apply to this node."""


def client(ctx: Context) -> http_his.HttpHis:
    url = ctx.doc["provinces"][ctx.node].get("http")
    if not url:
        raise Skip(f"network.json lists no http endpoint for province {ctx.node}")
    security = ctx.doc.get("security") or {}
    verify: Any = True
    if str(url).startswith("https:") and security.get("ca"):
        verify = http_his.tls_context(security["ca"])
    inst = http_his.institution_of(ctx.doc, ctx.treat, ctx.institution["fixmedins_code"])
    return http_his.HttpHis(str(url), inst, verify=verify, timeout=ctx.options.timeout)


@check("http.sign_in_and_query_person", TREATMENT)
async def sign_in_and_query_person(ctx: Context, ev: Evidence) -> None:
    """Over HTTP, 9001 signs in and 1101 answers infcode 0 with the person's psn_no."""
    p = ctx.person
    assert p is not None
    async with client(ctx) as his:
        signed = await his.sign_in()
        ev.answer("9001", signed)
        out = await his.query_person(p.certno, insuplc_admdvs=p.insuplc_admdvs)
        ev.answer("1101", {"baseinfo": {"psn_no": out["baseinfo"]["psn_no"]}})
        ev.expect(
            out["baseinfo"]["psn_no"] == p.psn_no, f"psn_no {p.psn_no}", out["baseinfo"]["psn_no"]
        )


@check("http.refusal_names_field", TREATMENT)
async def refusal_names_field(ctx: Context, ev: Evidence) -> None:
    """Over HTTP, a 1101 whose msgid's time is not a time answers infcode -1 and an err_msg
    naming msgid."""
    p = ctx.person
    assert p is not None
    async with client(ctx) as his:
        await his.sign_in()
        env = his.envelope(
            "1101",
            {
                "data": {
                    "mdtrt_cert_type": "02",
                    "mdtrt_cert_no": p.certno,
                    "psn_cert_type": "01",
                    "certno": p.certno,
                }
            },
            insuplc_admdvs=p.insuplc_admdvs,
            msgid=his.inst.fixmedins_code + "202613999999990001",
        )
        ev.request("1101 msgid …202613999999990001", {k: env[k] for k in ("infno", "msgid")})
        status, answer = await his.post(env)
        shown = (
            answer
            if not isinstance(answer, dict)
            else {k: answer.get(k) for k in ("infcode", "err_msg")}
        )
        ev.answer(f"HTTP {status}", shown)
        ok = isinstance(answer, dict) and answer.get("infcode") == -1
        ev.expect(ok, "infcode -1", shown)
        ev.expect(ok and "msgid" in str(answer.get("err_msg")), "err_msg naming msgid", shown)


@check("http.same_msgid_across_transports", TREATMENT)
async def same_msgid_across_transports(ctx: Context, ev: Evidence) -> None:
    """A 2207 settled over gRPC and sent again over HTTP with the same msgid and body gets the
    first answer (the same setl_id, amounts in yuan) and settles nothing more."""
    from decimal import Decimal

    async with client(ctx) as his:
        await his.sign_in()
        visit = await ctx.open_visit()
        try:
            msgid = ctx.his.msgid()
            settled = (await ctx.settle(visit, msgid)).setlinfo
            before = await ctx.observe(visit, ev, "after the gRPC 2207")
            p = visit.person
            out = await his.settle(
                p.insuplc_admdvs,
                visit.mdtrt_id,
                p.psn_no,
                p.insutype,
                Decimal(visit.total) / 100,
                chrg_bchno="",
                msgid=msgid,
            )
            got = out["setlinfo"]
            ev.answer(
                "HTTP 2207 (same msgid)",
                {k: got.get(k) for k in ("setl_id", "medfee_sumamt", "psn_cash_pay")},
            )
            ev.expect(
                got.get("setl_id") == settled.setl_id,
                f"setl_id {settled.setl_id}",
                got.get("setl_id"),
            )
            ev.expect(
                Decimal(str(got.get("medfee_sumamt"))) * 100 == settled.medfee_sumamt,
                f"medfee_sumamt {Decimal(settled.medfee_sumamt) / 100} yuan",
                got.get("medfee_sumamt"),
            )
            after = await ctx.observe(visit, ev, "after the HTTP 2207")
            ev.expect(before == after, "nothing more settled", after)
        finally:
            await ctx.cleanup(visit, ev)
