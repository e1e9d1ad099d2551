"""Credentials, certificates and the matrix's checks, without a network."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography import x509

from services.security import credentials, pki, policy
from services.security.credentials import Account, Verifier
from services.security.principal import Kind, Principal, from_certificate
from services.values.errors import PermissionDenied, Unauthenticated

ACCOUNT = Account("h11_1", "secret-token", "H11010100001", "institution", "11")


def test_the_signature_is_the_gateways_formula() -> None:
    expected = hashlib.sha256(b"1764590000" + b"tok" + b"abc" + b"1764590000").hexdigest()
    assert credentials.signature("1764590000", "tok", "abc") == expected
    headers = dict(credentials.sign("p", "tok", now=1764590000))
    assert headers["x-tif-timestamp"] == "1764590000"
    assert headers["x-tif-signature"] == credentials.signature(
        "1764590000", "tok", headers["x-tif-nonce"]
    )


def _reason(call: object) -> str:
    with pytest.raises(Unauthenticated) as refused:
        call()  # type: ignore[operator]
    return str(refused.value.reason)


def test_a_signature_is_accepted_once_within_the_window() -> None:
    now = [1_000_000.0]
    v = Verifier([ACCOUNT], window_s=300, now=lambda: now[0])
    headers = dict(credentials.sign(ACCOUNT.paasid, ACCOUNT.token, now=now[0]))
    assert v.verify(headers) == ACCOUNT
    assert _reason(lambda: v.verify(headers)) == "NONCE_REUSED"
    late = dict(credentials.sign(ACCOUNT.paasid, ACCOUNT.token, now=now[0] - 301))
    assert _reason(lambda: v.verify(late)) == "SIGNATURE_EXPIRED"
    early = dict(credentials.sign(ACCOUNT.paasid, ACCOUNT.token, now=now[0] + 301))
    assert _reason(lambda: v.verify(early)) == "SIGNATURE_EXPIRED"
    # Past twice the window the nonce is forgotten, and the old signature is stale anyway.
    now[0] += 700
    assert _reason(lambda: v.verify(headers)) == "SIGNATURE_EXPIRED"
    assert len(v._seen) <= 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"x-tif-paasid": "someone"}, "CREDENTIALS_INVALID"),
        ({"x-tif-signature": "0" * 64}, "CREDENTIALS_INVALID"),
        ({"x-tif-timestamp": "yesterday"}, "CREDENTIALS_INVALID"),
        ({"x-tif-nonce": "x" * 500}, "CREDENTIALS_INVALID"),
        ({"x-tif-nonce": ""}, "CREDENTIALS_MISSING"),
    ],
)
def test_bad_headers_are_refused_naming_the_header(change: dict[str, str], reason: str) -> None:
    v = Verifier([ACCOUNT])
    headers = dict(credentials.sign(ACCOUNT.paasid, ACCOUNT.token)) | change
    with pytest.raises(Unauthenticated) as refused:
        v.verify(headers)
    assert refused.value.reason == reason
    assert refused.value.field == next(iter(change))


def test_certificates_carry_their_identity_and_keys_are_private(tmp_path: Path) -> None:
    ca = pki.make_ca(tmp_path)
    assert pki.make_ca(tmp_path) == ca  # made once
    issued = pki.issue(tmp_path, "province-13", ["localhost", "127.0.0.1", "p13.example"])
    for key in (ca.key, issued.key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert pki.common_name(issued.cert.read_bytes()) == "province-13"
    cert = x509.load_pem_x509_certificate(issued.cert.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "p13.example" in san.get_values_for_type(x509.DNSName)
    assert [str(a) for a in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    with pytest.raises(pki.PkiError):
        pki.issue(tmp_path, "province-13; rm -rf /")
    with pytest.raises(pki.PkiError):
        pki.issue(tmp_path / "nowhere", "hub")


def test_what_a_certificate_says() -> None:
    assert from_certificate("hub") == Principal(Kind.HUB, certificate="hub")
    assert from_certificate("province-44") == Principal(
        Kind.PROVINCE, province="44", certificate="province-44"
    )
    assert from_certificate("access") is None
    assert from_certificate("province-4") is None


def _header(**fields: str) -> SimpleNamespace:
    base = {"fixmedins_code": "H11010100001", "msgid": "H11010100001202612011200000001"}
    return SimpleNamespace(header=SimpleNamespace(**(base | fields)))


def test_an_institution_acts_only_under_its_own_code_in_its_own_province() -> None:
    me = Principal(Kind.INSTITUTION, province="11", code="H11010100001", paasid="p")
    policy.own_envelope(me, _header(), "11")
    with pytest.raises(PermissionDenied):
        policy.own_envelope(me, _header(fixmedins_code="H11010200001"), "11")
    with pytest.raises(PermissionDenied):
        policy.own_envelope(me, _header(msgid="H11010200001202612011200000001"), "11")
    with pytest.raises(PermissionDenied):
        policy.own_envelope(me, _header(), "13")


def test_a_province_node_only_for_itself() -> None:
    node = Principal(Kind.PROVINCE, province="11")
    policy.own_area(node, _header(mdtrtarea_admvs="110105"), "")
    with pytest.raises(PermissionDenied):
        policy.own_area(node, _header(mdtrtarea_admvs="130100"), "")
    rule = policy.HUB_RULES[policy.method("HubService", "RegisterNode")]
    assert rule.check is not None
    rule.check(node, SimpleNamespace(province_code="11"), "")
    with pytest.raises(PermissionDenied):
        rule.check(node, SimpleNamespace(province_code="13"), "")
    operator = Principal(Kind.OPERATOR)
    rule.check(operator, SimpleNamespace(province_code="13"), "")
