"""The operations of the traffic model as timed gRPC calls to treatment nodes, the way a
hospital's HIS makes them (see ``scripts/clients/his.py`` for the worked, untimed version).

One channel per treatment node, shared by every operation (channel reuse); one msgid source per
institution, so msgids never repeat within a run. Several generator processes (Locust workers)
share an institution's msgid space by taking every ``parts``-th sequence number from ``part``.
"""

from __future__ import annotations

import asyncio
import contextvars
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc

from scripts import connect
from scripts.loadtest import messages as msg
from scripts.loadtest.messages import OpenVisit, Settled
from scripts.loadtest.model import InstitutionRef, Op, ProvinceView
from scripts.loadtest.stats import Recorder
from services.pb.settlenet.v1 import common_pb2, treatment_pb2_grpc
from services.rpc.server import open_channel
from services.values import clock

CALLS = {
    "1101": "1101 QueryPerson",
    "2201": "2201 RegisterVisit",
    "2204": "2204 UploadFeeDetails",
    "2206": "2206 PreSettle",
    "2207": "2207 Settle",
    "2208": "2208 RevokeSettlement",
}


_measuring: contextvars.ContextVar[bool] = contextvars.ContextVar("measuring", default=True)


class MsgidSource:
    """msgids for one institution: code(12) + yyyyMMddHHmmss(14) + 4-digit sequence, the
    sequence restarting each second at a random point; ``part`` of ``parts`` generators."""

    def __init__(self, code: str, part: int = 0, parts: int = 1) -> None:
        self.code, self.part, self.parts = code, part, parts
        self._stamp = ""
        self._next = 0

    def take(self) -> str | None:
        """A fresh msgid, or None when this second's numbers are used up (try again soon)."""
        stamp = f"{clock.now():%Y%m%d%H%M%S}"
        if stamp != self._stamp:
            start = random.randrange(0, 5000)
            self._stamp, self._next = stamp, start - start % self.parts + self.part
        if self._next > 9999:
            return None
        n, self._next = self._next, self._next + self.parts
        return f"{self.code}{stamp}{n:04d}"


class CallFailed(Exception):
    def __init__(self, name: str, code: str, details: str) -> None:
        super().__init__(f"{name}: {code}: {details}")
        self.name, self.code, self.details = name, code, details


@dataclass(frozen=True)
class Outcome:
    code: str
    settled: int = 0
    revoked: int = 0
    kind: str = ""
    pair: str = ""


class LoadClient:
    """Runs operations against the treatment nodes of ``provinces``."""

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
        self.provinces = provinces
        self.doc = doc
        """The network.json document: on a secure network, channels present the access
        certificate and sign every call as its institution."""
        self.recorder = recorder
        self.timeout_s = timeout_s
        self.part, self.parts = part, parts
        self.channels: dict[str, grpc.aio.Channel] = {}
        self.stubs: dict[str, treatment_pb2_grpc.TreatmentServiceStub] = {}
        self.msgids: dict[str, MsgidSource] = {}
        self.prepared: dict[int, OpenVisit] = {}
        self.settled: deque[Settled] = deque(maxlen=100_000)
        self.acknowledged: set[str] = set()
        """setl_id of every settlement and revocation a node answered OK (for the audit)."""

    @property
    def measuring(self) -> bool:
        """Whether calls made now (in this task) are measured, not warm-up or preparation."""
        return _measuring.get()

    @measuring.setter
    def measuring(self, value: bool) -> None:
        _measuring.set(value)  # per task: each operation runs in its own task (context copy)

    def stub(self, code: str) -> treatment_pb2_grpc.TreatmentServiceStub:
        if code not in self.stubs:
            endpoint = self.provinces[code].endpoint
            self.channels[code] = (
                connect.channel(self.doc, endpoint, signer=connect.keyring(self.doc, code))
                if self.doc is not None
                else open_channel(endpoint)
            )
            self.stubs[code] = treatment_pb2_grpc.TreatmentServiceStub(self.channels[code])
        return self.stubs[code]

    async def close(self) -> None:
        for ch in self.channels.values():
            await ch.close()

    async def _msgid(self, code: str) -> str:
        src = self.msgids.get(code)
        if src is None:
            src = self.msgids[code] = MsgidSource(code, self.part, self.parts)
        while True:
            msgid = src.take()
            if msgid is not None:
                return msgid
            await asyncio.sleep(0.05)

    async def header(
        self, infno: str, inst: InstitutionRef, insuplc_admdvs: str
    ) -> common_pb2.RequestHeader:
        return msg.header(infno, inst, insuplc_admdvs, await self._msgid(inst.fixmedins_code))

    async def _call(self, infno: str, method: Callable[..., Awaitable[Any]], request: Any) -> Any:
        name = CALLS[infno]
        started = time.perf_counter()
        try:
            response = await method(request, timeout=self.timeout_s)
        except grpc.aio.AioRpcError as exc:
            code = exc.code().name
            self.recorder.call(
                name,
                time.perf_counter() - started,
                code,
                measuring=self.measuring,
                details=exc.details() or "",
            )
            raise CallFailed(name, code, exc.details() or "") from None
        self.recorder.call(name, time.perf_counter() - started, "OK", measuring=self.measuring)
        return response

    # ---- steps --------------------------------------------------------------------------

    async def query_person(self, op: Op) -> tuple[str, str]:
        h = await self.header("1101", op.institution, op.person.insuplc_admdvs)
        info = await self._call("1101", self.stub(op.treat).QueryPerson, msg.person_query(op, h))
        return msg.person_of(op, info)

    async def open_visit(self, op: Op, psn_no: str, insutype: str) -> OpenVisit:
        p, inst, stub = op.person, op.institution, self.stub(op.treat)
        now = clock.now()
        h = await self.header("2201", inst, p.insuplc_admdvs)
        res = await self._call(
            "2201", stub.RegisterVisit, msg.register(op, psn_no, insutype, h, now)
        )
        mdtrt_id = str(res.mdtrt_id)
        h = await self.header("2204", inst, p.insuplc_admdvs)
        await self._call("2204", stub.UploadFeeDetails, msg.upload(op, mdtrt_id, psn_no, h, now))
        return OpenVisit(op.treat, inst, p, mdtrt_id, psn_no, insutype, op.medfee_sumamt)

    async def pre_settle(self, v: OpenVisit) -> None:
        h = await self.header("2206", v.institution, v.person.insuplc_admdvs)
        await self._call("2206", self.stub(v.treat).PreSettle, msg.settle(v, h))

    async def settle(self, v: OpenVisit) -> Settled:
        h = await self.header("2207", v.institution, v.person.insuplc_admdvs)
        res = await self._call("2207", self.stub(v.treat).Settle, msg.settle(v, h))
        done = Settled(v, res.setlinfo.setl_id)
        self.acknowledged.add(done.setl_id)
        self.settled.append(done)
        return done

    async def revoke(self, s: Settled) -> None:
        v = s.visit
        h = await self.header("2208", v.institution, v.person.insuplc_admdvs)
        res = await self._call("2208", self.stub(v.treat).RevokeSettlement, msg.revoke(s, h))
        self.acknowledged.add(res.setlinfo.setl_id)

    # ---- operations ---------------------------------------------------------------------

    async def prepare(self, op: Op) -> None:
        """Open the visit a settle-only operation will settle (before the timed run)."""
        self.prepared[op.seq] = await self.open_visit(op, op.person.psn_no, op.person.insutype)

    async def run(self, op: Op) -> Outcome:
        """Run ``op``; its outcome is OK or the gRPC code of the first call that failed."""
        kind, pair = op.kind, op.pair
        try:
            if op.kind == "visit":
                psn_no, insutype = await self.query_person(op)
                v = await self.open_visit(op, psn_no, insutype)
                await self.pre_settle(v)
                await self.settle(v)
                return Outcome("OK", settled=1, kind=kind, pair=pair)
            if op.kind == "settle_only":
                v0 = self.prepared.pop(op.seq, None)
                if v0 is None:
                    kind = "settle_only (opened inline)"
                    v0 = await self.open_visit(op, op.person.psn_no, op.person.insutype)
                await self.settle(v0)
                return Outcome("OK", settled=1, kind=kind, pair=pair)
            if op.kind == "revoke":
                if self.settled:
                    s = self.settled.popleft()
                    pair = f"{s.visit.treat}->{s.visit.person.insuplc_admdvs[:2]}"
                else:
                    kind = "revoke (after inline visit)"
                    v = await self.open_visit(op, op.person.psn_no, op.person.insutype)
                    s = await self.settle(v)
                    self.settled.pop()
                await self.revoke(s)
                return Outcome("OK", revoked=1, kind=kind, pair=pair)
            raise ValueError(f"unknown operation kind {op.kind}")
        except CallFailed as exc:
            return Outcome(exc.code, kind=kind, pair=pair)
