"""The client side of the network's security: TLS files, and signing calls as an institution or a
desk.

A :class:`Keyring` holds x-tif credentials. A channel opened with one signs every call with the
account of the code the request's envelope carries (the msgid's first 12 characters: the
institution's ``fixmedins_code`` or the desk's sender code), so one client can act for many
institutions, each under its own credentials, as a load generator or a test does; a keyring of
one account (:meth:`Keyring.only`) signs every call as that account, as ``settlenet call --as``
does. Calls whose request carries no known code go unsigned (and a node refuses them if they
need a signature).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from services.security.credentials import Account, sign


@dataclass(frozen=True)
class TlsFiles:
    """A certificate, its key, and the network's CA (PEM files). Read once."""

    ca: Path
    cert: Path
    key: Path

    def read(self) -> tuple[bytes, bytes, bytes]:
        return self.ca.read_bytes(), self.cert.read_bytes(), self.key.read_bytes()

    def channel_credentials(self) -> grpc.ChannelCredentials:
        ca, cert, key = self.read()
        return grpc.ssl_channel_credentials(
            root_certificates=ca, private_key=key, certificate_chain=cert
        )

    def server_credentials(self) -> grpc.ServerCredentials:
        ca, cert, key = self.read()
        return grpc.ssl_server_credentials(
            [(key, cert)], root_certificates=ca, require_client_auth=True
        )


class Keyring:
    """x-tif credentials by the code they are bound to."""

    def __init__(self, accounts: Iterable[Account], *, fixed: Account | None = None) -> None:
        self.by_code = {a.code: a for a in accounts}
        self.fixed = fixed

    @staticmethod
    def only(account: Account) -> Keyring:
        return Keyring([account], fixed=account)

    def account_for(self, request: Any) -> Account | None:
        if self.fixed is not None:
            return self.fixed
        header = getattr(request, "header", None)
        if header is None:
            return None
        return self.by_code.get(header.msgid[:12]) or self.by_code.get(header.fixmedins_code)

    def metadata_for(self, request: Any) -> list[tuple[str, str]]:
        account = self.account_for(request)
        return sign(account.paasid, account.token) if account is not None else []


def _with(metadata: Any, extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [*(tuple(m) for m in (metadata or ())), *extra]


class SigningInterceptor(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """grpc.aio: adds fresh x-tif headers to every call."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    async def intercept_unary_unary(
        self, continuation: Callable[..., Any], details: Any, request: Any
    ) -> Any:
        extra = self.keyring.metadata_for(request)
        if extra:
            details = grpc.aio.ClientCallDetails(
                details.method,
                details.timeout,
                _with(details.metadata, extra),
                details.credentials,
                details.wait_for_ready,
            )
        return await continuation(details, request)


class _Details(grpc.ClientCallDetails):  # type: ignore[misc]
    def __init__(self, base: Any, metadata: Sequence[tuple[str, str]]) -> None:
        self.method = base.method
        self.timeout = base.timeout
        self.metadata = metadata
        self.credentials = base.credentials
        self.wait_for_ready = getattr(base, "wait_for_ready", None)
        self.compression = getattr(base, "compression", None)


class SyncSigningInterceptor(grpc.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Blocking grpc: adds fresh x-tif headers to every call (the Locust file)."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def intercept_unary_unary(
        self, continuation: Callable[..., Any], details: Any, request: Any
    ) -> Any:
        extra = self.keyring.metadata_for(request)
        if extra:
            details = _Details(details, _with(details.metadata, extra))
        return continuation(details, request)
