"""网络管理 API 1. Endpoint 管理 (1.1–1.10): a Service's endpoints, read from its EndpointSlices.

Writes manage the slices of Services without a selector (cloudops.services.network.endpoints); health checks
probe from the shim within CLOUDOPS_PROBE_CIDRS only (cloudops.services.network.endpoint_health).
"""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from api_shim.network_params import target
from cloudops.services.network import EndpointHealth, Endpoints
from cloudops.services.network.models.endpoints import (
    BatchBody,
    BatchSummary,
    EndpointCreate,
    EndpointDetail,
    EndpointList,
    EndpointMetrics,
    EndpointStatus,
    EndpointUpdate,
    HealthCheckBody,
    HealthCheckResult,
    ListEndpointsQuery,
    MetricsQuery,
    ServiceLink,
)
from cloudops.services.network.models.network_params import Deleted, NamespaceQuery
from cloudops.services.network.names import ENDPOINTS

__all__ = ["section"]

section = Section(tag="network", resource="managedclusters")


@section.route("GET", "/api/k8s/endpoints", "获取 Endpoint 列表", verb="list", subresource="network",
               query=ListEndpointsQuery, data=EndpointList, cluster="param")
async def list_endpoints(call: Call) -> web.Response:
    return ok(await call.service(Endpoints).list_endpoints(call.cluster, call.query))


@section.route("GET", "/api/k8s/endpoints/{name}", "获取 Endpoint 详情", verb="get", subresource="network",
               query=NamespaceQuery, data=EndpointDetail, cluster="param")
async def get_endpoint(call: Call) -> web.Response:
    return ok(await call.service(Endpoints).detail(call.cluster, target(call, ENDPOINTS)))


@section.route("POST", "/api/k8s/endpoints/create", "创建 Endpoint", verb="create", subresource="network",
               body=EndpointCreate, data=EndpointDetail, cluster="param")
async def create_endpoint(call: Call) -> web.Response:
    """Endpoints for a Service without a selector (created selector-less when missing): its EndpointSlices."""
    return ok(await call.service(Endpoints).create(call.cluster, call.body))


@section.route("PUT", "/api/k8s/endpoints/{name}", "更新 Endpoint", verb="update", subresource="network",
               query=NamespaceQuery, body=EndpointUpdate, data=EndpointDetail, cluster="param")
async def update_endpoint(call: Call) -> web.Response:
    return ok(await call.service(Endpoints).update(call.cluster, target(call, ENDPOINTS), call.body))


@section.route("DELETE", "/api/k8s/endpoints/{name}", "删除 Endpoint", verb="delete", subresource="network",
               query=NamespaceQuery, data=Deleted, cluster="param")
async def delete_endpoint(call: Call) -> web.Response:
    """Removes our slices; a Service that the create made for them goes too."""
    return ok(await call.service(Endpoints).delete(call.cluster, target(call, ENDPOINTS)))


@section.route("GET", "/api/k8s/endpoints/{name}/status", "获取 Endpoint 状态", verb="get", subresource="network",
               query=NamespaceQuery, data=EndpointStatus, cluster="param")
async def endpoint_status(call: Call) -> web.Response:
    """Counts from the slices; the latest probe per address from the operator's monitor (Services labelled
    cloudops.io/monitor=true), empty when the Service is not monitored."""
    return ok(await call.service(EndpointHealth).status(call.cluster, target(call, ENDPOINTS)))


@section.route("POST", "/api/k8s/endpoints/{name}/health-check", "执行端点健康检查", verb="get",
               subresource="network", query=NamespaceQuery, body=HealthCheckBody, data=HealthCheckResult,
               cluster="param")
async def health_check(call: Call) -> web.Response:
    """TCP (and HTTP on HTTP ports, plus custom checks) per address and port, concurrently under a bounded pool;
    total time at most (retries + 1) × timeout. Addresses outside CLOUDOPS_PROBE_CIDRS are never contacted."""
    return ok(await call.service(EndpointHealth).health_check(call.cluster, target(call, ENDPOINTS), call.body))


@section.route("GET", "/api/k8s/endpoints/{name}/service", "获取 Endpoint 与 Service 关联", verb="get",
               subresource="network", query=NamespaceQuery, data=ServiceLink, cluster="param")
async def endpoint_service(call: Call) -> web.Response:
    return ok(await call.service(Endpoints).service_link(call.cluster, target(call, ENDPOINTS)))


@section.route("POST", "/api/k8s/endpoints/batch", "批量操作 Endpoint", verb="update", subresource="network",
               body=BatchBody, data=BatchSummary, cluster="param")
async def batch(call: Call) -> web.Response:
    """One result per item, in order; a failing item never stops the others."""
    b: BatchBody = call.body
    if b.operation != "update":  # declared `update`: creating and deleting need their own verbs
        await call.authorize(b.operation, "network", call.cluster.name)
    return ok(await call.service(Endpoints).batch(call.cluster, b))


@section.route("GET", "/api/k8s/endpoints/{name}/metrics", "获取 Endpoint 监控指标", verb="get", subresource="network",
               query=MetricsQuery, data=EndpointMetrics, cluster="param")
async def endpoint_metrics(call: Call) -> web.Response:
    """Latency, errors and availability from the operator's probe history; traffic only from Prometheus
    (CLOUDOPS_PROMETHEUS_URL), otherwise null with source "none"."""
    return ok(await call.service(EndpointHealth).metrics(call.cluster, target(call, ENDPOINTS), call.query))
