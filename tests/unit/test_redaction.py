"""redact(): credentials out, ordinary operational text untouched."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cloudops.clusters.kubeconfig import KubeconfigError, decode_base64_kubeconfig, parse_kubeconfig
from cloudops.redact import REDACTED, redact

PEM = ("-----BEGIN RSA PRIVATE KEY-----\n"
       "MIIEowIBAAKCAQEAsecretpemline1\n"
       "c2VjcmV0cGVtbGluZTI=\n"
       "-----END RSA PRIVATE KEY-----")
JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06YWRtaW4ifQ.c2lnbmF0dXJlLXNlY3JldA"
LONG_B64 = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * 3 + "=="


def test_pem_block_is_removed_and_surrounding_text_kept() -> None:
    out = redact(f"loading key\n{PEM}\ndone")
    assert "secretpemline1" not in out
    assert "c2VjcmV0cGVtbGluZTI" not in out
    assert "BEGIN RSA PRIVATE KEY" not in out
    assert out == f"loading key\n{REDACTED}\ndone"


def test_multiple_pem_blocks_are_removed_separately() -> None:
    out = redact(f"{PEM} between {PEM}")
    assert out == f"{REDACTED} between {REDACTED}"


@pytest.mark.parametrize("header", ["Authorization: Bearer ", "authorization: bearer ", "BEARER  "])
def test_bearer_token_value_is_removed_but_scheme_kept(header: str) -> None:
    out = redact(f"{header}abc.def.ghi")
    assert out == f"{header}{REDACTED}"


def test_bearer_token_with_base64_characters() -> None:
    out = redact("Bearer sha256~Abc+/x-y_z= next")
    assert "Abc+/x-y_z" not in out
    assert out.endswith(" next")


def test_jwt_is_removed_anywhere() -> None:
    out = redact(f"auth failed for {JWT} at /api")
    assert out == f"auth failed for {REDACTED} at /api"


@pytest.mark.parametrize(("text", "expected"), [
    ("token: s3cr3t-value", f"token: {REDACTED}"),
    ("token=s3cr3t-value", f"token={REDACTED}"),
    ('{"token": "s3cr3t-value"}', f'{{"token": "{REDACTED}"}}'),
    ("client-key-data: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t", f"client-key-data: {REDACTED}"),
    ("client-certificate-data: LS0tLS1DRVJU", f"client-certificate-data: {REDACTED}"),
    ("certificate-authority-data: LS0tQ0E=", f"certificate-authority-data: {REDACTED}"),
    ("password=hunter2 retrying", f"password={REDACTED} retrying"),
    ("PASSWORD: hunter2", f"PASSWORD: {REDACTED}"),
    ("api_key=k-123, next", f"api_key={REDACTED}, next"),
    ("secret: abc", f"secret: {REDACTED}"),
])
def test_key_value_credentials_are_removed(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_long_base64_run_is_removed() -> None:
    out = redact(f"data {LONG_B64} end")
    assert out == f"data {REDACTED} end"


def test_short_base64_like_word_is_kept() -> None:
    text = "id QUJDREVGR0hJSktMTU5PUFFS ok"
    assert redact(text) == text


def test_no_secret_survives_a_kubeconfig_dump() -> None:
    dump = (
        "users:\n- name: admin\n  user:\n"
        "    token: SUPERSECRETTOKEN123\n"
        f"    client-key-data: {LONG_B64}\n"
        "    password: hunter2\n"
    )
    out = redact(dump)
    for secret in ("SUPERSECRETTOKEN123", LONG_B64, "hunter2"):
        assert secret not in out
    assert "name: admin" in out


@pytest.mark.parametrize("text", [
    "cluster member-1 connected in 0.01s",
    "https://127.0.0.1:6443",
    "GET https://127.0.0.1:6443/api/v1/nodes?limit=500 200 OK",
    "GET /api/k8s/clusters/list?limit=20&offset=0 200",
    "context: 'dev' refers to a cluster with no server",
    "3 of 4 nodes not ready",
    "High CPU usage detected (85.0%)",
    "deleted kubeconfig Secret member-1-kubeconfig",
    "",
])
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize("make_error", [
    lambda: decode_base64_kubeconfig("%%%"),
    lambda: parse_kubeconfig("a: [b"),
    lambda: parse_kubeconfig("just text"),
], ids=["not-base64", "not-yaml", "no-contexts"])
def test_kubeconfig_diagnostics_survive_redaction(make_error: Callable[[], object]) -> None:
    # These messages carry no secret; the operator logs them (reason KubeconfigInvalid) through the
    # redacting formatter, so redaction must not turn "kubeconfig: not valid YAML" into
    # "kubeconfig: [REDACTED] valid YAML".
    with pytest.raises(KubeconfigError) as info:
        make_error()
    message = str(info.value)
    assert redact(message) == message
