"""The national filing flow over real gRPC: FilingService at the insured place (Hebei), the hub's
national registry, 1101 carrying filings, and each filing status's effect on the split.

Arithmetic used throughout (Hebei 310 general outpatient from 2026-01-01: annual deductible
200.00 yuan, tertiary ratio 65%, retiree tilt +5 points; ``filing:`` temporary_referral −10,
temporary_emergency −10 (emergency is treated as filed), temporary_other −20; unfiled: reduce,
unfiled_referral −10, unfiled_other −20; long-term filers keep the home ratio): one class-A
line, 20 × 14.49 = 289.80 yuan, all in scope, at a Beijing tertiary hospital. With the
deductible still to pay, 89.80 yuan is left for the ratio.
"""

from __future__ import annotations

import asyncio

import grpc
import pytest
import pytest_asyncio

from scripts.clients.desk import Desk
from scripts.clients.his import His, Line
from services.pb.settlenet.v1 import filing_pb2, filing_pb2_grpc
from services.rpc.status import details_of
from tests.conftest import REGION, Net

DAY = "2026-10-15"
ELIGIBLE = 28980 - 20000  # after the annual deductible


def desk(net: Net, channel: str = "app") -> Desk:
    hebei = net.net.provinces["13"]
    return Desk(grpc.aio.insecure_channel(hebei.endpoint), REGION, channel)


def line(net: Net) -> list[Line]:
    return [Line(net.code("二甲双胍片"), "20", 1449)]


async def visit(
    net: Net,
    person,
    *,
    med_type: str = "11",
    refl_flag: str = "",
    opsp: str = "",
    his: His | None = None,
    settle: bool = True,
):
    his = his or net.his
    mdtrt_id = await his.register(
        REGION,
        person.psn_no,
        person.insutype,
        f"{DAY} 09:00:00",
        med_type=med_type,
        refl_flag=refl_flag,
        opsp_dise_code=opsp,
    )
    lines = line(net)
    await his.upload(REGION, mdtrt_id, person.psn_no, lines, f"{DAY} 09:20:00")
    total = sum(x.amount() for x in lines)
    call = his.settle if settle else his.pre_settle
    return (
        await call(REGION, mdtrt_id, person.psn_no, person.insutype, total, med_type=med_type)
    ).setlinfo


def check(s, *, ratio: str, reduction: str, hifp: int, category: str) -> None:
    assert (s.pool_prop_selfpay, s.ratio_reduction, s.hifp_pay, s.filing_category) == (
        ratio,
        reduction,
        hifp,
        category,
    )
    assert s.medfee_sumamt == 28980 == s.fund_pay_sumamt + s.acct_pay + s.psn_cash_pay
    assert s.fund_pay_sumamt == sum(d.fund_payamt for d in s.setldetail)
    assert [x.step for x in s.setl_proc_info][1] == "filing"


async def registry(net: Net, **query) -> filing_pb2.RegistryResponse:
    stub = filing_pb2_grpc.FilingRegistryServiceStub(net.channel_to_hub)
    return await stub.QueryRegistry(filing_pb2.RegistryQuery(**query), timeout=5)


async def wait_for_registry(net: Net, count: int, **query) -> filing_pb2.RegistryResponse:
    for _ in range(100):
        found = await registry(net, **query)
        if len(found.entries) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"registry has {len(found.entries)} events, expected {count}")


@pytest_asyncio.fixture
async def hub_channel(net: Net):
    # Async: a grpc.aio channel belongs to the running loop (a sync fixture has none when
    # another test has left the thread without a current loop).
    net.channel_to_hub = grpc.aio.insecure_channel(net.net.hub.endpoint)
    yield net.channel_to_hub
    await net.channel_to_hub.close()


async def test_filed_unfiled_late_filed_and_revoked(net: Net, hub_channel) -> None:
    retiree = net.person(1)  # 310, psn_type 12, no filing
    # Unfiled, other temporary: 65% + 5 − 20 = 50% of 89.80 = 44.90.
    check(
        await visit(net, retiree, settle=False),
        ratio="0.50",
        reduction="0.20",
        hifp=4490,
        category="none",
    )
    # Files long-term residence in Beijing through the app; the same msgid twice is one filing.
    d = desk(net)
    msgid = d.msgid()
    f = await d.create(retiree.psn_no, "retiree_relocated", "110000", "2026-10-01", msgid=msgid)
    again = await d.create(retiree.psn_no, "retiree_relocated", "110000", "2026-10-01", msgid=msgid)
    assert again.filing_id == f.filing_id and f.enddate == "" and f.evidence == "commitment"
    # Late filing (补办) before 2207 applies: 70% of 89.80 = 62.86.
    s = await visit(net, retiree)
    check(s, ratio="0.70", reduction="0.00", hifp=6286, category="retiree_relocated")
    assert s.filing_id == f.filing_id
    # The registry holds one event for it, with its channel.
    reg = await wait_for_registry(net, 1, psn_no=retiree.psn_no)
    assert [(e.event.infno, e.event.filing.channel) for e in reg.entries] == [("2501", "app")]
    # Revoked: the next 2206 is unfiled again (the deductible is used: 50% of 289.80).
    await d.revoke(retiree.psn_no, f.filing_id, memo="moved back")
    check(
        await visit(net, retiree, settle=False),
        ratio="0.50",
        reduction="0.20",
        hifp=14490,
        category="none",
    )
    reg = await wait_for_registry(net, 2, filing_id=f.filing_id)
    assert [e.event.infno for e in reg.entries] == ["2501", "2502"]
    assert [(c.status, c.version) for c in reg.current] == [("revoked", 2)]


async def test_unfiled_referral_and_emergency(net: Net) -> None:
    retiree = net.person(1)
    # Referral without a filing: 65% + 5 − 10 = 60% of 89.80 = 53.88.
    check(
        await visit(net, retiree, refl_flag="1", settle=False),
        ratio="0.60",
        reduction="0.10",
        hifp=5388,
        category="referral",
    )
    # Emergency (med_type 13) is treated as filed, a temporary visit: Hebei's
    # temporary_emergency −10: 65% + 5 − 10 = 60% of 89.80 = 53.88.
    s = await visit(net, retiree, med_type="13", settle=False)
    check(s, ratio="0.60", reduction="0.10", hifp=5388, category="emergency")
    assert "(temporary_emergency): ratio lowered by 10 points" in s.setl_proc_info[1].desc


async def test_a_filed_temporary_visit_loses_the_regions_temporary_points(net: Net) -> None:
    retiree = net.person(1)  # 310, psn_type 12, no filing
    d = desk(net, "window")
    f = await d.create(
        retiree.psn_no, "referral", "110000", "2026-10-01", evidence="referral_letter"
    )
    assert f.enddate == "2027-03-31"  # six months at least
    # Filed referral (转诊转院): temporary_referral −10: 65% + 5 − 10 = 60% of 89.80 = 53.88;
    # the filing step names the filing, its category and the points.
    s = await visit(net, retiree, settle=False)
    check(s, ratio="0.60", reduction="0.10", hifp=5388, category="referral")
    assert s.filing_id == f.filing_id
    desc = s.setl_proc_info[1].desc
    assert f"filing {f.filing_id} (referral 转诊转院人员" in desc
    assert desc.endswith("(temporary_referral): ratio lowered by 10 points")
    # The filing changed to other temporary (其他临时外出就医): −20: 50% of 89.80 = 44.90.
    await d.revoke(retiree.psn_no, f.filing_id)
    other = await d.create(
        retiree.psn_no, "other_temporary", "110000", "2026-10-01", evidence="none"
    )
    s = await visit(net, retiree, settle=False)
    check(s, ratio="0.50", reduction="0.20", hifp=4490, category="other_temporary")
    assert s.filing_id == other.filing_id
    assert s.setl_proc_info[1].desc.endswith("(temporary_other): ratio lowered by 20 points")


async def test_expired_temporary_filing_no_longer_applies(net: Net) -> None:
    resident = net.person(0)  # 310 in service; stationed-worker filing to Beijing from 2026
    d = desk(net, "window")
    # A temporary filing to Tianjin that ended before the visit does not matter; the
    # stationed-worker filing to Beijing does: 65% of 89.80 = 58.37.
    await d.create(resident.psn_no, "other_temporary", "120000", "2026-03-01", "2026-08-31")
    check(
        await visit(net, resident, settle=False),
        ratio="0.65",
        reduction="0.00",
        hifp=5837,
        category="stationed_worker",
    )
    [beijing] = [f for f in await d.filings(resident.psn_no) if f.dest_admdvs == "110000"]
    # Shorten the Beijing filing so it has expired by the visit (a long-term filing may be
    # given an end date by a change): unfiled other temporary, 45%.
    changed = await d.change(resident.psn_no, beijing.filing_id, enddate="2026-09-30")
    assert changed.version == 2 and changed.enddate == "2026-09-30"
    check(
        await visit(net, resident, settle=False),
        ratio="0.45",
        reduction="0.20",
        hifp=4041,
        category="none",
    )


async def test_long_term_filer_settles_at_home_at_the_normal_ratio(net: Net) -> None:
    servant = net.person(4)  # 310, civil servant, long-term resident in Beijing from 2026
    hebei = net.net.provinces["13"]
    inst = next(i for i in hebei.data.institutions.values() if i.medins_lv == "3")
    channel = grpc.aio.insecure_channel(hebei.endpoint)
    try:
        his = His(channel, inst.fixmedins_code, inst.admdvs)
        mdtrt_id = await his.register(REGION, servant.psn_no, "310", f"{DAY} 09:00:00")
        code = next(
            e.med_list_codg
            for e in net.hebei.catalogue.entries()
            if e.name.startswith("二甲双胍片")
        )
        await his.upload(
            REGION, mdtrt_id, servant.psn_no, [Line(code, "20", 1449)], f"{DAY} 09:20:00"
        )
        s = (await his.pre_settle(REGION, mdtrt_id, servant.psn_no, "310", 28980)).setlinfo
    finally:
        await channel.close()
    # 65% of 89.80 = 58.37; civil-servant subsidy 50% of the 231.43 left in scope = 115.72.
    assert (s.pool_prop_selfpay, s.ratio_reduction, s.hifp_pay, s.cvlserv_pay) == (
        "0.65",
        "0.00",
        5837,
        11572,
    )
    assert {d.fund_pay_type: d.fund_payamt for d in s.setldetail} == {
        "310100": 5837,
        "320100": 11572,
    }
    assert "during long-term filing" in s.setl_proc_info[1].desc


async def test_chronic_disease_needs_a_qualification(net: Net) -> None:
    qualified = net.person(5)  # retiree, diabetes qualification, relocated to Beijing
    # Hebei diabetes scheme: no deductible, tertiary 75% + 5 tilt = 80% of 289.80 = 231.84.
    s = await visit(net, qualified, med_type="14", opsp="M01600", settle=False)
    assert (s.pool_prop_selfpay, s.hifp_pay, s.opsp_dise_code) == ("0.80", 23184, "M01600")
    unqualified = net.person(1)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await visit(net, unqualified, med_type="14", opsp="M01600", settle=False)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    violations, reason = details_of(err.value)
    assert violations[0][0] == "opsp_dise_code" and reason == "CHRONIC_NOT_QUALIFIED"
    # Certified (2503): the same visit now settles; revoked (2504): refused again.
    d = desk(net, "window")
    q = await d.qualify(unqualified.psn_no, "M01600", "2026-01-01", hosp_name="河北医大二院")
    s = await visit(net, unqualified, med_type="14", opsp="M01600", settle=False)
    # This retiree has no filing: the diabetes scheme's default rules take 20 points off
    # (75% + 5 − 20 = 60% of 289.80 = 173.88).
    assert (s.pool_prop_selfpay, s.hifp_pay) == ("0.60", 17388)
    await d.revoke_qualification(unqualified.psn_no, q.qual_id)
    with pytest.raises(grpc.aio.AioRpcError):
        await visit(net, unqualified, med_type="14", opsp="M01600", settle=False)


async def test_1101_shows_filings_and_a_change_reaches_the_treatment_place(
    net: Net, hub_channel
) -> None:
    worker = net.person(0)
    info = await net.his.query_person(REGION, worker.certno)
    assert [(f.category, f.dest_admdvs, f.status) for f in info.fileinfo] == [
        ("stationed_worker", "110000", "active")
    ]
    when = f"{DAY} 09:00:00"
    mdtrt = await net.his.register_visit(REGION, worker.psn_no, "310", when)
    assert (mdtrt.filing_id, mdtrt.filing_status) == (info.fileinfo[0].filing_id, "filed")
    d = desk(net)
    await d.revoke(worker.psn_no, info.fileinfo[0].filing_id)
    await wait_for_registry(net, 1, psn_no=worker.psn_no)
    # The hub tells the Beijing node, which forgets what it knew; its next 2201 asks the insured
    # place again (it checks the person) and learns that the filing is revoked.
    for _ in range(100):
        second = await net.his.register_visit(REGION, worker.psn_no, "310", when)
        if second.filing_status != "filed":
            break
        await asyncio.sleep(0.05)
    assert (second.filing_id, second.filing_status) == ("", "unfiled")
    info = await net.his.query_person(REGION, worker.certno)
    assert [f.status for f in info.fileinfo] == ["revoked"]


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"psn_no": "13010000000000009999"}, "NOT_FOUND", "psn_no"),
        ({"dest_admdvs": "130200"}, "INVALID_ARGUMENT", "dest_admdvs"),
        ({"enddate": "2026-09-01"}, "INVALID_ARGUMENT", "enddate"),
        ({"category": "other_temporary", "enddate": "2026-12-31"}, "INVALID_ARGUMENT", "enddate"),
        ({"category": "tourist"}, "INVALID_ARGUMENT", "category"),
        ({"dest_admdvs": "11000"}, "INVALID_ARGUMENT", "dest_admdvs"),
        ({"channel": "fax"}, "INVALID_ARGUMENT", "channel"),
        ({"psn_no": "STATIONED"}, "FAILED_PRECONDITION", "dest_admdvs"),  # overlaps its filing
    ],
)
async def test_filing_validation_names_the_field(net: Net, kwargs, code, field) -> None:
    d = desk(net)
    args = {
        "psn_no": net.person(1).psn_no,
        "category": "long_term_resident",
        "dest_admdvs": "110000",
        "begndate": "2026-10-01",
        **kwargs,
    }
    if args["psn_no"] == "STATIONED":
        args["psn_no"] = net.person(0).psn_no
    if "channel" in args:
        d.channel = args.pop("channel")
    before = net.snapshot()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await d.create(**args)
    assert err.value.code().name == code
    assert details_of(err.value)[0][0][0] == field
    assert net.snapshot() == before
