"""The registry of province nodes: which node answers for which insured place.

A node registers itself (``HubService.RegisterNode``) when it starts; the registry is kept in the
hub's database, so a restarted hub still knows every node. A static topology file can pre-load
it (``settlenet hub --topology FILE``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import grpc
from sqlalchemy import Connection, delete, insert, select

from national_hub.tables import nodes
from services.pb.settlenet.v1 import insured_pb2_grpc
from services.rpc.server import Tls, open_channel
from services.values import clock
from services.values.errors import InvalidField, NotFound


@dataclass
class Node:
    province_code: str
    endpoint: str
    admdvs: tuple[str, ...]
    name: str
    registered_at: str
    channel: grpc.aio.Channel | None = None
    stub: insured_pb2_grpc.InsuredServiceStub | None = None


class Registry:
    def __init__(self, tls: Tls | None = None) -> None:
        self.tls = tls
        self._nodes: dict[str, Node] = {}

    def all(self) -> list[Node]:
        return sorted(self._nodes.values(), key=lambda n: n.province_code)

    def _connect(self, node: Node) -> Node:
        node.channel = open_channel(node.endpoint, self.tls, hop="hub->insured")
        node.stub = insured_pb2_grpc.InsuredServiceStub(node.channel)
        return node

    async def put(self, node: Node) -> None:
        old = self._nodes.get(node.province_code)
        self._nodes[node.province_code] = self._connect(node)
        if old is not None and old.channel is not None:
            await old.channel.close()

    def route(self, insuplc_admdvs: str) -> Node:
        """The node for an insured place, by the province part of its admdvs."""
        node = self._nodes.get(insuplc_admdvs[:2])
        if node is None:
            raise NotFound(
                "header.insuplc_admdvs",
                insuplc_admdvs,
                f"no province node is registered for province {insuplc_admdvs[:2]}",
            )
        if insuplc_admdvs not in node.admdvs:
            raise NotFound(
                "header.insuplc_admdvs",
                insuplc_admdvs,
                f"province {node.province_code} node insures "
                f"{', '.join(node.admdvs)}, not this region",
            )
        return node

    async def close(self) -> None:
        for node in self._nodes.values():
            if node.channel is not None:
                await node.channel.close()


def check_registration(code: str, endpoint: str, admdvs: list[str]) -> None:
    if not (len(code) == 2 and code.isdigit()):
        raise InvalidField("province_code", code, "must be a 2-digit province code")
    if ":" not in endpoint:
        raise InvalidField("endpoint", endpoint, "must be host:port")
    if not admdvs:
        raise InvalidField("admdvs", "[]", "a node must insure at least one region")
    for i, a in enumerate(admdvs):
        if not (len(a) == 6 and a.isdigit() and a[:2] == code):
            raise InvalidField(f"admdvs[{i}]", a, f"must be a 6-digit code in province {code}")


def save(conn: Connection, node: Node) -> None:
    conn.execute(delete(nodes).where(nodes.c.province_code == node.province_code))
    conn.execute(
        insert(nodes).values(
            province_code=node.province_code,
            endpoint=node.endpoint,
            admdvs=",".join(node.admdvs),
            name=node.name,
            registered_at=node.registered_at,
        )
    )


def load_saved(conn: Connection) -> list[Node]:
    return [
        Node(r.province_code, r.endpoint, tuple(r.admdvs.split(",")), r.name, r.registered_at)
        for r in conn.execute(select(nodes)).all()
    ]


def load_topology(path: Path) -> list[Node]:
    """A topology file: ``{"provinces": [{"code": "13", "endpoint": "host:port",
    "admdvs": ["130100"], "name": "Hebei"}]}``."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, p in enumerate(raw.get("provinces", [])):
        try:
            check_registration(p["code"], p["endpoint"], list(p["admdvs"]))
        except KeyError as exc:
            raise ValueError(f"{path}: provinces[{i}]: missing key {exc}") from None
        except InvalidField as exc:
            raise ValueError(f"{path}: provinces[{i}].{exc.field}: {exc.problem}") from None
        out.append(
            Node(
                p["code"],
                p["endpoint"],
                tuple(p["admdvs"]),
                p.get("name", ""),
                clock.format_time(clock.now()),
            )
        )
    return out
