"""The hub's domain is pure: importing it loads neither gRPC, SQLAlchemy, structlog nor
protobuf (checked in a fresh interpreter, so other tests' imports do not hide a leak)."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import importlib, pkgutil, sys
import national_hub.domain as d
for m in pkgutil.iter_modules(d.__path__):
    importlib.import_module("national_hub.domain." + m.name)
heavy = ("grpc", "sqlalchemy", "structlog", "google")
print(sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in heavy}))
"""


def test_hub_domain_loads_no_grpc_sqlalchemy_structlog_or_protobuf() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
