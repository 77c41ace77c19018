"""多云集群 API, 3. 集群监控和健康检查: stored status and history, and live batch checks. The work is
cloudops.services.cluster_health."""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.cluster_health import ClusterMonitoring
from cloudops.services.cluster_health.models import (
    ClusterHealth,
    ClusterMetrics,
    HealthCheckBody,
    HealthCheckResult,
    MetricsQuery,
    MetricsSummary,
)

__all__ = ["section"]

section = Section(tag="cluster-health", resource="managedclusters")


@section.route("GET", "/api/k8s/clusters/{id}/metrics", "获取集群指标", verb="get", subresource="metrics",
               query=MetricsQuery, data=ClusterMetrics, cluster="path")
async def cluster_metrics(call: Call) -> web.Response:
    return ok(await call.service(ClusterMonitoring).metrics(call.cluster, call.query))


@section.route("GET", "/api/k8s/clusters/{id}/health", "获取集群健康状态", verb="get", subresource="health",
               data=ClusterHealth, cluster="path")
async def cluster_health(call: Call) -> web.Response:
    """Stored status, with per-node detail from the cluster's ClusterMetrics object."""
    return ok(await call.service(ClusterMonitoring).health(call.cluster))


@section.route("GET", "/api/k8s/clusters/metrics/summary", "获取所有集群指标汇总", verb="list",
               subresource="metrics", data=MetricsSummary)
async def metrics_summary(call: Call) -> web.Response:
    return ok(await call.service(ClusterMonitoring).summary())


@section.route("POST", "/api/k8s/clusters/health/check", "批量健康检查", verb="get", subresource="health",
               body=HealthCheckBody, data=HealthCheckResult, cluster="many")
async def batch_health_check(call: Call) -> web.Response:
    """Clusters named in `cluster_ids` must all exist (404 naming the missing); absent: every readable one."""
    return ok(await call.service(ClusterMonitoring).check(call.body, call.clusters, call.target.missing))
