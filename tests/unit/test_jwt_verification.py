"""_issuer() and _verify_jwt(): our own HS256/RS256 tokens, and refusals that never echo the token."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from api_shim.security.authn import AuthError, JwtConfig, _issuer, _verify_jwt
from api_shim.security.identity import User

ISSUER = "https://cloudops.example/issuer"
AUDIENCE = "cloudops-api"
HS_KEY = "0123456789abcdef0123456789abcdef-test-hmac-key"
HS_CFG = JwtConfig(ISSUER, AUDIENCE, HS_KEY, "HS256")


def _claims(**over: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "exp": int(time.time()) + 600,
                              "groups": ["devs", "ops"]}
    for k, v in over.items():
        if v is None:
            claims.pop(k, None)
        else:
            claims[k] = v
    return claims


def _hs(**over: Any) -> str:
    return jwt.encode(_claims(**over), HS_KEY, algorithm="HS256")


@pytest.fixture(scope="module")
def rsa_keys() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def _refused(token: str, cfg: JwtConfig = HS_CFG) -> str:
    with pytest.raises(AuthError) as info:
        _verify_jwt(token, cfg)
    message = str(info.value)
    assert token not in message
    for segment in token.split("."):
        if len(segment) > 8:
            assert segment not in message
    # the library's exception (which may quote the token) is not chained onto ours
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__
    return message


def test_valid_hs256_token_gives_user() -> None:
    user = _verify_jwt(_hs(), HS_CFG)
    assert user == User(name="alice", groups=("devs", "ops", "system:authenticated"), method="jwt")


def test_valid_rs256_token_gives_user(rsa_keys: tuple[str, str]) -> None:
    private, public = rsa_keys
    token = jwt.encode(_claims(sub="bob", groups=["admins"]), private, algorithm="RS256")
    user = _verify_jwt(token, JwtConfig(ISSUER, AUDIENCE, public, "RS256"))
    assert user.name == "bob"
    assert user.groups == ("admins", "system:authenticated")
    assert user.method == "jwt"


def test_token_without_groups_is_only_authenticated() -> None:
    user = _verify_jwt(_hs(groups=None), HS_CFG)
    assert user.groups == ("system:authenticated",)


def test_expired_token_is_refused() -> None:
    message = _refused(_hs(exp=int(time.time()) - 60))
    assert message == "JWT has expired"


def test_wrong_audience_is_refused() -> None:
    assert _refused(_hs(aud="someone-else")) == "JWT audience does not match"


def test_wrong_issuer_is_refused() -> None:
    assert _refused(_hs(iss="https://evil.example")) == "JWT issuer does not match"


@pytest.mark.parametrize("claim", ["exp", "sub", "aud", "iss"])
def test_missing_required_claim_is_named(claim: str) -> None:
    message = _refused(_hs(**{claim: None}))
    assert "lacks" in message
    assert repr(claim) in message


def test_bad_signature_is_refused() -> None:
    token = jwt.encode(_claims(), "another-key-of-sufficient-length-0123456789", algorithm="HS256")
    assert _refused(token) == "JWT signature or format is not valid"


def test_tampered_payload_is_refused() -> None:
    header, _, sig = _hs().split(".")
    forged_payload = _hs(sub="admin").split(".")[1]
    assert _refused(f"{header}.{forged_payload}.{sig}") == "JWT signature or format is not valid"


def test_garbage_token_is_refused() -> None:
    assert _refused("not-a-jwt-at-all-but-secret-looking") == "JWT signature or format is not valid"


def test_unsigned_token_is_refused() -> None:
    token = jwt.encode(_claims(), None, algorithm="none")
    assert _refused(token) == "JWT signature or format is not valid"


def test_hs256_token_refused_when_rs256_is_configured(rsa_keys: tuple[str, str]) -> None:
    _, public = rsa_keys
    assert _refused(_hs(), JwtConfig(ISSUER, AUDIENCE, public, "RS256")) == "JWT signature or format is not valid"


def test_rs256_token_signed_by_another_key_is_refused(rsa_keys: tuple[str, str]) -> None:
    _, public = rsa_keys
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(), other, algorithm="RS256")
    assert _refused(token, JwtConfig(ISSUER, AUDIENCE, public, "RS256")) == "JWT signature or format is not valid"


@pytest.mark.parametrize("groups", ["admins", ["admins", 1], [["nested"]], {"admins": True}])
def test_groups_must_be_a_list_of_strings(groups: Any) -> None:
    assert _refused(_hs(groups=groups)) == "JWT groups claim must be a list of strings"


def test_issuer_is_read_without_verification() -> None:
    assert _issuer(_hs()) == ISSUER
    unverifiable = jwt.encode(_claims(iss="https://other"), "unknown-key-of-sufficient-length-0123", algorithm="HS256")
    assert _issuer(unverifiable) == "https://other"


def test_issuer_of_expired_token_is_still_read() -> None:
    assert _issuer(_hs(exp=int(time.time()) - 3600)) == ISSUER


@pytest.mark.parametrize("token", ["", "opaque-kubernetes-token", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.bm9wZQ.x"])
def test_issuer_of_non_jwt_is_none(token: str) -> None:
    assert _issuer(token) is None


def test_issuer_that_is_not_a_string_is_none() -> None:
    assert _issuer(_hs(iss=None)) is None
    numeric = jwt.PyJWS().encode(json.dumps({"iss": 123}).encode(), HS_KEY, algorithm="HS256")
    assert _issuer(numeric) is None
