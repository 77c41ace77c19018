"""多云集群 API, 1. 集群接入管理: request and response models of the cluster routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cloudops.services.common import PageInfo, PageQuery

__all__ = ["AddBody", "ClusterDeleted", "ClusterDetail", "ClusterList", "ClusterMetricsView", "ClusterSummary",
           "ConnectionTest", "Health", "ListQuery", "Phase", "Provider", "ResourceStats", "SyncResult",
           "UpdateBody", "Usage"]

Provider = Literal["aws", "huawei", "aliyun", "tencent", "other"]
Phase = Literal["pending", "connected", "disconnected", "error"]
Health = Literal["healthy", "warning", "error", "unknown"]
NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
RESERVED = {"add", "list"}  # literal paths beside /clusters/{id}


def _absent(value: object) -> bool:
    return value is None


def _unique(tags: list[str] | None) -> list[str] | None:
    if tags is not None and len(set(tags)) != len(tags):
        raise ValueError("tags must be unique")
    return tags


class AddBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=NAME, max_length=63, description="集群名称 (DNS label)")
    display_name: str = Field("", max_length=253)
    kubeconfig: str = Field(min_length=1, max_length=1_048_576, description="base64-encoded kubeconfig")
    context: str | None = Field(None, max_length=253)
    provider: Provider = "other"
    region: str = Field("", max_length=63)
    description: str = Field("", max_length=1024)
    tags: list[str] = Field(default_factory=list, max_length=64, json_schema_extra={"uniqueItems": True})

    _tags = field_validator("tags")(_unique)

    @field_validator("name")
    @classmethod
    def _not_a_route(cls, name: str) -> str:
        if name in RESERVED:
            raise ValueError(f"{name!r} is reserved: /api/k8s/clusters/{name} is a route of its own")
        return name


class UpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1, "anyOf": [  # one not null
        {"required": [name], "properties": {name: {"not": {"type": "null"}}}}
        for name in ("display_name", "description", "tags")]})
    display_name: str | None = Field(None, max_length=253)
    description: str | None = Field(None, max_length=1024)
    tags: list[str] | None = Field(None, max_length=64, json_schema_extra={"uniqueItems": True})

    _tags = field_validator("tags")(_unique)


class ListQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    provider: Provider | None = Field(None, description="云厂商过滤")
    status: Phase | None = Field(None, description="状态过滤")
    tag: str | None = Field(None, description="标签过滤", max_length=63)


class HealthReason(BaseModel):
    type: str | None = None
    message: str
    severity: Literal["low", "medium", "high", "critical"] | None = None


class ClusterSummary(BaseModel):
    id: int | None
    name: str
    display_name: str
    provider: Provider
    region: str
    version: str
    status: Phase
    health_status: Health
    resource_count: int
    last_sync_time: str | None
    tags: list[str]
    # Beyond the reference: what a console shows of every cluster at a glance, as the operator last measured it.
    health_score: float | None = Field(None, description="0–100 from the last sync; null until measured")
    issues: list[HealthReason] = Field(default_factory=list, description="why the score is what it is")
    node_count: int | None = Field(None, description="nodes at the last sync; null until measured")
    cpu_usage: float | None = Field(None, description="CPU use in percent at the last sync; null: not measured")
    memory_usage: float | None = Field(None, description="memory use in percent at the last sync; null: not measured")


class ClusterList(PageInfo):
    clusters: list[ClusterSummary]


class ClusterDeleted(BaseModel):
    id: int | None
    name: str
    deleted: bool


class ClusterMetricsView(BaseModel):
    cpu_usage: float | None
    memory_usage: float | None
    disk_usage: float | None
    pod_count: int
    node_count: int
    service_count: int
    deployment_count: int


class ClusterDetail(ClusterSummary):
    created_at: str | None
    description: str
    api_server: str
    message: str
    metrics: ClusterMetricsView


class ConnectionTest(BaseModel):
    connected: bool
    response_time: float
    version: str
    api_server: str
    nodes_count: int
    # Only a failed test says why (absent, not null, when connected).
    error: str | None = Field(default=None, exclude_if=_absent)
    reason: str | None = Field(default=None, exclude_if=_absent)


class SyncResult(BaseModel):
    sync_time: str | None
    resource_count: int
    health_status: Health
    status: Phase
    issues: list[dict[str, object]]  # as the operator recorded them (type, message, severity)


class Usage(BaseModel):
    cpu_usage: float | None
    memory_usage: float | None
    disk_usage: float | None
    source: str


class ResourceStats(BaseModel):
    cluster_id: int | None
    timestamp: str
    resources: dict[str, int]
    usage: Usage
