"""Locust file: the same traffic model as ``settlenet loadtest``, from Locust users, so load can
come from many machines (Locust's master/worker mode).

    pip install 'settlenet[load]'
    settlenet up --data var/net &
    locust -f scripts/loadtest/locustfile.py --headless -u 20 -r 10 -t 60s \\
        --network var/net/network.json

Distributed: one master, any number of workers (each reads the same network.json, so the
workers must see the nodes' addresses; start the nodes with --host/--advertise-host):

    locust -f scripts/loadtest/locustfile.py --master --network var/net/network.json
    locust -f scripts/loadtest/locustfile.py --worker --master-host MASTER \\
        --network var/net/network.json          # on each load machine, one per core

Each user runs operations back to back (a closed loop; add ``--wait`` seconds between them, or
use Locust's pacing). Every call is reported as a request named by its transaction
("2207 Settle"), and each operation as one more ("op visit", from its first call to its last).
Workers take msgid sequence numbers modulo 16 by worker index, so up to 16 workers never send
the same msgid for an institution. Settle-only operations open their visit inline (Locust has
no untimed preparation phase); those calls are reported like the others.
"""

from __future__ import annotations

import json
import time
from collections import deque
from pathlib import Path
from typing import Any

import gevent
import grpc.experimental.gevent as grpc_gevent

grpc_gevent.init_gevent()  # before any gRPC object: gRPC's I/O must yield to gevent

import grpc  # noqa: E402
from locust import User, between, constant, events, task  # noqa: E402

from scripts import connect  # noqa: E402
from scripts.loadtest import messages as msg  # noqa: E402
from scripts.loadtest import target  # noqa: E402
from scripts.loadtest.client import CALLS, MsgidSource  # noqa: E402
from scripts.loadtest.model import Op, TrafficModel, load_config  # noqa: E402
from services.pb.settlenet.v1 import treatment_pb2_grpc  # noqa: E402
from services.values import clock  # noqa: E402

MSGID_PARTS = 16


@events.init_command_line_parser.add_listener  # type: ignore[untyped-decorator]
def _arguments(parser: Any) -> None:
    parser.add_argument(
        "--network",
        default="var/network/network.json",
        help="DIR/network.json of the network to drive",
    )
    parser.add_argument("--traffic-model", default="", help="traffic model file (YAML/JSON)")
    parser.add_argument("--traffic-seed", type=int, default=1, help="traffic seed")
    parser.add_argument("--call-timeout", type=float, default=10.0, help="deadline per call, s")
    parser.add_argument(
        "--wait", type=float, default=0.0, help="seconds each user waits between operations"
    )
    parser.add_argument(
        "--stop-after",
        type=int,
        default=0,
        help="stop the run once this many operations have finished (0: run for -t)",
    )


class Traffic:
    """One per process: the model's operations, channels, msgid sources, settled visits."""

    def __init__(self, options: Any, worker_index: int | None) -> None:
        doc = json.loads(Path(options.network).read_text(encoding="utf-8"))
        self.doc = doc
        self.views = target.views(doc)
        cfg = load_config(
            Path(options.traffic_model) if options.traffic_model else None,
            seed=options.traffic_seed + (worker_index or 0),
        )
        self.ops = TrafficModel(cfg, self.views).ops()
        self.timeout = options.call_timeout
        self.part, self.parts = (
            (worker_index % MSGID_PARTS, MSGID_PARTS) if worker_index is not None else (0, 1)
        )
        self.stubs: dict[str, Any] = {}
        self.msgids: dict[str, MsgidSource] = {}
        self.settled: deque[msg.Settled] = deque(maxlen=10_000)
        self.finished = 0
        """Operations finished in this process (``--stop-after`` counts them)."""

    def stub(self, code: str) -> Any:
        if code not in self.stubs:
            channel = connect.sync_hospitals(self.doc, code)
            make: Any = treatment_pb2_grpc.TreatmentServiceStub  # generated, unannotated
            self.stubs[code] = make(channel)
        return self.stubs[code]

    def msgid(self, code: str) -> str:
        src = self.msgids.setdefault(code, MsgidSource(code, self.part, self.parts))
        while (m := src.take()) is None:
            time.sleep(0.05)  # gevent-patched: yields to the other users
        return m


_traffic: Traffic | None = None


@events.init.add_listener  # type: ignore[untyped-decorator]
def _init(environment: Any, **_: Any) -> None:
    global _traffic
    if environment.parsed_options is None:
        return
    runner = environment.runner
    index = getattr(runner, "worker_index", None) if runner is not None else None
    if type(runner).__name__ == "MasterRunner":
        return  # the master only aggregates
    _traffic = Traffic(environment.parsed_options, index)


class CallFailed(Exception):
    pass


class SettlenetUser(User):
    """A hospital's HIS running the traffic model's operations against the treatment nodes."""

    wait_time = constant(0)

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        opts = environment.parsed_options
        if opts is not None and opts.wait:
            pace: Any = between(opts.wait * 0.5, opts.wait * 1.5)
            self.wait_time = pace  # type: ignore[method-assign]

    def _call(self, infno: str, op_treat: str, method: str, request: Any) -> Any:
        assert _traffic is not None
        name = CALLS[infno]
        started = time.perf_counter()
        exc: Exception | None = None
        response = None
        try:
            response = getattr(_traffic.stub(op_treat), method)(request, timeout=_traffic.timeout)
        except grpc.RpcError as e:
            exc = CallFailed(f"{e.code().name}: {e.details()}")
        self.environment.events.request.fire(
            request_type="grpc",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=response.ByteSize() if response is not None else 0,
            exception=exc,
            context={},
        )
        if exc is not None:
            raise exc
        return response

    def _h(self, infno: str, op: Op, insuplc: str) -> Any:
        assert _traffic is not None
        return msg.header(
            infno, op.institution, insuplc, _traffic.msgid(op.institution.fixmedins_code)
        )

    def _open(self, op: Op, psn_no: str, insutype: str) -> msg.OpenVisit:
        now = clock.now()
        region = op.person.insuplc_admdvs
        res = self._call(
            "2201",
            op.treat,
            "RegisterVisit",
            msg.register(op, psn_no, insutype, self._h("2201", op, region), now),
        )
        self._call(
            "2204",
            op.treat,
            "UploadFeeDetails",
            msg.upload(op, res.mdtrt_id, psn_no, self._h("2204", op, region), now),
        )
        return msg.OpenVisit(
            op.treat, op.institution, op.person, res.mdtrt_id, psn_no, insutype, op.medfee_sumamt
        )

    def _settle(self, op: Op, v: msg.OpenVisit) -> msg.Settled:
        assert _traffic is not None
        res = self._call(
            "2207", op.treat, "Settle", msg.settle(v, self._h("2207", op, v.person.insuplc_admdvs))
        )
        done = msg.Settled(v, res.setlinfo.setl_id)
        _traffic.settled.append(done)
        return done

    @task
    def operation(self) -> None:
        if _traffic is None:
            return
        op = next(_traffic.ops)
        started = time.perf_counter()
        exc: Exception | None = None
        try:
            region = op.person.insuplc_admdvs
            if op.kind == "visit":
                info = self._call(
                    "1101",
                    op.treat,
                    "QueryPerson",
                    msg.person_query(op, self._h("1101", op, region)),
                )
                v = self._open(op, *msg.person_of(op, info))
                self._call(
                    "2206", op.treat, "PreSettle", msg.settle(v, self._h("2206", op, region))
                )
                self._settle(op, v)
            elif op.kind == "settle_only":
                self._settle(op, self._open(op, op.person.psn_no, op.person.insutype))
            else:
                s = (
                    _traffic.settled.popleft()
                    if _traffic.settled
                    else self._settle(op, self._open(op, op.person.psn_no, op.person.insutype))
                )
                if _traffic.settled and s is _traffic.settled[-1]:
                    _traffic.settled.pop()
                rop = Op(
                    op.seq,
                    op.kind,
                    s.visit.treat,
                    op.insured,
                    s.visit.institution,
                    s.visit.person,
                    op.lines,
                )
                self._call(
                    "2208",
                    s.visit.treat,
                    "RevokeSettlement",
                    msg.revoke(s, self._h("2208", rop, s.visit.person.insuplc_admdvs)),
                )
        except CallFailed as e:
            exc = e
        self.environment.events.request.fire(
            request_type="op",
            name=f"op {op.kind}",
            response_length=0,
            exception=exc,
            response_time=(time.perf_counter() - started) * 1000,
            context={"pair": op.pair},
        )
        _traffic.finished += 1
        stop_after = self.environment.parsed_options.stop_after
        if stop_after and _traffic.finished == stop_after and self.environment.runner:
            # Quit from a greenlet of its own: quitting stops every user, this one included.
            gevent.spawn(self.environment.runner.quit)
