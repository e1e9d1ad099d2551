"""Shared fixtures: a real in-process network (hub + two provinces) on port 0, SQLite files in a
temporary folder, and a HIS client of the Beijing treatment node."""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
from sqlalchemy import MetaData, create_engine, select

from provincial_nodes import config
from scripts import network
from scripts.clients.his import His, Line
from services.logs import setup as slog

TREAT, INSURED = "11", "13"
REGION = "130100"


@pytest.fixture(scope="session", autouse=True)
def _quiet_logs() -> None:
    slog.configure("test", level="WARNING", stream=io.StringIO())


@dataclass
class Net:
    net: network.Network
    data: Path
    his: His
    channel: grpc.aio.Channel
    hebei: config.ProvinceData
    beijing: config.ProvinceData

    def person(self, index: int = 1) -> Any:
        return self.hebei.persons[index]

    def code(self, name_prefix: str) -> str:
        return next(
            e.med_list_codg
            for e in self.beijing.catalogue.entries()
            if e.name.startswith(name_prefix)
        )

    def snapshot(self, *, include_log: bool = False) -> dict[str, Any]:
        """Every row of every table of every node's database (the hub's append-only routed
        message log excluded unless asked)."""
        out: dict[str, Any] = {}
        for path in sorted(self.data.glob("*.db")):
            engine = create_engine(f"sqlite:///{path}")
            meta = MetaData()
            meta.reflect(engine)
            with engine.connect() as conn:
                for table in meta.sorted_tables:
                    if table.name == "routed_messages" and not include_log:
                        continue
                    rows = conn.execute(select(table)).all()
                    out[f"{path.stem}.{table.name}"] = sorted(tuple(r) for r in rows)
            engine.dispose()
        return out


@contextlib.asynccontextmanager
async def open_net(
    tmp_path: Path, *, his_timeout: float = 10.0, **start: Any
) -> AsyncIterator[Net]:
    """The network of the ``net`` fixture, with more ``network.start`` arguments (e.g.
    ``node_options``) and the HIS client's deadline."""
    n = await network.start(tmp_path, (TREAT, INSURED), **start)
    beijing = n.provinces[TREAT]
    inst = next(i for i in beijing.data.institutions.values() if i.medins_lv == "3")
    channel = grpc.aio.insecure_channel(beijing.endpoint)
    try:
        yield Net(
            n,
            tmp_path,
            His(channel, inst.fixmedins_code, inst.admdvs, timeout=his_timeout),
            channel,
            n.provinces[INSURED].data,
            beijing.data,
        )
    finally:
        await channel.close()
        await n.stop()


@pytest_asyncio.fixture
async def net(tmp_path: Path) -> AsyncIterator[Net]:
    async with open_net(tmp_path) as n:
        yield n


VISIT_TIME = "2026-10-15 09:00:00"
FEE_TIME = "2026-10-15 09:20:00"


def sample_lines(n: Net) -> list[Line]:
    return [
        Line(n.code("二甲双胍片"), "2", 1449),  # class A
        Line(n.code("阿卡波糖片"), "1", 4554),  # class B 10%
        Line(n.code("普通门诊诊查费"), "1", 2500),  # class A service
        Line(n.code("CT平扫"), "1", 27600),  # class B, maybe capped
        Line(n.code("维生素C片"), "1", 402),  # class C
    ]


async def open_visit(n: Net, person: Any, lines: list[Line] | None = None) -> tuple[str, int]:
    """Register a visit and upload lines; returns (mdtrt_id, medfee_sumamt)."""
    lines = lines if lines is not None else sample_lines(n)
    mdtrt_id = await n.his.register(REGION, person.psn_no, person.insutype, VISIT_TIME)
    await n.his.upload(REGION, mdtrt_id, person.psn_no, lines, FEE_TIME)
    return mdtrt_id, sum(x.amount() for x in lines)
