"""AdminService: a tester loads policy, catalogue and persons into a running node; bad documents
are refused naming the key and change nothing; loaded documents survive a restart."""

from __future__ import annotations

from datetime import date

import grpc
import pytest
import yaml

from provincial_nodes.adapters.unit_of_work import Units
from provincial_nodes.service_layer.admin import AdminRole
from services.pb.settlenet.v1 import admin_pb2, admin_pb2_grpc
from services.rpc.status import details_of
from tests.conftest import REGION, Net, open_visit

POLICY = {
    "schemes": {
        REGION: [
            {
                "insutype": "310",
                "med_type": "11",
                "periods": [
                    {
                        "valid_from": "2024-01-01",
                        "source": "tester's case",
                        "ratio_by_level": {"1": "0.99", "2": "0.99", "3": "0.99"},
                    }
                ],
            }
        ]
    }
}


def admin(net: Net) -> tuple[grpc.aio.Channel, admin_pb2_grpc.AdminServiceStub]:
    channel = grpc.aio.insecure_channel(net.net.provinces["13"].endpoint)
    return channel, admin_pb2_grpc.AdminServiceStub(channel)


async def test_a_loaded_policy_applies_to_the_next_split_and_survives_a_restart(net: Net) -> None:
    channel, stub = admin(net)
    try:
        done = await stub.LoadPolicy(
            admin_pb2.LoadDocumentRequest(yaml=yaml.safe_dump(POLICY), source_name="case.yaml"),
            timeout=10,
        )
        assert list(done.keys) == [f"{REGION}/310/11"]
        p = net.person(0)  # filed: no reduction; no deductible in the loaded policy
        mdtrt_id, total = await open_visit(net, p)
        s = (await net.his.pre_settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
        assert s.pool_prop_selfpay == "0.99"
        # A node started on the same database applies the loaded document again.
        node = net.net.provinces["13"]
        again = AdminRole(
            Units(node.db),
            node.insured.__class__(node.data.policy, node.data.regions),
            node.treatment,
            node.data.policy,
            node.data.catalogue,
        )
        assert again.reapply() == 1
        key = again.insured.policy.key_for(REGION, "310", "11")
        params = again.insured.policy.params(key, date(2026, 10, 15))
        assert params.ratio_bp_by_level["3"] == 9900
        assert (await stub.ResetData(admin_pb2.ResetDataRequest(policy=True))).dropped == 1
        s = (await net.his.pre_settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)).setlinfo
        assert s.pool_prop_selfpay == "0.65"
    finally:
        await channel.close()


@pytest.mark.parametrize(
    ("rpc", "doc", "field"),
    [
        (
            "LoadPolicy",
            {
                "schemes": {
                    REGION: [
                        {
                            "insutype": "310",
                            "med_type": "11",
                            "periods": [
                                {
                                    "valid_from": "2024-01-01",
                                    "source": "x",
                                    "ratio_by_level": {"1": "1.5", "2": "0.5", "3": "0.5"},
                                }
                            ],
                        }
                    ]
                }
            },
            "yaml.schemes.130100[0].periods[0]",
        ),
        ("LoadPolicy", {"schemes": {"110000": POLICY["schemes"][REGION]}}, "yaml.schemes.110000"),
        (
            "LoadCatalogue",
            {
                "entries": [
                    {
                        "med_list_codg": "X",
                        "name": "x",
                        "list_type": "101",
                        "chrgitm_lv": "04",
                        "med_chrgitm_type": "09",
                        "valid_from": "2020-01-01",
                    }
                ]
            },
            "yaml.entries[0].chrgitm_lv",
        ),
        (
            "LoadPersons",
            {
                "persons": [
                    {
                        "psn_no": "13010000000000000777",
                        "certno": "130102195005259039",
                        "psn_name": "x",
                        "insutype": "310",
                        "psn_type": "11",
                        "insuplc_admdvs": REGION,
                    }
                ]
            },
            "yaml.persons[0].certno",
        ),
    ],
)
async def test_a_bad_document_is_refused_naming_the_key_and_changes_nothing(
    net: Net, rpc: str, doc, field: str
) -> None:
    channel, stub = admin(net)
    try:
        before = net.snapshot()
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await getattr(stub, rpc)(
                admin_pb2.LoadDocumentRequest(yaml=yaml.safe_dump(doc, allow_unicode=True)),
                timeout=10,
            )
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert details_of(err.value)[0][0][0].startswith(field)
        assert net.snapshot() == before
    finally:
        await channel.close()


async def test_a_2_63_cap_is_refused_once_named_and_the_next_settlement_still_settles(
    net: Net,
) -> None:
    policy = yaml.safe_load(yaml.safe_dump(POLICY))
    policy["schemes"][REGION][0]["periods"][0]["cap_fen_annual"] = 2**63
    channel, stub = admin(net)
    try:
        before = net.snapshot()
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.LoadPolicy(
                admin_pb2.LoadDocumentRequest(yaml=yaml.safe_dump(policy)), timeout=10
            )
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        field, description = details_of(err.value)[0][0]
        assert field == f"yaml.schemes.{REGION}[0].periods[0].cap_fen_annual"
        assert description  # the problem; the value is in the message, once
        assert err.value.details().count(str(2**63)) == 1
        assert net.snapshot() == before
        p = net.person(0)
        mdtrt_id, total = await open_visit(net, p)
        await net.his.pre_settle(REGION, mdtrt_id, p.psn_no, p.insutype, total)
    finally:
        await channel.close()


async def test_a_refused_person_document_does_not_carry_the_name_in_clear(net: Net) -> None:
    person = {
        "psn_no": "13010000000000000778",
        "certno": "130102195005259039",
        "psn_name": "张" + "三" * 60,
        "insutype": "310",
        "psn_type": "11",
        "insuplc_admdvs": REGION,
    }
    channel, stub = admin(net)
    try:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.LoadPersons(
                admin_pb2.LoadDocumentRequest(
                    yaml=yaml.safe_dump({"persons": [person]}, allow_unicode=True)
                ),
                timeout=10,
            )
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert details_of(err.value)[0][0][0] == "yaml.persons[0].psn_name"
        assert "三" not in err.value.details() and "三" not in str(details_of(err.value))
    finally:
        await channel.close()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        pytest.param(
            {
                "filings": [
                    {
                        "filing_id": "F13010000000000000001001",
                        "category": "other_temporary",
                        "dest_admdvs": "110000",
                        "begndate": "2026-07-01",
                        "enddate": "2026-12-31",
                    }
                ]
            },
            "yaml.persons[0].filings[0].filing_id",
            id="another-person's-filing",
        ),
        pytest.param(
            {
                "chronic": [
                    {
                        "qual_id": "Q13010000000000000006001",
                        "opsp_dise_code": "M01600",
                        "begndate": "2026-01-01",
                    }
                ]
            },
            "yaml.persons[0].chronic[0].qual_id",
            id="another-person's-qualification",
        ),
    ],
)
async def test_a_person_document_cannot_take_over_another_person_s_rows(
    net: Net, extra: dict[str, object], field: str
) -> None:
    person = {
        "psn_no": "13010000000000000779",
        "certno": "130102199001011237",
        "psn_name": "x",
        "insutype": "310",
        "psn_type": "11",
        "insuplc_admdvs": REGION,
        **extra,
    }
    channel, stub = admin(net)
    try:
        before = net.snapshot()
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.LoadPersons(
                admin_pb2.LoadDocumentRequest(yaml=yaml.safe_dump({"persons": [person]})),
                timeout=10,
            )
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert details_of(err.value)[0][0][0] == field
        assert net.snapshot() == before
    finally:
        await channel.close()
