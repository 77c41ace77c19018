"""The console's single sign-on: authorization code flow with PKCE, state and nonce, ending in a session.

begin() stores the sign-in (api_shim.security.sessions) and sends the browser to the identity provider;
finish() checks that the answer belongs to a sign-in this browser began (the state equals the login cookie,
read once), exchanges the code with the verifier, verifies the ID token with its nonce and opens a session.
Every failure is an OidcError whose text the sign-in page shows.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from dataclasses import dataclass

from api_shim.security.authn import Authenticator
from api_shim.security.oidc import OidcError, OidcProvider
from api_shim.security.sessions import LoginState, pkce_pair

__all__ = ["DEFAULT_NEXT", "Begun", "Finished", "SignIn", "safe_next"]

log = logging.getLogger("cloudops.shim")
DEFAULT_NEXT = "/ui/clusters"
_NEXT = re.compile(r"^/ui(/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$")


def safe_next(value: str | None) -> str:
    """Where to land after sign-in: a console path only (never another site: no open redirect)."""
    if not value or not _NEXT.match(value) or "//" in value or "\\" in value:
        return DEFAULT_NEXT
    return value


@dataclass(frozen=True)
class Begun:
    location: str  # the identity provider's authorization URL
    state: str  # also the login cookie's value


@dataclass(frozen=True)
class Finished:
    session: str  # the session cookie's value
    next: str
    user: str


class SignIn:
    def __init__(self, authn: Authenticator) -> None:
        self.authn = authn

    def provider(self, name: str) -> OidcProvider | None:
        p = self.authn.providers.get(name)
        return p if p is not None and p.config.console else None

    async def begin(self, provider: OidcProvider, next_path: str | None, redirect_uri: str) -> Begun:
        sessions = self.authn.sessions
        assert sessions is not None
        verifier, challenge = pkce_pair()
        nonce = secrets.token_urlsafe(24)
        await sessions.sweep()  # sign-ins never finished and ended sessions go when a new one begins
        state = await sessions.begin(LoginState(provider.config.name, nonce, verifier, safe_next(next_path),
                                                redirect_uri))
        return Begun(await provider.authorize_url(redirect_uri, state, nonce, challenge), state)

    async def finish(self, code: str | None, state: str | None, cookie: str | None, error: str | None,
                     error_description: str | None) -> Finished:
        sessions = self.authn.sessions
        assert sessions is not None
        if error:
            text = f"{error}: {error_description}" if error_description else error
            raise OidcError(f"the identity provider did not sign you in ({text[:200]})")
        if not code or not state:
            raise OidcError("the identity provider's answer lacks the code or the state")
        if not cookie or not hmac.compare_digest(cookie.encode(), state.encode()):
            raise OidcError("this sign-in was not started in this browser (state does not match): start again")
        login = await sessions.finish(state)
        if login is None:
            raise OidcError("this sign-in expired or was already used: start again")
        provider = self.authn.providers.get(login.provider)
        if provider is None:
            raise OidcError("the sign-in's identity provider is no longer configured")
        tokens = await provider.exchange(code, login.verifier, login.redirect_uri)
        claims = await provider.verify(tokens.id_token, audiences=[provider.config.client_id], nonce=login.nonce)
        user = provider.identity(claims)
        value = await sessions.create(provider.config.name, tokens.id_token, tokens.refresh_token, user.name)
        log.info("console sign-in of %s through %s", user.name, provider.config.name)
        return Finished(value, login.next, user.name)
