"""Self-signed certificates for tests, made with `cryptography` (never fetched)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


def key_pem(kind: str = "ec") -> tuple[object, str]:
    key = ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa.generate_private_key(65537, 2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return key, pem


def self_signed(sans: list[str], *, days: float = 90, start_days_ago: float = 1, kind: str = "ec",
                key: object | None = None) -> tuple[str, str]:
    """(certificate PEM, private key PEM) valid from `start_days_ago` for `days`, with DNS SANs."""
    if key is None:
        key, pem = key_pem(kind)
    else:
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,  # type: ignore[attr-defined]
                                serialization.NoEncryption()).decode()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, sans[0] if sans else "test")])
    start = datetime.now(UTC) - timedelta(days=start_days_ago)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
               .public_key(key.public_key())  # type: ignore[attr-defined]
               .serial_number(x509.random_serial_number()).not_valid_before(start)
               .not_valid_after(start + timedelta(days=days)))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
    cert = builder.sign(key, hashes.SHA256())  # type: ignore[arg-type]
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem
