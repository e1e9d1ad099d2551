"""The hub's web view over HTTP, in process (no browser): the one-time token, and the JSON the
pages are built from — a settlement with its split, path, postings and each node's record, the
advances, the month's clearing and reconciliation, the filing registry, the event stream."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import httpx
import pytest_asyncio

from scripts import network
from scripts.clients.desk import Desk
from scripts.clients.his import His, Line

REGION = "130100"


@pytest_asyncio.fixture
async def web(tmp_path: Path) -> AsyncIterator[tuple[network.Network, httpx.AsyncClient]]:
    n = await network.start(tmp_path, ("11", "13"), web=True)
    assert n.hub.web_url and n.describe()["hub"]["web"] == n.hub.web_url
    try:
        async with httpx.AsyncClient(base_url=n.hub.web_url, timeout=30) as client:
            yield n, client
    finally:
        await n.stop()


async def test_a_token_opens_one_session_and_nothing_else_gets_in(web) -> None:
    n, client = web
    refused = await client.get("/api/network")
    assert refused.status_code == 401 and "token" in refused.text
    opened = await client.get("/", params={"token": n.hub.web_token})
    assert opened.status_code == 303 and "settlenet_web" in opened.headers["set-cookie"]
    assert "HttpOnly" in opened.headers["set-cookie"]
    assert (await client.get("/api/network")).status_code == 200  # with the cookie
    async with httpx.AsyncClient(base_url=n.hub.web_url) as other:
        assert (await other.get("/", params={"token": n.hub.web_token})).status_code == 401
        assert (await other.get("/health")).status_code == 200


async def test_the_json_of_every_page(web) -> None:
    n, client = web
    await client.get("/", params={"token": n.hub.web_token})
    beijing, hebei = n.provinces["11"], n.provinces["13"]
    inst = next(i for i in beijing.data.institutions.values() if i.medins_lv == "3")
    person = hebei.data.persons[1]
    code = next(
        e.med_list_codg for e in beijing.data.catalogue.entries() if e.chrgitm_lv.value == "01"
    )
    async with grpc.aio.insecure_channel(beijing.endpoint) as ch:
        his = His(ch, inst.fixmedins_code, inst.admdvs)
        mdtrt_id = await his.register(REGION, person.psn_no, person.insutype, "2026-10-15 09:00:00")
        await his.upload(
            REGION, mdtrt_id, person.psn_no, [Line(code, "1", 3000)], "2026-10-15 09:10:00"
        )
        res = await his.settle(REGION, mdtrt_id, person.psn_no, person.insutype, 3000)
    s = res.setlinfo

    doc = (await client.get("/api/settlement", params={"q": s.setl_id})).json()
    record = doc["records"][0]
    split = record["answer"]["setlinfo"]
    for f in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay"):
        assert split[f] == getattr(s, f)
    assert split["fund_pay_sumamt"] + split["acct_pay"] + split["psn_cash_pay"] == s.medfee_sumamt
    assert [x["step"] for x in split["setl_proc_info"]] == [x.step for x in s.setl_proc_info]
    assert person.psn_no not in json.dumps(doc) and person.certno not in json.dumps(doc)
    assert [m["infno"] for m in record["routed"]] == ["2207"]
    claim = record["claim"]  # as the hub forwarded it (it keeps bodies by default)
    assert (claim["header"]["infno"], claim["medfee_sumamt"]) == ("2207", s.medfee_sumamt)
    assert claim["setl_date"] == "2026-10-15" and claim["psn_no"] != person.psn_no  # visit date
    assert sum(t["amount_fen"] for t in record["postings"]) == s.fund_pay_sumamt + s.acct_pay
    assert {(x["province"], x["role"]) for x in doc["nodes"] if x["record"]} == {
        ("11", "treatment"),
        ("13", "insured"),
    }
    assert doc["insured_status"]["state"] == "done"
    # The catalogue entries it used, as the place of treatment classified them (5204).
    assert [
        (x["med_list_codg"], x["chrgitm_lv"], x["det_item_fee_sumamt"]) for x in doc["fee_lines"]
    ] == [(code, "01", 3000)]
    # The same by psn_no and by mdtrt_id.
    for q in (person.psn_no, mdtrt_id):
        found = (await client.get("/api/settlement", params={"q": q})).json()
        assert found["records"][0]["settlement"]["setl_id"] == s.setl_id
    bad = await client.get("/api/settlement", params={"q": ""})
    assert bad.status_code == 400 and bad.json()["field"] == "q"

    advances = {a["province"]: a for a in (await client.get("/api/advances")).json()}
    assert advances["13"]["used_fen"] == s.fund_pay_sumamt + s.acct_pay

    month = s.setl_time[:7]
    clearing = (await client.get("/api/clearing", params={"month": month, "reconcile": 1})).json()
    assert clearing["cleared"] is False and clearing["differences"] == []
    assert clearing["matrix"] == [
        {"insured": "13", "treatment": "11", "count": 1, "fund_fen": s.fund_pay_sumamt + s.acct_pay}
    ]
    assert (await client.get("/api/clearing", params={"month": "2026-13"})).status_code == 400

    async with grpc.aio.insecure_channel(hebei.endpoint) as ch:
        await Desk(ch, REGION, "app").create(
            person.psn_no, "retiree_relocated", "110000", "2026-10-01"
        )
    for _ in range(50):
        events = (await client.get("/api/filings", params={"q": person.psn_no})).json()["events"]
        if events:
            break
        await asyncio.sleep(0.1)
    assert [e["infno"] for e in events] == ["2501"]
    assert person.psn_no not in json.dumps(events)

    snaps = []
    async with client.stream("GET", "/api/events") as stream:  # the latest, then a new one
        async for line in stream.aiter_lines():
            if line.startswith("data: "):
                snaps.append(json.loads(line[6:]))
                if len(snaps) == 2:
                    break
    snap = snaps[-1]
    assert {x["code"] for x in snap["nodes"]} == {"11", "13"}
    assert {a["province"] for a in snap["advances"]} == {"11", "13"}


async def test_over_tls_the_operator_certificate_gets_in_and_other_certificates_do_not(
    tmp_path: Path,
) -> None:
    n = await network.start(tmp_path, ("11",), secure=True, web=True)
    try:
        url = n.hub.web_url
        assert url and url.startswith("https://")
        tls = tmp_path / "tls"

        def as_(name: str | None) -> ssl.SSLContext:
            ctx = ssl.create_default_context(cafile=str(tls / "ca.pem"))
            if name:
                ctx.load_cert_chain(tls / f"{name}.pem", tls / f"{name}.key")
            return ctx

        for name, status in (("operator", 200), ("province-11", 401), ("access", 401), (None, 401)):
            async with httpx.AsyncClient(base_url=url, verify=as_(name)) as c:
                assert (await c.get("/api/advances")).status_code == status, name
        async with httpx.AsyncClient(base_url=url, verify=as_(None)) as c:
            opened = await c.get("/", params={"token": n.hub.web_token})
            assert "Secure" in opened.headers["set-cookie"]
    finally:
        await n.stop()
