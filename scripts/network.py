"""An in-process network: the hub and province nodes in one event loop, each with its own
database, speaking real gRPC on loopback ports. Used by the demo and the tests; ``settlenet up``
runs the same nodes as separate processes instead."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from national_hub import bootstrap as hub_boot
from national_hub.domain.advance import DEFAULT_SIZE_FEN as DEFAULT_ADVANCE_FEN
from provincial_nodes import bootstrap as province_boot
from provincial_nodes import config, seed
from scripts import certs
from services.security import material
from services.storage.database import sqlite_url
from services.values.money import format_ratio

DEFAULT_PROVINCES = ("11", "13", "44", "51")


@dataclass
class Network:
    hub: hub_boot.Hub
    provinces: dict[str, province_boot.ProvinceNode] = field(default_factory=dict)
    data_dir: Path = Path(".")
    security: dict[str, Any] = field(default_factory=lambda: {"mode": "insecure"})
    """network.json's ``security``: the TLS files and credentials, or insecure."""

    def describe(self) -> dict[str, Any]:
        """This network as network.json describes it."""
        nodes = {code: (node.endpoint, node.db.url) for code, node in self.provinces.items()}
        http = {code: node.http_url or "" for code, node in self.provinces.items()}
        return describe(
            self.hub.endpoint, nodes, self.data_dir, 0, self.security, http, self.hub.web_url
        )

    async def stop(self) -> None:
        for node in self.provinces.values():
            await node.stop()
        await self.hub.stop()


async def start(
    data_dir: Path,
    provinces: tuple[str, ...] = DEFAULT_PROVINCES,
    *,
    db_urls: dict[str, str] | None = None,
    population: int = 0,
    advance_exhausted: str = "refuse",
    secure: bool = False,
    web: bool = False,
    advance_size_fen: int | None = None,
    node_options: Mapping[str, Mapping[str, Any]] | None = None,
) -> Network:
    """Start the hub and ``provinces`` in this process; databases under ``data_dir``. With
    ``secure`` every node takes only mutual TLS with the network's CA (made in DATA_DIR/tls) and
    applies the authorization matrix, as ``settlenet up`` does by default. ``node_options``:
    more :class:`provincial_nodes.bootstrap.NodeConfig` fields per province code (e.g.
    ``{"11": {"admit_latency_ms": 300}}``)."""
    data_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before serving
    urls = db_urls or {}
    security: dict[str, Any] = {"mode": "insecure"}
    tls_dir = data_dir / "tls"
    if secure:
        security = await asyncio.to_thread(certs.prepare, tls_dir, list(provinces))

    def node_security(name: str) -> material.Security | None:
        return material.load(tls_dir, name) if secure else None

    hub = await hub_boot.start(
        hub_boot.HubConfig(
            db_url=urls.get("hub", sqlite_url(data_dir / "hub.db")),
            advance_exhausted=advance_exhausted,
            security=node_security("hub"),
            web_port=0 if web else None,
            advance_size_fen=advance_size_fen or DEFAULT_ADVANCE_FEN,
        )
    )
    net = Network(hub, data_dir=data_dir, security=security)
    try:
        for code in provinces:
            net.provinces[code] = await province_boot.start(
                province_boot.NodeConfig(
                    code=code,
                    db_url=urls.get(code, sqlite_url(data_dir / f"province-{code}.db")),
                    hub=hub.endpoint,
                    population=population,
                    security=node_security(f"province-{code}"),
                    http_port=0,
                    **dict((node_options or {}).get(code, {})),
                )
            )
    except BaseException:
        await net.stop()
        raise
    return net


def describe(
    hub_endpoint: str,
    nodes: dict[str, tuple[str, str]],
    data_dir: Path,
    population: int = 0,
    security: dict[str, Any] | None = None,
    http: dict[str, str] | None = None,
    hub_web: str | None = None,
) -> dict[str, Any]:
    """The network.json document: endpoints and, per province, sample persons, institutions and
    catalogue codes of each class, so anyone with a gRPC client can drive a visit; and the
    network's security: its TLS files and every institution's and desk's credentials (the file
    is written mode 0600)."""
    provinces = {}
    for code, (endpoint, db_url) in nodes.items():
        data = config.load(config.province_folder(code))
        entries = data.catalogue.entries()
        by_class: dict[str, list[dict[str, Any]]] = {"01": [], "02": [], "03": []}
        for e in entries:
            if e.valid_to is None and len(by_class[e.chrgitm_lv.value]) < 5:
                by_class[e.chrgitm_lv.value].append(
                    {
                        "med_list_codg": e.med_list_codg,
                        "name": e.name,
                        "selfpay_prop": format_ratio(e.selfpay_prop_bp),
                        "pric_uplmt_amt": e.pric_uplmt_amt,
                    }
                )
        provinces[code] = {
            "name": data.name,
            "name_en": data.name_en,
            "endpoint": endpoint,
            "http": (http or {}).get(code) or None,
            "db_url": db_url,
            "admdvs": data.admdvs,
            "regions": data.regions,
            "institutions": [
                {
                    "fixmedins_code": i.fixmedins_code,
                    "fixmedins_name": i.fixmedins_name,
                    "medins_lv": i.medins_lv,
                    "admdvs": i.admdvs,
                    "cross_province": i.cross_province,
                }
                for i in data.institutions.values()
            ],
            "persons": [
                {
                    "psn_no": p.psn_no,
                    "certno": p.certno,
                    "psn_name": p.psn_name,
                    "insutype": p.insutype,
                    "psn_type": p.psn_type,
                    "insuplc_admdvs": p.insuplc_admdvs,
                    "acct_balc": data.balance(p.psn_no),
                }
                for p in data.persons
            ],
            "generated_persons": population,
            "catalogue": {
                "class_a": by_class["01"],
                "class_b": by_class["02"],
                "class_c": by_class["03"],
                "outside_catalogue": [seed.OUTSIDE_CATALOGUE_CODE],
            },
        }
    return {
        "settlenet": 1,
        "hub": {"endpoint": hub_endpoint, **({"web": hub_web} if hub_web else {})},
        "data_dir": str(data_dir),
        "security": security or {"mode": "insecure"},
        "conventions": {
            "amounts": "int64 fen",
            "ratios": "exact decimal strings",
            "msgid": "fixmedins_code(12) + yyyyMMddHHmmss(14) + 4-digit sequence",
            "header_example": {
                "infno": "1101",
                "msgid": "H11010100001202611231000000001",
                "mdtrtarea_admvs": "110000",
                "insuplc_admdvs": "130100",
                "fixmedins_code": "H11010100001",
                "opter_type": "1",
                "opter": "OP001",
                "inf_time": "2026-11-23 10:00:00",
            },
        },
        "provinces": provinces,
    }


def write_network_json(path: Path, doc: dict[str, Any]) -> None:
    """Write ``doc`` mode 0600 (it holds credentials); readers never see a half-written file."""
    from services.security.pki import write_private

    write_private(path, json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8"))
