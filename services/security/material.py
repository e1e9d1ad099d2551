"""What a node needs to be secure: its TLS files and the credentials of the institutions and
desks it serves, read from the folder ``settlenet up`` (or ``settlenet certs issue``) wrote."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from services.security.client import TlsFiles
from services.security.credentials import DEFAULT_WINDOW_S, Account, Verifier
from services.security.guard import Guard
from services.security.pki import CA_NAME

CREDENTIALS_SUFFIX = ".credentials.json"


class MaterialError(Exception):
    """A TLS or credentials file is missing or unreadable."""


@dataclass(frozen=True)
class Security:
    tls: TlsFiles
    accounts: tuple[Account, ...] = field(default=())
    window_s: float = DEFAULT_WINDOW_S

    def guard(self, node: str) -> Guard:
        """The interceptor for the hub (``node`` "") or province node ``node``."""
        return Guard(node, Verifier(self.accounts, self.window_s) if self.accounts else None)


def tls_files(folder: Path, name: str) -> TlsFiles:
    files = TlsFiles(folder / f"{CA_NAME}.pem", folder / f"{name}.pem", folder / f"{name}.key")
    for path in (files.ca, files.cert, files.key):
        if not path.is_file():
            raise MaterialError(
                f"{path} is missing: `settlenet up` writes DIR/tls; for a node of your own, "
                "`settlenet certs issue --target DIR/network.json` issues one"
            )
    return files


def read_accounts(path: Path) -> tuple[Account, ...]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return tuple(Account.of(a) for a in doc["accounts"])
    except FileNotFoundError:
        raise MaterialError(f"{path} is missing (the credentials of its institutions)") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MaterialError(f"{path}: not a credentials file ({exc})") from None


def write_accounts(path: Path, accounts: list[Account]) -> None:
    """Write credentials mode 0600 (they are secrets)."""
    from services.security.pki import write_private

    text = json.dumps({"accounts": [a.public() for a in accounts]}, indent=1)
    write_private(path, text.encode())


def load(
    folder: Path, name: str, credentials: Path | None = None, window_s: float = DEFAULT_WINDOW_S
) -> Security:
    """The security of node ``name`` (hub, province-13) from ``folder``; a province also reads
    its institutions' and desks' credentials (default FOLDER/NAME.credentials.json)."""
    tls = tls_files(folder, name)
    accounts: tuple[Account, ...] = ()
    if name.startswith("province-"):
        accounts = read_accounts(credentials or folder / f"{name}{CREDENTIALS_SUFFIX}")
    return Security(tls, accounts, window_s)
