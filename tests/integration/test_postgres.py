"""The same visit on PostgreSQL: every node on its own database of a throwaway cluster.

Starts a private PostgreSQL server (initdb + pg_ctl, Unix socket in a temp folder, run as the
``postgres`` user when the tests run as root). Skips, saying why, when no server binaries exist.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from scripts import network
from scripts.clients.his import His, Line
from tests.conftest import FEE_TIME, VISIT_TIME

BIN_DIRS = [Path("/usr/lib/postgresql") / v / "bin" for v in ("17", "16", "15", "14")]


def _pg_bin(name: str) -> str | None:
    for folder in BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which(name)


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="module")
def pg_cluster() -> Iterator[tuple[str, int]]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not installed")
    # Not under pytest's tmp folder: that one is private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="settlenet-pg-"))
    os.chmod(root, 0o777)
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    os.chmod(sock, 0o777)
    subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
        check=True,
        capture_output=True,
    )
    port = 5432  # names the socket file only: no TCP listener (listen_addresses='')
    subprocess.run(
        _as_postgres(
            [
                pg_ctl,
                "-D",
                str(data),
                "-w",
                "-l",
                str(root / "log"),
                "-o",
                f"-k {sock} -p {port} -c listen_addresses=''",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield str(sock), port
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "fast", "stop"]), capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


def _createdb(sock: str, port: int, name: str) -> str:
    import psycopg

    with psycopg.connect(
        host=sock, port=port, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@/{name}?host={sock}&port={port}"


async def test_visit_settles_and_revokes_on_postgresql(pg_cluster, tmp_path: Path) -> None:
    sock, port = pg_cluster
    urls = {name: _createdb(sock, port, f"settlenet_{name}") for name in ("hub", "11", "13")}
    net = await network.start(tmp_path, ("11", "13"), db_urls=urls)
    try:
        bj = net.provinces["11"]
        assert bj.db.engine.dialect.name == "postgresql"
        inst = next(i for i in bj.data.institutions.values() if i.medins_lv == "3")
        person = net.provinces["13"].data.persons[1]
        code = bj.data.catalogue.codes()[0]
        async with grpc.aio.insecure_channel(bj.endpoint) as ch:
            his = His(ch, inst.fixmedins_code, inst.admdvs)
            mdtrt_id = await his.register("130100", person.psn_no, "310", VISIT_TIME)
            lines = [Line(code, "3", 30000)]
            await his.upload("130100", mdtrt_id, person.psn_no, lines, FEE_TIME)
            total = lines[0].amount()
            msgid = his.msgid()
            # concurrent duplicates of one msgid take effect once, under real row locks
            results = await asyncio.gather(
                *(
                    his.settle("130100", mdtrt_id, person.psn_no, "310", total, msgid=msgid)
                    for _ in range(4)
                )
            )
            s = results[0].setlinfo
            assert {r.setlinfo.setl_id for r in results} == {s.setl_id}
            assert s.medfee_sumamt == s.fund_pay_sumamt + s.acct_pay + s.psn_cash_pay
            assert s.hifp_pay > 0
            rev = await his.revoke("130100", s.setl_id, mdtrt_id, person.psn_no)
            assert rev.setlinfo.balc == 320000
    finally:
        await net.stop()
