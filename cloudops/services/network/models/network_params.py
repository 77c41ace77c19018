"""Request pieces the three network sections (endpoints, ingress, networkpolicies) share, and their delete answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cloudops.services.common import ClusterRefItem, LabelSelector, PageQuery

__all__ = ["DNS_LABEL", "Deleted", "ListQuery", "NamespaceQuery"]

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")


class NamespaceQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=DNS_LABEL, max_length=63, description="命名空间 (default: default)")


class ListQuery(NamespaceQuery, PageQuery):
    label_selector: LabelSelector | None = None


class Deleted(BaseModel):
    id: str
    name: str
    namespace: str
    deleted: bool
