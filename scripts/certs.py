"""``settlenet certs issue``: certificates from a network's CA, for a node of your own or a client;
and the making of a whole network's TLS folder and credentials (``settlenet up``, the in-process
network).

A network's folder (DIR/tls) holds the CA, one certificate per node (``hub``, ``province-NN``),
the ``operator``'s and the ``admin``'s, and ``access`` (the certificate hospital and desk clients
present; their x-tif credentials say who they are). Each province node reads its institutions'
and desks' credentials from ``province-NN.credentials.json``. Keys and credentials are mode
0600.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from provincial_nodes import config
from scripts import target
from scripts.clients.desk import desk_code
from scripts.options import Subparsers
from services.security import pki
from services.security.credentials import DEFAULT_WINDOW_S, Account, new_account
from services.security.material import (
    CREDENTIALS_SUFFIX,
    MaterialError,
    read_accounts,
    write_accounts,
)
from services.values.errors import ConfigError

ROLES = ("hub", "operator", "admin", "access")
DESK_CHANNELS = {"W": "window", "A": "agency or app", "M": "mini_program"}
"""The channel letters of desk sender codes (``scripts.clients.desk.desk_code``)."""


def province_accounts(code: str) -> list[Account]:
    """Fresh credentials for every institution of province ``code`` and a desk per region and
    channel."""
    data = config.load(config.province_folder(code))
    accounts = [new_account(i, "institution", code) for i in sorted(data.institutions)]
    for region in sorted(data.regions):
        accounts += [new_account(desk_code(region, c), "desk", code) for c in DESK_CHANNELS]
    return accounts


def prepare(
    folder: Path,
    codes: list[str],
    hosts: list[str] | None = None,
    keep: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Make the network's CA (kept if there) and every certificate and credential in
    ``folder``; the ``security`` part of network.json (the accounts go under each province).
    The provinces in ``keep`` (nodes run by someone else) keep the credentials already in the
    folder, which their node may have been given."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    pki.make_ca(folder)
    certificates = {}
    for name in (*ROLES, *(pki.province_name(c) for c in codes)):
        issued = pki.issue(folder, name, hosts)
        certificates[name] = {"cert": str(issued.cert), "key": str(issued.key)}
    accounts = {}
    for code in codes:
        path = folder / f"{pki.province_name(code)}{CREDENTIALS_SUFFIX}"
        if code in keep and path.exists():
            accounts[code] = list(read_accounts(path))
            continue
        made = province_accounts(code)
        write_accounts(path, made)
        accounts[code] = made
    return _security(folder, certificates, accounts)


def security_of(folder: Path) -> dict[str, Any]:
    """The ``security`` part of network.json from a network's TLS folder as it is (``settlenet
    network``): its CA, every certificate and key in it, every province's credentials."""
    if not (folder / f"{pki.CA_NAME}.pem").exists():
        raise MaterialError(f"{folder} has no {pki.CA_NAME}.pem: not a network's TLS folder")
    certificates = {}
    for cert in sorted(folder.glob("*.pem")):
        name = cert.stem
        key = folder / f"{name}.key"
        if name != pki.CA_NAME and key.exists():
            certificates[name] = {"cert": str(cert), "key": str(key)}
    accounts = {}
    for path in sorted(folder.glob(f"province-*{CREDENTIALS_SUFFIX}")):
        code = path.name.removesuffix(CREDENTIALS_SUFFIX).removeprefix("province-")
        accounts[code] = list(read_accounts(path))
    return _security(folder, certificates, accounts)


def _security(
    folder: Path, certificates: dict[str, dict[str, str]], accounts: dict[str, list[Account]]
) -> dict[str, Any]:
    return {
        "mode": "mtls",
        "tls_dir": str(folder),
        "ca": str(folder / f"{pki.CA_NAME}.pem"),
        "certificates": certificates,
        "window_s": DEFAULT_WINDOW_S,
        "accounts": {code: [a.public() for a in made] for code, made in accounts.items()},
    }


INSECURE: dict[str, Any] = {"mode": "insecure"}


def init(
    folder: Path, codes: list[str], hosts: list[str], domains: list[str], *, renew: bool = False
) -> dict[str, Any]:
    """A deployment's TLS folder (``settlenet certs init``): the CA and every certificate and
    credential, as :func:`prepare` makes them, but for nodes on different hosts: each
    certificate carries its own name (``hub``, ``province-13``: the service names of
    scripts/deploy), that name under each of ``domains`` (``hub.settlenet.svc``), loopback
    (a health probe inside the container) and ``hosts``. What the folder already holds is kept
    (running it again, as a deployment's one-shot job does at every start, changes nothing)
    unless ``renew``: then every certificate and credential is made anew (the CA is kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    pki.make_ca(folder)
    for name in (*ROLES, *(pki.province_name(c) for c in codes)):
        if renew or not (folder / f"{name}.pem").exists() or not (folder / f"{name}.key").exists():
            own = [f"{name}.{d.strip('.')}" for d in domains]
            pki.issue(folder, name, [*own, *LOOPBACK, *hosts])
    for code in codes:
        path = folder / f"{pki.province_name(code)}{CREDENTIALS_SUFFIX}"
        if renew or not path.exists():
            write_accounts(path, province_accounts(code))
    return security_of(folder)


LOOPBACK = ["localhost", "127.0.0.1", "::1"]


def province_codes(text: str) -> list[str]:
    """``--provinces 11,13,44,51``: two-digit codes, comma-separated, each once."""
    codes = [c.strip() for c in text.split(",") if c.strip()]
    bad = [c for c in codes if not (len(c) == 2 and c.isdigit())]
    if bad or not codes:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give two-digit province codes separated by commas (e.g. 11,13,44,51)"
        )
    return list(dict.fromkeys(codes))


def add_parser(sub: Subparsers) -> None:
    certs = sub.add_parser(
        "certs",
        help="a deployment's CA and certificates, or one certificate from a network's CA",
        description="`certs init`: make a network's CA, every node's and client's certificate "
        "and the provinces' credentials in one folder, for a deployment whose nodes run on "
        "different hosts (scripts/deploy, docs/deploy.md). `certs issue`: issue one "
        "certificate from the CA of a network started with `settlenet up` (its DIR/tls), for a "
        "province node of your own (--province 13), or the hub, the operator, the admin or a "
        "hospital client (--name); writes NAME.pem, NAME.key (mode 0600) and ca.pem into --out; "
        "a province also gets its institutions' and desks' credentials "
        "(NAME.credentials.json).",
    )
    certs.add_argument(
        "action",
        choices=("init", "issue"),
        help="init: a deployment's CA, certificates and credentials in --out; issue: one "
        "certificate from the CA of a network started with `settlenet up`",
    )
    certs.add_argument("--target", type=Path, help="issue: DIR/network.json (required)")
    who = certs.add_mutually_exclusive_group()
    who.add_argument("--province", help="issue: two-digit code of the province the node serves")
    who.add_argument("--name", choices=ROLES, help="issue: another identity")
    certs.add_argument(
        "--out",
        type=Path,
        help="folder to write to (init: required; issue: default DIR/tls/issued)",
    )
    certs.add_argument(
        "--provinces",
        type=province_codes,
        help="init: the province nodes, comma-separated two-digit codes (e.g. 11,13,44,51)",
    )
    certs.add_argument(
        "--domain",
        action="append",
        default=[],
        help="init: a DNS suffix the nodes are also reached under (repeat; e.g. settlenet.svc "
        "and settlenet.svc.cluster.local: hub.settlenet.svc is then in the hub's certificate)",
    )
    certs.add_argument(
        "--host",
        action="append",
        default=[],
        help="a DNS name or IP address the certificates also carry (repeat; issue: default "
        "this machine's names and loopback)",
    )
    certs.add_argument(
        "--renew",
        action="store_true",
        help="init: make every certificate and credential anew (default: keep what --out holds)",
    )


def _usage(problem: str) -> int:
    print(f"settlenet certs: {problem} (see settlenet certs --help)", file=sys.stderr)
    return 2


def main(args: argparse.Namespace) -> int:
    if args.action == "init":
        given = [
            o
            for o, v in (
                ("--target", args.target),
                ("--province", args.province),
                ("--name", args.name),
            )
            if v
        ]
        if given:
            return _usage(f"init takes no {', '.join(given)}")
        if args.out is None or not args.provinces:
            return _usage("init needs --out DIR and --provinces 11,13,...")
        return main_init(args)
    if args.provinces or args.domain or args.renew:
        return _usage("issue takes no --provinces, --domain or --renew")
    if args.target is None or not (args.province or args.name):
        return _usage("issue needs --target DIR/network.json and --province CODE or --name NAME")
    return main_issue(args)


def main_init(args: argparse.Namespace) -> int:
    try:
        security = init(args.out, args.provinces, args.host, args.domain, renew=args.renew)
    except (pki.PkiError, MaterialError, ConfigError, OSError) as exc:
        print(f"settlenet certs: {exc}", file=sys.stderr)
        return 2
    names = sorted(security["certificates"])
    print(f"network CA  {security['ca']} (its key ca.key stays with whoever runs the network)")
    print(f"certificates {', '.join(names)} (keys mode 0600)")
    print(f"credentials {', '.join(f'province-{c}' for c in args.provinces)} (mode 0600)")
    return 0


def main_issue(args: argparse.Namespace) -> int:
    try:
        doc = target.load(args.target)
    except target.TargetError as exc:
        print(f"settlenet certs: {exc}", file=sys.stderr)
        return 2
    security = doc.get("security") or {}
    if security.get("mode") != "mtls":
        print(
            f"settlenet certs: {args.target} is an insecure network (no CA to issue from)",
            file=sys.stderr,
        )
        return 2
    folder = Path(security["tls_dir"])
    out: Path = args.out or folder / "issued"
    if args.province is not None and not (len(args.province) == 2 and args.province.isdigit()):
        print(
            f"settlenet certs: --province {args.province!r}: give a two-digit code", file=sys.stderr
        )
        return 2
    name = pki.province_name(args.province) if args.province else args.name
    try:
        issued = pki.issue(folder, name, args.host or None, out=out)
    except pki.PkiError as exc:
        print(f"settlenet certs: {exc}", file=sys.stderr)
        return 2
    print(f"certificate {issued.cert}")
    print(f"key         {issued.key} (mode 0600)")
    print(f"network CA  {issued.ca}")
    if args.province:
        known = security.get("accounts", {}).get(args.province)
        made = [Account.of(a) for a in known] if known else province_accounts(args.province)
        path = out / f"{name}{CREDENTIALS_SUFFIX}"
        write_accounts(path, made)
        print(f"credentials {path} (mode 0600: its institutions' and desks' paasids and tokens)")
        print(
            f"run it: settlenet province --code {args.province} --hub {doc['hub']['endpoint']} "
            f"--tls-dir {out}"
        )
    return 0
