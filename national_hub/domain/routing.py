"""The routing decision: which registered node serves an insured place (by the province part of
its admdvs, and only for a region the node insures), what a registration must look like, and
which nodes hear of a filing change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol, TypeVar

from national_hub.domain.model import Node
from services.values.errors import InvalidField, NotFound


class _Serves(Protocol):
    @property
    def node(self) -> Node: ...


N = TypeVar("N", bound=_Serves)


def route(nodes: Mapping[str, N], insuplc_admdvs: str) -> N:
    """The node (by province code in ``nodes``) that insures ``insuplc_admdvs``; NotFound
    when none is registered for the province or the province's node does not insure it."""
    found = nodes.get(insuplc_admdvs[:2])
    if found is None:
        raise NotFound(
            "header.insuplc_admdvs",
            insuplc_admdvs,
            f"no province node is registered for province {insuplc_admdvs[:2]}",
        )
    node = found.node
    if insuplc_admdvs not in node.admdvs:
        raise NotFound(
            "header.insuplc_admdvs",
            insuplc_admdvs,
            f"province {node.province_code} node insures {', '.join(node.admdvs)}, not this region",
        )
    return found


def check_registration(code: str, endpoint: str, admdvs: list[str]) -> None:
    """InvalidField unless ``code`` is a province, ``endpoint`` host:port and every admdvs a
    region of that province."""
    if not (len(code) == 2 and code.isdigit()):
        raise InvalidField("province_code", code, "must be a 2-digit province code")
    if ":" not in endpoint:
        raise InvalidField("endpoint", endpoint, "must be host:port")
    if not admdvs:
        raise InvalidField("admdvs", "[]", "a node must insure at least one region")
    for i, a in enumerate(admdvs):
        if not (len(a) == 6 and a.isdigit() and a[:2] == code):
            raise InvalidField(f"admdvs[{i}]", a, f"must be a 6-digit code in province {code}")


def provinces_of(admdvs: Iterable[str]) -> list[str]:
    """The provinces of some regions, sorted, once each."""
    return sorted({code[:2] for code in admdvs})


def notice_recipients(nodes: Iterable[N], insuplc_admdvs: str) -> list[N]:
    """The nodes told of a filing change: every node but the insured place's own."""
    return [n for n in nodes if n.node.province_code != insuplc_admdvs[:2]]


FORWARDED_RPC: dict[str, str] = {
    "1101": "QueryPerson",
    "2206": "ComputeSplit",
    "2207": "CommitSettlement",
    "2208": "RevokeSettlement",
    "2601": "Correct",
}
"""The insured node's method each message the hub forwards goes to (2601: its
InsuredCorrectionService, the rest: InsuredService)."""


def routed_rpc(infno: str) -> str:
    """ "Service/Method" of the insured node a message with ``infno`` went to, "" if none."""
    name = FORWARDED_RPC.get(infno)
    if name is None:
        return ""
    service = "InsuredCorrectionService" if infno == "2601" else "InsuredService"
    return f"{service}/{name}"
