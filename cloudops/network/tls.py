"""TLS material for Ingresses, checked with `cryptography` before it is written to a `kubernetes.io/tls` Secret.

Checks: the certificate PEM parses, the private key parses and belongs to the (first) certificate, the
certificate is valid now (a warning under 30 days), and its subjectAltName DNS entries cover every host
(a wildcard covers exactly one left-most label, as RFC 6125 and browsers have it). Problems are
TlsProblem with a message that names the problem and never quotes key material.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

from cloudops.errors import Unprocessable

__all__ = ["WARN_DAYS", "CertInfo", "TlsProblem", "check_tls", "describe_certificate", "host_covered",
           "parse_certificate"]

WARN_DAYS = 30


class TlsProblem(Unprocessable, ValueError):
    """What is wrong with the TLS material (422); `field` names the request field it concerns."""

    field: str

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message, field=field_name)


@dataclass(frozen=True)
class CertInfo:
    subject: str
    issuer: str
    dns_names: list[str]
    ip_addresses: list[str]
    not_before: str
    not_after: str
    days_remaining: int
    expired: bool
    self_signed: bool
    serial_number: str
    sha256_fingerprint: str
    covered_hosts: list[str] = field(default_factory=list)
    uncovered_hosts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def host_covered(host: str, names: list[str]) -> bool:
    """Whether a SAN DNS name covers `host`: equal (case-insensitive), or `*.rest` and host is `label.rest`.

    An Ingress host that is itself a wildcard is covered only by the same wildcard.
    """
    host = host.lower().rstrip(".")
    for name in (n.lower().rstrip(".") for n in names):
        if name == host:
            return True
        if name.startswith("*.") and not host.startswith("*."):
            label, _, rest = host.partition(".")
            if label and rest == name[2:]:
                return True
    return False


def parse_certificate(pem: str | bytes, field_name: str = "certificate") -> list[x509.Certificate]:
    """The certificates of a PEM bundle, leaf first; TlsProblem when there is none or one is malformed."""
    data = pem.encode() if isinstance(pem, str) else pem
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise TlsProblem(field_name, "not a PEM certificate (no BEGIN CERTIFICATE block)")
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError:
        raise TlsProblem(field_name, "the PEM certificate does not parse") from None


def _name(name: x509.Name) -> str:
    cn = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(cn[0].value) if cn else name.rfc4514_string()


def describe_certificate(cert: x509.Certificate, hosts: list[str], now: datetime) -> CertInfo:
    """What a certificate covers and until when; `now` must be timezone-aware (UTC)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
        ips = [str(n) for n in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        dns_names, ips = [], []
    not_after, not_before = cert.not_valid_after_utc, cert.not_valid_before_utc
    remaining = not_after - now
    covered = [h for h in hosts if host_covered(h, dns_names)]
    warnings = []
    if now <= not_after and remaining < timedelta(days=WARN_DAYS):
        warnings.append(f"the certificate expires in {remaining.days} days ({not_after.isoformat()})")
    if not dns_names:
        warnings.append("the certificate has no subjectAltName DNS names; clients ignore the common name")
    return CertInfo(
        subject=_name(cert.subject), issuer=_name(cert.issuer), dns_names=dns_names, ip_addresses=ips,
        not_before=not_before.isoformat().replace("+00:00", "Z"),
        not_after=not_after.isoformat().replace("+00:00", "Z"),
        days_remaining=remaining.days, expired=now > not_after or now < not_before,
        self_signed=cert.issuer == cert.subject, serial_number=format(cert.serial_number, "x"),
        sha256_fingerprint=hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
        covered_hosts=covered, uncovered_hosts=[h for h in hosts if h not in covered], warnings=warnings)


SigningKey = (rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey
              | dsa.DSAPrivateKey)
_KEY_TYPES = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey,
              dsa.DSAPrivateKey)


def _spki(key: SigningKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _spki_of(cert: x509.Certificate) -> bytes:
    return cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)


def _private_key(private_key: str, field_name: str) -> SigningKey:
    data = private_key.encode()
    if b"PRIVATE KEY-----" not in data:
        raise TlsProblem(field_name, "not a PEM private key (no BEGIN ... PRIVATE KEY block)")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise TlsProblem(field_name, "the key is encrypted; give it without a passphrase") from None
    except (ValueError, UnsupportedAlgorithm):
        raise TlsProblem(field_name, "the PEM private key does not parse") from None
    if not isinstance(key, _KEY_TYPES):
        raise TlsProblem(field_name, f"a {key.__class__.__name__} key cannot sign TLS handshakes")
    return key


def check_tls(certificate: str, private_key: str, hosts: list[str], now: datetime, where: str = "") -> CertInfo:
    """The certificate's description when the pair is usable for `hosts`; TlsProblem naming what is not.

    `where` prefixes the fields of the certificate and the key (`tls_config.`: tls_config.private_key);
    uncovered hosts are always `tls_config.hosts`.
    """
    leaf = parse_certificate(certificate, f"{where}certificate")[0]
    key = _private_key(private_key, f"{where}private_key")
    if _spki(key) != _spki_of(leaf):
        raise TlsProblem(f"{where}private_key", "the key does not match the certificate (different public keys)")
    info = describe_certificate(leaf, hosts, now)
    if now > leaf.not_valid_after_utc:
        raise TlsProblem(f"{where}certificate", f"the certificate expired on {info.not_after}")
    if now < leaf.not_valid_before_utc:
        raise TlsProblem(f"{where}certificate", f"the certificate is not valid before {info.not_before}")
    if info.uncovered_hosts:
        names = ", ".join(info.dns_names) or "none"
        raise TlsProblem("tls_config.hosts", f"the certificate does not cover {', '.join(info.uncovered_hosts)} "
                                             f"(its DNS names: {names})")
    return info
