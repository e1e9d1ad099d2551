"""Who is calling: read from the caller's certificate, or from its x-tif credentials."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    HUB = "hub"
    PROVINCE = "province"
    """A province node (its certificate says province-NN)."""
    OPERATOR = "operator"
    """Whoever runs the network: advances, top-ups, clearing, in-doubt resolution, reads."""
    ADMIN = "admin"
    """AdminService: loading policy, catalogue and persons into a test node."""
    INSTITUTION = "institution"
    """A designated hospital or pharmacy, by its x-tif credentials."""
    DESK = "desk"
    """A filing desk (window, agency, app) of an insured region, by its x-tif credentials."""
    ANYONE = "anyone"
    """A network run with --insecure: nobody is checked, everyone may do everything."""


PROVINCE_CERT_RE = re.compile(r"^province-(\d{2})$")


@dataclass(frozen=True)
class Principal:
    kind: Kind
    province: str = ""
    """The province of a province node, an institution or a desk."""
    code: str = ""
    """An institution's fixmedins_code or a desk's sender code."""
    paasid: str = ""
    certificate: str = ""
    """The common name of the certificate the call came with."""

    def describe(self) -> str:
        if self.kind in (Kind.INSTITUTION, Kind.DESK):
            return f"{self.kind} {self.code} (paasid {self.paasid})"
        if self.kind is Kind.PROVINCE:
            return f"province node {self.province}"
        return str(self.kind)


ANYONE = Principal(Kind.ANYONE)


def from_certificate(common_name: str) -> Principal | None:
    """The node or role a certificate names; None for ``access`` (a client that must say who
    it is with x-tif credentials) and for names settlenet never issues."""
    if common_name in ("hub", "operator", "admin"):
        return Principal(Kind(common_name), certificate=common_name)
    match = PROVINCE_CERT_RE.match(common_name)
    if match:
        return Principal(Kind.PROVINCE, province=match.group(1), certificate=common_name)
    return None
