"""What the load generator drives: a running network described by its network.json, or a
network it starts itself (``settlenet up`` as child processes, or in this process)."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts import launcher
from scripts.loadtest import population
from scripts.loadtest.model import CatalogueRef, InstitutionRef, PersonRef, ProvinceView

READY_TIMEOUT_S = 120.0


def _persons(doc: dict[str, Any], code: str, prov: dict[str, Any]) -> list[PersonRef]:
    """Every person the node insures that the generator can know: network.json's samples,
    the generated population of ``settlenet up --population N``, and a load-test population
    seeded into the data folder (its sidecar file)."""
    out = [
        PersonRef(p["psn_no"], p["certno"], p["insutype"], p["insuplc_admdvs"])
        for p in prov.get("persons", [])
    ]
    generated = int(prov.get("generated_persons", 0) or 0)
    if generated:
        # The same persons the node made (seed 1, as `settlenet up` starts nodes); equal to
        # provincial_nodes.seed.population whenever that one starts at all (no duplicates).
        out += [
            PersonRef(m["psn_no"], m["certno"], m["insutype"], m["insuplc_admdvs"])
            for m in population.generate(code, generated, 1)
        ]
    sidecar = Path(doc.get("data_dir", "")) / population.SIDECAR
    if doc.get("data_dir") and sidecar.exists():
        meta = json.loads(sidecar.read_text())
        if code in meta["provinces"]:
            out += population.refs(
                code,
                int(meta["count"]),
                int(meta["seed"]),
                population.destinations(code, list(meta["provinces"])),
            )
    return out


def views(doc: dict[str, Any]) -> dict[str, ProvinceView]:
    """The generator's view of every province in a network.json document."""
    out = {}
    for code, prov in doc["provinces"].items():
        cat = prov["catalogue"]
        out[code] = ProvinceView(
            code=code,
            endpoint=prov["endpoint"],
            institutions=tuple(
                InstitutionRef(i["fixmedins_code"], i["admdvs"], i["medins_lv"])
                for i in prov["institutions"]
                if i["cross_province"]
            ),
            catalogue=tuple(
                CatalogueRef(e["med_list_codg"], int(e.get("pric_uplmt_amt") or 0))
                for cls in ("class_a", "class_b", "class_c")
                for e in cat[cls]
            ),
            outside_catalogue=tuple(cat.get("outside_catalogue", [])),
            persons=_persons(doc, code, prov),
        )
    return out


def hub_db_path(doc: dict[str, Any]) -> Path | None:
    """The hub's SQLite file when the network keeps its data in a local folder."""
    path = Path(doc.get("data_dir", "")) / "hub.db"
    return path if doc.get("data_dir") and path.exists() else None


@dataclass
class Started:
    """A network this command started; ``stop()`` ends it."""

    doc: dict[str, Any]
    stop: Callable[[], Any]
    node_pids: dict[str, int] = field(default_factory=dict)


LOAD_ADVANCE_FEN = 10**13
"""The advance each province of a load-test network opens with (100 billion yuan): a run of
hours at the national peak never exhausts it, so refusals measure nothing but the network."""


def start_processes(
    data: Path,
    codes: Sequence[str],
    count: int,
    seed_value: int,
    say: Callable[[str], None],
    extra: Sequence[str] = (),
) -> Started:
    """Seed the databases, run ``settlenet up`` (with ``extra`` options) as a child, wait for
    network.json."""
    population.seed_network(data, list(codes), count, seed_value, say=say)
    try:
        up, doc = launcher.start_network(
            data,
            [
                "--provinces",
                ",".join(codes),
                "--advance-size-fen",
                str(LOAD_ADVANCE_FEN),
                *extra,
            ],
            timeout=READY_TIMEOUT_S,
        )
    except launcher.LaunchError:
        raise RuntimeError(f"settlenet up did not start; see {data / 'up.log'}") from None

    def stop() -> None:
        up.stop(timeout=30)  # up stops its nodes in order

    return Started(doc, stop, _pids(data, codes))


def _pids(data: Path, codes: Sequence[str]) -> dict[str, int]:
    """Node process ids, from ``settlenet up``'s children (for peak RSS)."""
    out: dict[str, int] = {}
    try:
        for line in subprocess.run(
            ["ps", "-eo", "pid,args"], capture_output=True, text=True, check=False
        ).stdout.splitlines():
            pid, _, args = line.strip().partition(" ")
            if str(data) not in args or "scripts.cli" not in args:
                continue
            if " hub " in f" {args} ":
                out["hub"] = int(pid)
            for code in codes:
                if f"--code {code} " in args:
                    out[f"province-{code}"] = int(pid)
    except OSError:
        pass
    return out


async def start_in_process(
    data: Path, codes: Sequence[str], count: int, seed_value: int, say: Callable[[str], None]
) -> tuple[dict[str, Any], Any]:
    """Seed the databases and start the network in this event loop (quick runs and tests: the
    generator then shares the process, and its figures, with the nodes)."""
    from scripts import network

    await asyncio.to_thread(population.seed_network, data, list(codes), count, seed_value, say)
    net = await network.start(data, tuple(codes), secure=True)
    doc = net.describe()
    return doc, net
