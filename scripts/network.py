"""An in-process network: the hub and province nodes in one event loop, each with its own
database, speaking real gRPC on loopback ports. Used by the demo and the tests; ``settlenet up``
runs the same nodes as separate processes instead."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from national_hub import bootstrap as hub_boot
from provincial_nodes import bootstrap as province_boot
from provincial_nodes import config, seed
from services.storage.database import sqlite_url
from services.values.money import format_ratio

DEFAULT_PROVINCES = ("11", "13", "44", "51")


@dataclass
class Network:
    hub: hub_boot.Hub
    provinces: dict[str, province_boot.ProvinceNode] = field(default_factory=dict)

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
) -> Network:
    """Start the hub and ``provinces`` in this process; databases under ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before serving
    urls = db_urls or {}
    hub = await hub_boot.start(
        hub_boot.HubConfig(
            db_url=urls.get("hub", sqlite_url(data_dir / "hub.db")),
            advance_exhausted=advance_exhausted,
        )
    )
    net = Network(hub)
    try:
        for code in provinces:
            net.provinces[code] = await province_boot.start(
                province_boot.NodeConfig(
                    code=code,
                    db_url=urls.get(code, sqlite_url(data_dir / f"province-{code}.db")),
                    hub=hub.endpoint,
                    population=population,
                )
            )
    except BaseException:
        await net.stop()
        raise
    return net


def describe(
    hub_endpoint: str, nodes: dict[str, tuple[str, str]], data_dir: Path, population: int = 0
) -> dict[str, Any]:
    """The network.json document: endpoints and, per province, sample persons, institutions and
    catalogue codes of each class, so anyone with a gRPC client can drive a visit."""
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
        "hub": {"endpoint": hub_endpoint},
        "data_dir": str(data_dir),
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
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)  # readers never see a half-written file
