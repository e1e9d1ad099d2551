"""Tests that start nodes by hand (not through ``settlenet up``) run them secure, as the default
is: one network CA and credentials per test folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scripts import certs, connect
from services.security.client import TlsFiles


def prepare(folder: Path, codes: list[str]) -> dict[str, Any]:
    """network.json's ``security`` for a network of ``codes`` (files under FOLDER/tls)."""
    return certs.prepare(folder / "tls", codes)


def node_args(security: dict[str, Any]) -> list[str]:
    """What a node is started with to serve that network."""
    return ["--tls-dir", str(security["tls_dir"])]


def probe(security: dict[str, Any]) -> TlsFiles | None:
    """The certificate a test asks a node's health with."""
    return connect.tls({"security": security}, "operator")


def doc(security: dict[str, Any], hub: str, provinces: dict[str, str]) -> dict[str, Any]:
    """A minimal network.json document of a hand-started network."""
    return {
        "security": security,
        "hub": {"endpoint": hub},
        "provinces": {c: {"endpoint": e} for c, e in provinces.items()},
    }
