"""The whoami query and answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cloudops.services.common import ClusterRefItem

__all__ = ["CAPABILITIES", "VERBS", "CallbackQuery", "LoginQuery", "ProviderItem", "Providers", "SignedOut", "Whoami",
           "WhoamiCluster", "WhoamiQuery"]

# Every capability an endpoint checks (deploy/rbac/user-roles.yaml); "clusters" is the ManagedCluster itself.
CAPABILITIES = ("clusters", "test", "sync", "health", "metrics", "resources", "crds", "secrets", "logs", "exec",
                "files", "versions", "backups", "quotas", "labels", "scheduling", "network", "policies", "cost",
                "mcp", "cli")
VERBS = ("get", "list", "create", "update", "delete")


class WhoamiQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = Field(
        None, description="answer for this cluster (id or name); absent: for every cluster (grants without a "
                          "resource name)")


class WhoamiCluster(BaseModel):
    id: int | None = Field(None, description="the cluster's id")
    name: str = Field(description="the cluster's name")


class Whoami(BaseModel):
    user: str = Field(description="the caller's user name, as authorization sees it")
    groups: list[str] = Field(description="the caller's groups, as authorization sees them")
    method: str = Field(description="how the caller authenticated: api-key, oidc, jwt, token-review, terminal-ticket")
    issuer: str | None = Field(None, description="oidc: the issuer that signed the caller's token")
    expires_at: str | None = Field(None, description="oidc: when the token in use expires; a console session "
                                                     "renews it before then by itself")
    cluster: WhoamiCluster | None = Field(None, description="the cluster the answer is for; null: every cluster")
    can: dict[str, list[str]] = Field(description=(
        "capability → the verbs (get, list, create, update, delete) the caller may use on it; a capability with "
        "no allowed verb is left out. Capabilities: " + ", ".join(CAPABILITIES)))


class ProviderItem(BaseModel):
    name: str = Field(description="the issuer's short name")
    display_name: str = Field(description="what the sign-in page shows")
    login_url: str = Field(description="where the browser goes to sign in (add &next=/ui/... to land there)")


class Providers(BaseModel):
    providers: list[ProviderItem] = Field(description="identity providers offering single sign-on to the console")
    api_key: bool = Field(True, description="signing in with an API key is always possible")


class LoginQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider: str = Field(min_length=1, max_length=40, description="the provider's name (auth/providers)")
    next: str | None = Field(None, max_length=2000, description="a console path (/ui/...) to land on after sign-in")


class CallbackQuery(BaseModel):
    # Providers add parameters of their own (iss, session_state, scope): they are ignored, not refused.
    model_config = ConfigDict(extra="ignore")
    code: str | None = Field(None, max_length=4096, description="the authorization code")
    state: str | None = Field(None, max_length=512, description="the sign-in's state")
    error: str | None = Field(None, max_length=200, description="the provider's error code, when it refused")
    error_description: str | None = Field(None, max_length=1000, description="the provider's explanation")


class SignedOut(BaseModel):
    ended: bool = Field(description="a console session was ended (false: the caller had none, e.g. an API key)")
