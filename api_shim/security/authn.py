"""Authentication: API keys, tokens of the configured OIDC issuers (api_shim.security.oidc) and the
console's sessions after single sign-on, our own JWTs, and Kubernetes bearer tokens through TokenReview.

JWT key material lives in a hub Secret (issuer, audience, and `hs256-key` or `rs256-public-key`);
any other bearer token goes to the hub's TokenReview, which also covers the cluster's OIDC issuer
where the API server is configured with one. Results are cached briefly by the token's hash.

A JWT's claims become a Kubernetes identity for SubjectAccessReviews, so they are checked before use: the
subject must be a real name, time claims real numbers, and only groups the settings allow pass through
(never `system:*`, which would let a token claim e.g. `system:masters`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import jwt

from api_shim.security.apikeys import verify_api_key
from api_shim.security.identity import User
from api_shim.security.jwt_claims import explain, is_number
from api_shim.security.oidc import OidcError, OidcProvider
from api_shim.security.sessions import Session, SessionStore
from api_shim.security.ttlcache import TTLCache
from cloudops.kube.client import ApiClient
from cloudops.kube.errors import KubeError
from cloudops.kube.reviews import review_token
from cloudops.kube.secrets import Secrets

__all__ = ["AuthError", "Authenticator", "GroupPolicy", "JwtConfig"]

log = logging.getLogger("cloudops.shim")

# Kubernetes reserves these names (system:masters, system:nodes, system:serviceaccount:...); a JWT never gets one.
RESERVED_PREFIX = "system:"


class AuthError(Exception):
    """Carries a reason safe to show: never the credential."""


@dataclass(frozen=True)
class JwtConfig:
    issuer: str
    audience: str
    key: str
    algorithm: str  # HS256 | RS256


def _digest(credential: str) -> str:
    """The key a credential is cached under: its digest, so no key, token or session id sits in memory as a
    dict key."""
    return hashlib.sha256(credential.encode()).hexdigest()


def _names(value: str | Iterable[str]) -> tuple[str, ...]:
    """A comma-separated setting (or names already split) as its non-empty, stripped entries."""
    parts = value.split(",") if isinstance(value, str) else value
    return tuple(p.strip() for p in parts if p.strip())


@dataclass(frozen=True)
class GroupPolicy:
    """Which JWT `groups` reach authorization: a group passes when it starts with one of `prefixes` or is one
    of `allowed`, and never when it is a `system:` name, whatever is configured, since SubjectAccessReviews
    would otherwise trust a token's claim to e.g. `system:masters`. Like Kubernetes' OIDC groups prefix, it
    maps the claim rather than refusing the token, so an IdP's unrelated groups do not lock users out."""

    prefixes: tuple[str, ...] = ("cloudops:",)
    allowed: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, prefixes: str | Iterable[str], allowed: str | Iterable[str]) -> GroupPolicy:
        """From the comma-separated settings; empty entries are ignored (an empty prefix would match all)."""
        return cls(_names(prefixes), frozenset(_names(allowed)))

    def reserved(self) -> list[str]:
        """Configured entries that can never take effect, for a warning at start-up."""
        return [n for n in (*self.prefixes, *sorted(self.allowed)) if n.startswith(RESERVED_PREFIX)]

    def admits(self, group: str) -> bool:
        if not group or group.startswith(RESERVED_PREFIX):
            return False
        return group in self.allowed or any(group.startswith(p) for p in self.prefixes if p)

    def filter(self, groups: Iterable[str]) -> tuple[tuple[str, ...], int]:
        """The admitted groups (in order, without repeats) and how many claimed groups were dropped."""
        given = list(dict.fromkeys(groups))
        kept = tuple(g for g in given if self.admits(g))
        return kept, len(given) - len(kept)


DEFAULT_GROUPS = GroupPolicy()


class Authenticator:
    def __init__(self, hub: ApiClient, namespace: str, jwt_secret: str, cache_seconds: float = 30.0, *,
                 jwt_group_prefixes: str | Iterable[str] = DEFAULT_GROUPS.prefixes,
                 jwt_groups_allowed: str | Iterable[str] = (), oidc: Sequence[OidcProvider] = (),
                 sessions: SessionStore | None = None) -> None:
        self.hub, self.namespace, self.jwt_secret = hub, namespace, jwt_secret
        self.oidc = {p.config.issuer: p for p in oidc}
        self.providers = {p.config.name: p for p in oidc}
        self.sessions = sessions
        self._renewing: dict[str, asyncio.Lock] = {}
        # A console session read is kept 5 s like an API key: a sign-out shows at once on the replica that
        # took it and within 5 s on the others.
        self._sessions: TTLCache[str, Session] = TTLCache(min(cache_seconds, 5.0))
        self.groups = GroupPolicy.parse(jwt_group_prefixes, jwt_groups_allowed)
        if reserved := self.groups.reserved():
            log.warning("JWT group settings name system: groups, which are never admitted: %s", ", ".join(reserved))
        self._tokens: TTLCache[str, User] = TTLCache(cache_seconds)
        self._keys: TTLCache[str, User] = TTLCache(min(cache_seconds, 5.0))  # revocation shows within 5 s
        self._jwt: TTLCache[str, tuple[JwtConfig | None]] = TTLCache(30.0)  # key rotation shows within 30 s

    async def jwt_config(self) -> JwtConfig | None:
        cached = self._jwt.get("config")
        if cached is not None:
            return cached[0]
        cfg: JwtConfig | None = None
        secret = await Secrets(self.hub, self.namespace).read(self.jwt_secret)
        if secret is not None:
            data = secret.data
            issuer, audience = data.get("issuer", ""), data.get("audience", "")
            if "hs256-key" in data:
                cfg = JwtConfig(issuer, audience, data["hs256-key"], "HS256")
            elif "rs256-public-key" in data:
                cfg = JwtConfig(issuer, audience, data["rs256-public-key"], "RS256")
        self._jwt.put("config", (cfg,))
        return cfg

    async def authenticate(self, authorization: str | None, api_key: str | None, session: str | None = None
                           ) -> User:
        if api_key:
            return await self._api_key(api_key)
        if not authorization and session:
            return await self.session_user(session)
        if not authorization:
            raise AuthError("no credentials: send Authorization: Bearer <token> or X-API-Key")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("Authorization header must be 'Bearer <token>'")
        token = token.strip()
        issuer = _issuer(token)
        provider = self.oidc.get(issuer) if issuer else None
        if provider is not None:
            try:
                return provider.identity(await provider.verify(token))
            except OidcError as e:
                raise AuthError(f"OIDC token of {provider.config.name}: {e}") from None
        cfg = await self.jwt_config()
        if cfg is not None and issuer == cfg.issuer:
            return _verify_jwt(token, cfg, self.groups)
        return await self._token_review(token)

    async def session_user(self, value: str) -> User:
        """The user of a console session; its ID token is renewed with the refresh token once half its
        lifetime is gone (at least 30 s before expiry), so an active console never sees it expire."""
        if self.sessions is None:
            raise AuthError("no single sign-on is configured")
        digest = _digest(value)
        session = self._sessions.get(digest) or await self.sessions.read(value)
        if session is None or session.ends < time.time():
            raise AuthError("the console session has ended: sign in again")
        provider = self.providers.get(session.provider)
        if provider is None:
            raise AuthError("the session's identity provider is no longer configured: sign in again")
        if session.refresh_token and _due(session.id_token):
            session = await self._renew(value, session, provider)
        self._sessions.put(digest, session)
        try:
            return provider.identity(await provider.verify(session.id_token))
        except OidcError as e:
            raise AuthError(f"the console session's token: {e}; sign in again") from None

    async def end_session(self, value: str) -> bool:
        """Signs a console session out: its Secret deleted (every replica refuses it within 5 s, this one at once)."""
        self._sessions.pop(_digest(value))
        return self.sessions is not None and await self.sessions.end(value)

    async def _renew(self, value: str, session: Session, provider: OidcProvider) -> Session:
        assert self.sessions is not None
        lock = self._renewing.setdefault(value, asyncio.Lock())
        try:
            async with lock:  # one refresh per session in this replica; others wait and read its result
                fresh = await self.sessions.read(value)
                if fresh is None:
                    raise AuthError("the console session has ended: sign in again")
                if not _due(fresh.id_token):
                    return fresh
                try:
                    tokens = await provider.refresh(fresh.refresh_token)
                except OidcError as e:
                    log.info("console session of %s not renewed: %s", provider.config.name, e)
                    return fresh  # still valid until its expiry; verify() says when it is not
                try:
                    await self.sessions.renew(fresh, tokens.id_token, tokens.refresh_token)
                except KubeError as e:  # the old token serves until its expiry; the next request tries again
                    log.warning("console session of %s: renewed tokens not stored: %s", provider.config.name,
                                e.__class__.__name__)
                    return fresh
                # Stored, or another replica renewed it first (a Conflict): either way the Secret holds the newest.
                return await self.sessions.read(value) or fresh
        finally:
            if not lock.locked():
                self._renewing.pop(value, None)

    async def _api_key(self, key: str) -> User:
        digest = _digest(key)
        user = self._keys.get(digest)
        if user is None:
            user = await verify_api_key(self.hub, self.namespace, key)
            if user is None:
                raise AuthError("API key is not valid (unknown, malformed or revoked)")
            self._keys.put(digest, user)
        return user

    async def _token_review(self, token: str) -> User:
        digest = _digest(token)
        user = self._tokens.get(digest)
        if user is not None:
            return user
        u = await review_token(self.hub, token)
        if u is None:
            raise AuthError("bearer token was not accepted by the hub")
        user = User(name=u.name, groups=u.groups, uid=u.uid, method="token-review", extra=u.extra)
        self._tokens.put(digest, user)
        return user


def _due(id_token: str) -> bool:
    """Whether a session's ID token should be renewed now: half its lifetime gone, or 30 s left."""
    try:
        claims: dict[str, object] = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return True
    exp, iat = claims.get("exp"), claims.get("iat")
    if not is_number(exp):
        return True
    assert isinstance(exp, int | float)
    lifetime = float(exp) - float(iat) if isinstance(iat, int | float) and not isinstance(iat, bool) else 60.0
    return float(exp) - time.time() < max(30.0, lifetime / 2)


def _issuer(token: str) -> str | None:
    try:
        claims: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    iss = claims.get("iss")
    return iss if isinstance(iss, str) else None


def _check_claims(claims: Mapping[str, object]) -> tuple[str, list[str]]:
    """Claim types PyJWT lets through, refused before they become an identity or a time comparison; the
    subject and the claimed groups once checked."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise AuthError("JWT sub claim must be a non-empty string")
    if sub.startswith(RESERVED_PREFIX):
        raise AuthError("JWT sub claim must not be a system: name")
    for claim in ("exp", "nbf", "iat"):
        if claim in claims and not is_number(claims[claim]):
            raise AuthError(f"JWT {claim} claim must be a number")
    groups = claims.get("groups")
    names = [g for g in groups if isinstance(g, str)] if isinstance(groups, list) else []
    if groups is not None and (not isinstance(groups, list) or len(names) != len(groups)):
        raise AuthError("JWT groups claim must be a list of strings")
    return sub, names


def _verify_jwt(token: str, cfg: JwtConfig, groups: GroupPolicy = DEFAULT_GROUPS) -> User:
    """The token's user, after its signature, issuer, audience, claim types and times are checked.

    Decoded twice: first without the time checks, so a badly typed `exp` is named as such rather than
    (as PyJWT's int() would have it) taken as a date; then fully, once the types are known to be numbers.
    """
    required = ["exp", "iss", "aud", "sub"]
    try:
        claims: dict[str, object] = jwt.decode(
            token, cfg.key, algorithms=[cfg.algorithm], audience=cfg.audience, issuer=cfg.issuer,
            options={"require": required, "verify_exp": False, "verify_nbf": False, "verify_iat": False,
                     "verify_sub": False})
        sub, claimed = _check_claims(claims)
        jwt.decode(token, cfg.key, algorithms=[cfg.algorithm], audience=cfg.audience, issuer=cfg.issuer,
                   options={"require": required})
    except jwt.PyJWTError as e:
        raise AuthError(explain(e, "JWT")) from None
    kept, dropped = groups.filter(claimed)
    if dropped:
        log.info("JWT for %r: %d group(s) dropped (not allowed by CLOUDOPS_JWT_GROUP_PREFIXES / "
                 "CLOUDOPS_JWT_GROUPS_ALLOWED, or system:)", sub, dropped)
    return User(name=sub, groups=(*kept, "system:authenticated"), method="jwt")
