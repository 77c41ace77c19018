"""多云集群 API, 集群接入管理: REST views over ManagedCluster objects in the hub."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from api_shim.state import HUB, SETTINGS
from cloudops.constants import MANAGED_CLUSTER
from cloudops.kube.custom_objects import CustomObjects

__all__ = ["section"]

section = Section(tag="clusters", resource="managedclusters")

Provider = Literal["aws", "huawei", "aliyun", "tencent", "other"]
Phase = Literal["pending", "connected", "disconnected", "error"]
Health = Literal["healthy", "warning", "error", "unknown"]


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider: Provider | None = Field(None, description="云厂商过滤")
    status: Phase | None = Field(None, description="状态过滤")
    tag: str | None = Field(None, description="标签过滤", max_length=63)
    limit: int = Field(20, ge=1, le=1000, description="返回数量")
    offset: int = Field(0, ge=0, description="偏移量")


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


class ClusterList(BaseModel):
    clusters: list[ClusterSummary]
    total: int


def summary(cr: dict[str, Any]) -> dict[str, Any]:
    spec, status = cr.get("spec", {}), cr.get("status", {}) or {}
    counts = status.get("resourceCounts", {}) or {}
    return {
        "id": status.get("id"),
        "name": cr["metadata"]["name"],
        "display_name": spec.get("displayName") or cr["metadata"]["name"],
        "provider": spec.get("provider", "other"),
        "region": spec.get("region", ""),
        "version": status.get("kubernetesVersion", ""),
        "status": status.get("phase", "pending"),
        "health_status": status.get("healthStatus", "unknown"),
        "resource_count": sum(v for v in counts.values() if isinstance(v, int)),
        "last_sync_time": status.get("lastSyncTime"),
        "tags": list(spec.get("tags", [])),
    }


def _sort_key(item: dict[str, Any]) -> tuple[int, str]:
    return (item["id"] if item["id"] is not None else 1 << 62, item["name"])


@section.route("GET", "/api/k8s/clusters/list", "获取集群列表", verb="list", query=ListQuery, data=ClusterList)
async def list_clusters(call: Call) -> web.Response:
    q: ListQuery = call.query
    app = call.request.app
    crs = await CustomObjects(app[HUB], MANAGED_CLUSTER, app[SETTINGS].namespace).list()
    items = sorted((summary(cr) for cr in crs), key=_sort_key)
    if q.provider:
        items = [c for c in items if c["provider"] == q.provider]
    if q.status:
        items = [c for c in items if c["status"] == q.status]
    if q.tag:
        items = [c for c in items if q.tag in c["tags"]]
    return ok({"clusters": items[q.offset:q.offset + q.limit], "total": len(items)})
