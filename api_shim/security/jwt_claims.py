"""What the JWT checks of our own tokens (authn) and of OIDC issuers (oidc) share: how PyJWT's refusals read,
and what a JSON number is (PyJWT would take "1700000000" or `true` through int() as a date)."""

from __future__ import annotations

import math

import jwt

__all__ = ["explain", "is_number"]


def is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def explain(e: jwt.PyJWTError, subject: str) -> str:
    """Why PyJWT refused a token, safe to show (never the token): `subject` names it ("JWT", "the token")."""
    if isinstance(e, jwt.ExpiredSignatureError):
        return f"{subject} has expired"
    if isinstance(e, jwt.InvalidAudienceError):
        return f"{subject} audience does not match"
    if isinstance(e, jwt.InvalidIssuerError):
        return f"{subject} issuer does not match"
    if isinstance(e, jwt.MissingRequiredClaimError):
        return f"{subject} lacks the {e.claim!r} claim"
    if isinstance(e, jwt.ImmatureSignatureError):
        return f"{subject} is not valid yet"
    return f"{subject} signature or format is not valid"
