"""The authorization matrix, cell by cell, against a secure in-process network over real mutual TLS.

For every RPC of the hub and of a province node, every identity calls it with a request that is
its own (its code in the envelope, its province in the province fields): the identities the
matrix names get past the guard (whatever the handler then says of the body), every other one
is refused UNAUTHENTICATED or PERMISSION_DENIED with an ErrorInfo reason, and the refused calls
change no row of any database. Then the checks on whose a request is: another institution's
code or visit, another province's area, registration, filing or statement; and the x-tif rules
(replay, stale timestamp, wrong signature, unknown paasid, no headers) and TLS itself.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
from google.protobuf import message_factory

from scripts import connect, network
from scripts.call import find_method
from scripts.clients.his import His
from services.pb.settlenet.v1 import (
    clearing_pb2,
    clearing_pb2_grpc,
    filing_pb2,
    filing_pb2_grpc,
    hub_pb2,
    hub_pb2_grpc,
    treatment_pb2,
    treatment_pb2_grpc,
)
from services.rpc.status import details_of
from services.security import credentials, policy
from services.security.principal import Kind
from tests.conftest import FEE_TIME, VISIT_TIME, Net, sample_lines

NODE, OTHER = "13", "11"
REFUSED = {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def secure_net(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    data = tmp_path_factory.mktemp("secure")
    net = await network.start(data, (OTHER, NODE), secure=True)
    try:
        yield net
    finally:
        for ch in _CHANNELS.values():
            await ch.close()
        _CHANNELS.clear()
        await net.stop()


def _identities(doc: dict[str, Any]) -> dict[str, tuple[Kind | None, str]]:
    """name → (kind, province) of everyone who may knock."""
    inst = {
        code: next(a for a in connect.accounts(doc, code) if a.kind == "institution")
        for code in (NODE, OTHER)
    }
    desk = next(a for a in connect.accounts(doc, NODE) if a.kind == "desk")
    return {
        "hub": (Kind.HUB, ""),
        "operator": (Kind.OPERATOR, ""),
        "admin": (Kind.ADMIN, ""),
        f"province-{NODE}": (Kind.PROVINCE, NODE),
        f"province-{OTHER}": (Kind.PROVINCE, OTHER),
        "access": (None, ""),
        inst[NODE].code: (Kind.INSTITUTION, NODE),
        inst[OTHER].code: (Kind.INSTITUTION, OTHER),
        desk.code: (Kind.DESK, NODE),
    }


def _own_request(method_name: str, who: str, province: str) -> Any:
    """A request of ``method_name`` that is ``who``'s own: its code in the envelope, its
    province wherever the request names one."""
    _, method = find_method(method_name)
    request = message_factory.GetMessageClass(method.input_type)()
    fields = method.input_type.fields_by_name
    area = f"{province or NODE}0000"
    if "header" in fields:
        code = who if len(who) == 12 else f"H{province or NODE}0101000001"[:12]
        header = request.header
        header.msgid = f"{code}{time.strftime('%Y%m%d%H%M%S')}{uuid.uuid4().int % 10000:04d}"
        header.fixmedins_code = code if who.startswith("H") else ""
        header.mdtrtarea_admvs = area
        header.insuplc_admdvs = area
    for name in ("province_code", "province", "counterpart"):
        if name in fields:
            setattr(request, name, province)
    if "insuplc_admdvs" in fields:
        request.insuplc_admdvs = area
    if method.input_type.name == "JournalQuery":
        request.msgid = f"H{province}0101000001{time.strftime('%Y%m%d%H%M%S')}0001"
    return request


def _allowed(rule: policy.Rule, kind: Kind | None, province: str, node: str) -> bool:
    if kind is None or kind not in rule.callers:
        return False
    if kind in (Kind.INSTITUTION, Kind.DESK) and province != node:
        return False
    return not (rule.check is policy.this_node and kind is Kind.PROVINCE and province != node)


_CHANNELS: dict[tuple[str, str], grpc.aio.Channel] = {}
"""One channel per identity and node for the whole module (a TLS handshake each is slow)."""


async def _call(doc: dict[str, Any], who: str, endpoint: str, full: str, request: Any) -> Any:
    _, method = find_method(full.lstrip("/"))
    answer_cls = message_factory.GetMessageClass(method.output_type)
    key = (who, endpoint)
    if key not in _CHANNELS:
        _CHANNELS[key] = connect.as_identity(doc, who, endpoint)
    stub = _CHANNELS[key].unary_unary(
        full,
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=answer_cls.FromString,
    )
    try:
        await stub(request, timeout=10)
    except grpc.aio.AioRpcError as exc:
        return exc
    return None


def _snapshot(data: Path) -> dict[str, Any]:
    return Net.snapshot(Net(None, data, None, None, None, None))  # type: ignore[arg-type]


CELLS = [("", m) for m in sorted(policy.HUB_RULES)] + [
    (NODE, m) for m in sorted(policy.PROVINCE_RULES)
]


@pytest.mark.parametrize(("node", "method"), CELLS, ids=[f"{n or 'hub'}{m}" for n, m in CELLS])
async def test_each_cell_of_the_matrix(secure_net: Any, node: str, method: str) -> None:
    doc = secure_net.describe()
    rule = (policy.HUB_RULES if not node else policy.PROVINCE_RULES)[method]
    endpoint = secure_net.hub.endpoint if not node else secure_net.provinces[node].endpoint
    outcomes: dict[str, bool] = {}
    everyone = _identities(doc)
    refused = {w: v for w, v in everyone.items() if not _allowed(rule, *v, node)}
    allowed = {w: v for w, v in everyone.items() if w not in refused}
    assert allowed, f"nobody may call {method}"
    before = _snapshot(secure_net.data_dir)
    for who, (_kind, province) in refused.items():
        err = await _call(
            doc, who, endpoint, method, _own_request(method.lstrip("/"), who, province)
        )
        assert err is not None and err.code() in REFUSED, (who, method, err)
        _, reason = details_of(err)
        assert reason in {
            "NOT_PERMITTED",
            "CREDENTIALS_MISSING",
            "CREDENTIALS_INVALID",
        }, (who, reason)
        outcomes[who] = False
    assert _snapshot(secure_net.data_dir) == before, f"a refused call to {method} changed a row"
    for who, (_kind, province) in allowed.items():
        err = await _call(
            doc, who, endpoint, method, _own_request(method.lstrip("/"), who, province)
        )
        assert err is None or err.code() not in REFUSED, (who, method, err.details())
        outcomes[who] = True
    assert set(outcomes) == set(everyone)


def test_every_rpc_served_has_an_owner() -> None:
    from scripts.call import HUB_SERVICES, PROVINCE_SERVICES, _modules

    both = {"ReconcileService", "CorrectionService"}
    for module in _modules():
        for service in module.DESCRIPTOR.services_by_name.values():
            for m in service.methods:
                full = f"/{service.full_name}/{m.name}"
                if service.name in HUB_SERVICES | both:
                    assert full in policy.HUB_RULES, full
                if service.name in PROVINCE_SERVICES | both:
                    assert full in policy.PROVINCE_RULES, full


# ------------------------------------------------------------ whose a request is


def _his(net: Any, doc: dict[str, Any], code: str, index: int) -> tuple[His, grpc.aio.Channel]:
    node = net.provinces[code]
    insts = [i for i in node.data.institutions.values() if i.cross_province]
    inst = sorted(insts, key=lambda i: i.fixmedins_code)[index]
    channel = connect.hospitals(doc, code)
    return His(channel, inst.fixmedins_code, inst.admdvs), channel


async def test_an_institution_cannot_touch_another_institutions_visit(secure_net: Any) -> None:
    doc = secure_net.describe()
    mine, ch1 = _his(secure_net, doc, OTHER, 0)
    theirs, ch2 = _his(secure_net, doc, OTHER, 1)
    person = secure_net.provinces[NODE].data.persons[1]

    class _N:  # the catalogue lookups of sample_lines
        beijing = secure_net.provinces[OTHER].data

        def code(self, prefix: str) -> str:
            return next(
                e.med_list_codg
                for e in self.beijing.catalogue.entries()
                if e.name.startswith(prefix)
            )

    lines = sample_lines(_N())  # type: ignore[arg-type]
    try:
        mdtrt_id = await mine.register("130100", person.psn_no, person.insutype, VISIT_TIME)
        await mine.upload("130100", mdtrt_id, person.psn_no, lines, FEE_TIME)
        total = sum(x.amount() for x in lines)
        before = _snapshot(secure_net.data_dir)
        with pytest.raises(grpc.aio.AioRpcError) as settled:
            await theirs.settle("130100", mdtrt_id, person.psn_no, person.insutype, total)
        assert settled.value.code() not in (grpc.StatusCode.OK, grpc.StatusCode.UNKNOWN)
        assert _snapshot(secure_net.data_dir) == before
        done = await mine.settle("130100", mdtrt_id, person.psn_no, person.insutype, total)
        before = _snapshot(secure_net.data_dir)
        with pytest.raises(grpc.aio.AioRpcError):
            await theirs.revoke("130100", done.setlinfo.setl_id, mdtrt_id, person.psn_no)
        assert _snapshot(secure_net.data_dir) == before
        # Writing the other's code in the envelope with one's own credentials is refused first.
        request = treatment_pb2.QuerySettlementRequest(
            header=mine.header("5203", "130100"), setl_id=done.setlinfo.setl_id, mdtrt_id=mdtrt_id
        )
        sign_as = connect.account(doc, theirs.fixmedins_code)
        endpoint = secure_net.provinces[OTHER].endpoint
        async with connect.channel(doc, endpoint) as unsigned:
            with pytest.raises(grpc.aio.AioRpcError) as spoofed:
                await treatment_pb2_grpc.TreatmentServiceStub(unsigned).QuerySettlement(
                    request, timeout=5, metadata=credentials.sign(sign_as.paasid, sign_as.token)
                )
        assert spoofed.value.code() == grpc.StatusCode.PERMISSION_DENIED
    finally:
        await ch1.close()
        await ch2.close()


async def test_a_province_node_routes_registers_and_publishes_only_for_itself(
    secure_net: Any,
) -> None:
    doc = secure_net.describe()
    hub = secure_net.hub.endpoint
    before = _snapshot(secure_net.data_dir)
    async with connect.as_identity(doc, OTHER, hub) as ch:
        hub_stub = hub_pb2_grpc.HubServiceStub(ch)
        for call, request in (
            (
                hub_stub.RegisterNode,
                hub_pb2.RegisterNodeRequest(province_code=NODE, endpoint="x:1"),
            ),
            (hub_stub.Settle, _own_request("HubService/Settle", "", NODE)),
            (
                filing_pb2_grpc.FilingRegistryServiceStub(ch).PublishFiling,
                filing_pb2.FilingEvent(event_id="e1", infno="2501", insuplc_admdvs="130100"),
            ),
            (
                clearing_pb2_grpc.ClearingServiceStub(ch).ConfirmStatement,
                clearing_pb2.ConfirmStatementRequest(month="2026-10", province=NODE),
            ),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await call(request, timeout=5)
            assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
            violations, reason = details_of(refused.value)
            assert reason == "NOT_PERMITTED" and violations
    assert _snapshot(secure_net.data_dir) == before
    listed = await _call(
        doc, "operator", hub, "/settlenet.v1.HubService/ListNodes", hub_pb2.ListNodesRequest()
    )
    assert listed is None


# ------------------------------------------------------------ x-tif and TLS


async def _query_person(ch: grpc.aio.Channel, code: str, metadata: Any) -> Any:
    stub = treatment_pb2_grpc.TreatmentServiceStub(ch)
    request = _own_request("TreatmentService/QueryPerson", code, NODE)
    request.header.infno = "1101"
    try:
        await stub.QueryPerson(request, timeout=5, metadata=metadata)
    except grpc.aio.AioRpcError as exc:
        return exc
    return None


async def test_x_tif_signatures_are_checked_as_the_gateway_does(secure_net: Any) -> None:
    doc = secure_net.describe()
    account = next(a for a in connect.accounts(doc, NODE) if a.kind == "institution")
    endpoint = secure_net.provinces[NODE].endpoint

    def reason_of(err: Any) -> str:
        assert err is not None and err.code() == grpc.StatusCode.UNAUTHENTICATED, err
        return details_of(err)[1]

    async with connect.channel(doc, endpoint) as ch:  # access certificate, signed by hand
        headers = credentials.sign(account.paasid, account.token)
        first = await _query_person(ch, account.code, headers)
        assert first is None or first.code() not in REFUSED
        assert reason_of(await _query_person(ch, account.code, headers)) == "NONCE_REUSED"
        stale = credentials.sign(account.paasid, account.token, now=time.time() - 3600)
        assert reason_of(await _query_person(ch, account.code, stale)) == "SIGNATURE_EXPIRED"
        forged = [(k, v if k != "x-tif-signature" else "0" * 64) for k, v in headers]
        forged = [(k, v if k != "x-tif-nonce" else "n2") for k, v in forged]
        assert reason_of(await _query_person(ch, account.code, forged)) == "CREDENTIALS_INVALID"
        unknown = credentials.sign("nobody", account.token)
        assert reason_of(await _query_person(ch, account.code, unknown)) == "CREDENTIALS_INVALID"
        assert reason_of(await _query_person(ch, account.code, ())) == "CREDENTIALS_MISSING"
        # A token of another institution signs for that one only: its paasid is bound to it.
        other = next(
            a for a in connect.accounts(doc, NODE) if a.kind == "institution" and a != account
        )
        spoof = await _query_person(ch, account.code, credentials.sign(other.paasid, other.token))
        assert spoof is not None and spoof.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_tls_is_mutual(secure_net: Any, tmp_path: Path) -> None:
    endpoint = secure_net.hub.endpoint
    async with grpc.aio.insecure_channel(endpoint) as plain:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await hub_pb2_grpc.HubServiceStub(plain).ListNodes(
                hub_pb2.ListNodesRequest(), timeout=3
            )
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    # A certificate from another CA (a look-alike network) is refused at the handshake.
    from scripts import certs

    stranger = certs.prepare(tmp_path / "other", [NODE])
    async with connect.channel({"security": stranger}, endpoint, certificate="operator") as ch:
        with pytest.raises(grpc.aio.AioRpcError) as handshake:
            await hub_pb2_grpc.HubServiceStub(ch).ListNodes(hub_pb2.ListNodesRequest(), timeout=3)
        assert handshake.value.code() == grpc.StatusCode.UNAVAILABLE
