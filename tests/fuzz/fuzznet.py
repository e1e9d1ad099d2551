"""What the fuzz tests share: a real in-process network (hub, Beijing treating, Hebei insured) on
its own event loop in a thread, so that synchronous hypothesis tests can call it; a digest of
every node database that tells whether a call changed a row; and the strategies that make
malformed requests from valid ones.

``SETTLENET_FUZZ_EXAMPLES`` sets the examples per RPC (default 50; the slow run uses 2000).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.protobuf.descriptor import FieldDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import strategies as st

from scripts import network

T = TypeVar("T")
EXAMPLES = int(os.environ.get("SETTLENET_FUZZ_EXAMPLES", "50"))
CALL_TIMEOUT_S = 30.0
NEVER = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL}
"""Codes no input may get: UNKNOWN is a bug that escaped, INTERNAL a bug that was caught."""
QUIET_DBS = ("routed_messages",)
"""The hub's log of routed messages: appended for every forward, refused or not (a refused
2201 asks the insured place through the hub); not a business row."""


class LiveNetwork:
    """The in-process network, served from a thread of its own."""

    def __init__(self, data: Path, provinces: tuple[str, ...] = ("11", "13")) -> None:
        self.data = data
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fuzznet", daemon=True)
        self.thread.start()
        self.net = self.run(network.start(data, provinces))
        self.channels: dict[str, grpc.aio.Channel] = {}
        self.run(self._open())
        self.dbs = Databases(data)

    async def _open(self) -> None:
        for code, node in self.net.provinces.items():
            self.channels[code] = grpc.aio.insecure_channel(node.endpoint)
        self.channels["hub"] = grpc.aio.insecure_channel(self.net.hub.endpoint)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, node: str, stub_cls: Any, method: str, request: Any) -> tuple[Any, Any]:
        """(response, None) or (None, the AioRpcError) of one call to ``node``."""

        async def go() -> tuple[Any, Any]:
            stub = stub_cls(self.channels[node])
            try:
                return await getattr(stub, method)(request, timeout=CALL_TIMEOUT_S), None
            except grpc.aio.AioRpcError as exc:
                return None, exc

        return self.run(go(), timeout=CALL_TIMEOUT_S + 10)

    def healthy(self) -> bool:
        """Every node answers its health check SERVING."""

        async def go() -> bool:
            for channel in self.channels.values():
                answer = await health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service=""), timeout=10
                )
                if answer.status != health_pb2.HealthCheckResponse.SERVING:
                    return False
            return True

        return self.run(go())

    def close(self) -> None:
        async def go() -> None:
            for channel in self.channels.values():
                await channel.close()
            await self.net.stop()

        try:
            self.run(go())
        finally:
            self.dbs.close()
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()


class Databases:
    """Every node's SQLite database, read from outside: ``PRAGMA data_version`` says at no cost
    whether anything committed since the last look; only then are the tables hashed."""

    def __init__(self, data: Path) -> None:
        self.conns = {
            p.name: sqlite3.connect(f"file:{p}?mode=ro", uri=True, isolation_level=None)
            for p in sorted(data.glob("*.db"))
        }
        self._seen: dict[str, tuple[int, str]] = {}

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()

    def digest(self) -> dict[str, str]:
        out = {}
        for name, conn in self.conns.items():
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            seen = self._seen.get(name)
            if seen is None or seen[0] != version:
                seen = (version, self._hash(conn))
                self._seen[name] = seen
            out[name] = seen[1]
        return out

    @staticmethod
    def _hash(conn: sqlite3.Connection) -> str:
        h = hashlib.sha256()
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        for table in tables:
            if table in QUIET_DBS:
                continue
            h.update(table.encode())
            for row in sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{table}"')):
                h.update(row.encode())
        return h.hexdigest()

    def settle(self, quiet_s: float = 0.06, most_s: float = 3.0) -> None:
        """Wait until no database changed for ``quiet_s`` (work an accepted call started in the
        background, such as a filing's publication to the hub, has landed)."""
        deadline = time.monotonic() + most_s
        last = self._versions()
        calm_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.03)
            now = self._versions()
            if now != last:
                last, calm_since = now, time.monotonic()
            elif time.monotonic() - calm_since >= quiet_s:
                return

    def _versions(self) -> tuple[int, ...]:
        return tuple(c.execute("PRAGMA data_version").fetchone()[0] for c in self.conns.values())


# ---- strategies ---------------------------------------------------------------------------

SPECIAL_TEXT = [
    "",
    " ",
    "\x00",
    "1301\x00000",
    "' OR 1=1 --",
    "'; DROP TABLE visits; --",
    '" OR ""="',
    "%s%s%n",
    "${jndi:ldap://x}",
    "../../etc/passwd",
    "990000",
    "000000",
    "99",
    "A" * 31,
    "0" * 65,
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2026-02-30",
    "2026-13-01",
    "9999-12-31 23:59:59",
    "1899-12-31 23:59:59",
    "2026-02-30 25:61:61",
    "１３０１００",
    "\u202e\u200b",
    "名" * 51,
    "😀" * 20,
    "\r\n",
    "-1",
    "NaN",
    "1e309",
    "0.0000001",
    "99999999999999999999",
]
INT64 = (-(2**63), 2**63 - 1)
SPECIAL_INT = [0, -1, 1, 2**31, 2**53 + 1, 2**62, INT64[0], INT64[1], 10**12]
SPECIAL_COUNTS = [0, 2, 51, 501, 5_000, 10_001]

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # protobuf strings are UTF-8
    max_size=80,
)
_huge = st.sampled_from([31, 65, 501, 4_096, 70_000, 1 << 20]).map(lambda n: "9" * n)


def text_values() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(SPECIAL_TEXT), _text, _huge)


def int_values(bits: int = 64) -> st.SearchStrategy[int]:
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return st.one_of(
        st.sampled_from([v for v in SPECIAL_INT if lo <= v <= hi]), st.integers(lo, hi)
    )


_INT_BITS = {
    FieldDescriptor.TYPE_INT64: 64,
    FieldDescriptor.TYPE_SINT64: 64,
    FieldDescriptor.TYPE_SFIXED64: 64,
    FieldDescriptor.TYPE_INT32: 32,
    FieldDescriptor.TYPE_SINT32: 32,
    FieldDescriptor.TYPE_SFIXED32: 32,
}


def scalar_values(field: Any) -> st.SearchStrategy[Any]:
    if field.type == FieldDescriptor.TYPE_STRING:
        return text_values()
    if field.type == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if field.type in _INT_BITS:
        return int_values(_INT_BITS[field.type])
    if field.type == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=64)
    if field.type == FieldDescriptor.TYPE_ENUM:
        return st.sampled_from([v.number for v in field.enum_type.values])
    raise AssertionError(f"no strategy for {field.full_name}")


Path_ = tuple[tuple[str, int | None], ...]
"""Steps to a field: (name, None) for a singular field, (name, i) for element i."""


def _paths(message: Any, prefix: Path_ = ()) -> list[tuple[Path_, Any]]:
    """Every field of ``message``'s type (set or not), with nested messages and the elements
    of repeated messages that are there: (path, field descriptor)."""
    out: list[tuple[Path_, Any]] = []
    for field in message.DESCRIPTOR.fields:
        here = (*prefix, (field.name, None))
        out.append((here, field))
        if field.type != FieldDescriptor.TYPE_MESSAGE:
            continue
        if field.is_repeated:
            for i, item in enumerate(getattr(message, field.name)):
                out += _paths(item, (*prefix, (field.name, i)))
        else:
            out += _paths(getattr(message, field.name), here)
    return out


def _parent(message: Any, path: Path_) -> Any:
    for name, index in path[:-1]:
        message = getattr(message, name) if index is None else getattr(message, name)[index]
    return message


def mutate(data: st.DataObject, base: Any) -> Any:
    """``base`` with one to three fields changed to hostile values (a copy)."""
    request = type(base)()
    request.CopyFrom(base)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = _paths(request)
        path, field = data.draw(st.sampled_from(paths), label="field")
        parent = _parent(request, path)
        name = path[-1][0]
        if field.is_repeated:
            box = getattr(parent, name)
            count = data.draw(st.sampled_from(SPECIAL_COUNTS), label=f"{name} count")
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                model = box[0] if len(box) else field.message_type._concrete_class()
                count = min(count, MAX_REQUEST_BYTES // max(1, model.ByteSize()))
                copies = [type(model)() for _ in range(count)]
                for c in copies:
                    c.CopyFrom(model)
                del box[:]
                box.extend(copies)
            else:
                value = data.draw(scalar_values(field), label=name)
                size = len(value) if isinstance(value, str | bytes) else 8
                count = min(count, MAX_REQUEST_BYTES // max(1, size))
                del box[:]
                box.extend([value] * count)
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            choice = data.draw(st.sampled_from(["clear", "random"]), label=f"{name} message")
            parent.ClearField(name)
            if choice == "random":
                getattr(parent, name).CopyFrom(data.draw(random_message(field.message_type)))
        else:
            setattr(parent, name, data.draw(scalar_values(field), label=name))
    return request


def random_message(descriptor: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """A message of ``descriptor``'s type with random values in random fields."""

    @st.composite
    def build(draw: Callable[..., Any]) -> Any:
        message = descriptor._concrete_class()
        for field in descriptor.fields:
            if not draw(st.booleans()):
                continue
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                if depth >= 3:
                    continue
                inner = random_message(field.message_type, depth + 1)
                if field.is_repeated:
                    getattr(message, field.name).extend(draw(st.lists(inner, max_size=3)))
                else:
                    getattr(message, field.name).CopyFrom(draw(inner))
            elif field.is_repeated:
                getattr(message, field.name).extend(
                    draw(st.lists(scalar_values(field), max_size=3))
                )
            else:
                setattr(message, field.name, draw(scalar_values(field)))
        return message

    return build()


@dataclass
class Outcome:
    """What one fuzzed call did."""

    code: grpc.StatusCode
    details: str
    changed: bool


@dataclass
class Target:
    """One RPC to fuzz: where it is served, a valid request now, what to do once one is
    accepted (open the next visit, revoke the filing just made...)."""

    node: str
    stub: Any
    method: str
    base: Callable[[], Any]
    accepted: Callable[[Any], None] = lambda response: None


MAX_REQUEST_BYTES = 3 << 20
"""Below gRPC's 4 MiB receive limit: a bigger request is refused by the transport
(RESOURCE_EXHAUSTED) before any settlenet code sees it."""


def exercise(live: LiveNetwork, target: Target, data: st.DataObject) -> Outcome:
    """Send one malformed (mutated or random) request; check that it got no UNKNOWN or
    INTERNAL, that a refused one changed no row, and that every node still answers health."""
    base = target.base()
    how = data.draw(st.sampled_from(["mutate", "mutate", "mutate", "random"]), label="how")
    if how == "mutate":
        request = mutate(data, base)
    else:
        request = data.draw(random_message(base.DESCRIPTOR), label="random request")
        has_header = "header" in base.DESCRIPTOR.fields_by_name
        if has_header and data.draw(st.booleans(), label="keep a valid header"):
            request.header.CopyFrom(base.header)
    if request.ByteSize() > MAX_REQUEST_BYTES:
        request = base  # the mutation only made it too big for the transport
    before = live.dbs.digest()
    response, error = live.call(target.node, target.stub, target.method, request)
    if error is None:
        target.accepted(response)
        live.dbs.settle()
        outcome = Outcome(grpc.StatusCode.OK, "", True)
    else:
        code, details = error.code(), error.details() or ""
        assert code not in NEVER, f"{target.method}: {code.name}: {details}\n{request}"
        assert code != grpc.StatusCode.DEADLINE_EXCEEDED, f"{target.method} hung: {request}"
        changed = live.dbs.digest() != before
        assert not changed, f"{target.method} refused ({code.name}: {details}) but changed rows"
        outcome = Outcome(code, details, False)
    assert live.healthy(), f"a node stopped serving after {target.method}"
    return outcome
