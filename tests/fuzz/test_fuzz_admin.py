"""AdminService under malformed documents (hypothesis), against a real in-process network on
port 0: every answer is a refusal the caller can read (INVALID_ARGUMENT, NOT_FOUND, ...) or a
success, never UNKNOWN nor INTERNAL; the node still answers its health check; a refused call
changes no row of the node's database.

Documents are the province's own files mutated at one place (a value swapped for a huge integer,
a wrong type, a deep nesting, a far date, a key dropped or added), random YAML-looking text and
bytes, deep nesting and alias bombs. ``SETTLENET_FUZZ_EXAMPLES`` sets the examples per RPC (50
by default; the slow run: ``SETTLENET_FUZZ_EXAMPLES=2000 pytest -m slow tests/fuzz``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provincial_nodes import config
from scripts import network
from services.pb.settlenet.v1 import admin_pb2, admin_pb2_grpc

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("SETTLENET_FUZZ_EXAMPLES", "50"))
INSURED = "13"
FOLDER = config.DEFAULT_DATA / INSURED
BROKEN = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL}

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


@dataclass
class AdminNode:
    """The insured province's node, its AdminService and a reader of its database."""

    stub: admin_pb2_grpc.AdminServiceStub
    health: health_pb2_grpc.HealthStub
    db: Path

    def fingerprint(self) -> str:
        """A digest of every row of every table of the node's database."""
        digest = hashlib.sha256()
        with closing(sqlite3.connect(self.db)) as conn:
            tables = [
                name
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            ]
            for name in tables:
                # A loaded document's text is large and never changes: its row's id says enough.
                columns = "doc_id, kind, source_name" if name == "admin_documents" else "*"
                rows = sorted(repr(r) for r in conn.execute(f'SELECT {columns} FROM "{name}"'))
                digest.update(f"{name}:{len(rows)}:{''.join(rows)}".encode())
        return digest.hexdigest()

    async def alive(self) -> None:
        answer = await self.health.Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert answer.status == health_pb2.HealthCheckResponse.SERVING


@pytest_asyncio.fixture(scope="module")
async def fuzz_admin_node(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AdminNode]:
    data = tmp_path_factory.mktemp("fuzz-admin")
    net = await network.start(data, (INSURED,))
    channel = grpc.aio.insecure_channel(net.provinces[INSURED].endpoint)
    try:
        yield AdminNode(
            admin_pb2_grpc.AdminServiceStub(channel),
            health_pb2_grpc.HealthStub(channel),
            data / f"province-{INSURED}.db",
        )
    finally:
        await channel.close()
        await net.stop()


async def _call(node: AdminNode, method: str, request: Any) -> None:
    """Call, and check the answer is a success or a readable refusal that changed nothing."""
    before = node.fingerprint()
    try:
        await getattr(node.stub, method)(request, timeout=30)
    except grpc.aio.AioRpcError as err:
        assert err.code() not in BROKEN, f"{method}: {err.code().name} {err.details()}"
        assert len(err.details() or "") < 1000, "a refusal shows the value once, cut short"
        assert node.fingerprint() == before, f"{method} refused ({err.code().name}) but changed"
    await node.alive()


# ---- documents --------------------------------------------------------------------------------


def _valid(name: str) -> Any:
    return yaml.safe_load((FOLDER / f"{name}.yaml").read_text(encoding="utf-8"))


VALID = {"LoadPolicy": _valid("policy"), "LoadCatalogue": _valid("catalogue")}
VALID["LoadPersons"] = _valid("persons")

HUGE_INTS = st.one_of(
    st.sampled_from([2**63, 2**63 - 1, -(2**63) - 1, 2**64, -1, 10**30, 2**31, 10_000_000_001]),
    st.builds(lambda: 10**4000),  # past Python's 4,300-digit str() limit
)
SCALARS = st.one_of(
    HUGE_INTS,
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=80),
    st.sampled_from(["", "0.70", "1.5", "-0.1", "1e999", "NaN", "130100", "9999-12-31"]),
    # Another person's psn_no, filing and qualification ids: a load must not take them over.
    st.sampled_from(
        ["13010000000000000001", "F13010000000000000001001", "Q13010000000000000006001"]
    ),
    st.builds(lambda: "x" * 600),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.sampled_from([dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.date(1899, 12, 31)]),
    st.binary(max_size=20),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a document: mapping keys and list indexes, leaves and branches."""
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


PATHS = {rpc: _paths(doc) for rpc, doc in VALID.items()}


def _copy(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: _copy(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_copy(v) for v in doc]
    return doc


@st.composite
def mutated(draw: st.DrawFn, rpc: str) -> str:
    """A valid document of ``rpc`` changed at one to three places, dumped as YAML."""
    doc = _copy(VALID[rpc])
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS[rpc]))
        if not path:
            doc = draw(VALUES)
            break
        parent = doc
        try:
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]]  # noqa: B018 - the place still exists after an earlier change
        except (KeyError, IndexError, TypeError):
            continue
        action = draw(st.sampled_from(["value", "drop", "add", "wrap", "nest", "twice"]))
        last = path[-1]
        if action == "value":
            parent[last] = draw(VALUES)
        elif action == "drop":
            del parent[last]
        elif action == "add" and isinstance(parent[last], dict):
            parent[last][draw(st.text(max_size=10))] = draw(VALUES)
        elif action == "wrap":
            parent[last] = [parent[last]]
        elif action == "nest":
            value: Any = parent[last]
            for _ in range(draw(st.integers(1, 60))):
                value = {"k": value} if draw(st.booleans()) else [value]
            parent[last] = value
        elif action == "twice" and isinstance(parent, list):
            parent.append(_copy(parent[last]))
    try:
        return yaml.safe_dump(doc, allow_unicode=True)
    except (yaml.YAMLError, ValueError, TypeError):  # a value PyYAML will not write
        return yaml.safe_dump(VALID[rpc]) + "\n" + repr(doc)[:200]


def _alias_bomb(levels: int, fanout: int) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * fanout)}]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * fanout)}]")
    return "\n".join(lines) + f"\nschemes: *a{levels - 1}\nentries: *a{levels - 1}\n"


NASTY = st.one_of(
    st.integers(1, 5000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 3000).map(lambda n: "".join(f"{'  ' * i}k:\n" for i in range(n)) + "x"),
    st.integers(1, 2000).map(lambda n: "- " * n + "x"),
    st.tuples(st.integers(2, 12), st.integers(2, 10)).map(lambda t: _alias_bomb(*t)),
    st.sampled_from(
        [
            "a: &a [*a]",
            "schemes: &s {x: *s}",
            "x: !!python/object/apply:os.system [true]",
            "x: !!binary zzz",
            "x: 2026-13-45",
            "x: " + "9" * 5000,
            "x: 0b" + "1" * 20000,
            "schemes: {'130100': 1, '130100': 2}",
            "schemes:\n  130100: []\n  '130100': []",
            "\0",
            "%YAML 9.9\n---\nx",
            "--- a\n--- b",
            "x: y\n" * 40000,
        ]
    ),
    st.text(max_size=300),
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
    st.text(alphabet="{}[]:-&*!|>'\"#%@`,? \n\t01az", max_size=200),
)


def documents(rpc: str) -> st.SearchStrategy[str]:
    return st.one_of(mutated(rpc), mutated(rpc), NASTY)


SOURCE_NAMES = st.one_of(st.just(""), st.text(max_size=20), st.text(min_size=150, max_size=400))


# ---- the properties ---------------------------------------------------------------------------


@FUZZ
@given(text=documents("LoadPolicy"), name=SOURCE_NAMES)
async def test_fuzz_load_policy_never_unknown(
    fuzz_admin_node: AdminNode, text: str, name: str
) -> None:
    await _call(
        fuzz_admin_node, "LoadPolicy", admin_pb2.LoadDocumentRequest(yaml=text, source_name=name)
    )


@FUZZ
@given(text=documents("LoadCatalogue"), name=SOURCE_NAMES)
async def test_fuzz_load_catalogue_never_unknown(
    fuzz_admin_node: AdminNode, text: str, name: str
) -> None:
    await _call(
        fuzz_admin_node,
        "LoadCatalogue",
        admin_pb2.LoadDocumentRequest(yaml=text, source_name=name),
    )


@FUZZ
@given(text=documents("LoadPersons"), name=SOURCE_NAMES)
async def test_fuzz_load_persons_never_unknown(
    fuzz_admin_node: AdminNode, text: str, name: str
) -> None:
    await _call(
        fuzz_admin_node, "LoadPersons", admin_pb2.LoadDocumentRequest(yaml=text, source_name=name)
    )


@FUZZ
@given(policy=st.booleans(), catalogue=st.booleans())
async def test_fuzz_reset_data_never_unknown(
    fuzz_admin_node: AdminNode, policy: bool, catalogue: bool
) -> None:
    await _call(
        fuzz_admin_node,
        "ResetData",
        admin_pb2.ResetDataRequest(policy=policy, catalogue=catalogue),
    )


@FUZZ
@given(
    psn_no=st.one_of(
        st.text(max_size=40),
        st.sampled_from(["13010000000000000001", "' OR 1=1 --", "\0", "x" * 100_000, "١٣٠"]),
    )
)
async def test_fuzz_get_person_state_never_unknown(fuzz_admin_node: AdminNode, psn_no: str) -> None:
    await _call(fuzz_admin_node, "GetPersonState", admin_pb2.PersonStateRequest(psn_no=psn_no))


async def test_fuzz_admin_a_document_past_the_size_limit_is_refused_naming_yaml(
    fuzz_admin_node: AdminNode,
) -> None:
    text = yaml.safe_dump(VALID["LoadCatalogue"]) + "#" * config.MAX_DOCUMENT_BYTES
    before = fuzz_admin_node.fingerprint()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await fuzz_admin_node.stub.LoadCatalogue(
            admin_pb2.LoadDocumentRequest(yaml=text), timeout=30
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.details().startswith("yaml=")
    assert fuzz_admin_node.fingerprint() == before
