"""Channels to a running network as someone: the one place a client reads network.json's security.

    async with connect.hospitals(doc, "11") as ch:     # TreatmentService of province 11, each
        ...                                            # call signed as its envelope's institution
    async with connect.operator(doc, doc["hub"]["endpoint"]) as ch:
        ...

On a secure network (the default) a channel presents a certificate of the network's CA (the
operator's, the admin's, a node's, or ``access`` for hospital and desk clients) and, for
institutions and desks, signs every call with their x-tif credentials; on an ``--insecure``
network it is plaintext and unsigned.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc

from services.rpc.server import CHANNEL_OPTIONS, open_channel
from services.security.client import Keyring, SyncSigningInterceptor, TlsFiles
from services.security.credentials import Account


class IdentityError(Exception):
    """network.json has no such identity."""


def secure(doc: dict[str, Any]) -> bool:
    return bool((doc.get("security") or {}).get("mode") == "mtls")


def tls(doc: dict[str, Any], name: str) -> TlsFiles | None:
    """The TLS files of certificate ``name`` (operator, admin, access, hub, province-13), or None
    on an insecure network."""
    if not secure(doc):
        return None
    security = doc["security"]
    try:
        cert = security["certificates"][name]
    except KeyError:
        known = ", ".join(sorted(security.get("certificates", {})))
        raise IdentityError(f"no certificate {name!r} in network.json (it has {known})") from None
    return TlsFiles(Path(security["ca"]), Path(cert["cert"]), Path(cert["key"]))


def accounts(doc: dict[str, Any], province: str | None = None) -> list[Account]:
    """Every institution's and desk's credentials (of one province, or all)."""
    if not secure(doc):
        return []
    by_province = doc["security"].get("accounts", {})
    return [
        Account.of(a)
        for code, made in by_province.items()
        if province is None or code == province
        for a in made
    ]


def account(doc: dict[str, Any], code: str) -> Account:
    """The credentials bound to institution or desk ``code``."""
    for a in accounts(doc):
        if a.code == code:
            return a
    raise IdentityError(f"no institution or desk {code!r} has credentials in network.json")


def keyring(doc: dict[str, Any], province: str | None = None) -> Keyring | None:
    return Keyring(accounts(doc, province)) if secure(doc) else None


def channel(
    doc: dict[str, Any],
    endpoint: str,
    *,
    certificate: str = "access",
    signer: Keyring | None = None,
    hop: str = "",
) -> grpc.aio.Channel:
    """An aio channel to ``endpoint`` with certificate ``certificate`` and, if given, signing."""
    return open_channel(endpoint, tls(doc, certificate), keyring=signer, hop=hop)


def hospitals(doc: dict[str, Any], province: str) -> grpc.aio.Channel:
    """A channel to province ``province`` for its institutions and desks: every call signed
    with the credentials of the code its envelope carries."""
    endpoint = str(doc["provinces"][province]["endpoint"])
    return channel(doc, endpoint, signer=keyring(doc, province))


def operator(doc: dict[str, Any], endpoint: str | None = None) -> grpc.aio.Channel:
    """A channel as the operator (to the hub unless ``endpoint``)."""
    return channel(doc, endpoint or str(doc["hub"]["endpoint"]), certificate="operator")


def admin(doc: dict[str, Any], province: str) -> grpc.aio.Channel:
    """A channel as the admin to province ``province``'s AdminService."""
    return channel(doc, str(doc["provinces"][province]["endpoint"]), certificate="admin")


def as_identity(doc: dict[str, Any], who: str, endpoint: str) -> grpc.aio.Channel:
    """A channel to ``endpoint`` as ``who``: a certificate name (operator, admin, hub, access,
    province-13, or just 13), or an institution's or desk's code (signed with its credentials,
    over the access certificate)."""
    if who.isdigit() and len(who) == 2:
        who = f"province-{who}"
    if not secure(doc):
        return channel(doc, endpoint)
    if who in doc["security"]["certificates"]:
        return channel(doc, endpoint, certificate=who)
    return channel(doc, endpoint, signer=Keyring.only(account(doc, who)))


def sync_hospitals(doc: dict[str, Any], province: str) -> grpc.Channel:
    """A blocking channel for province ``province``'s institutions (the Locust file)."""
    endpoint = str(doc["provinces"][province]["endpoint"])
    files = tls(doc, "access")
    if files is None:
        return grpc.insecure_channel(endpoint, options=CHANNEL_OPTIONS)
    base = grpc.secure_channel(endpoint, files.channel_credentials(), options=CHANNEL_OPTIONS)
    ring = keyring(doc, province)
    assert ring is not None
    return grpc.intercept_channel(base, SyncSigningInterceptor(ring))
