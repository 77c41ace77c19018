"""多云集群 API, 3. 集群监控和健康检查: stored status and history, and live batch checks."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from api_shim.state import REGISTRY
from api_shim.views import cluster_summary
from cloudops.clusters.fleet import probe_many
from cloudops.clusters.metrics_store import read_metrics, read_series
from cloudops.clusters.probe import Scope
from cloudops.conditions import now_iso
from cloudops.services.common import ClusterRefItem

__all__ = ["section"]

section = Section(tag="cluster-health", resource="managedclusters")


class MetricsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    time_range: Literal["1h", "24h", "7d", "30d"] = Field("1h", description="时间范围")


class HealthCheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_ids: list[ClusterRefItem] | None = Field(None, min_length=1, max_length=200,
                                                     description="ids or names; all clusters when omitted")
    check_components: bool = True
    check_nodes: bool = True
    check_resources: bool = True


class Issue(BaseModel):
    type: str
    message: str
    severity: str | None = None


class MetricsPoint(BaseModel):
    timestamp: str
    cpu_usage: float
    memory_usage: float
    disk_usage: float
    pod_count: float
    node_count: float
    health_score: float


class ClusterMetrics(BaseModel):
    cluster_id: int | None
    timestamp: str
    time_range: str
    cpu_usage: float | None
    memory_usage: float | None
    disk_usage: float | None
    network_usage: float | None = Field(description="not measured: null")
    pod_count: int
    node_count: int
    service_count: int
    deployment_count: int
    health_score: float | None
    issues: list[Issue]
    history: list[MetricsPoint]


class Component(BaseModel):
    name: str
    status: str
    response_time: float | None


class NodeHealth(BaseModel):
    name: str
    status: str
    cpu_usage: float | None
    memory_usage: float | None


class ClusterHealth(BaseModel):
    cluster_id: int | None
    health_status: str
    health_score: float | None
    last_check: str | None
    components: list[Component]
    nodes: list[NodeHealth]
    issues: list[Issue]


class SummaryCounts(BaseModel):
    total_clusters: int
    healthy_clusters: int
    warning_clusters: int
    error_clusters: int
    unknown_clusters: int
    total_resources: int
    avg_cpu_usage: float | None
    avg_memory_usage: float | None


class SummaryRow(BaseModel):
    id: int | None
    name: str
    health_status: str
    resource_count: int
    cpu_usage: float | None
    memory_usage: float | None


class MetricsSummary(BaseModel):
    summary: SummaryCounts
    clusters: list[SummaryRow]


class CheckedNode(BaseModel):
    name: str
    status: str


class CheckedCluster(BaseModel):
    cluster_id: int | None
    cluster_name: str
    status: str
    connected: bool
    health_score: float
    issues: list[Issue]
    response_time: float | None = None
    components: list[Component] | None = None
    nodes: list[CheckedNode] | None = None
    resources: dict[str, int] | None = None


class CheckSummary(BaseModel):
    total_checked: int
    healthy: int
    warning: int
    error: int


class HealthCheckResult(BaseModel):
    check_time: str
    results: list[CheckedCluster]
    not_found: list[str]
    summary: CheckSummary


def _history(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"timestamp": p["t"], "cpu_usage": p.get("cpu", 0.0), "memory_usage": p.get("memory", 0.0),
             "disk_usage": p.get("disk", 0.0), "pod_count": p.get("pods", 0), "node_count": p.get("nodes", 0),
             "health_score": p.get("score", 0.0)} for p in points]


@section.route("GET", "/api/k8s/clusters/{id}/metrics", "获取集群指标", verb="get", subresource="metrics",
               query=MetricsQuery, data=ClusterMetrics, cluster="path")
async def cluster_metrics(call: Call) -> web.Response:
    reg = call.request.app[REGISTRY]
    cluster = call.cluster.cr
    status = cluster.get("status") or {}
    counts, usage = status.get("resourceCounts") or {}, status.get("usage") or {}
    series = await read_series(reg.hub, reg.namespace, cluster["metadata"]["name"])
    q: MetricsQuery = call.query
    return ok({
        "cluster_id": call.cluster.id, "timestamp": status.get("lastSyncTime") or now_iso(),
        "time_range": q.time_range, "cpu_usage": usage.get("cpuPercent"),
        "memory_usage": usage.get("memoryPercent"), "disk_usage": usage.get("diskPercent"), "network_usage": None,
        "pod_count": counts.get("pods", 0), "node_count": counts.get("nodes", 0),
        "service_count": counts.get("services", 0), "deployment_count": counts.get("deployments", 0),
        "health_score": status.get("healthScore"), "issues": status.get("issues", []),
        "history": _history(series.get(q.time_range, [])),
    })


def _health_view(cluster_id: int | None, status: dict[str, Any], nodes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "cluster_id": cluster_id, "health_status": status.get("healthStatus", "unknown"),
        "health_score": status.get("healthScore"), "last_check": status.get("lastSyncTime"),
        "components": [{"name": c["name"], "status": c.get("status", "unknown"),
                        "response_time": c.get("responseTimeSeconds")} for c in status.get("components", [])],
        "nodes": [{"name": n["name"], "status": n.get("status", ""), "cpu_usage": n.get("cpuPercent"),
                   "memory_usage": n.get("memoryPercent")} for n in nodes],
        "issues": status.get("issues", []),
    }


@section.route("GET", "/api/k8s/clusters/{id}/health", "获取集群健康状态", verb="get", subresource="health",
               data=ClusterHealth, cluster="path")
async def cluster_health(call: Call) -> web.Response:
    """Stored status, with per-node detail from the cluster's ClusterMetrics object."""
    reg = call.request.app[REGISTRY]
    metrics = await read_metrics(reg.hub, reg.namespace, call.cluster.name)
    return ok(_health_view(call.cluster.id, call.cluster.cr.get("status") or {}, list(metrics.get("nodes") or [])))


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


@section.route("GET", "/api/k8s/clusters/metrics/summary", "获取所有集群指标汇总", verb="list",
               subresource="metrics", data=MetricsSummary)
async def metrics_summary(call: Call) -> web.Response:
    crs = await call.request.app[REGISTRY].all()
    rows = []
    for cr in crs:
        view, usage = cluster_summary(cr), (cr.get("status") or {}).get("usage") or {}
        rows.append({"id": view["id"], "name": view["name"], "health_status": view["health_status"],
                     "resource_count": view["resource_count"], "cpu_usage": usage.get("cpuPercent"),
                     "memory_usage": usage.get("memoryPercent")})
    rows.sort(key=lambda r: (r["id"] or 0, r["name"]))

    def by(health: str) -> int:
        return sum(1 for r in rows if r["health_status"] == health)

    return ok({"summary": {
        "total_clusters": len(rows), "healthy_clusters": by("healthy"), "warning_clusters": by("warning"),
        "error_clusters": by("error"), "unknown_clusters": by("unknown"),
        "total_resources": sum(r["resource_count"] for r in rows),
        "avg_cpu_usage": _mean([r["cpu_usage"] for r in rows if r["cpu_usage"] is not None]),
        "avg_memory_usage": _mean([r["memory_usage"] for r in rows if r["memory_usage"] is not None]),
    }, "clusters": rows})


@section.route("POST", "/api/k8s/clusters/health/check", "批量健康检查", verb="get", subresource="health",
               body=HealthCheckBody, data=HealthCheckResult, cluster="many")
async def batch_health_check(call: Call) -> web.Response:
    """Clusters named in `cluster_ids` must all exist (404 naming the missing); absent: every readable one."""
    b: HealthCheckBody = call.body
    reg = call.request.app[REGISTRY]
    clusters = [c.cr for c in call.target.clusters]
    missing = list(call.target.missing)
    results = []
    scope = Scope(components=b.check_components, resources=b.check_resources)
    for r in await probe_many(reg, clusters, scope):
        view = cluster_summary(r.cluster)
        item: dict[str, Any] = {"cluster_id": view["id"], "cluster_name": view["name"]}
        if r.snapshot is None:
            item.update(status="error", connected=False, health_score=0.0,
                        issues=[{"type": "error", "message": r.message, "severity": "critical"}])
        else:
            s = r.snapshot
            item.update(status=s.health_status, connected=True, health_score=s.health_score, issues=s.issues,
                        response_time=s.response_time)
            if b.check_components:
                item["components"] = [{"name": c["name"], "status": c["status"],
                                       "response_time": c.get("responseTimeSeconds")} for c in s.components]
            if b.check_nodes:
                item["nodes"] = [{"name": n["name"], "status": n["status"]} for n in s.nodes]
            if b.check_resources:
                item["resources"] = {k: v for k, v in s.counts.items()}
        results.append(item)

    def count(health: str) -> int:
        return sum(1 for i in results if i["status"] == health)

    return ok({"check_time": now_iso(), "results": results, "not_found": missing, "summary": {
        "total_checked": len(results), "healthy": count("healthy"), "warning": count("warning"),
        "error": count("error")}})
