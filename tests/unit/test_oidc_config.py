"""CLOUDOPS_OIDC_ISSUERS parsing, the sign-in's landing path and the session renewal rule: pure functions."""

from __future__ import annotations

import json
import re
import time

import jwt
import pytest

from api_shim.security.authn import _due
from api_shim.security.oidc_config import parse_issuers
from api_shim.security.sessions import pkce_pair
from api_shim.security.signin import DEFAULT_NEXT, safe_next

BASE = {"name": "corp", "issuer": "https://idp.example.com/", "client_id": "cloudops"}


def test_issuers_parse_with_defaults() -> None:
    [issuer] = parse_issuers(json.dumps([BASE]))
    assert issuer.issuer == "https://idp.example.com"  # a trailing slash is not part of the identity
    assert issuer.groups_prefix == "oidc:" and issuer.username_claim == "email" and "openid" in issuer.scopes
    assert issuer.title == "corp"
    assert parse_issuers("") == [] and parse_issuers("  ") == []


@pytest.mark.parametrize(("change", "where"), [
    ({"groups_prefix": "system:"}, "groups_prefix"),
    ({"groups_prefix": ""}, "groups_prefix"),
    ({"username_prefix": "system:x"}, "username_prefix"),
    ({"name": "Corp Login"}, "name"),
    ({"issuer": "ftp://idp"}, "issuer"),
    ({"client_secret": {"name": "s", "extra": 1}}, "client_secret.extra"),
    ({"unknown": 1}, "unknown"),
])
def test_a_bad_issuer_is_refused_naming_the_field(change: dict[str, object], where: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"CLOUDOPS_OIDC_ISSUERS[0].{where}: ")):
        parse_issuers(json.dumps([{**BASE, **change}]))


def test_issuers_need_their_own_names_and_a_list() -> None:
    with pytest.raises(ValueError, match="each issuer needs its own name"):
        parse_issuers(json.dumps([BASE, {**BASE, "issuer": "https://other"}]))
    with pytest.raises(ValueError, match="JSON list"):
        parse_issuers(json.dumps(BASE))
    with pytest.raises(ValueError, match="not JSON"):
        parse_issuers("[{")


def test_the_landing_path_stays_in_the_console() -> None:
    assert safe_next("/ui/resources?namespace=a") == "/ui/resources?namespace=a"
    for bad in (None, "", "https://evil.example", "//evil.example/ui/", "/ui//evil", "/api/k8s/clusters/list",
                "/ui\\..\\x", "/uix", "javascript:alert(1)"):
        assert safe_next(bad) == DEFAULT_NEXT, bad


def test_pkce_pairs_are_s256_and_fresh() -> None:
    import base64
    import hashlib
    verifier, challenge = pkce_pair()
    assert 43 <= len(verifier) <= 128
    assert challenge == base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert pkce_pair()[0] != verifier


def test_a_session_token_is_renewed_once_half_its_life_is_gone() -> None:
    now = int(time.time())

    def token(iat: int, exp: int) -> str:
        return jwt.encode({"iat": iat, "exp": exp}, "k" * 32, algorithm="HS256")

    assert not _due(token(now, now + 3600))  # fresh
    assert _due(token(now - 1900, now + 1700))  # past half
    assert _due(token(now - 10, now + 20))  # under 30 s left
    assert _due("not a jwt")
