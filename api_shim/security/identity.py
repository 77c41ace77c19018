"""The authenticated caller, as Kubernetes authorization sees one."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

__all__ = ["USER", "User"]


@dataclass(frozen=True)
class User:
    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    method: str = ""  # jwt | api-key | token-review | oidc | terminal-ticket
    extra: dict[str, list[str]] = field(default_factory=dict, hash=False, compare=False)
    issuer: str = ""  # oidc: the token's issuer (its subject is `uid`)
    expires_at: str = field(default="", compare=False)  # oidc: when the token in use expires (ISO 8601)


# The request's authenticated caller, set by the security middleware (or a redeemed terminal ticket).
USER = web.RequestKey("user", User)
