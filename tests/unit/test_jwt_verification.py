"""_issuer() and _verify_jwt(): our own HS256/RS256 tokens, and refusals that never echo the token.

Also the claim rules: a real subject, numeric time claims, and only allowed, non-`system:` groups.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, cast

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from api_shim.security.authn import (
    DEFAULT_GROUPS,
    Authenticator,
    AuthError,
    GroupPolicy,
    JwtConfig,
    _issuer,
    _verify_jwt,
)
from api_shim.security.identity import User
from cloudops.settings import Settings

ISSUER = "https://cloudops.example/issuer"
AUDIENCE = "cloudops-api"
HS_KEY = "0123456789abcdef0123456789abcdef-test-hmac-key"
HS_CFG = JwtConfig(ISSUER, AUDIENCE, HS_KEY, "HS256")


def _claims(**over: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "exp": int(time.time()) + 600,
                              "groups": ["cloudops:devs", "cloudops:ops"]}
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


def _refused(token: str, cfg: JwtConfig = HS_CFG, groups: GroupPolicy = DEFAULT_GROUPS) -> str:
    with pytest.raises(AuthError) as info:
        _verify_jwt(token, cfg, groups)
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
    assert user == User(name="alice", groups=("cloudops:devs", "cloudops:ops", "system:authenticated"), method="jwt")


def test_valid_rs256_token_gives_user(rsa_keys: tuple[str, str]) -> None:
    private, public = rsa_keys
    token = jwt.encode(_claims(sub="bob", groups=["cloudops:admins"]), private, algorithm="RS256")
    user = _verify_jwt(token, JwtConfig(ISSUER, AUDIENCE, public, "RS256"))
    assert user.name == "bob"
    assert user.groups == ("cloudops:admins", "system:authenticated")
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


@pytest.mark.parametrize("groups", ["admins", ["admins", 1], [["nested"]], {"admins": True}, "", 0, False])
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


# --- subject -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sub", ["", " ", "\t\n"])
def test_blank_subject_is_refused(sub: str) -> None:
    # an empty name would look unauthenticated in the audit record
    assert _refused(_hs(sub=sub)) == "JWT sub claim must be a non-empty string"


@pytest.mark.parametrize("sub", [123, True, ["alice"], {"name": "alice"}])
def test_subject_that_is_not_a_string_is_refused(sub: Any) -> None:
    assert _refused(_hs(sub=sub)) == "JWT sub claim must be a non-empty string"


def test_missing_subject_is_refused() -> None:
    assert _refused(_hs(sub=None)) == "JWT lacks the 'sub' claim"
    null_sub = jwt.PyJWS().encode(json.dumps({**_claims(), "sub": None}).encode(), HS_KEY, algorithm="HS256")
    assert _refused(null_sub) == "JWT lacks the 'sub' claim"


@pytest.mark.parametrize("sub", ["system:admin", "system:kube-controller-manager", "system:serviceaccount:ns:bot"])
def test_system_subject_is_refused(sub: str) -> None:
    # RBAC binds such users; our tokens must not be able to name one
    assert _refused(_hs(sub=sub)) == "JWT sub claim must not be a system: name"


# --- time claims ---------------------------------------------------------------------------------------------


def test_numeric_string_exp_is_refused() -> None:
    # PyJWT's int() would take it as a date
    assert _refused(_hs(exp=str(int(time.time()) + 600))) == "JWT exp claim must be a number"


@pytest.mark.parametrize("exp", [True, False])
def test_bool_exp_is_refused(exp: bool) -> None:
    assert _refused(_hs(exp=exp)) == "JWT exp claim must be a number"


@pytest.mark.parametrize("exp", ["soon", [1], {"t": 1}, float("inf"), float("nan")])
def test_other_non_numeric_exp_is_refused(exp: Any) -> None:
    assert _refused(_hs(exp=exp)) == "JWT exp claim must be a number"


@pytest.mark.parametrize("claim", ["nbf", "iat"])
@pytest.mark.parametrize("value", ["1700000000", True, None])
def test_optional_time_claims_must_be_numbers_when_present(claim: str, value: Any) -> None:
    payload = json.dumps({**_claims(), claim: value}).encode()
    token = jwt.PyJWS().encode(payload, HS_KEY, algorithm="HS256")
    assert _refused(token) == f"JWT {claim} claim must be a number"


def test_fractional_and_present_time_claims_are_accepted() -> None:
    now = time.time()
    user = _verify_jwt(_hs(exp=now + 600.5, nbf=int(now) - 10, iat=now - 1.5), HS_CFG)
    assert user.name == "alice"


def test_token_not_valid_yet_is_refused() -> None:
    assert _refused(_hs(nbf=int(time.time()) + 3600)) == "JWT is not valid yet"


def test_a_bad_signature_is_reported_before_claim_types() -> None:
    token = jwt.encode(_claims(exp="soon", sub=""), "another-key-of-sufficient-length-0123456789", algorithm="HS256")
    assert _refused(token) == "JWT signature or format is not valid"


# --- groups --------------------------------------------------------------------------------------------------


def test_system_masters_is_dropped_by_default() -> None:
    user = _verify_jwt(_hs(groups=["system:masters", "cloudops:admins", "system:nodes"]), HS_CFG)
    assert user.groups == ("cloudops:admins", "system:authenticated")


def test_groups_outside_the_default_prefix_are_dropped_not_refused() -> None:
    user = _verify_jwt(_hs(groups=["devs", "Cloudops:admins", "cloudops-admins", "cloudops:viewers"]), HS_CFG)
    assert user.groups == ("cloudops:viewers", "system:authenticated")


def test_configured_prefix_is_allowed() -> None:
    policy = GroupPolicy.parse("team-, ops:", "")
    user = _verify_jwt(_hs(groups=["team-a", "ops:oncall", "cloudops:admins", "other"]), HS_CFG, policy)
    assert user.groups == ("team-a", "ops:oncall", "system:authenticated")


def test_allow_list_names_groups_exactly() -> None:
    policy = GroupPolicy.parse(",", "devs, platform")
    user = _verify_jwt(_hs(groups=["devs", "devs-extra", "platform", "cloudops:admins"]), HS_CFG, policy)
    assert user.groups == ("devs", "platform", "system:authenticated")


def test_prefix_and_allow_list_together() -> None:
    policy = GroupPolicy.parse("cloudops:", "devs")
    user = _verify_jwt(_hs(groups=["devs", "cloudops:viewers", "ops"]), HS_CFG, policy)
    assert user.groups == ("devs", "cloudops:viewers", "system:authenticated")


@pytest.mark.parametrize("prefixes", ["system:", "system", "sys", "s", "system:,cloudops:"])
def test_configured_system_prefix_still_drops_system_groups(prefixes: str) -> None:
    policy = GroupPolicy.parse(prefixes, "system:masters,system:nodes")
    user = _verify_jwt(_hs(groups=["system:masters", "system:nodes", "system:serviceaccounts"]), HS_CFG, policy)
    assert user.groups == ("system:authenticated",)


def test_empty_prefix_entries_do_not_match_everything() -> None:
    policy = GroupPolicy.parse(" , ,", " ,")
    assert policy == GroupPolicy((), frozenset())
    user = _verify_jwt(_hs(groups=["devs", "cloudops:admins", ""]), HS_CFG, policy)
    assert user.groups == ("system:authenticated",)


def test_claimed_system_authenticated_is_not_doubled_and_repeats_collapse() -> None:
    user = _verify_jwt(_hs(groups=["system:authenticated", "cloudops:a", "cloudops:a"]), HS_CFG)
    assert user.groups == ("cloudops:a", "system:authenticated")


def test_dropped_groups_are_logged_as_a_count(caplog: pytest.LogCaptureFixture) -> None:
    token = _hs(groups=["system:masters", "secret-team-name", "cloudops:admins"])
    with caplog.at_level(logging.INFO, logger="cloudops.shim"):
        _verify_jwt(token, HS_CFG)
    records = [r for r in caplog.records if r.name == "cloudops.shim"]
    assert len(records) == 1 and records[0].levelno == logging.INFO
    line = records[0].getMessage()
    assert "2 group(s) dropped" in line and "'alice'" in line
    assert "system:masters" not in line and "secret-team-name" not in line
    for segment in token.split("."):
        assert segment not in line


def test_nothing_is_logged_when_no_group_is_dropped(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="cloudops.shim"):
        _verify_jwt(_hs(), HS_CFG)
    assert not [r for r in caplog.records if r.name == "cloudops.shim"]


# --- settings reach the Authenticator ------------------------------------------------------------------------


def test_default_settings_give_the_default_policy() -> None:
    s = Settings()
    assert GroupPolicy.parse(s.jwt_group_prefixes, s.jwt_groups_allowed) == DEFAULT_GROUPS
    assert DEFAULT_GROUPS == GroupPolicy(("cloudops:",), frozenset())


def test_group_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDOPS_JWT_GROUP_PREFIXES", "team-,ops:")
    monkeypatch.setenv("CLOUDOPS_JWT_GROUPS_ALLOWED", "devs")
    s = Settings.from_env()
    assert (s.jwt_group_prefixes, s.jwt_groups_allowed) == ("team-,ops:", "devs")


async def test_authenticator_applies_its_group_settings() -> None:
    authn = Authenticator(cast(Any, None), "ns", "cloudops-jwt", jwt_group_prefixes="team-", jwt_groups_allowed="devs")
    assert authn.groups == GroupPolicy(("team-",), frozenset({"devs"}))
    authn._jwt.put("config", (HS_CFG,))  # no hub: the key is already known
    token = _hs(groups=["team-a", "devs", "cloudops:admins", "system:masters"])
    user = await authn.authenticate(f"Bearer {token}", None)
    assert user.groups == ("team-a", "devs", "system:authenticated")
    with pytest.raises(AuthError, match="sub claim"):
        await authn.authenticate(f"Bearer {_hs(sub=' ')}", None)


def test_authenticator_warns_about_system_entries(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="cloudops.shim"):
        authn = Authenticator(cast(Any, None), "ns", "cloudops-jwt", jwt_group_prefixes="system:,cloudops:",
                              jwt_groups_allowed="system:masters")
    assert authn.groups.reserved() == ["system:", "system:masters"]
    assert any("never admitted" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
