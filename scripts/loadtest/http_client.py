"""The operations of the traffic model over the national HTTP interface (``settlenet loadtest
--via http``): the same steps, msgids, recorder and call names as :class:`LoadClient`'s gRPC
calls, so one report compares with the other.

The requests are the spec's JSON envelopes (:class:`scripts.clients.http_his.HttpHis`) built
straight from the model's values, amounts in yuan; the answers are read as JSON, not converted
back to messages (the generator needs only ids). One ``httpx`` connection pool per treatment
node, HTTP/1.1 keep-alive; each institution signs in (9001) once, outside the measured calls,
and signs in again if the node forgets its sign_no (a restarted node).

A refused call is recorded with the code ``INFCODE_-1`` (HTTP 200, infcode -1) or
``HTTP_<status>``; a timeout as ``DEADLINE_EXCEEDED`` and a connection that fails as
``UNAVAILABLE``, as gRPC would name them.

:class:`BothLoadClient` (``--via both``) sends every other operation over HTTP, its calls named
``2207 Settle (http)`` and so on: both transports in one run, on the same nodes and moment, so
their ratio is not a comparison of two runs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from scripts.clients import http_adapter, http_his
from scripts.clients.http_his import CallError, FeeLine, HttpHis
from scripts.loadtest.client import CALLS, CallFailed, LoadClient, Outcome
from scripts.loadtest.messages import OpenVisit, Settled
from scripts.loadtest.model import InstitutionRef, Op, ProvinceView
from scripts.loadtest.stats import Recorder
from services.values import clock

POOL = httpx.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=30)
"""Connections per treatment node: every one kept alive (the default keeps 20 and reconnects
under load, which would measure TLS handshakes, not calls)."""


def _code(exc: Exception) -> tuple[str, str]:
    """The recorder's code and details of a failed call."""
    if isinstance(exc, CallError):
        return ("INFCODE_-1" if exc.status == 200 else f"HTTP_{exc.status}"), exc.err_msg
    if isinstance(exc, httpx.TimeoutException):
        return "DEADLINE_EXCEEDED", f"{type(exc).__name__}: {exc}"
    return "UNAVAILABLE", f"{type(exc).__name__}: {exc}"


class HttpLoadClient(LoadClient):
    """:class:`LoadClient` whose steps go over HTTP."""

    def __init__(
        self,
        provinces: dict[str, ProvinceView],
        recorder: Recorder,
        *,
        timeout_s: float = 10.0,
        part: int = 0,
        parts: int = 1,
        doc: dict[str, Any] | None = None,
        suffix: str = "",
    ) -> None:
        if doc is None:
            raise ValueError("the HTTP load client needs the network.json document")
        super().__init__(provinces, recorder, timeout_s=timeout_s, part=part, parts=parts, doc=doc)
        self.network: dict[str, Any] = doc
        for code in provinces:
            http_adapter.http_url(doc, code)  # NoHttpInterface now, not mid-run
        self.suffix = suffix
        """Appended to every call's name (``--via both``: `` (http)``)."""
        self.pools: dict[str, httpx.AsyncClient] = {}
        self.signed: dict[str, asyncio.Task[HttpHis]] = {}
        """Per institution: its signed-in HIS (a task, so concurrent first calls share one
        9001)."""

    def pool(self, code: str) -> httpx.AsyncClient:
        if code not in self.pools:
            url = http_adapter.http_url(self.network, code)
            ca = (self.network.get("security") or {}).get("ca")
            verify = http_his.tls_context(ca) if url.startswith("https:") and ca else True
            self.pools[code] = httpx.AsyncClient(verify=verify, timeout=self.timeout_s, limits=POOL)
        return self.pools[code]

    async def _sign_in(self, treat: str, inst: InstitutionRef) -> HttpHis:
        his = HttpHis(
            http_adapter.http_url(self.network, treat),
            http_his.institution_of(self.network, treat, inst.fixmedins_code),
            client=self.pool(treat),
            timeout=self.timeout_s,
            now=clock.now,
            opter="LOAD01",
        )
        await his.sign_in()
        return his

    async def his(self, treat: str, inst: InstitutionRef) -> HttpHis:
        """The institution's signed-in HIS (9001 the first time; not a measured call)."""
        code = inst.fixmedins_code
        task = self.signed.get(code)
        if task is None or (task.done() and task.exception() is not None):
            task = self.signed[code] = asyncio.ensure_future(self._sign_in(treat, inst))
        try:
            return await asyncio.shield(task)
        except (CallError, httpx.HTTPError) as exc:
            code_, details = _code(exc)
            raise CallFailed("9001 SignIn", code_, details) from None

    async def _timed(
        self,
        infno: str,
        treat: str,
        inst: InstitutionRef,
        insuplc_admdvs: str,
        input: Callable[[HttpHis], Mapping[str, Any]],
    ) -> Any:
        """One timed call of ``infno``: its output; CallFailed after recording a refusal."""
        his = await self.his(treat, inst)
        msgid = await self._msgid(inst.fixmedins_code)
        body = input(his)
        name = CALLS[infno] + self.suffix
        started = time.perf_counter()
        try:
            output = await his.call(infno, body, insuplc_admdvs=insuplc_admdvs, msgid=msgid)
        except (CallError, httpx.HTTPError) as exc:
            code, details = _code(exc)
            self.recorder.call(
                name,
                time.perf_counter() - started,
                code,
                measuring=self.measuring,
                details=details,
            )
            if isinstance(exc, CallError) and "sign_no" in exc.err_msg:
                self.signed.pop(inst.fixmedins_code, None)  # the node forgot it: sign in again
            raise CallFailed(name, code, details) from None
        self.recorder.call(name, time.perf_counter() - started, "OK", measuring=self.measuring)
        return output

    async def close(self) -> None:
        for task in self.signed.values():
            if task.done() and task.exception() is None:
                try:
                    await task.result().sign_out()
                except (CallError, httpx.HTTPError):
                    pass  # a node that is gone or forgot the sign-in: nothing to close
            else:
                task.cancel()
        for pool in self.pools.values():
            await pool.aclose()
        await super().close()

    # ---- steps --------------------------------------------------------------------------

    async def query_person(self, op: Op) -> tuple[str, str]:
        p = op.person
        data = {
            "mdtrt_cert_type": "02",
            "mdtrt_cert_no": p.certno,
            "psn_cert_type": "01",
            "certno": p.certno,
        }
        out = await self._timed(
            "1101", op.treat, op.institution, p.insuplc_admdvs, lambda _: {"data": data}
        )
        insuinfo = out.get("insuinfo") or []
        psn_no = str((out.get("baseinfo") or {}).get("psn_no") or p.psn_no)
        return psn_no, str(insuinfo[0]["insutype"]) if insuinfo else p.insutype

    async def open_visit(self, op: Op, psn_no: str, insutype: str) -> OpenVisit:
        p, inst = op.person, op.institution
        now = clock.now()
        begntime = clock.format_time(now - timedelta(minutes=30))
        data = {
            "psn_no": psn_no,
            "insutype": insutype,
            "begntime": begntime,
            "mdtrt_cert_type": "01",
            "mdtrt_cert_no": psn_no,
            "ipt_otp_no": f"OP{op.seq:010d}",
            "atddr_no": "D001",
            "dr_name": "王医生",
            "dept_code": "A03",
            "dept_name": "内科",
            "caty": "A03",
            "med_type": "11",
        }
        diseinfo = [
            {
                "diag_type": "1",
                "diag_srt_no": "1",
                "diag_code": "J06.900",
                "diag_name": "急性上呼吸道感染",
                "diag_dept": "内科",
                "dise_dor_no": "D001",
                "dise_dor_name": "王医生",
                "diag_time": begntime,
                "vali_flag": "1",
            }
        ]
        out = await self._timed(
            "2201",
            op.treat,
            inst,
            p.insuplc_admdvs,
            lambda _: {"data": data, "diseinfo": diseinfo},
        )
        mdtrt_id = str(out["data"]["mdtrt_id"])
        fee_time = clock.format_time(now - timedelta(minutes=20))
        lines = [FeeLine(x.code, Decimal(x.cnt), http_his.yuan(x.pric)) for x in op.lines]
        await self._timed(
            "2204",
            op.treat,
            inst,
            p.insuplc_admdvs,
            lambda his: {
                "feedetail": [
                    his.fee_line(mdtrt_id, psn_no, f"{i + 1:04d}", x, fee_time, "B0001")
                    for i, x in enumerate(lines)
                ]
            },
        )
        return OpenVisit(op.treat, inst, p, mdtrt_id, psn_no, insutype, op.medfee_sumamt)

    def _settle_input(self, v: OpenVisit) -> Callable[[HttpHis], Mapping[str, Any]]:
        return lambda his: {
            "data": his.settle_data(
                v.mdtrt_id, v.psn_no, v.insutype, http_his.yuan(v.medfee_sumamt)
            )
        }

    async def pre_settle(self, v: OpenVisit) -> None:
        await self._timed(
            "2206", v.treat, v.institution, v.person.insuplc_admdvs, self._settle_input(v)
        )

    async def settle(self, v: OpenVisit) -> Settled:
        out = await self._timed(
            "2207", v.treat, v.institution, v.person.insuplc_admdvs, self._settle_input(v)
        )
        done = Settled(v, str(out["setlinfo"]["setl_id"]))
        self.acknowledged.add(done.setl_id)
        self.settled.append(done)
        return done

    async def revoke(self, s: Settled) -> None:
        v = s.visit
        data = {"setl_id": s.setl_id, "mdtrt_id": v.mdtrt_id, "psn_no": v.psn_no}
        out = await self._timed(
            "2208", v.treat, v.institution, v.person.insuplc_admdvs, lambda _: {"data": data}
        )
        self.acknowledged.add(str(out["setlinfo"]["setl_id"]))


class BothLoadClient(LoadClient):
    """Even operations over gRPC, odd ones over HTTP (calls named ``… (http)``); one msgid
    space, one record of settlements (a revocation may go over the other transport)."""

    def __init__(
        self,
        provinces: dict[str, ProvinceView],
        recorder: Recorder,
        *,
        timeout_s: float = 10.0,
        part: int = 0,
        parts: int = 1,
        doc: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(provinces, recorder, timeout_s=timeout_s, part=part, parts=parts, doc=doc)
        self.http = HttpLoadClient(
            provinces,
            recorder,
            timeout_s=timeout_s,
            part=part,
            parts=parts,
            doc=doc,
            suffix=" (http)",
        )
        self.http.msgids = self.msgids
        self.http.prepared = self.prepared
        self.http.settled = self.settled
        self.http.acknowledged = self.acknowledged

    async def prepare(self, op: Op) -> None:
        await (self.http.prepare(op) if op.seq % 2 else super().prepare(op))

    async def run(self, op: Op) -> Outcome:
        return await (self.http.run(op) if op.seq % 2 else super().run(op))

    async def close(self) -> None:
        await self.http.close()
        await super().close()
