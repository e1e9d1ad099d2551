"""9001 sign-in and 9002 sign-out of the HTTP interface: the ``sign_no`` every later call of an
institution's operator carries (一个经办人一天一次签到, as hospital systems do it)."""

from __future__ import annotations

import secrets

from provincial_nodes.adapters.sign_ins import SignIn
from provincial_nodes.adapters.unit_of_work import UnitOfWork
from services.values.errors import FailedPrecondition, InvalidField, PermissionDenied
from services.values.reasons import Reason


def sign_in(
    uow: UnitOfWork, fixmedins_code: str, opter_no: str, mac: str, ip: str, now: str
) -> SignIn:
    """A fresh sign_no for the institution's operator: its code, the time, 4 random hex."""
    stamp = now.replace("-", "").replace(":", "").replace(" ", "")
    while True:
        sign_no = f"{fixmedins_code}{stamp}{secrets.token_hex(2)}"
        if uow.sign_ins.get(sign_no) is None:
            break
    made = SignIn(sign_no, fixmedins_code, opter_no, now, None)
    uow.sign_ins.add(made, mac, ip)
    return made


def signed_in(uow: UnitOfWork, sign_no: str, fixmedins_code: str) -> SignIn:
    """The sign-in ``sign_no`` names, if it is the institution's and not signed out."""
    if not sign_no:
        raise InvalidField("sign_no", sign_no, "required: sign in with 9001 and send its sign_no")
    found = uow.sign_ins.get(sign_no)
    if found is None:
        raise InvalidField("sign_no", sign_no, "no such sign-in here: sign in with 9001")
    if found.fixmedins_code != fixmedins_code:
        raise PermissionDenied("sign_no", sign_no, "another institution's sign-in")
    if found.signed_out_at is not None:
        raise FailedPrecondition(
            "sign_no",
            sign_no,
            f"signed out at {found.signed_out_at}: sign in again with 9001",
            Reason.SIGNED_OUT,
        )
    return found


def sign_out(uow: UnitOfWork, sign_no: str, fixmedins_code: str, now: str) -> SignIn:
    found = signed_in(uow, sign_no, fixmedins_code)
    uow.sign_ins.sign_out(sign_no, now)
    return SignIn(found.sign_no, found.fixmedins_code, found.opter_no, found.signed_in_at, now)
