"""Designated medical institutions (定点医药机构) known to a treatment node."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Institution:
    fixmedins_code: str
    fixmedins_name: str
    medins_lv: str
    """"1" primary, "2" secondary, "3" tertiary."""
    admdvs: str
    cross_province: bool
    """Open for cross-province direct settlement (跨省联网定点)."""
