"""多云集群 API, 1. 集群接入管理: ManagedCluster objects in the hub, and live calls to members."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, ok
from api_shim.security.middleware import USER
from api_shim.state import HUB, REGISTRY, SETTINGS
from api_shim.views import cluster_detail, cluster_summary, resources_view, usage_view, version_of
from cloudops.clusters.connect import ConnectError
from cloudops.clusters.fleet import probe_cluster
from cloudops.clusters.kubeconfig import decode_base64_kubeconfig
from cloudops.clusters.registry import Registration
from cloudops.conditions import now_iso
from cloudops.kube.events import emit_event
from cloudops.members.errors import from_connect_error
from cloudops.paging import page
from cloudops.services.common import PageInfo, PageQuery

__all__ = ["section"]

section = Section(tag="clusters", resource="managedclusters")

Provider = Literal["aws", "huawei", "aliyun", "tencent", "other"]
Phase = Literal["pending", "connected", "disconnected", "error"]
Health = Literal["healthy", "warning", "error", "unknown"]
NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
Tag = Field(min_length=1, max_length=63)
RESERVED = {"add", "list"}  # literal paths beside /clusters/{id}


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
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    display_name: str | None = Field(None, max_length=253)
    description: str | None = Field(None, max_length=1024)
    tags: list[str] | None = Field(None, max_length=64, json_schema_extra={"uniqueItems": True})

    _tags = field_validator("tags")(_unique)


class ListQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    provider: Provider | None = Field(None, description="云厂商过滤")
    status: Phase | None = Field(None, description="状态过滤")
    tag: str | None = Field(None, description="标签过滤", max_length=63)


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
    health_score: float | None
    message: str
    metrics: ClusterMetricsView


class ConnectionTest(BaseModel):
    connected: bool
    response_time: float
    version: str
    api_server: str
    nodes_count: int
    error: str | None = None
    reason: str | None = None


class SyncResult(BaseModel):
    sync_time: str | None
    resource_count: int
    health_status: Health
    status: Phase
    issues: list[dict[str, Any]]


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


async def _event(call: Call, obj: dict[str, Any], reason: str, what: str) -> None:
    user = call.request.get(USER)
    who = user.name if user else "unknown"
    await emit_event(call.request.app[HUB], obj, reason, f"{what} by {who} through the REST API")


@section.route("POST", "/api/k8s/clusters/add", "添加集群", verb="create", body=AddBody, data=ClusterDetail)
async def add_cluster(call: Call) -> web.Response:
    b: AddBody = call.body
    reg = Registration(name=b.name, kubeconfig=decode_base64_kubeconfig(b.kubeconfig), context=b.context,
                       display_name=b.display_name, provider=b.provider, region=b.region,
                       description=b.description, tags=b.tags)
    created = await call.request.app[REGISTRY].register(reg, call.request.app[SETTINGS].max_clusters)
    await _event(call, created, "Registered", "cluster registered")
    return ok(cluster_detail(created))


@section.route("GET", "/api/k8s/clusters/list", "获取集群列表", verb="list", query=ListQuery, data=ClusterList)
async def list_clusters(call: Call) -> web.Response:
    q: ListQuery = call.query
    crs = await call.request.app[REGISTRY].all()
    items = sorted((cluster_summary(cr) for cr in crs),
                   key=lambda c: (c["id"] if c["id"] is not None else 1 << 62, c["name"]))
    if q.provider:
        items = [c for c in items if c["provider"] == q.provider]
    if q.status:
        items = [c for c in items if c["status"] == q.status]
    if q.tag:
        items = [c for c in items if q.tag in c["tags"]]
    listed = page(items, q.limit, q.offset)
    return ok({"clusters": listed.pop("items"), **listed})


@section.route("GET", "/api/k8s/clusters/{id}", "获取集群详情", verb="get", data=ClusterDetail, cluster="path")
async def get_cluster(call: Call) -> web.Response:
    return ok(cluster_detail(call.cluster.cr))


@section.route("PUT", "/api/k8s/clusters/{id}", "更新集群信息", verb="update", body=UpdateBody, data=ClusterDetail,
               cluster="path")
async def update_cluster(call: Call) -> web.Response:
    b: UpdateBody = call.body
    changes = {k: v for k, v in {"displayName": b.display_name, "description": b.description,
                                 "tags": b.tags}.items() if v is not None}
    if not changes:
        raise ApiError(400, "body: give at least one of display_name, description, tags")
    updated = await call.request.app[REGISTRY].update(call.cluster.name, changes)
    await _event(call, updated, "Updated", f"{', '.join(sorted(changes))} updated")
    return ok(cluster_detail(updated))


@section.route("DELETE", "/api/k8s/clusters/{id}", "删除集群", verb="delete", data=ClusterDeleted, cluster="path")
async def delete_cluster(call: Call) -> web.Response:
    removed = await call.request.app[REGISTRY].remove(call.cluster.name)
    await _event(call, removed, "Deleted", "cluster deletion requested")
    return ok({"id": cluster_summary(removed)["id"], "name": removed["metadata"]["name"], "deleted": True})


@section.route("POST", "/api/k8s/clusters/{id}/test", "测试集群连接", verb="create", subresource="test",
               data=ConnectionTest, cluster="path")
async def test_cluster(call: Call) -> web.Response:
    """The test's answer is data: a member that cannot be reached is `connected: false`, not an error."""
    result = await call.request.app[REGISTRY].live(call.cluster.cr)
    return ok({**result, "version": version_of({"kubernetesVersion": result["version"]})})


@section.route("POST", "/api/k8s/clusters/{id}/sync", "同步集群状态", verb="create", subresource="sync",
               data=SyncResult, cluster="path")
async def sync_cluster(call: Call) -> web.Response:
    reg = call.request.app[REGISTRY]
    fresh = await reg.request_sync(call.cluster.name, call.request.app[SETTINGS].sync_timeout_seconds)
    await _event(call, fresh, "SyncRequested", "immediate sync requested")
    view, status = cluster_summary(fresh), fresh.get("status") or {}
    return ok({"sync_time": status.get("lastSyncTime"), "resource_count": view["resource_count"],
               "health_status": view["health_status"], "status": view["status"], "issues": status.get("issues", [])})


@section.route("GET", "/api/k8s/clusters/{id}/resources", "获取集群资源统计", verb="get", subresource="resources",
               data=ResourceStats, cluster="path")
async def cluster_resources(call: Call) -> web.Response:
    """Counted live from the member, not from the last sync."""
    result = await probe_cluster(call.request.app[REGISTRY], call.cluster.cr)
    if result.snapshot is None:
        raise from_connect_error(call.cluster.name, ConnectError(result.reason, result.message, result.phase))
    return ok({"cluster_id": call.cluster.id, "timestamp": now_iso(),
               "resources": resources_view(result.snapshot.counts), "usage": usage_view(result.snapshot.usage)})
