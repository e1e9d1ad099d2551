"""The deployment in scripts/deploy, checked as far as a machine without a container registry
allows (docs/deploy.md, "What was and was not run here"): every Kubernetes manifest validates
against the Kubernetes schemas (kubernetes-validate ships them; no cluster, no network), every
``settlenet`` command line in the Containerfile, the compose file and the manifests parses with
``settlenet``'s own parser, the Locust command lines parse with Locust's (and the locustfile's
options), and the ports, service names, identities, databases and province codes agree across
the three. Takes a few seconds; the image itself is never built here."""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from scripts import cli
from scripts.options import check_required

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "scripts" / "deploy"
K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.30"
"""The Kubernetes version the manifests are validated against (``grpc``/exec probes, the
``apps/v1`` workloads and ``appProtocol`` are all older than it)."""
PROVINCES = ("11", "13", "44", "51")
IMAGE = "settlenet"
SOURCE = "/opt/settlenet/"
"""Where the Containerfile puts the checkout (Locust reads the locustfile there)."""
WEB_FLAGS = ("--web-port", "--web-host")

# --- reading the three files -------------------------------------------------------------------


@functools.cache
def manifests() -> list[tuple[str, dict[str, Any]]]:
    """Every Kubernetes object of scripts/deploy/k8s (not the kustomization), with its file
    (read once: tests copy an object before changing it)."""
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                found.append((path.name, doc))
    return found


def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return doc


def containerfile() -> dict[str, Any]:
    """The Containerfile's instructions: FROM, USER, EXPOSE (ports), ENTRYPOINT, CMD and the
    HEALTHCHECK's command (exec forms, JSON), continuation lines joined."""
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    lines = [ln for ln in text.replace("\\\n", " ").splitlines() if not ln.lstrip().startswith("#")]
    out: dict[str, Any] = {"EXPOSE": set()}
    for line in lines:
        if not line.strip():
            continue
        word, _, rest = line.strip().partition(" ")
        rest = rest.strip()
        if word == "EXPOSE":
            out["EXPOSE"] |= {int(p.split("/")[0]) for p in rest.split()}
        elif word in ("ENTRYPOINT", "CMD"):
            out[word] = json.loads(rest)
        elif word == "HEALTHCHECK":
            out[word] = json.loads(rest[rest.index("CMD ") + 4 :])
        elif word in ("FROM", "USER"):
            out[word] = rest
    return out


def is_settlenet(image: str) -> bool:
    return image.split("/")[-1].split(":")[0] == IMAGE


def pod_spec(doc: dict[str, Any]) -> dict[str, Any] | None:
    if doc["kind"] in ("Deployment", "StatefulSet", "Job", "DaemonSet"):
        spec: dict[str, Any] = doc["spec"]["template"]["spec"]
        return spec
    return None


def workloads() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(workload, container) for every container and init container of the manifests."""
    for _, doc in manifests():
        spec = pod_spec(doc)
        if spec is not None:
            for c in [*spec.get("initContainers", []), *spec["containers"]]:
                yield doc, c


# --- parsing command lines ---------------------------------------------------------------------


@functools.cache
def hub_has_web_flags() -> bool:
    """Whether this checkout's ``settlenet hub`` has the web view's flags (issue 18's web view;
    until it is merged the deployment's hub lines carry them anyway, and they are checked
    without them)."""
    help_text = io.StringIO()
    with contextlib.redirect_stdout(help_text), contextlib.suppress(SystemExit):
        cli.build_parser("hub").parse_args(["hub", "--help"])
    return "--web-port" in help_text.getvalue()


def without_web_flags(argv: list[str]) -> list[str]:
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in WEB_FLAGS:
            skip = True
        elif not arg.startswith(WEB_FLAGS):
            out.append(arg)
    return out


def settlenet_args(argv: list[str]) -> argparse.Namespace:
    """``argv`` (after ``settlenet``) parsed by ``settlenet``'s own parser; fails the test with
    the parser's one-line error if it is not a valid command line."""
    assert argv, "an empty settlenet command line"
    if argv[0] == "hub" and not hub_has_web_flags():
        argv = without_web_flags(argv)
    parser = cli.build_parser(argv[0] if argv[0] in cli.COMMANDS else None)
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exc:
        pytest.fail(f"settlenet {shlex.join(argv)}: {err.getvalue().strip() or exc}")
    problem = check_required(args, f"settlenet {args.command}")
    assert problem is None, problem
    return args


def host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


# --- Kubernetes --------------------------------------------------------------------------------


def test_the_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    assert kustomization["namespace"] == "settlenet"
    for _, doc in manifests():
        assert doc["metadata"].get("namespace", "settlenet") == "settlenet", doc["metadata"]


def test_every_manifest_validates_against_the_kubernetes_schemas() -> None:
    kv = pytest.importorskip("kubernetes_validate")
    kinds = []
    for name, doc in manifests():
        try:
            kv.validate(doc, KUBERNETES_VERSION, strict=True)
        except kv.ValidationError as exc:
            pytest.fail(f"{name}: {doc['kind']}/{doc['metadata']['name']}: {exc}")
        kinds.append(doc["kind"])
    for kind in ("Namespace", "Secret", "ConfigMap", "StatefulSet", "Deployment", "Service"):
        assert kind in kinds, kind


def kinds_and_names(docs: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((d["kind"], d["metadata"]["name"]) for d in docs)


def test_the_kustomization_renders_and_what_it_renders_validates() -> None:
    """``kubectl kustomize`` (where kubectl is installed: it renders offline) gives every object
    of the files, in the namespace, labelled, each valid against the schemas."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (the files are validated one by one above)")
    kv = pytest.importorskip("kubernetes_validate")
    proc = subprocess.run(
        [kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    rendered = [d for d in yaml.safe_load_all(proc.stdout) if d]
    assert kinds_and_names(rendered) == kinds_and_names(d for _, d in manifests())
    for doc in rendered:
        kv.validate(doc, KUBERNETES_VERSION, strict=True)
        assert doc["metadata"]["labels"]["app.kubernetes.io/part-of"] == "settlenet"
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "settlenet"


def test_certs_init_names_each_identity_as_its_services_do(tmp_path: Path) -> None:
    """The certificates of ``settlenet certs init`` carry the names the deployment reaches the
    nodes at (the compose and Service names, with each --domain) and loopback (the probes);
    run again it keeps them; each node's material loads."""
    from cryptography import x509

    from scripts import certs
    from services.security import material

    folder = tmp_path / "tls"
    certs.init(folder, ["13"], ["10.0.0.7"], ["settlenet.svc"])
    pem = (folder / "province-13.pem").read_bytes()
    san = x509.load_pem_x509_certificate(pem).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    names = {str(v) for v in san.value.get_values_for_type(x509.DNSName)}
    ips = {str(v) for v in san.value.get_values_for_type(x509.IPAddress)}
    assert names == {"province-13", "province-13.settlenet.svc", "localhost"}
    assert ips == {"127.0.0.1", "::1", "10.0.0.7"}
    credentials = (folder / "province-13.credentials.json").read_bytes()
    certs.init(folder, ["13"], [], [])
    assert (folder / "province-13.pem").read_bytes() == pem
    assert (folder / "province-13.credentials.json").read_bytes() == credentials
    assert material.load(folder, "province-13").accounts
    assert material.load(folder, "hub").tls.cert.is_file()
    certs.init(folder, ["13"], [], [], renew=True)
    assert (folder / "province-13.pem").read_bytes() != pem


def test_the_schema_check_catches_a_mistake() -> None:
    """The validator is not a rubber stamp: a misspelt field and a wrong type are refused."""
    kv = pytest.importorskip("kubernetes_validate")
    hub = next(
        d for _, d in manifests() if d["kind"] == "Deployment" and d["metadata"]["name"] == "hub"
    )
    misspelt = json.loads(json.dumps(hub))
    misspelt["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kv.ValidationError):
        kv.validate(misspelt, KUBERNETES_VERSION, strict=True)
    wrong = json.loads(json.dumps(hub))
    wrong["spec"]["replicas"] = "one"
    with pytest.raises(kv.ValidationError):
        kv.validate(wrong, KUBERNETES_VERSION, strict=True)


def test_every_settlenet_container_runs_a_valid_settlenet_command_line() -> None:
    seen = set()
    for _, c in workloads():
        if not is_settlenet(c["image"]):
            continue
        if c.get("command", ["settlenet"])[0] == "settlenet":
            args = settlenet_args([*c.get("command", [])[1:], *c.get("args", [])])
            seen.add(args.command)
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            command = c.get(probe, {}).get("exec", {}).get("command")
            if command and command[0] == "settlenet":
                assert settlenet_args(command[1:]).command == "health"
    assert {"hub", "province", "network"} <= seen


def services() -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for _, d in manifests() if d["kind"] == "Service"}


def selected(service: dict[str, Any]) -> list[dict[str, Any]]:
    """The workloads whose pods ``service`` selects."""
    want = service["spec"]["selector"].items()
    return [
        d
        for _, d in manifests()
        if pod_spec(d) is not None and want <= d["spec"]["template"]["metadata"]["labels"].items()
    ]


def test_every_service_selects_one_workload_and_names_its_ports() -> None:
    for name, svc in services().items():
        chosen = selected(svc)
        assert len(chosen) == 1, (name, [d["metadata"]["name"] for d in chosen])
        spec = pod_spec(chosen[0])
        assert spec is not None
        ports = {p["name"]: p["containerPort"] for c in spec["containers"] for p in c["ports"]}
        for port in svc["spec"]["ports"]:
            assert port["targetPort"] in ports, (name, port)


def node_containers() -> Iterator[tuple[dict[str, Any], dict[str, Any], argparse.Namespace]]:
    for doc, c in workloads():
        if is_settlenet(c["image"]) and "command" not in c and c["args"][0] in ("hub", "province"):
            yield doc, c, settlenet_args(c["args"])


def test_k8s_nodes_ports_names_probes_and_databases_agree() -> None:
    svcs = services()
    sql = yaml.safe_load((K8S / "postgres.yaml").read_text(encoding="utf-8").split("---")[1])
    databases = set(re.findall(r"CREATE DATABASE (\w+)", sql["data"]["10-settlenet.sql"]))
    codes = []
    for doc, c, args in node_containers():
        identity = "hub" if args.command == "hub" else f"province-{args.code}"
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        assert args.port == ports["grpc"], identity
        assert args.host == "0.0.0.0", identity
        if args.command == "province":
            codes.append(args.code)
            assert args.http_port == ports["http"], identity
            # The hub reaches the node at its Service's name, which its certificate carries.
            assert args.advertise_host == identity == doc["metadata"]["name"]
            assert doc in selected(svcs[args.advertise_host])
            hub_host, hub_port = host_port(args.hub)
            assert hub_port in {p["port"] for p in svcs[hub_host]["spec"]["ports"]}
        else:
            assert "--web-port" in c["args"] and "--web-host" in c["args"]
            web = c["args"][c["args"].index("--web-port") + 1]
            assert int(web) == ports["web"]
        # Its probes ask its own port for health, as itself.
        for probe in ("readinessProbe", "livenessProbe"):
            health = settlenet_args(c[probe]["exec"]["command"][1:])
            assert host_port(health.address) == ("127.0.0.1", args.port), identity
            assert health.identity == identity
            assert str(health.tls_dir) == str(args.tls_dir)
        # It mounts the CA, its own certificate and key (and a province its credentials).
        spec = pod_spec(doc)
        assert spec is not None
        mount = next(m for m in c["volumeMounts"] if m["mountPath"] == str(args.tls_dir))
        volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])
        items = {i["path"] for i in volume["secret"]["items"]}
        need = {"ca.pem", f"{identity}.pem", f"{identity}.key"}
        if args.command == "province":
            need.add(f"{identity}.credentials.json")
        assert items == need, identity
        assert spec["securityContext"]["runAsNonRoot"] is True
        # Its database: in the PostgreSQL Service, one the init script makes.
        url = urlsplit(args.db)
        assert url.scheme == "postgresql+psycopg" and url.password is None
        assert url.hostname in svcs and url.port == 5432
        assert url.path.lstrip("/") in databases
    assert sorted(codes) == list(PROVINCES)


def test_the_workers_network_job_expects_every_province() -> None:
    for _, c in workloads():
        if is_settlenet(c["image"]) and c.get("args", [""])[0] == "network":
            args = settlenet_args(c["args"])
            assert sorted(args.expect) == list(PROVINCES)
            assert args.wait > 0
            return
    pytest.fail("no container writes network.json")


def test_postgres_init_script_is_the_same_in_compose_and_k8s() -> None:
    sql = yaml.safe_load((K8S / "postgres.yaml").read_text(encoding="utf-8").split("---")[1])
    assert sql["data"]["10-settlenet.sql"] == (DEPLOY / "postgres-init.sql").read_text(
        encoding="utf-8"
    )


# --- compose -----------------------------------------------------------------------------------


def compose_services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose()["services"]
    return found


def test_compose_runs_valid_settlenet_command_lines() -> None:
    seen = {}
    for name, svc in compose_services().items():
        if not is_settlenet(svc.get("image", "")):
            continue
        if "entrypoint" not in svc:
            command = svc["command"]
            if command == ["--help"]:
                continue  # the tools service: `run --rm settlenet ...` gives its command
            seen[name] = settlenet_args(command)
        test = svc.get("healthcheck", {}).get("test")
        if test and not svc["healthcheck"].get("disable"):
            assert test[:2] == ["CMD", "settlenet"], name
            assert settlenet_args(test[2:]).command == "health"
    assert {seen[n].command for n in seen} == {"certs", "hub", "province", "network"}


def test_compose_nodes_names_ports_certificates_and_databases_agree() -> None:
    svcs = compose_services()
    image = containerfile()
    databases = set(
        re.findall(r"CREATE DATABASE (\w+)", (DEPLOY / "postgres-init.sql").read_text())
    )
    certs = settlenet_args(svcs["certs"]["command"])
    assert sorted(certs.provinces) == list(PROVINCES)
    network = settlenet_args(svcs["network"]["command"])
    assert sorted(network.expect) == list(PROVINCES)
    assert host_port(network.hub)[0] == "hub"
    codes = []
    for name, svc in svcs.items():
        if "entrypoint" in svc or not is_settlenet(svc.get("image", "")):
            continue
        if svc["command"] == ["--help"]:
            continue
        args = settlenet_args(svc["command"])
        if args.command not in ("hub", "province"):
            continue
        identity = "hub" if args.command == "hub" else f"province-{args.code}"
        # Each certificate carries its identity's name: the service's name must be it.
        assert name == identity
        if args.command == "province":
            codes.append(args.code)
            assert args.advertise_host == name
            hub_host, hub_port = host_port(args.hub)
            assert hub_host in svcs
            assert hub_port == settlenet_args(svcs[hub_host]["command"]).port
        health = settlenet_args(svc["healthcheck"]["test"][2:])
        assert host_port(health.address) == ("127.0.0.1", args.port)
        assert health.identity == identity
        # The ports the image exposes and its own health check's.
        assert args.port in image["EXPOSE"]
        assert host_port(settlenet_args(image["HEALTHCHECK"][1:]).address)[1] == args.port
        for published in svc.get("ports", []):
            assert int(str(published).rsplit(":", 1)[1]) in image["EXPOSE"]
        url = urlsplit(args.db)
        assert url.hostname == "postgres" and url.password is None
        assert url.path.lstrip("/") in databases
    assert sorted(codes) == list(PROVINCES)


# --- the Containerfile -------------------------------------------------------------------------


def test_the_containerfile_runs_settlenet_as_a_non_root_user() -> None:
    image = containerfile()
    assert image["FROM"] == "python:3.11-slim"
    assert image["USER"].split(":")[0] not in ("", "0", "root")
    assert image["ENTRYPOINT"] == ["settlenet"]
    assert settlenet_args(image["CMD"]).command == "hub"
    assert image["HEALTHCHECK"][0] == "settlenet"
    assert settlenet_args(image["HEALTHCHECK"][1:]).command == "health"


def test_the_image_exposes_every_port_the_manifests_and_compose_use() -> None:
    image = containerfile()
    cmd = settlenet_args(image["CMD"])
    assert cmd.port in image["EXPOSE"]
    for _, c in workloads():
        if is_settlenet(c["image"]):
            for port in c.get("ports", []):
                assert port["containerPort"] in image["EXPOSE"], (c["name"], port)
    for name, svc in compose_services().items():
        if is_settlenet(svc.get("image", "")):
            for published in svc.get("ports", []):
                assert int(str(published).rsplit(":", 1)[1]) in image["EXPOSE"], name


# --- Locust ------------------------------------------------------------------------------------


def locust_command_lines() -> list[list[str]]:
    lines = []
    for _, c in workloads():
        if c.get("command") == ["locust"]:
            lines.append(c["args"])
    for svc in compose_services().values():
        if svc.get("entrypoint") == ["locust"]:
            lines.append(svc["command"])
    return lines


PARSE_LOCUST = """
import json, sys
import scripts.loadtest.locustfile  # declares --network and the other options of its own
from locust.argument_parser import get_parser
for argv in json.load(sys.stdin):
    get_parser(default_config_files=()).parse_args(argv)
print("parsed", flush=True)
"""


def test_locust_command_lines_parse_with_locust_and_name_the_locustfile() -> None:
    """Parsed in a process of its own: importing locust patches the process for gevent."""
    if importlib.util.find_spec("locust") is None:  # never import it here (gevent patches)
        pytest.skip("locust is not installed")
    lines = locust_command_lines()
    assert len(lines) == 4  # master and workers, in compose and in k8s
    for argv in lines:
        path = argv[argv.index("-f") + 1]
        assert path.startswith(SOURCE) and (ROOT / path.removeprefix(SOURCE)).is_file(), path
    proc = subprocess.run(
        [sys.executable, "-c", PARSE_LOCUST],
        input=json.dumps(lines),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 0 and "parsed" in proc.stdout, proc.stderr[-2000:]
