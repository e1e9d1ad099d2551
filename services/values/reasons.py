"""Every ErrorInfo reason settlenet answers, in one enum.

A refused call carries one of these in its ``google.rpc.ErrorInfo.reason`` (domain
``settlenet``), so a province team's client can branch on a stable code instead of the
message text. The same list, with the same words, is the ``Reason`` enum of
``protos/settlenet/v1/common.proto`` and the error table of the README; a unit test keeps the
three equal. Members are ``StrEnum`` values, so a reason compares equal to its code string.
"""

from __future__ import annotations

from enum import StrEnum, unique


@unique
class Reason(StrEnum):
    # The error tree's own reasons (services/values/errors.py).
    SETTLENET_ERROR = "SETTLENET_ERROR"
    INVALID_FIELD = "INVALID_FIELD"
    NOT_FOUND = "NOT_FOUND"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    MSGID_REUSED_WITH_DIFFERENT_BODY = "MSGID_REUSED_WITH_DIFFERENT_BODY"
    NODE_UNAVAILABLE = "NODE_UNAVAILABLE"

    # Exactly once: the msgid journal.
    MSGID_BURNED = "MSGID_BURNED"
    MSGID_CORRECTED = "MSGID_CORRECTED"
    NOT_A_SETTLEMENT = "NOT_A_SETTLEMENT"

    # The place of treatment: visits and fee lines.
    NOT_CROSS_PROVINCE_DESIGNATED = "NOT_CROSS_PROVINCE_DESIGNATED"
    VISIT_SETTLED = "VISIT_SETTLED"
    VISIT_ALREADY_SETTLED = "VISIT_ALREADY_SETTLED"
    LINE_ALREADY_UPLOADED = "LINE_ALREADY_UPLOADED"
    NO_FEE_LINES = "NO_FEE_LINES"
    ALREADY_REVOKED = "ALREADY_REVOKED"

    # The insured place: persons, policy, filing.
    INSUTYPE_MISMATCH = "INSUTYPE_MISMATCH"
    INSURANCE_SUSPENDED = "INSURANCE_SUSPENDED"
    POLICY_NOT_IN_FORCE = "POLICY_NOT_IN_FORCE"
    NO_SCHEME = "NO_SCHEME"
    FILING_REQUIRED = "FILING_REQUIRED"
    HOME_SETTLEMENT_NOT_ALLOWED = "HOME_SETTLEMENT_NOT_ALLOWED"
    CHRONIC_NOT_QUALIFIED = "CHRONIC_NOT_QUALIFIED"
    FILING_OVERLAPS = "FILING_OVERLAPS"
    FILING_REVOKED = "FILING_REVOKED"
    QUALIFICATION_OVERLAPS = "QUALIFICATION_OVERLAPS"
    QUALIFICATION_REVOKED = "QUALIFICATION_REVOKED"

    # The hub: advances, top-ups, clearing; ledgers.
    ADVANCE_EXHAUSTED = "ADVANCE_EXHAUSTED"
    NOTHING_TO_TOP_UP = "NOTHING_TO_TOP_UP"
    NOTHING_TO_CLEAR = "NOTHING_TO_CLEAR"
    UNRECONCILED = "UNRECONCILED"
    EXISTS_WITH_DIFFERENT_FIELDS = "EXISTS_WITH_DIFFERENT_FIELDS"
    EXCEEDS_PENDING_AMOUNT = "EXCEEDS_PENDING_AMOUNT"
    PENDING_ALREADY_POSTED = "PENDING_ALREADY_POSTED"
    PENDING_ALREADY_VOIDED = "PENDING_ALREADY_VOIDED"

    # Added later: new reasons go last, so the proto enum's numbers never change.
    MONTH_NOT_ENDED = "MONTH_NOT_ENDED"
    IN_DOUBT_OUTSTANDING = "IN_DOUBT_OUTSTANDING"
    CREDENTIALS_MISSING = "CREDENTIALS_MISSING"
    CREDENTIALS_INVALID = "CREDENTIALS_INVALID"
    SIGNATURE_EXPIRED = "SIGNATURE_EXPIRED"
    NONCE_REUSED = "NONCE_REUSED"
    NOT_PERMITTED = "NOT_PERMITTED"
    SIGNED_OUT = "SIGNED_OUT"
    VISIT_CANCELLED = "VISIT_CANCELLED"
    VISIT_HAS_SETTLEMENT = "VISIT_HAS_SETTLEMENT"
    OVERLOADED = "OVERLOADED"


MEANING: dict[Reason, str] = {
    Reason.SETTLENET_ERROR: "An error with no more specific reason.",
    Reason.INVALID_FIELD: "A field is missing, malformed or out of range (BadRequest names it).",
    Reason.NOT_FOUND: "A code or id names nothing known at this node.",
    Reason.FAILED_PRECONDITION: "Valid input that the current state refuses, with no more specific reason.",
    Reason.MSGID_REUSED_WITH_DIFFERENT_BODY: "A msgid seen before with another body: use a new msgid.",
    Reason.NODE_UNAVAILABLE: "A node on the path did not answer within the deadline.",
    Reason.MSGID_BURNED: "The msgid never took effect and a 2601 correction burned it.",
    Reason.MSGID_CORRECTED: "The msgid took effect and a 2601 correction reversed it.",
    Reason.NOT_A_SETTLEMENT: "A 2601 names a msgid that took effect but left no settlement here.",
    Reason.NOT_CROSS_PROVINCE_DESIGNATED: "The institution is not open for cross-province direct settlement.",
    Reason.VISIT_SETTLED: "Fee lines sent to a settled visit: revoke the settlement first.",
    Reason.VISIT_ALREADY_SETTLED: "A second 2207 for a visit that already has an active settlement.",
    Reason.LINE_ALREADY_UPLOADED: "A fee line (feedetl_sn) already uploaded for this visit.",
    Reason.NO_FEE_LINES: "Settling a visit with no fee lines (2204 first).",
    Reason.ALREADY_REVOKED: "A 2208 for a settlement that is already revoked.",
    Reason.INSUTYPE_MISMATCH: "The person is not insured under the insutype asked for.",
    Reason.INSURANCE_SUSPENDED: "The person's insurance is suspended.",
    Reason.POLICY_NOT_IN_FORCE: "No policy period of the scheme covers the settlement date.",
    Reason.NO_SCHEME: "The insured region has no scheme for this insutype and med_type (or disease).",
    Reason.FILING_REQUIRED: "The insured region does not settle unfiled visits directly.",
    Reason.HOME_SETTLEMENT_NOT_ALLOWED: "A long-term filer may not settle at home during the filing.",
    Reason.CHRONIC_NOT_QUALIFIED: "A med_type 14 visit for a disease the person is not qualified for.",
    Reason.FILING_OVERLAPS: "A filing to the same destination is already active in those dates.",
    Reason.FILING_REVOKED: "Changing or revoking a filing that is revoked.",
    Reason.QUALIFICATION_OVERLAPS: "A qualification for the disease is already active in those dates.",
    Reason.QUALIFICATION_REVOKED: "Revoking a qualification that is already revoked.",
    Reason.ADVANCE_EXHAUSTED: "The insured province's advance fund is used up: top it up.",
    Reason.NOTHING_TO_TOP_UP: "The advance is full, counting pending top-ups.",
    Reason.NOTHING_TO_CLEAR: "No settlement was routed in the month.",
    Reason.UNRECONCILED: "Clearing refused: the nodes and the hub differ for the month.",
    Reason.MONTH_NOT_ENDED: "Clearing refused: the month has not ended on the hub's clock.",
    Reason.IN_DOUBT_OUTSTANDING: "Clearing refused: messages of the month are still in doubt (being resolved).",
    Reason.EXISTS_WITH_DIFFERENT_FIELDS: "A ledger transfer id already posted with other fields.",
    Reason.EXCEEDS_PENDING_AMOUNT: "Posting more of a hold than it holds.",
    Reason.PENDING_ALREADY_POSTED: "Voiding or posting again a hold that is posted.",
    Reason.PENDING_ALREADY_VOIDED: "Posting or voiding again a hold that is voided.",
    Reason.CREDENTIALS_MISSING: "A call without the identity its RPC needs: no client certificate, or no x-tif headers.",
    Reason.CREDENTIALS_INVALID: "An unknown paasid, a wrong x-tif signature, or a certificate no identity is read from.",
    Reason.SIGNATURE_EXPIRED: "The x-tif-timestamp is outside the node's window.",
    Reason.NONCE_REUSED: "The x-tif-nonce was already used within the window (a replayed signature).",
    Reason.NOT_PERMITTED: "The caller is known but may not make this call, or not for this code, visit or province.",
    Reason.SIGNED_OUT: "An HTTP call with the sign_no of a sign-in that was signed out (9002): sign in again.",
    Reason.VISIT_CANCELLED: "A call on a visit its 2202 cancelled: register a new visit (2201).",
    Reason.VISIT_HAS_SETTLEMENT: "A 2202, 2203 or 2205 on a visit with a settlement standing or a 2207 in doubt: revoke it (2208) or wait.",
    Reason.OVERLOADED: "A visit not started because the node has as many in progress as it can take now (admission control): retry after a moment.",
}
"""What each reason means, in the words of the README's error table."""
