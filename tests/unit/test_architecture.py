"""The layers hold: the pure domain packages load no gRPC, database or logging library and do no
I/O, and no module of the tree imports itself back through others."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "national_hub", "provincial_nodes", "scripts")
FORBIDDEN_IN_DOMAIN = (
    "grpc",
    "sqlalchemy",
    "structlog",
    "google.protobuf",
    "yaml",
    "sqlite3",
    "socket",
    "asyncio",
    "subprocess",
    "services.pb",
    "services.storage",
    "services.rpc",
    "services.logs",
    "services.faults",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "pb" not in path.relative_to(ROOT).parts[:2]:
                found[_module_name(path)] = path
    return found


def _domain_modules() -> list[str]:
    return sorted(name for name in _modules() if ".domain" in name)


def test_there_are_domain_packages_on_both_node_kinds() -> None:
    names = _domain_modules()
    assert any(n.startswith("provincial_nodes.domain.") for n in names)
    assert any(n.startswith("national_hub.domain.") for n in names)


def test_importing_the_domain_loads_no_grpc_database_or_logging() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in _domain_modules())
        + f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN_IN_DOMAIN!r}"
        + f" or any(m == f or m.startswith(f + '.') for f in {FORBIDDEN_IN_DOMAIN!r}))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("name", _domain_modules())
def test_domain_module_imports_nothing_impure(name: str) -> None:
    tree = ast.parse(_modules()[name].read_text(encoding="utf-8"))
    imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imported += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    bad = [m for m in imported if any(m == f or m.startswith(f + ".") for f in FORBIDDEN_IN_DOMAIN)]
    assert bad == []
    calls = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    assert "open" not in calls and "print" not in calls


def _module_level_imports(path: Path, name: str, known: set[str]) -> set[str]:
    """What a module imports when it is loaded (not inside functions, not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    out: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if "TYPE_CHECKING" not in test:
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
            elif isinstance(node, ast.Import):
                out.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                out.add(base)
                out.update(f"{base}.{a.name}" for a in node.names)

    visit(tree.body)
    return {m for m in out if m in known and m != name}


def test_no_import_cycles() -> None:
    modules = _modules()
    known = set(modules)
    graph = {name: _module_level_imports(path, name, known) for name, path in modules.items()}
    # A submodule's import loads its parent packages first.
    for name in list(graph):
        for dep in list(graph[name]):
            parts = dep.split(".")
            graph[name].update(
                ".".join(parts[:i])
                for i in range(1, len(parts))
                if ".".join(parts[:i]) in known and ".".join(parts[:i]) != name
            )
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if name_is_ancestor(dep, node):
                continue  # a package's __init__ is loaded before its submodules: not a cycle
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep) :] + [dep])
            elif dep not in state:
                walk(dep)
        stack.pop()
        state[node] = 2

    def name_is_ancestor(dep: str, node: str) -> bool:
        return node.startswith(dep + ".")

    for node in sorted(graph):
        if node not in state:
            walk(node)
    assert cycles == []


def _imports_of(name: str) -> list[str]:
    tree = ast.parse(_modules()[name].read_text(encoding="utf-8"))
    out = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    return out + [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]


@pytest.mark.parametrize(
    "name",
    sorted(n for n in _modules() if ".service_layer." in n or ".entrypoints." in n),
)
def test_handlers_and_servicers_write_no_sql(name: str) -> None:
    """SQL lives in the adapters' repositories: a handler or a servicer imports no database
    library, and a handler not even the storage package (it gets a unit of work)."""
    imported = _imports_of(name)
    assert [m for m in imported if m == "sqlalchemy" or m.startswith("sqlalchemy.")] == []
    if ".service_layer." in name:
        assert [m for m in imported if m.startswith("services.storage")] == []
