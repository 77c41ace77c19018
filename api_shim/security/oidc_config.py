"""The configured OIDC issuers (CLOUDOPS_OIDC_ISSUERS): what each one is and how its claims map, checked at
start-up so a bad setting stops the shim with the field and why rather than refusing every token later."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = ["RESERVED_PREFIX", "OidcIssuer", "SecretRef", "parse_issuers"]

RESERVED_PREFIX = "system:"
_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")


class SecretRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="a Secret in the product's hub namespace")
    key: str = Field("client-secret", description="the key holding the client secret")


class OidcIssuer(BaseModel):
    """One trusted issuer, as configured (README, "Single sign-on")."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="short id used in URLs: lower-case letters, digits, dashes")
    display_name: str = ""
    issuer: str = Field(description="the issuer URL, exactly as tokens carry it in `iss`")
    client_id: str = Field(description="this product's client id at the issuer: the audience tokens must name")
    audiences: list[str] = Field(default_factory=list, description="further audiences accepted for bearer tokens")
    client_secret: SecretRef | None = Field(None, description="for the console's sign-in (confidential client)")
    username_claim: str = "email"
    username_prefix: str = "oidc:"
    groups_claim: str = "groups"
    groups_prefix: str = "oidc:"
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "profile", "groups", "offline_access"])
    discovery_url: str = Field("", description="where the discovery document is, when not under the issuer URL")
    jwks_url: str = Field("", description="where the keys are, when not where the discovery document says "
                                          "(an issuer that advertises an address this shim cannot reach)")
    ca_file: str = Field("", description="PEM bundle to trust for the issuer's TLS certificate")
    console: bool = Field(True, description="offer this issuer on the console's sign-in page")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError("must be 1-40 lower-case letters, digits or dashes")
        return v

    @field_validator("issuer", "discovery_url", "jwks_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if v and not v.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return v.rstrip("/") if v.count("/") > 2 else v

    @field_validator("groups_prefix")
    @classmethod
    def _groups_prefix(cls, v: str) -> str:
        if not v or v.startswith(RESERVED_PREFIX):
            raise ValueError("must be set and must not start with system: (a token's groups would become "
                             "Kubernetes' own)")
        return v

    @field_validator("username_prefix")
    @classmethod
    def _user_prefix(cls, v: str) -> str:
        if v.startswith(RESERVED_PREFIX):
            raise ValueError("must not start with system:")
        return v

    @model_validator(mode="after")
    def _openid(self) -> OidcIssuer:
        if "openid" not in self.scopes:
            self.scopes = ["openid", *self.scopes]
        return self

    @property
    def title(self) -> str:
        return self.display_name or self.name


def parse_issuers(setting: str) -> list[OidcIssuer]:
    """CLOUDOPS_OIDC_ISSUERS: a JSON list of issuers, or `@path` of a file holding one; empty: none."""
    text = setting.strip()
    if not text:
        return []
    if text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    try:
        raw = json.loads(text)
    except ValueError as e:
        raise ValueError(f"CLOUDOPS_OIDC_ISSUERS is not JSON: {e}") from None
    if not isinstance(raw, list):
        raise ValueError("CLOUDOPS_OIDC_ISSUERS must be a JSON list of issuers")
    issuers = []
    for i, item in enumerate(raw):
        try:
            issuers.append(OidcIssuer.model_validate(item))
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"CLOUDOPS_OIDC_ISSUERS[{i}].{where}: {first['msg']}") from None
    for what in ("name", "issuer"):
        seen = [getattr(i, what) for i in issuers]
        if len(set(seen)) != len(seen):
            raise ValueError(f"CLOUDOPS_OIDC_ISSUERS: each issuer needs its own {what}")
    return issuers
