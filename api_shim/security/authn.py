"""Authentication: our own JWTs, API keys, and Kubernetes bearer tokens through TokenReview.

JWT key material lives in a hub Secret (issuer, audience, and `hs256-key` or `rs256-public-key`);
any other bearer token goes to the hub's TokenReview, which also covers the cluster's OIDC issuer
where the API server is configured with one. Results are cached briefly by the token's hash.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

import jwt
from kubernetes_asyncio.client import (
    ApiClient,
    AuthenticationV1Api,
    CoreV1Api,
    V1TokenReview,
    V1TokenReviewSpec,
)
from kubernetes_asyncio.client.exceptions import ApiException

from api_shim.security.apikeys import verify_api_key
from api_shim.security.identity import User
from api_shim.security.ttlcache import TTLCache

__all__ = ["AuthError", "Authenticator", "JwtConfig"]


class AuthError(Exception):
    """Carries a reason safe to show: never the credential."""


@dataclass(frozen=True)
class JwtConfig:
    issuer: str
    audience: str
    key: str
    algorithm: str  # HS256 | RS256


class Authenticator:
    def __init__(self, hub: ApiClient, namespace: str, jwt_secret: str, cache_seconds: float = 30.0) -> None:
        self.hub, self.namespace, self.jwt_secret = hub, namespace, jwt_secret
        self._tokens: TTLCache[str, User] = TTLCache(cache_seconds)
        self._keys: TTLCache[str, User] = TTLCache(min(cache_seconds, 5.0))  # revocation shows within 5 s
        self._jwt: TTLCache[str, tuple[JwtConfig | None]] = TTLCache(30.0)  # key rotation shows within 30 s

    async def jwt_config(self) -> JwtConfig | None:
        cached = self._jwt.get("config")
        if cached is not None:
            return cached[0]
        cfg: JwtConfig | None = None
        try:
            secret = await CoreV1Api(self.hub).read_namespaced_secret(self.jwt_secret, self.namespace)
        except ApiException as e:
            if e.status != 404:
                raise
        else:
            data = {k: base64.b64decode(v).decode() for k, v in (secret.data or {}).items()}
            issuer, audience = data.get("issuer", ""), data.get("audience", "")
            if "hs256-key" in data:
                cfg = JwtConfig(issuer, audience, data["hs256-key"], "HS256")
            elif "rs256-public-key" in data:
                cfg = JwtConfig(issuer, audience, data["rs256-public-key"], "RS256")
        self._jwt.put("config", (cfg,))
        return cfg

    async def authenticate(self, authorization: str | None, api_key: str | None) -> User:
        if api_key:
            return await self._api_key(api_key)
        if not authorization:
            raise AuthError("no credentials: send Authorization: Bearer <token> or X-API-Key")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("Authorization header must be 'Bearer <token>'")
        token = token.strip()
        cfg = await self.jwt_config()
        if cfg is not None and _issuer(token) == cfg.issuer:
            return _verify_jwt(token, cfg)
        return await self._token_review(token)

    async def _api_key(self, key: str) -> User:
        digest = hashlib.sha256(key.encode()).hexdigest()
        user = self._keys.get(digest)
        if user is None:
            user = await verify_api_key(self.hub, self.namespace, key)
            if user is None:
                raise AuthError("API key is not valid (unknown, malformed or revoked)")
            self._keys.put(digest, user)
        return user

    async def _token_review(self, token: str) -> User:
        digest = hashlib.sha256(token.encode()).hexdigest()
        user = self._tokens.get(digest)
        if user is not None:
            return user
        review = V1TokenReview(spec=V1TokenReviewSpec(token=token))
        res = await AuthenticationV1Api(self.hub).create_token_review(review)
        status = res.status
        if status is None or not status.authenticated or status.user is None:
            raise AuthError("bearer token was not accepted by the hub")
        u = status.user
        user = User(name=u.username or "", groups=tuple(u.groups or ()), uid=u.uid or "", method="token-review",
                    extra={k: list(v) for k, v in (u.extra or {}).items()})
        self._tokens.put(digest, user)
        return user


def _issuer(token: str) -> str | None:
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    iss = claims.get("iss")
    return iss if isinstance(iss, str) else None


def _verify_jwt(token: str, cfg: JwtConfig) -> User:
    try:
        claims = jwt.decode(token, cfg.key, algorithms=[cfg.algorithm], audience=cfg.audience, issuer=cfg.issuer,
                            options={"require": ["exp", "iss", "aud", "sub"]})
    except jwt.ExpiredSignatureError:
        raise AuthError("JWT has expired") from None
    except jwt.InvalidAudienceError:
        raise AuthError("JWT audience does not match") from None
    except jwt.InvalidIssuerError:
        raise AuthError("JWT issuer does not match") from None
    except jwt.MissingRequiredClaimError as e:
        raise AuthError(f"JWT lacks the {e.claim!r} claim") from None
    except jwt.PyJWTError:
        raise AuthError("JWT signature or format is not valid") from None
    groups = claims.get("groups") or []
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise AuthError("JWT groups claim must be a list of strings")
    return User(name=str(claims["sub"]), groups=(*groups, "system:authenticated"), method="jwt")
