"""Request and response pieces every section shares: paging, cluster references, per-cluster errors.

Declared once so the validation, the responses and the OpenAPI document agree across sections.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CLUSTER_REF_PATTERN", "ClusterError", "ClusterRefItem", "LabelSelector", "ObjectManifest",
           "PageInfo", "PageQuery"]

CLUSTER_REF_PATTERN = r"^([0-9]+|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$"
# One cluster reference inside cluster_ids: an integer id or a name.
ClusterRefItem = Annotated[int | Annotated[str, Field(pattern=CLUSTER_REF_PATTERN, max_length=63)],
                           Field(description="cluster id or name")]
LabelSelector = Annotated[str, Field(max_length=1024, description="label selector (equality- or set-based)")]


class PageQuery(BaseModel):
    """Offset paging, as the reference's list endpoints take it."""

    limit: int = Field(20, ge=1, le=1000, description="返回数量")
    offset: int = Field(0, ge=0, le=1_000_000, description="偏移量")


class PageInfo(BaseModel):
    total: int
    limit: int
    offset: int


class ClusterError(BaseModel):
    """A cluster that failed inside a multi-cluster answer: the rest of the answer stands."""

    cluster_id: int | None
    cluster_name: str
    status: int
    code: int
    error: str


class ObjectManifest(BaseModel):
    """A Kubernetes object as JSON: apiVersion, kind, metadata (name required) and the kind's own fields."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"required": ["metadata"]})
    apiVersion: str | None = Field(None, max_length=253)
    kind: str | None = Field(None, max_length=63)
    metadata: dict[str, Any]
