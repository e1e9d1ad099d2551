"""The saved registry of province nodes (the ``nodes`` table), and the static topology file that
can pre-load it (``settlenet hub --topology FILE``): a restarted hub still knows every node."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, delete, insert, select

from national_hub.adapters.tables import nodes
from national_hub.domain.model import Node
from national_hub.domain.routing import check_registration
from services.values import clock
from services.values.errors import InvalidField


class NodeRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def save(self, node: Node) -> None:
        self.conn.execute(delete(nodes).where(nodes.c.province_code == node.province_code))
        self.conn.execute(
            insert(nodes).values(
                province_code=node.province_code,
                endpoint=node.endpoint,
                admdvs=",".join(node.admdvs),
                name=node.name,
                registered_at=node.registered_at,
                http_endpoint=node.http_endpoint,
                version=node.version,
            )
        )

    def remove(self, province_code: str) -> bool:
        gone = self.conn.execute(delete(nodes).where(nodes.c.province_code == province_code))
        return bool(gone.rowcount)

    def saved(self) -> list[Node]:
        return [
            Node(
                r.province_code,
                r.endpoint,
                tuple(r.admdvs.split(",")),
                r.name,
                r.registered_at,
                r.http_endpoint or "",
                r.version or "",
            )
            for r in self.conn.execute(select(nodes)).all()
        ]


def load_topology(path: Path, now: datetime) -> list[Node]:
    """A topology file: ``{"provinces": [{"code": "13", "endpoint": "host:port",
    "admdvs": ["130100"], "name": "Hebei", "http": "https://host:port"}]}`` (name and http
    optional)."""
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
                clock.format_time(now),
                p.get("http") or "",
            )
        )
    return out
