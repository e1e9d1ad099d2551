"""Two provinces settling for the same person at once never jointly exceed a cap: the insured
place serialises a person's settlements (row lock, then it re-reads the accumulators)."""

from __future__ import annotations

import asyncio

import grpc
import yaml

from scripts.clients.his import His, Line
from services.pb.settlenet.v1 import admin_pb2, admin_pb2_grpc
from tests.conftest import REGION, Net

POLICY = {
    "schemes": {
        REGION: [
            {
                "insutype": "310",
                "med_type": "11",
                "periods": [
                    {
                        "valid_from": "2026-01-01",
                        "source": "test: a 10-yuan monthly cap",
                        "ratio_by_level": {"1": "0.90", "2": "0.90", "3": "0.90"},
                        "cap_fen_monthly": 1000,
                    }
                ],
            }
        ]
    }
}


async def test_two_provinces_at_once_do_not_exceed_the_monthly_cap(net: Net) -> None:
    hebei = net.net.provinces["13"]
    channel = grpc.aio.insecure_channel(hebei.endpoint)
    try:
        admin = admin_pb2_grpc.AdminServiceStub(channel)
        await admin.LoadPolicy(
            admin_pb2.LoadDocumentRequest(yaml=yaml.safe_dump(POLICY), source_name="cap test"),
            timeout=10,
        )
        person = net.person(0)
        home = next(i for i in hebei.data.institutions.values() if i.medins_lv == "3")
        his_home = His(channel, home.fixmedins_code, home.admdvs)
        bj_code = net.code("二甲双胍片")
        hb_code = next(
            e.med_list_codg
            for e in net.hebei.catalogue.entries()
            if e.name.startswith("二甲双胍片")
        )

        async def one(his: His, code: str) -> int:
            mdtrt_id = await his.register(REGION, person.psn_no, "310", "2026-10-15 09:00:00")
            await his.upload(
                REGION, mdtrt_id, person.psn_no, [Line(code, "10", 1449)], "2026-10-15 09:10:00"
            )
            s = (await his.settle(REGION, mdtrt_id, person.psn_no, "310", 14490)).setlinfo
            assert s.fund_pay_sumamt + s.acct_pay + s.psn_cash_pay == 14490
            return int(s.hifp_pay)

        for _ in range(3):  # several rounds: each pair races for what is left of the cap
            await asyncio.gather(one(net.his, bj_code), one(his_home, hb_code))
        state = await admin.GetPersonState(admin_pb2.PersonStateRequest(psn_no=person.psn_no))
        month = {f"{a.period} {a.kind}": a.amount for a in state.accumulators}
        assert month["2026-10 11:fund"] == 1000  # 90% of 144.90 each time, capped at 10 yuan
    finally:
        await channel.close()
