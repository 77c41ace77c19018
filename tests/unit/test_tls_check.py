"""cloudops.network.tls: the checks the SSL route makes before it writes a kubernetes.io/tls Secret."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cloudops.network.tls import TlsProblem, check_tls, host_covered, parse_certificate
from tests.tls_material import key_pem, self_signed


def now() -> datetime:
    return datetime.now(UTC)


def test_wildcards_cover_one_left_most_label() -> None:
    assert host_covered("app.example.com", ["app.example.com"])
    assert host_covered("APP.example.com.", ["app.Example.com"])
    assert host_covered("a.example.com", ["*.example.com"])
    assert not host_covered("a.b.example.com", ["*.example.com"]) and not host_covered("example.com", ["*.example.com"])
    assert not host_covered("a.example.org", ["*.example.com", "example.org"])
    assert host_covered("*.example.com", ["*.example.com"]) and not host_covered("*.example.com", ["a.example.com"])
    assert not host_covered("a.example.com", ["a*.example.com"])


@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_a_matching_pair_that_covers_the_hosts_passes(kind: str) -> None:
    cert, key = self_signed(["app.example.com", "*.api.example.com"], kind=kind)
    info = check_tls(cert, key, ["app.example.com", "v1.api.example.com"], now())
    assert info.dns_names == ["app.example.com", "*.api.example.com"] and info.uncovered_hosts == []
    assert info.self_signed and not info.expired and 85 <= info.days_remaining <= 89 and info.warnings == []
    assert len(info.sha256_fingerprint) == 64 and info.subject == "app.example.com"


def test_a_key_of_another_pair_is_refused() -> None:
    cert, _ = self_signed(["app.example.com"])
    _, other = key_pem()
    with pytest.raises(TlsProblem) as e:
        check_tls(cert, other, ["app.example.com"], now())
    assert e.value.field == "private_key" and "does not match" in e.value.message
    assert "PRIVATE" not in str(e.value)


def test_hosts_not_covered_are_named() -> None:
    cert, key = self_signed(["*.example.com"])
    with pytest.raises(TlsProblem) as e:
        check_tls(cert, key, ["a.example.com", "a.b.example.com", "other.org"], now())
    assert e.value.field == "tls_config.hosts"
    assert "a.b.example.com, other.org" in e.value.message and "*.example.com" in e.value.message


def test_expired_not_yet_valid_and_soon_expiring() -> None:
    cert, key = self_signed(["a.example.com"], days=5, start_days_ago=10)
    with pytest.raises(TlsProblem, match="expired"):
        check_tls(cert, key, ["a.example.com"], now())
    cert, key = self_signed(["a.example.com"], days=30, start_days_ago=-2)
    with pytest.raises(TlsProblem, match="not valid before"):
        check_tls(cert, key, ["a.example.com"], now())
    cert, key = self_signed(["a.example.com"], days=11, start_days_ago=1)
    info = check_tls(cert, key, ["a.example.com"], now())
    assert info.warnings and "expires in 9 days" in info.warnings[0]


def test_malformed_material() -> None:
    cert, key = self_signed(["a.example.com"])
    with pytest.raises(TlsProblem, match="certificate: not a PEM certificate"):
        check_tls("hello", key, [], now())
    with pytest.raises(TlsProblem, match="does not parse"):
        parse_certificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(TlsProblem, match="private_key: not a PEM private key"):
        check_tls(cert, cert, [], now())
    broken = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    with pytest.raises(TlsProblem, match="private_key: the PEM private key does not parse"):
        check_tls(cert, broken, [], now())


def test_no_sans_means_no_host_is_covered() -> None:
    cert, key = self_signed([])
    info = check_tls(cert, key, [], now())
    assert "no subjectAltName" in info.warnings[0]
    with pytest.raises(TlsProblem, match="its DNS names: none"):
        check_tls(cert, key, ["test"], now())
