"""What each process of a node of several keeps in memory follows what another process saved
(``docs/scaleout.md``): a province's policy and catalogue documents loaded or reset through
AdminService, and the hub's registry of nodes. A second role object on the node's database
stands for the second process."""

from __future__ import annotations

import copy
from pathlib import Path

import grpc
import pytest
import yaml

from national_hub.adapters.insured_node import Registry
from national_hub.adapters.unit_of_work import UnitOfWork
from national_hub.service_layer.registry import NodeRegistry
from provincial_nodes.adapters.unit_of_work import Units
from provincial_nodes.service_layer.admin import AdminRole
from services.pb.settlenet.v1 import admin_pb2, admin_pb2_grpc
from tests.conftest import Net
from tests.integration.test_admin import POLICY


async def test_a_policy_loaded_through_one_process_is_applied_by_the_other(net: Net) -> None:
    node = net.net.provinces["13"]
    other = AdminRole(
        Units(node.db),
        copy.copy(node.insured),
        copy.copy(node.treatment),
        node.admin.base_policy,
        node.admin.base_catalogue,
    )
    other.reapply()
    assert not await other.refresh()  # nothing loaded anywhere yet
    async with grpc.aio.insecure_channel(node.endpoint) as ch:
        stub = admin_pb2_grpc.AdminServiceStub(ch)
        await stub.LoadPolicy(
            admin_pb2.LoadDocumentRequest(yaml=yaml.safe_dump(POLICY)), timeout=10
        )
        assert other.insured.policy.schemes() != node.insured.policy.schemes()
        assert await other.refresh()
        assert other.insured.policy.schemes() == node.insured.policy.schemes()
        assert not await other.refresh()  # applied once
        await stub.ResetData(admin_pb2.ResetDataRequest(policy=True), timeout=10)
        assert await other.refresh()
        assert other.insured.policy.schemes() == node.admin.base_policy.schemes()


async def test_a_node_registered_through_one_hub_process_is_routed_by_the_other(net: Net) -> None:
    hub = net.net.hub
    registry = Registry()
    other = NodeRegistry(UnitOfWork(hub.db), registry)
    try:
        assert await other.refresh() == 2  # both provinces, saved by the first process
        assert registry.route("130100").province_code == "13"
        assert await other.refresh() == 0
        async with grpc.aio.insecure_channel(hub.endpoint) as ch:
            from services.pb.settlenet.v1 import hub_pb2, hub_pb2_grpc

            await hub_pb2_grpc.HubServiceStub(ch).DeregisterNode(
                hub_pb2.DeregisterNodeRequest(province_code="13"), timeout=10
            )
        assert await other.refresh() == 1
        assert [n.province_code for n in registry.nodes()] == ["11"]
    finally:
        await registry.close()


def test_a_nonce_seen_by_one_process_is_a_replay_in_the_other(tmp_path: Path) -> None:
    from provincial_nodes.adapters.tables import metadata, tif_nonces
    from services.security.credentials import Verifier, new_account, sign
    from services.storage.database import Database, sqlite_url
    from services.storage.nonces import SharedNonces
    from services.values.errors import Unauthenticated

    db = Database(sqlite_url(tmp_path / "node.db"), metadata)
    db.create_schema()
    try:
        account = new_account("H13010100001", "institution", "13")
        first, second = Verifier([account]), Verifier([account])  # two processes
        for v in (first, second):
            v.shared = SharedNonces(db, tif_nonces, v.window_s).remember
        headers = dict(sign(account.paasid, account.token))
        assert first.verify(headers) == account
        with pytest.raises(Unauthenticated, match="another process"):
            second.verify(headers)
        assert second.verify(dict(sign(account.paasid, account.token))) == account
    finally:
        db.close()
