"""OpenID Connect issuers the shim trusts by itself: discovery, JWKS, ID-token verification, and the
authorization-code exchange and refresh the console's sign-in uses.

Each issuer is configured by CLOUDOPS_OIDC_ISSUERS (api_shim.security.oidc_config). A token is verified
against the issuer its `iss` names: signature by a key from the issuer's JWKS (fetched on first use, kept
for five minutes, fetched again at once, at most every two seconds, when a token names an unknown key id, so
a rotated key works without a restart), with only the asymmetric algorithms the issuer announces; then
issuer, audience, expiry, not-before and the claim types. The user and groups claims become a Kubernetes
identity under configured prefixes; a group never maps to a `system:` name, whatever the token says.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import math
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import aiohttp
import jwt
from yarl import URL

from api_shim.security.identity import User
from api_shim.security.jwt_claims import explain, is_number
from api_shim.security.oidc_config import RESERVED_PREFIX, OidcIssuer

__all__ = ["ASYMMETRIC", "OidcError", "OidcProvider", "TokenSet", "open_providers"]

log = logging.getLogger("cloudops.shim")

# Public-key algorithms only: an HMAC token would be checked with a key the whole world may read (the JWKS).
ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})
JWKS_SECONDS = 300.0  # keys are kept this long...
JWKS_MIN_REFETCH = 2.0  # ...and fetched again early, for an unknown key id, at most this often
DISCOVERY_SECONDS = 3600.0
RETRY_SECONDS = 30.0  # an issuer that could not be reached is asked again after this, the last answer serving
HTTP_SECONDS = 10.0


class OidcError(Exception):
    """Carries a reason safe to show: never a token or a secret."""


@dataclass(frozen=True)
class TokenSet:
    """What a token endpoint answered (kept in the session Secret, never logged)."""

    id_token: str = field(repr=False)
    refresh_token: str = field(repr=False, default="")


class OidcProvider:
    """One issuer: its discovery document and keys, cached; token verification; code exchange and refresh."""

    def __init__(self, config: OidcIssuer, http: aiohttp.ClientSession, client_secret: str = "") -> None:
        self.config, self._http, self.client_secret = config, http, client_secret
        self._ssl: ssl.SSLContext | None = None
        self._discovery: dict[str, Any] = {}
        self._discovered_at = -math.inf
        self._keys: dict[str, jwt.PyJWK] = {}
        self._keys_at = -math.inf
        self._lock = asyncio.Lock()
        self._discovering = asyncio.Lock()
        # How long a read serves, and when an unreachable issuer is asked again (attributes: a test shortens them).
        self.keys_seconds, self.discovery_seconds, self.retry_seconds = JWKS_SECONDS, DISCOVERY_SECONDS, RETRY_SECONDS

    async def start(self) -> None:
        """Loads the CA bundle (off the event loop); discovery waits for the first token."""
        if self.config.ca_file:
            self._ssl = await asyncio.to_thread(ssl.create_default_context, cafile=self.config.ca_file)

    # --- discovery and keys ---

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            async with self._http.get(url, ssl=self._ssl if self._ssl is not None else True,
                                      timeout=aiohttp.ClientTimeout(total=HTTP_SECONDS)) as r:
                if r.status != 200:
                    raise OidcError(f"the issuer's {what} answered HTTP {r.status}")
                doc = await r.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as e:
            raise OidcError(f"the issuer's {what} could not be read ({e.__class__.__name__})") from None
        if not isinstance(doc, dict):
            raise OidcError(f"the issuer's {what} is not a JSON object")
        return doc

    async def discovery(self) -> dict[str, Any]:
        """The discovery document, read once an hour; while the issuer cannot be reached the last one read
        serves (tried again after RETRY_SECONDS), so an outage of the issuer refuses no token it signed."""
        if time.monotonic() - self._discovered_at < self.discovery_seconds:
            return self._discovery
        async with self._discovering:  # one read at a time, however many requests wait for it
            if time.monotonic() - self._discovered_at < self.discovery_seconds:
                return self._discovery
            try:
                doc = await self._read_discovery()
            except OidcError as e:
                if not self._discovery:
                    raise
                log.warning("OIDC issuer %s: %s; the discovery document read before serves", self.config.name, e)
                self._discovered_at = time.monotonic() - self.discovery_seconds + self.retry_seconds
                return self._discovery
            self._discovery, self._discovered_at = doc, time.monotonic()
            return doc

    async def _read_discovery(self) -> dict[str, Any]:
        url = self.config.discovery_url or f"{self.config.issuer}/.well-known/openid-configuration"
        doc = await self._get_json(url, "discovery document")
        if doc.get("issuer") != self.config.issuer:
            raise OidcError("the discovery document names another issuer")
        for key in ("jwks_uri", "authorization_endpoint", "token_endpoint"):
            if key != "jwks_uri" and not self.config.console:
                continue
            if not isinstance(doc.get(key), str):
                raise OidcError(f"the discovery document lacks {key}")
        return doc

    def algorithms(self) -> frozenset[str]:
        announced = self._discovery.get("id_token_signing_alg_values_supported")
        names = {a for a in announced if isinstance(a, str)} if isinstance(announced, list) else {"RS256"}
        return frozenset(names & ASYMMETRIC)

    async def _key(self, kid: str | None, alg: str) -> jwt.PyJWK:
        async with self._lock:
            age = time.monotonic() - self._keys_at
            if age >= self.keys_seconds or (kid not in self._keys and age >= JWKS_MIN_REFETCH):
                try:
                    await self._load_keys()
                except OidcError as e:
                    if not self._keys:
                        raise
                    # The keys read before serve while the issuer cannot be reached; tried again soon.
                    log.warning("OIDC issuer %s: %s; the keys read before serve", self.config.name, e)
                    self._keys_at = time.monotonic() - self.keys_seconds + self.retry_seconds
        if kid is None:
            candidates = [k for k in self._keys.values() if k.algorithm_name in (alg, None)]
            if len(candidates) != 1:
                raise OidcError("the token names no key id and the issuer has several keys")
            return candidates[0]
        key = self._keys.get(kid)
        if key is None:
            raise OidcError("the token's key id is not among the issuer's keys")
        return key

    async def _load_keys(self) -> None:
        url = self.config.jwks_url or str((await self.discovery())["jwks_uri"])
        doc = await self._get_json(url, "key set (JWKS)")
        keys: dict[str, jwt.PyJWK] = {}
        for i, raw in enumerate(doc.get("keys") or []):
            if not isinstance(raw, dict) or raw.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(raw)
            except (jwt.PyJWTError, ValueError, TypeError):
                continue  # a key type this library does not know: tokens signed with it fail as unknown
            keys[str(raw.get("kid") or f"#{i}")] = key
        self._keys, self._keys_at = keys, time.monotonic()

    # --- verification ---

    async def verify(self, token: str, *, audiences: Sequence[str] | None = None, nonce: str | None = None
                     ) -> dict[str, Any]:
        """The token's claims once signature, issuer, audience, times and claim types are checked."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise OidcError("the token is not a JWT") from None
        await self.discovery()
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.algorithms():
            raise OidcError(f"the token's algorithm {str(alg)[:20]!r} is not allowed for this issuer "
                            f"(allowed: {', '.join(sorted(self.algorithms())) or 'none'})")
        kid = header.get("kid")
        key = await self._key(kid if isinstance(kid, str) else None, alg)
        accepted = list(audiences) if audiences is not None else [self.config.client_id, *self.config.audiences]
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key.key, algorithms=[alg], audience=accepted, issuer=self.config.issuer,
                options={"require": ["iss", "aud", "exp", "iat", "sub"], "verify_exp": False,
                         "verify_nbf": False, "verify_iat": False})
        except jwt.PyJWTError as e:
            raise OidcError(explain(e, "the token")) from None
        _check_times(claims)
        if nonce is not None and claims.get("nonce") != nonce:
            raise OidcError("the ID token's nonce does not match the sign-in")
        return claims

    def identity(self, claims: Mapping[str, Any]) -> User:
        """The Kubernetes identity of verified claims: prefixed user and groups, never a system: name."""
        cfg = self.config
        value = claims.get(cfg.username_claim)
        if not isinstance(value, str) or not value.strip():
            raise OidcError(f"the token's {cfg.username_claim!r} claim (the user name) is missing or empty")
        if cfg.username_claim == "email" and claims.get("email_verified") is False:
            raise OidcError("the token's email is not verified by the issuer")
        user = cfg.username_prefix + value
        if user.startswith(RESERVED_PREFIX):
            raise OidcError("the token's user would be a system: name")
        raw = claims.get(cfg.groups_claim, [])
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(g, str) for g in raw):
            raise OidcError(f"the token's {cfg.groups_claim!r} claim must be a list of strings")
        kept = [cfg.groups_prefix + g for g in dict.fromkeys(raw) if g and not g.startswith(RESERVED_PREFIX)]
        if len(kept) != len(set(raw)):
            log.debug("OIDC user %r of %s: %d group(s) dropped (empty or system:)", user, cfg.name,
                     len(set(raw)) - len(kept))
        expires = datetime.fromtimestamp(float(claims["exp"]), UTC).isoformat().replace("+00:00", "Z")
        return User(name=user, groups=(*kept, "system:authenticated"), uid=str(claims.get("sub", "")),
                    method="oidc", issuer=cfg.issuer, expires_at=expires)

    # --- the console's sign-in (authorization code with PKCE) ---

    async def authorize_url(self, redirect_uri: str, state: str, nonce: str, challenge: str) -> str:
        endpoint = str((await self.discovery())["authorization_endpoint"])
        query = {"response_type": "code", "client_id": self.config.client_id, "redirect_uri": redirect_uri,
                 "scope": " ".join(self.config.scopes), "state": state, "nonce": nonce,
                 "code_challenge": challenge, "code_challenge_method": "S256"}
        return str(URL(endpoint).update_query(query))

    async def exchange(self, code: str, verifier: str, redirect_uri: str) -> TokenSet:
        return await self._token({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                                  "code_verifier": verifier}, "code exchange")

    async def refresh(self, refresh_token: str) -> TokenSet:
        tokens = await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token}, "refresh")
        return tokens if tokens.refresh_token else TokenSet(tokens.id_token, refresh_token)

    async def _token(self, form: dict[str, str], what: str) -> TokenSet:
        endpoint = str((await self.discovery())["token_endpoint"])
        headers = {}
        if self.client_secret:  # RFC 6749 2.3.1: each part form-encoded, then Basic
            pair = f"{quote(self.config.client_id, safe='')}:{quote(self.client_secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form = {**form, "client_id": self.config.client_id}
        try:
            async with self._http.post(endpoint, data=form, headers=headers,
                                       ssl=self._ssl if self._ssl is not None else True,
                                       timeout=aiohttp.ClientTimeout(total=HTTP_SECONDS)) as r:
                doc = await r.json(content_type=None)
                status = r.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as e:
            raise OidcError(f"the issuer's token endpoint failed in the {what} ({e.__class__.__name__})") from None
        if status != 200 or not isinstance(doc, dict) or not isinstance(doc.get("id_token"), str):
            reason = doc.get("error") if isinstance(doc, dict) else None
            raise OidcError(f"the issuer refused the {what}: HTTP {status}"
                            + (f" {str(reason)[:60]}" if isinstance(reason, str) else ""))
        refresh = doc.get("refresh_token")
        return TokenSet(doc["id_token"], refresh if isinstance(refresh, str) else "")


def _check_times(claims: Mapping[str, Any]) -> None:
    """Time claims must be numbers (PyJWT would take "1700000000"); expiry exact, not-before with 60 s of
    clock skew allowed (an issuer's clock slightly ahead must not lock users out)."""
    for claim in ("exp", "nbf", "iat"):
        if claim in claims and not is_number(claims[claim]):
            raise OidcError(f"the token's {claim} claim must be a number")
    now = time.time()
    if now >= float(claims["exp"]):
        raise OidcError("the token has expired")
    if "nbf" in claims and now + 60 < float(claims["nbf"]):
        raise OidcError("the token is not valid yet")


async def open_providers(issuers: Sequence[OidcIssuer], read_secret: Callable[[str, str], Awaitable[str | None]]
                         ) -> tuple[list[OidcProvider], aiohttp.ClientSession | None]:
    """The providers of the configured issuers and the HTTP session they share (None: no issuer); a client
    secret is read from its hub Secret once, at start-up (a changed secret needs a restart)."""
    if not issuers:
        return [], None
    http = aiohttp.ClientSession(trust_env=False)
    providers = []
    for cfg in issuers:
        secret = ""
        if cfg.client_secret is not None:
            found = await read_secret(cfg.client_secret.name, cfg.client_secret.key)
            if found is None:
                log.warning("OIDC issuer %s: Secret %s has no key %s; the console cannot sign in with it",
                            cfg.name, cfg.client_secret.name, cfg.client_secret.key)
            secret = found or ""
        provider = OidcProvider(cfg, http, secret)
        await provider.start()
        providers.append(provider)
    return providers, http
