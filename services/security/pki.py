"""The network's certificate authority and the certificates it issues.

A node's identity is the common name of its certificate: ``hub``, ``province-13``, ``operator``
(the person running the network), ``admin`` (AdminService) or ``access`` (the certificate a
hospital's or a filing desk's client presents to reach a node; who it acts for is then told by its
x-tif credentials, :mod:`services.security.credentials`). Every certificate is signed by the
network's CA, carries the names and addresses its node is reached at, and may both serve and call.

Files, in one folder (``DIR/tls`` for ``settlenet up``)::

    ca.pem  ca.key                 the network CA (the key stays with whoever runs the network)
    NAME.pem  NAME.key             one node or client identity

Every key is written mode 0600.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "ca"
ORGANIZATION = "settlenet"
VALID_DAYS = 825
NAME_RE = re.compile(r"^(hub|operator|admin|access|province-\d{2})$")
"""The identities a certificate may carry."""


class PkiError(Exception):
    """A missing CA, an unreadable file, or a name no certificate may carry."""


@dataclass(frozen=True)
class Issued:
    """Where one identity's files are."""

    name: str
    cert: Path
    key: Path
    ca: Path


def province_name(code: str) -> str:
    return f"province-{code}"


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600 from the start (never briefly readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _now() -> datetime.datetime:
    # Certificates follow the real clock, not the simulated business clock: TLS peers check
    # validity against the machine's time.
    return datetime.datetime.now(datetime.UTC)


def make_ca(folder: Path) -> Issued:
    """Create the network CA in ``folder`` unless it is there already; its files."""
    cert_path, key_path = folder / f"{CA_NAME}.pem", folder / f"{CA_NAME}.key"
    if cert_path.exists() and key_path.exists():
        return Issued(CA_NAME, cert_path, key_path, cert_path)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, "settlenet network CA"),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS * 2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_private(key_path, _key_pem(key))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Issued(CA_NAME, cert_path, key_path, cert_path)


def default_hosts() -> list[str]:
    """The names a certificate on this machine carries when none are given: loopback and the
    machine's host name."""
    hosts = ["localhost", "127.0.0.1", "::1"]
    name = socket.gethostname()
    if name and name not in hosts:
        hosts.append(name)
    return hosts


def _san(name: str, hosts: list[str]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = [x509.DNSName(name)]
    for host in hosts:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            entries.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(entries)


def issue(
    folder: Path, name: str, hosts: list[str] | None = None, *, out: Path | None = None
) -> Issued:
    """Issue (or reissue) the certificate ``name`` from the CA in ``folder``; written to ``out``
    (default ``folder``) as NAME.pem and NAME.key. ``hosts`` are the DNS names and IP addresses
    it is reached at (default :func:`default_hosts`)."""
    if not NAME_RE.match(name):
        raise PkiError(
            f"no certificate may be called {name!r}: hub, operator, admin, access or province-NN"
        )
    ca_cert_path, ca_key_path = folder / f"{CA_NAME}.pem", folder / f"{CA_NAME}.key"
    try:
        ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    except FileNotFoundError as exc:
        raise PkiError(f"no network CA in {folder} ({exc.filename} is missing)") from None
    except ValueError as exc:
        raise PkiError(f"the CA in {folder} is not readable: {exc}") from None
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise PkiError(f"{ca_key_path}: not an EC key")
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
                    x509.NameAttribute(NameOID.COMMON_NAME, name),
                ]
            )
        )
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(_san(name, hosts if hosts is not None else default_hosts()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    dest = out or folder
    dest.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = dest / f"{name}.key", dest / f"{name}.pem"
    write_private(key_path, _key_pem(key))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    ca_copy = dest / f"{CA_NAME}.pem"
    if ca_copy != ca_cert_path:
        ca_copy.write_bytes(ca_cert_path.read_bytes())
    return Issued(name, cert_path, key_path, ca_copy)


def common_name(pem: bytes) -> str:
    """The common name of a PEM certificate."""
    cert = x509.load_pem_x509_certificate(pem)
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = names[0].value if names else ""
    return value if isinstance(value, str) else value.decode()
