"""This installation's settlenet version: what a node tells the hub when it registers and the web
view shows."""

from __future__ import annotations

from functools import cache
from importlib import metadata


@cache
def settlenet_version() -> str:
    try:
        return metadata.version("settlenet")
    except metadata.PackageNotFoundError:  # a checkout run without installing
        return "dev"
