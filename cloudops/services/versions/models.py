"""Requests and answers of YAML 版本管理 1. YAML 版本控制 (1.1–1.5)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cloudops.services.common import NAMESPACE_PATTERN as NAMESPACE
from cloudops.services.common import RESOURCE_TYPE_PATTERN as RESOURCE_TYPE
from cloudops.services.common import ClusterRefItem, PageInfo, PageQuery

__all__ = ["TAG", "CompareBody", "DiffEntry", "DiffQuery", "DiffResult", "DiffSummary", "ListQuery", "RollbackBody",
           "RollbackResult", "TagBody", "TagResult", "VersionItem", "VersionList", "VersionRef", "Where"]

TAG = r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
VersionRef = int | str


class Where(BaseModel):
    """For a bare-name resource_id: where the object is. A full object id needs none of these."""

    model_config = ConfigDict(extra="forbid")
    resource_type: str | None = Field(None, pattern=RESOURCE_TYPE, max_length=253,
                                      description="资源类型 (deployment, service, configmap, ...); default "
                                                  "deployment, as in the scheduling routes")
    cluster_id: ClusterRefItem | None = Field(None, description="cluster id or name; optional with one cluster")
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63)


class ListQuery(PageQuery, Where):
    model_config = ConfigDict(extra="forbid")
    branch: str | None = Field(None, max_length=253, description="分支名称")


class DiffQuery(Where):
    version1: str = Field(min_length=1, max_length=128, description="id, v<N>, tag, or current (the live object)")
    version2: str = Field("current", min_length=1, max_length=128)
    include_objects: bool = Field(False, description=(
        "beyond the reference: also answer both versions whole (normalized: no status or server-set metadata), "
        "for a side-by-side view; never for a Secret"))


class CompareBody(Where):
    version1: VersionRef = Field(description="id, v<N>, tag, or current")
    version2: VersionRef = Field("current")
    include_metadata: bool = Field(True, description="labels and annotations count as differences")
    include_objects: bool = Field(False, description=(
        "beyond the reference: also answer both versions whole (normalized), for a side-by-side view; never for a "
        "Secret"))


class RollbackBody(Where):
    version_id: VersionRef = Field(description="id (or v<N>, or a tag) of the version to return to")
    reason: str = Field("", max_length=1024)
    notify_users: list[str] = Field(default_factory=list, max_length=50)


class TagBody(Where):
    version_id: VersionRef
    tag: str = Field(pattern=TAG, max_length=128)
    description: str = Field("", max_length=1024)


class VersionItem(BaseModel):
    id: int
    version: str
    change_log: str
    created_by: str
    created_at: str | None
    tags: list[str]
    is_current: bool
    branch: str


class VersionList(PageInfo):
    resource_id: str
    versions: list[VersionItem]


class DiffEntry(BaseModel):
    type: Literal["added", "modified", "deleted"]
    path: str
    old_value: Any
    new_value: Any


class DiffSummary(BaseModel):
    added: int
    modified: int
    deleted: int


class DiffResult(BaseModel):
    resource_id: str
    version1: str
    version2: str
    diff: list[DiffEntry]
    summary: DiffSummary
    object1: dict[str, Any] | None = Field(None, description="version1 whole, with include_objects; else null")
    object2: dict[str, Any] | None = Field(None, description="version2 whole, with include_objects; else null")


class RollbackResult(BaseModel):
    resource_id: str
    rolled_back_to: VersionItem
    new_version: VersionItem | None = Field(description="null when the object already matched that version")
    notified_users: list[str]


class TagResult(VersionItem):
    tag_descriptions: dict[str, str]
