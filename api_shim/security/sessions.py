"""Console sessions after single sign-on, and the sign-ins under way: hub Secrets, never the browser.

The browser holds only a random id in an HttpOnly cookie; the tokens stay in a Secret named after the id's
hash (so listing Secrets reveals no cookie). A sign-in under way (state, nonce, PKCE verifier, where to go
next) is a Secret too, read once and deleted by the callback, so any replica can finish what another began
and a restart loses nothing.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field

from cloudops.kube.client import ApiClient
from cloudops.kube.errors import Conflict
from cloudops.kube.secrets import Secrets, StoredSecret

__all__ = ["CSRF_HEADER", "CSRF_VALUE", "LOGIN_COOKIE", "LOGIN_SECONDS", "SESSION_COOKIE", "LoginState", "Session",
           "SessionStore", "pkce_pair"]

SESSION_COOKIE = "cloudops_session"
LOGIN_COOKIE = "cloudops_login"  # binds a sign-in under way to the browser that began it
CSRF_HEADER, CSRF_VALUE = "X-Requested-By", "cloudops-console"

SESSION_LABEL = "cloudops.io/console-session"
LOGIN_LABEL = "cloudops.io/console-login"
LOGIN_SECONDS = 600  # a sign-in must come back from the identity provider within ten minutes


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:40]


def pkce_pair() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@dataclass(frozen=True)
class LoginState:
    provider: str
    nonce: str = field(repr=False)
    verifier: str = field(repr=False)
    next: str
    redirect_uri: str


@dataclass(frozen=True)
class Session:
    provider: str
    id_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    ends: float  # absolute end (epoch seconds), whatever refreshes happen
    stored: StoredSecret = field(repr=False)


class SessionStore:
    def __init__(self, hub: ApiClient, namespace: str, lifetime: float) -> None:
        self._secrets = Secrets(hub, namespace)
        self.lifetime = lifetime

    # --- sign-ins under way ---

    async def begin(self, state: LoginState) -> str:
        """Stores a sign-in; returns its `state` value (random, single use)."""
        value = secrets.token_urlsafe(32)
        await self._secrets.create(f"cloudops-login-{_digest(value)}", {
            "provider": state.provider, "nonce": state.nonce, "verifier": state.verifier, "next": state.next,
            "redirect-uri": state.redirect_uri, "expires": str(time.time() + LOGIN_SECONDS)},
            labels={LOGIN_LABEL: "true"})
        return value

    async def finish(self, value: str) -> LoginState | None:
        """The sign-in `value` names, deleted (so it is used once); None when unknown, used or expired."""
        name = f"cloudops-login-{_digest(value)}"
        stored = await self._secrets.read(name)
        if stored is None or not await self._secrets.delete(name):
            return None  # unknown, or another request took it first
        d = stored.data
        if float(d.get("expires", "0")) < time.time():
            return None
        return LoginState(d["provider"], d["nonce"], d["verifier"], d["next"], d["redirect-uri"])

    async def sweep(self) -> int:
        """Deletes sign-ins never finished and sessions past their end; returns how many."""
        gone = 0
        now = time.time()
        for label, key in ((LOGIN_LABEL, "expires"), (SESSION_LABEL, "ends")):
            for s in await self._secrets.list(f"{label}=true"):
                if float(s.data.get(key, "0")) < now and await self._secrets.delete(s.name):
                    gone += 1
        return gone

    # --- sessions ---

    async def create(self, provider: str, id_token: str, refresh_token: str, user: str) -> str:
        """A new session; returns the cookie value."""
        value = secrets.token_urlsafe(32)
        await self._secrets.create(f"cloudops-session-{_digest(value)}", {
            "provider": provider, "id-token": id_token, "refresh-token": refresh_token, "user": user,
            "ends": str(time.time() + self.lifetime)}, labels={SESSION_LABEL: "true"})
        return value

    async def read(self, value: str) -> Session | None:
        stored = await self._secrets.read(f"cloudops-session-{_digest(value)}")
        if stored is None:
            return None
        d = stored.data
        return Session(d.get("provider", ""), d.get("id-token", ""), d.get("refresh-token", ""),
                       float(d.get("ends", "0")), stored)

    async def renew(self, session: Session, id_token: str, refresh_token: str) -> bool:
        """New tokens for a session as read; False when another replica renewed it first (read it again)."""
        try:
            await self._secrets.replace(session.stored, {**session.stored.data, "id-token": id_token,
                                                         "refresh-token": refresh_token})
        except Conflict:
            return False
        return True

    async def end(self, value: str) -> bool:
        return await self._secrets.delete(f"cloudops-session-{_digest(value)}")
