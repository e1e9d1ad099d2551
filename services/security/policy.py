"""Who may call what: the authorization matrix, one rule per RPC, per kind of node.

A rule names the kinds of caller an RPC is for and, where the request says whose it is, a check
that it is the caller's own: an institution acts only under its own ``fixmedins_code`` (and the
node then only finds that institution's visits and settlements), a province node routes only
for its own ``mdtrtarea_admvs``, registers and publishes only for itself, reads only its own
advance, top-ups, statement and reconciliation side. An RPC missing from the matrix is refused
to everyone: every RPC has an owner. The README's matrix is this table in words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.security.principal import Kind, Principal
from services.values.errors import PermissionDenied

PACKAGE = "settlenet.v1"
OPEN_SERVICES = ("/grpc.health.v1.Health/", "/grpc.reflection.v1alpha.ServerReflection/")
"""Health and reflection answer anyone who reached the port."""

Check = Callable[[Principal, Any, str], None]
"""(caller, request, the serving node's province code or "" at the hub); raises
PermissionDenied."""


@dataclass(frozen=True)
class Rule:
    callers: frozenset[Kind]
    check: Check | None = None

    def who(self) -> str:
        return ", ".join(sorted(k.value for k in self.callers))


def _rule(*callers: Kind, check: Check | None = None) -> Rule:
    return Rule(frozenset(callers), check)


def method(service: str, name: str) -> str:
    return f"/{PACKAGE}.{service}/{name}"


def _province_of_code(code: str) -> str:
    """The province of an institution code (H11010500001 → 11) or a desk code
    (S130100W0001 → 13)."""
    return code[1:3]


# ---------------------------------------------------------------- checks on the request


def own_envelope(caller: Principal, request: Any, node: str) -> None:
    """An institution or desk of this province, acting under its own code: the envelope's
    fixmedins_code (institutions) and the msgid's first 12 characters are the code its paasid
    is bound to."""
    if caller.kind is Kind.ANYONE:
        return
    if caller.province != node:
        raise PermissionDenied(
            "x-tif-paasid",
            caller.paasid,
            f"{caller.describe()} is of province {caller.province}, not of this node ({node})",
        )
    header = request.header
    if caller.kind is Kind.INSTITUTION and header.fixmedins_code != caller.code:
        raise PermissionDenied(
            "header.fixmedins_code",
            header.fixmedins_code,
            f"the credentials are {caller.code}'s: an institution acts only under its own code",
        )
    if header.msgid[:12] != caller.code:
        raise PermissionDenied(
            "header.msgid",
            header.msgid,
            f"must start with {caller.code}, the code the credentials are bound to",
        )


def own_area(caller: Principal, request: Any, node: str) -> None:
    """A province node forwards only its own institutions' messages."""
    if caller.kind is not Kind.PROVINCE:
        return
    area = request.header.mdtrtarea_admvs
    if area[:2] != caller.province:
        raise PermissionDenied(
            "header.mdtrtarea_admvs",
            area,
            f"province node {caller.province} forwards only visits treated in its province",
        )


def _field_is_own(field: str) -> Check:
    def check(caller: Principal, request: Any, node: str) -> None:
        if caller.kind is not Kind.PROVINCE:
            return
        value = getattr(request, field)
        if value[:2] != caller.province:
            raise PermissionDenied(
                field, value, f"province node {caller.province} may act only for itself"
            )

    check.__doc__ = f"A province node only for itself (``{field}``)."
    return check


def own_registry_rows(caller: Principal, request: Any, node: str) -> None:
    """A province reads the filing registry only for its insured persons or its destinations."""
    if caller.kind is not Kind.PROVINCE:
        return
    if caller.province not in (request.insuplc_admdvs[:2], request.dest_admdvs[:2]):
        raise PermissionDenied(
            "insuplc_admdvs",
            request.insuplc_admdvs,
            f"province node {caller.province} reads the registry with its own insuplc_admdvs "
            "or dest_admdvs",
        )


def own_journal_rows(caller: Principal, request: Any, node: str) -> None:
    """A province reads the journal only for its own institutions' msgids, one at a time, and
    without the bodies (the operator's)."""
    if caller.kind is not Kind.PROVINCE:
        return
    if request.with_bodies:
        raise PermissionDenied(
            "with_bodies", True, "the routed requests and answers are the operator's to read"
        )
    if not request.msgid or _province_of_code(request.msgid) != caller.province:
        raise PermissionDenied(
            "msgid",
            request.msgid,
            f"province node {caller.province} reads the journal for its institutions' msgids",
        )


def own_envelope_or_hub(caller: Principal, request: Any, node: str) -> None:
    """The hub (any institution's visit: it names the institution in the envelope), or an
    institution under its own code (:func:`own_envelope`)."""
    if caller.kind is Kind.HUB:
        return
    own_envelope(caller, request, node)


def this_node(caller: Principal, request: Any, node: str) -> None:
    """A province node reads its own side only."""
    if caller.kind is Kind.PROVINCE and caller.province != node:
        raise PermissionDenied(
            "certificate", caller.certificate, f"only province node {node} itself reads this"
        )


# ---------------------------------------------------------------- the matrix

HUB, NODE, OPERATOR, ADMIN = Kind.HUB, Kind.PROVINCE, Kind.OPERATOR, Kind.ADMIN
INSTITUTION, DESK = Kind.INSTITUTION, Kind.DESK

_TREATMENT = ("QueryPerson", "RegisterVisit", "UploadFeeDetails", "PreSettle", "Settle")
_FILING = (
    "CreateFiling",
    "ChangeFiling",
    "RevokeFiling",
    "QueryFilings",
    "QualifyChronic",
    "RevokeQualification",
    "QueryQualifications",
)

PROVINCE_RULES: dict[str, Rule] = {
    **{
        method("TreatmentService", m): _rule(INSTITUTION, check=own_envelope)
        for m in (
            *_TREATMENT,
            "RevokeSettlement",
            "QuerySettlement",
            "CancelRegistration",
            "UploadDiagnoses",
            "CancelFeeDetails",
        )
    },
    # The hub reads a visit's fee lines to show which catalogue entries a settlement used (its
    # web view); an institution its own.
    method("TreatmentService", "QueryFeeDetails"): _rule(
        INSTITUTION, HUB, check=own_envelope_or_hub
    ),
    **{
        method("HospitalReconcileService", m): _rule(INSTITUTION, check=own_envelope)
        for m in ("Totals", "Details")
    },
    method("CorrectionService", "Correct"): _rule(INSTITUTION, check=own_envelope),
    method("CorrectionService", "QueryMessage"): _rule(INSTITUTION, check=own_envelope),
    # The hub asks before clearing a month what a province still holds in doubt.
    method("CorrectionService", "ListInDoubt"): _rule(OPERATOR, HUB),
    method("CorrectionService", "ResolveInDoubt"): _rule(OPERATOR),
    **{
        method("InsuredService", m): _rule(HUB)
        for m in ("QueryPerson", "ComputeSplit", "CommitSettlement", "RevokeSettlement")
    },
    method("InsuredCorrectionService", "Correct"): _rule(HUB),
    method("InsuredCorrectionService", "QueryMessage"): _rule(HUB),
    **{method("FilingService", m): _rule(DESK, check=own_envelope) for m in _FILING},
    method("FilingService", "FilingChanged"): _rule(HUB),
    method("ReconcileService", "Totals"): _rule(OPERATOR, HUB, NODE, check=this_node),
    method("ReconcileService", "Details"): _rule(OPERATOR, HUB, NODE, check=this_node),
    **{
        method("AdminService", m): _rule(ADMIN)
        for m in ("LoadPolicy", "LoadCatalogue", "LoadPersons", "ResetData", "GetPersonState")
    },
    # Programmable behaviour of a simulated node (docs/behaviour.md): for whoever runs the test.
    **{
        method("BehaviourService", m): _rule(OPERATOR, ADMIN)
        for m in ("SetBehaviour", "GetBehaviour", "ListCalls")
    },
}

HUB_RULES: dict[str, Rule] = {
    **{
        method("HubService", m): _rule(NODE, check=own_area)
        for m in ("QueryPerson", "PreSettle", "Settle", "RevokeSettlement")
    },
    method("HubService", "RegisterNode"): _rule(
        NODE, OPERATOR, check=_field_is_own("province_code")
    ),
    method("HubService", "ListNodes"): _rule(OPERATOR, NODE),
    method("HubService", "DeregisterNode"): _rule(OPERATOR),
    method("HubService", "QueryJournal"): _rule(OPERATOR, NODE, check=own_journal_rows),
    method("FilingRegistryService", "PublishFiling"): _rule(
        NODE, check=_field_is_own("insuplc_admdvs")
    ),
    method("FilingRegistryService", "QueryRegistry"): _rule(
        OPERATOR, NODE, check=own_registry_rows
    ),
    method("ReconcileService", "Totals"): _rule(OPERATOR, NODE, check=_field_is_own("counterpart")),
    method("ReconcileService", "Details"): _rule(
        OPERATOR, NODE, check=_field_is_own("counterpart")
    ),
    method("AdvanceService", "QueryAdvances"): _rule(
        OPERATOR, NODE, check=_field_is_own("province")
    ),
    method("AdvanceService", "TopUp"): _rule(OPERATOR),
    method("AdvanceService", "Resize"): _rule(OPERATOR),
    method("TopUpService", "RequestTopUp"): _rule(OPERATOR),
    method("TopUpService", "SettleTopUp"): _rule(OPERATOR),
    method("TopUpService", "ListTopUps"): _rule(OPERATOR, NODE, check=_field_is_own("province")),
    method("ClearingService", "ClearMonth"): _rule(OPERATOR),
    method("ClearingService", "GetClearing"): _rule(OPERATOR, NODE),
    method("ClearingService", "ConfirmStatement"): _rule(
        OPERATOR, NODE, check=_field_is_own("province")
    ),
    method("CorrectionService", "Correct"): _rule(NODE, check=own_area),
    method("CorrectionService", "QueryMessage"): _rule(NODE, check=own_area),
    method("CorrectionService", "ListInDoubt"): _rule(OPERATOR),
    method("CorrectionService", "ResolveInDoubt"): _rule(OPERATOR),
}


def rules_for(node: str) -> dict[str, Rule]:
    """The matrix of the hub (``node`` "") or of a province node (its code)."""
    return HUB_RULES if not node else PROVINCE_RULES
