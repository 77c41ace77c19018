"""The whoami query and answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cloudops.services.common import ClusterRefItem

__all__ = ["CAPABILITIES", "VERBS", "Whoami", "WhoamiCluster", "WhoamiQuery"]

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
    method: str = Field(description="how the caller authenticated: api-key, jwt, token-review, terminal-ticket")
    cluster: WhoamiCluster | None = Field(None, description="the cluster the answer is for; null: every cluster")
    can: dict[str, list[str]] = Field(description=(
        "capability → the verbs (get, list, create, update, delete) the caller may use on it; a capability with "
        "no allowed verb is left out. Capabilities: " + ", ".join(CAPABILITIES)))
