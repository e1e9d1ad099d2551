"""Hospital and filing-desk credentials, as the national gateway checks them.

Every institution (and every filing desk) has a ``paasid`` and a secret token. A call carries::

    x-tif-paasid     the paasid
    x-tif-timestamp  Unix seconds when the call was signed
    x-tif-nonce      a random string, never used twice within the window
    x-tif-signature  lower-case hex SHA-256 of timestamp + token + nonce + timestamp

(gRPC metadata here; HTTP headers in the national HTTP interface). A node accepts the call when
the paasid is one of its accounts, the signature matches, the timestamp is within its window of
the node's own time and the nonce was not seen within the window. The paasid is bound to one
code: the institution's ``fixmedins_code`` (or the desk's sender code), which the request's
envelope must carry (:mod:`services.security.policy`).

The window follows the machine's real clock, not the simulated business clock: the signature
is about when a message was sent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from services.values.errors import Unauthenticated
from services.values.reasons import Reason

PAASID = "x-tif-paasid"
TIMESTAMP = "x-tif-timestamp"
NONCE = "x-tif-nonce"
SIGNATURE = "x-tif-signature"
HEADERS = (PAASID, TIMESTAMP, NONCE, SIGNATURE)

DEFAULT_WINDOW_S = 300.0
"""How far a call's timestamp may be from the node's time, either way; a nonce is remembered
this long."""
MAX_NONCES = 2_000_000
"""Nonces remembered at most (a flood of signed calls cannot grow the memory without bound:
past this, the oldest are forgotten and the window shrinks for everyone)."""
MAX_HEADER_CHARS = 128


@dataclass(frozen=True)
class Account:
    """One institution's or desk's credentials."""

    paasid: str
    token: str
    code: str
    """The institution's fixmedins_code, or the desk's sender code (the first 12 characters of
    its msgids)."""
    kind: str
    """"institution" or "desk"."""
    province: str

    def public(self) -> dict[str, str]:
        return {
            "paasid": self.paasid,
            "token": self.token,
            "code": self.code,
            "kind": self.kind,
            "province": self.province,
        }

    @staticmethod
    def of(doc: Mapping[str, str]) -> Account:
        return Account(
            paasid=str(doc["paasid"]),
            token=str(doc["token"]),
            code=str(doc["code"]),
            kind=str(doc["kind"]),
            province=str(doc["province"]),
        )


def new_account(code: str, kind: str, province: str) -> Account:
    """Fresh credentials for ``code``: a paasid naming it and a random 32-byte token."""
    return Account(
        paasid=f"{code.lower()}_{secrets.token_hex(4)}",
        token=secrets.token_hex(32),
        code=code,
        kind=kind,
        province=province,
    )


def signature(timestamp: str, token: str, nonce: str) -> str:
    """The national gateway's signature: hex SHA-256 of timestamp + token + nonce + timestamp."""
    return hashlib.sha256(f"{timestamp}{token}{nonce}{timestamp}".encode()).hexdigest()


def sign(paasid: str, token: str, *, now: float | None = None) -> list[tuple[str, str]]:
    """The four x-tif headers for one call (a fresh nonce every time)."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_hex(12)
    return [
        (PAASID, paasid),
        (TIMESTAMP, timestamp),
        (NONCE, nonce),
        (SIGNATURE, signature(timestamp, token, nonce)),
    ]


class Verifier:
    """Checks x-tif headers against a node's accounts; remembers nonces for the window."""

    def __init__(
        self,
        accounts: Iterable[Account],
        window_s: float = DEFAULT_WINDOW_S,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.accounts = {a.paasid: a for a in accounts}
        self.window_s = window_s
        self._now = now
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()
        self.shared: Callable[[str, str, float], bool] | None = None
        """A node of several processes: the nonces all of them saw (``remember(paasid, nonce,
        now)``, False for one seen before; ``services/storage/nonces.py``)."""

    def verify(self, headers: Mapping[str, str]) -> Account:
        """The account that signed ``headers``, or :class:`Unauthenticated` naming the header."""
        values = {}
        for name in HEADERS:
            value = headers.get(name, "")
            if not value:
                raise Unauthenticated(
                    name,
                    "",
                    "required: sign the call as the national gateway asks",
                    Reason.CREDENTIALS_MISSING,
                )
            if len(value) > MAX_HEADER_CHARS:
                raise Unauthenticated(
                    name,
                    value,
                    f"longer than {MAX_HEADER_CHARS} characters",
                    Reason.CREDENTIALS_INVALID,
                )
            values[name] = value
        account = self.accounts.get(values[PAASID])
        if account is None:
            raise Unauthenticated(
                PAASID,
                values[PAASID],
                "no institution or desk has this paasid here",
                Reason.CREDENTIALS_INVALID,
            )
        timestamp = values[TIMESTAMP]
        if not timestamp.isdigit() or len(timestamp) > 12:
            raise Unauthenticated(
                TIMESTAMP, timestamp, "must be Unix seconds", Reason.CREDENTIALS_INVALID
            )
        expected = signature(timestamp, account.token, values[NONCE])
        if not hmac.compare_digest(expected, values[SIGNATURE]):
            raise Unauthenticated(
                SIGNATURE,
                values[SIGNATURE],
                "does not match: sha256(timestamp + token + nonce + timestamp), lower-case hex",
                Reason.CREDENTIALS_INVALID,
            )
        now = self._now()
        if abs(now - int(timestamp)) > self.window_s:
            raise Unauthenticated(
                TIMESTAMP,
                timestamp,
                f"more than {self.window_s:.0f} s from this node's time ({int(now)})",
                Reason.SIGNATURE_EXPIRED,
            )
        key = (account.paasid, values[NONCE])
        with self._lock:
            self._forget(now)
            if key in self._seen:
                raise Unauthenticated(
                    NONCE,
                    values[NONCE],
                    f"already used within the last {self.window_s:.0f} s (a replayed signature)",
                    Reason.NONCE_REUSED,
                )
            self._seen[key] = now
        if self.shared is not None and not self.shared(account.paasid, values[NONCE], now):
            raise Unauthenticated(
                NONCE,
                values[NONCE],
                f"already used within the last {self.window_s:.0f} s (a replayed signature, "
                "seen by another process of this node)",
                Reason.NONCE_REUSED,
            )
        return account

    def _forget(self, now: float) -> None:
        seen = self._seen
        horizon = now - 2 * self.window_s
        while seen:
            key, when = next(iter(seen.items()))
            if when >= horizon and len(seen) < MAX_NONCES:
                break
            seen.popitem(last=False)
