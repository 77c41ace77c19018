"""网络管理 API 1. Endpoint 管理 (1.1–1.10): a Service's endpoints, read from its EndpointSlices.

Writes manage the slices of Services without a selector (the Service is created, selector-less, when
missing); the endpoints of selector-managed Services belong to the EndpointSlice controller and are
read-only here (409). Health checks probe from the shim within CLOUDOPS_PROBE_CIDRS only.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, BusinessCode, ok
from api_shim.network_params import (
    DNS_LABEL,
    Deleted,
    ListQuery,
    NamespaceQuery,
    check_labels,
    check_selector,
    target,
)
from api_shim.network_params import session as session_of
from api_shim.state import HUB, SETTINGS
from cloudops.conditions import now_iso
from cloudops.history_store import Subject, read, read_all
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.objects import ObjectId
from cloudops.members.session import MemberSession
from cloudops.network.monitor import ADDRESS_FAMILY, FAMILY, point_latency, probe_targets, range_metrics
from cloudops.network.probes import HttpCheck, ProbeScope, probe_all, summarize
from cloudops.network.slices import (
    MANAGED_BY,
    MANAGED_BY_LABEL,
    SERVICE_LABEL,
    endpoint_counts,
    endpoint_view,
    service_view,
    slices_for,
    subsets_of,
    sync_status,
)
from cloudops.network.traffic import none, service_traffic
from cloudops.paging import page
from cloudops.services.common import ClusterRefItem, PageInfo

__all__ = ["section"]

section = Section(tag="network", resource="managedclusters")
TYPE = "endpoints"
Json = dict[str, Any]
CREATED_FOR = "cloudops.io/created-for"


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ip: str = Field(max_length=45)
    hostname: str | None = Field(None, pattern=DNS_LABEL, max_length=63)
    node_name: str | None = Field(None, max_length=253)


class PortIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, pattern=DNS_LABEL, max_length=15)
    port: int = Field(ge=1, le=65535)
    protocol: Literal["TCP", "UDP", "SCTP"] = "TCP"


class SubsetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    addresses: list[AddressIn] = Field(default_factory=list, max_length=1000)
    not_ready_addresses: list[AddressIn] = Field(default_factory=list, max_length=1000)
    ports: list[PortIn] = Field(min_length=1, max_length=100)


class EndpointFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    namespace: str | None = Field(None, pattern=DNS_LABEL, max_length=63)
    subsets: list[SubsetIn] | None = Field(None, max_length=20)
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class EndpointCreate(EndpointFields):
    name: str = Field(pattern=DNS_LABEL, max_length=63, description="the Service's name")
    subsets: list[SubsetIn] = Field(max_length=20)


class EndpointUpdate(EndpointFields):
    """`subsets` replace all addresses when given; labels and annotations replace theirs when given."""


class ListEndpointsQuery(ListQuery):
    service_name: str | None = Field(None, pattern=DNS_LABEL, max_length=63, description="服务名称")


class TargetRef(BaseModel):
    kind: str | None
    name: str | None
    namespace: str | None


class Address(BaseModel):
    ip: str
    hostname: str | None
    node_name: str | None
    zone: str | None
    target_ref: TargetRef | None
    ready: bool
    serving: bool
    terminating: bool


class PortView(BaseModel):
    name: str | None
    port: int
    protocol: str


class Subset(BaseModel):
    addresses: list[Address]
    not_ready_addresses: list[Address]
    ports: list[PortView]


class EndpointItem(BaseModel):
    id: str
    name: str
    namespace: str
    cluster_id: int | None
    cluster_name: str
    subsets: list[Subset]
    labels: dict[str, str]
    annotations: dict[str, str]
    slices: list[str]
    managed_by: list[str]
    created_at: str | None
    updated_at: str | None


class EndpointList(PageInfo):
    endpoints: list[EndpointItem]


class Counts(BaseModel):
    total_endpoints: int
    ready_endpoints: int
    not_ready_endpoints: int
    health_score: float


class EndpointDetail(EndpointItem):
    status: Counts


class StatusCounts(Counts):
    last_check: str | None


class AddressDetail(BaseModel):
    ip: str
    hostname: str | None
    node_name: str | None
    ready: bool
    serving: bool
    terminating: bool
    last_probe: str | None
    response_time: float | None


class LatestCheck(BaseModel):
    endpoint: str
    status: Literal["healthy", "unhealthy"]
    response_time: float | None
    last_check: str


class EndpointStatus(BaseModel):
    id: str
    name: str
    namespace: str
    cluster_id: int | None
    status: StatusCounts
    endpoint_details: list[AddressDetail]
    health_checks: list[LatestCheck]


class CustomCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")
    port: int = Field(ge=1, le=65535)
    path: str = Field("/", pattern=r"^/[!-~]*$", max_length=1024)
    method: Literal["GET", "HEAD", "OPTIONS"] = "GET"
    expected_status: int | None = Field(None, ge=100, le=599)


class HealthCheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    namespace: str | None = Field(None, pattern=DNS_LABEL, max_length=63)
    timeout: float = Field(5.0, gt=0, le=60, description="seconds per attempt")
    retries: int = Field(0, ge=0, le=5)
    check_ports: list[int] | None = Field(None, max_length=20)
    custom_checks: list[CustomCheck] = Field(default_factory=list, max_length=10)
    include_not_ready: bool = True


class CheckDetails(BaseModel):
    tcp_check: str
    http_check: str
    custom_check: str


class CheckResult(BaseModel):
    endpoint: str
    ip: str
    port: int
    status: Literal["healthy", "unhealthy", "timeout", "unreachable_from_shim"]
    response_time: float | None
    attempts: int
    details: CheckDetails
    error: str | None
    error_type: str | None
    http_status: list[int]


class CheckSummary(BaseModel):
    total_checked: int
    healthy: int
    unhealthy: int
    timeout: int
    unreachable_from_shim: int


class HealthCheckResult(BaseModel):
    check_id: str
    endpoint_name: str
    namespace: str
    check_time: str
    duration: float
    results: list[CheckResult]
    summary: CheckSummary


class ServicePort(BaseModel):
    name: str | None
    port: int
    target_port: int | str
    protocol: str


class ServiceInfo(BaseModel):
    name: str
    namespace: str
    type: str
    cluster_ip: str | None
    external_ips: list[str]
    ports: list[ServicePort]
    selector: dict[str, str]


class ServiceLink(BaseModel):
    endpoint_name: str
    namespace: str
    service: ServiceInfo | None
    selector_managed: bool
    endpoint_sync_status: Literal["synced", "out_of_sync", "no_endpoints", "orphaned"]
    sync_problems: list[str]
    last_sync_time: str | None


class BatchItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=DNS_LABEL, max_length=63)
    namespace: str | None = Field(None, pattern=DNS_LABEL, max_length=63)
    subsets: list[SubsetIn] | None = Field(None, max_length=20)
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class BatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    operation: Literal["create", "update", "delete"]
    endpoints: list[BatchItem] = Field(min_length=1, max_length=100)


class BatchResult(BaseModel):
    name: str
    namespace: str
    success: bool
    status: int
    error: str | None


class BatchSummary(BaseModel):
    operation: str
    total: int
    succeeded: int
    failed: int
    results: list[BatchResult]


class MetricsQuery(NamespaceQuery):
    time_range: Literal["1h", "24h", "7d", "30d"] = "24h"
    metrics: str | None = Field(None, pattern=r"^(traffic|latency|errors)(,(traffic|latency|errors))*$",
                                description="comma-separated: traffic, latency, errors (default: all)")


class Traffic(BaseModel):
    source: Literal["prometheus", "none"]
    total_requests: float | None
    requests_per_second: float | None
    bytes_transferred: float | None
    error: str | None


class Latency(BaseModel):
    average: float | None
    p95: float | None
    p99: float | None


class Errors(BaseModel):
    total_errors: int
    error_rate: float | None
    error_types: dict[str, int]


class MetricSet(BaseModel):
    traffic: Traffic | None = None
    latency: Latency | None = None
    errors: Errors | None = None
    availability: float | None = None


class PerformancePoint(BaseModel):
    timestamp: str
    requests_per_second: float | None
    average_latency: float | None
    error_rate: float | None
    availability: float | None


class EndpointMetrics(BaseModel):
    endpoint_name: str
    namespace: str
    time_range: str
    monitored: bool
    checks: int
    metrics: MetricSet
    endpoint_performance: list[PerformancePoint]


# -- helpers --------------------------------------------------------------------------------------


async def _types(session: MemberSession) -> tuple[ResourceType, ResourceType]:
    return await session.resolve("services"), await session.resolve("endpointslices.discovery.k8s.io")


async def _service(session: MemberSession, rt: ResourceType, namespace: str, name: str) -> Json | None:
    try:
        return await session.get(rt, namespace, name)
    except MemberError as e:
        if e.status == 404:
            return None
        raise


async def _slices(session: MemberSession, rt: ResourceType, namespace: str, name: str) -> list[Json]:
    items, _ = await session.list_all(rt, namespace, label_selector=f"{SERVICE_LABEL}={name}")
    return items


def _oid(call: Call, namespace: str, name: str) -> str:
    return str(ObjectId(call.cluster.ref, TYPE, namespace, name))


def _writable(svc: Json | None, name: str) -> None:
    if svc is not None and (svc.get("spec") or {}).get("selector"):
        raise ApiError(409, f"name: service {name!r} has a selector, so its endpoints are managed by the "
                            "EndpointSlice controller from its pods and are read-only here; remove the selector "
                            "to manage them by hand", BusinessCode.VERSION_CONFLICT)
    if svc is not None and (svc.get("spec") or {}).get("type") == "ExternalName":
        raise ApiError(409, f"name: service {name!r} is an ExternalName service; it has no endpoints",
                       BusinessCode.VERSION_CONFLICT)


def _subsets(subsets: list[SubsetIn] | None) -> list[Json] | None:
    return None if subsets is None else [s.model_dump() for s in subsets]


def _service_for(name: str, namespace: str, subsets: list[Json]) -> Json:
    ports: dict[tuple[str, str], Json] = {}
    for s in subsets:
        for p in s["ports"]:
            ports.setdefault((p.get("name") or "", p["protocol"]), {
                **({"name": p["name"]} if p.get("name") else {}), "port": p["port"], "protocol": p["protocol"],
                "targetPort": p["port"]})
    if len(ports) > 1 and any(not k[0] for k in ports):
        raise ApiError(422, "subsets.ports: every port needs a name when there is more than one")
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace, "annotations": {CREATED_FOR: "endpoints"},
                         "labels": {"app.kubernetes.io/managed-by": "cloudops"}},
            "spec": {"ports": list(ports.values())}}


async def _write(session: MemberSession, namespace: str, name: str, subsets: list[Json] | None,
                 labels: dict[str, str] | None, annotations: dict[str, str] | None, create: bool) -> None:
    """Create or replace the slices of a selector-less Service so they hold exactly `subsets`."""
    check_labels(labels, "labels")
    svc_rt, slice_rt = await _types(session)
    svc = await _service(session, svc_rt, namespace, name)
    _writable(svc, name)
    existing = await _slices(session, slice_rt, namespace, name)
    ours = {s["metadata"]["name"]: s for s in existing
            if (s["metadata"].get("labels") or {}).get(MANAGED_BY_LABEL) == MANAGED_BY}
    if create and ours:
        raise ApiError(409, f"name: endpoints of service {name!r} already exist; update them",
                       BusinessCode.VERSION_CONFLICT)
    if not create and svc is None:
        raise ApiError(404, f"name: service {name!r} does not exist in {namespace!r}",
                       BusinessCode.RESOURCE_NOT_FOUND)
    if subsets is None:  # labels/annotations only
        current = [s for s in existing if s["metadata"]["name"] in ours]
        subsets = subsets_of(current)
        if labels is None:
            labels = endpoint_view(None, "", "", name, namespace, current)["labels"]
    try:
        wanted = slices_for(name, namespace, subsets, labels or {})
    except ValueError as e:
        raise ApiError(422, str(e)) from None
    for s in wanted:
        if annotations:
            s["metadata"]["annotations"] = dict(annotations)
    if svc is None:
        await session.create(svc_rt, namespace, _service_for(name, namespace, subsets))
    for s in wanted:
        old = ours.pop(s["metadata"]["name"], None)
        if old is None:
            await session.create(slice_rt, namespace, s)
        else:
            s["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            await session.replace(slice_rt, namespace, s["metadata"]["name"], s)
    for leftover in ours:
        await session.delete(slice_rt, namespace, leftover)


async def _remove(session: MemberSession, namespace: str, name: str) -> None:
    svc_rt, slice_rt = await _types(session)
    svc = await _service(session, svc_rt, namespace, name)
    _writable(svc, name)
    ours = [s for s in await _slices(session, slice_rt, namespace, name)
            if (s["metadata"].get("labels") or {}).get(MANAGED_BY_LABEL) == MANAGED_BY]
    if not ours and svc is None:
        raise ApiError(404, f"name: no endpoints of service {name!r} in {namespace!r}", BusinessCode.RESOURCE_NOT_FOUND)
    for s in ours:
        await session.delete(slice_rt, namespace, s["metadata"]["name"])
    if svc is not None and ((svc["metadata"].get("annotations") or {}).get(CREATED_FOR) == "endpoints"):
        await session.delete(svc_rt, namespace, name)


async def _detail(call: Call, session: MemberSession, namespace: str, name: str) -> Json:
    svc_rt, slice_rt = await _types(session)
    slices = await _slices(session, slice_rt, namespace, name)
    if not slices and await _service(session, svc_rt, namespace, name) is None:
        raise ApiError(404, f"name: no service or endpoints {name!r} in {namespace!r}",
                       BusinessCode.RESOURCE_NOT_FOUND)
    view = endpoint_view(call.cluster.id, call.cluster.name, _oid(call, namespace, name), name, namespace, slices)
    return {**view, "status": endpoint_counts(view["subsets"])}


# -- routes ---------------------------------------------------------------------------------------


@section.route("GET", "/api/k8s/endpoints", "获取 Endpoint 列表", verb="list", subresource="network",
               query=ListEndpointsQuery, data=EndpointList, cluster="param")
async def list_endpoints(call: Call) -> web.Response:
    q: ListEndpointsQuery = call.query
    check_selector(q.label_selector)
    session = await session_of(call)
    _, slice_rt = await _types(session)
    selector = ",".join(s for s in (q.label_selector, f"{SERVICE_LABEL}={q.service_name}" if q.service_name
                                    else SERVICE_LABEL) if s)
    slices, _ = await session.list_all(slice_rt, q.namespace, label_selector=selector)
    groups: dict[tuple[str, str], list[Json]] = {}
    for s in slices:
        meta = s["metadata"]
        groups.setdefault((meta.get("namespace", ""), meta["labels"][SERVICE_LABEL]), []).append(s)
    views = [endpoint_view(call.cluster.id, call.cluster.name, _oid(call, ns, name), name, ns, group)
             for (ns, name), group in sorted(groups.items())]
    listed = page(views, q.limit, q.offset)
    return ok({"endpoints": listed.pop("items"), **listed})


@section.route("GET", "/api/k8s/endpoints/{name}", "获取 Endpoint 详情", verb="get", subresource="network",
               query=NamespaceQuery, data=EndpointDetail, cluster="param")
async def get_endpoint(call: Call) -> web.Response:
    namespace, name, _ = target(call, TYPE)
    session = await session_of(call)
    return ok(await _detail(call, session, namespace, name))


@section.route("POST", "/api/k8s/endpoints/create", "创建 Endpoint", verb="create", subresource="network",
               body=EndpointCreate, data=EndpointDetail, cluster="param")
async def create_endpoint(call: Call) -> web.Response:
    """Endpoints for a Service without a selector (created selector-less when missing): its EndpointSlices."""
    b: EndpointCreate = call.body
    namespace = b.namespace or "default"
    session = await session_of(call)
    await _write(session, namespace, b.name, _subsets(b.subsets), b.labels, b.annotations, create=True)
    return ok(await _detail(call, session, namespace, b.name))


@section.route("PUT", "/api/k8s/endpoints/{name}", "更新 Endpoint", verb="update", subresource="network",
               query=NamespaceQuery, body=EndpointUpdate, data=EndpointDetail, cluster="param")
async def update_endpoint(call: Call) -> web.Response:
    b: EndpointUpdate = call.body
    namespace, name, _ = target(call, TYPE)
    session = await session_of(call)
    await _write(session, namespace, name, _subsets(b.subsets), b.labels, b.annotations, create=False)
    return ok(await _detail(call, session, namespace, name))


@section.route("DELETE", "/api/k8s/endpoints/{name}", "删除 Endpoint", verb="delete", subresource="network",
               query=NamespaceQuery, data=Deleted, cluster="param")
async def delete_endpoint(call: Call) -> web.Response:
    """Removes our slices; a Service that the create made for them goes too."""
    namespace, name, oid = target(call, TYPE)
    session = await session_of(call)
    await _remove(session, namespace, name)
    return ok({"id": oid, "name": name, "namespace": namespace, "deleted": True})


def _last(series: dict[str, list[Json]]) -> Json | None:
    points = series.get("1h") or []
    return points[-1] if points else None


@section.route("GET", "/api/k8s/endpoints/{name}/status", "获取 Endpoint 状态", verb="get", subresource="network",
               query=NamespaceQuery, data=EndpointStatus, cluster="param")
async def endpoint_status(call: Call) -> web.Response:
    """Counts from the slices; the latest probe per address from the operator's monitor (Services labelled
    cloudops.io/monitor=true), empty when the Service is not monitored."""
    namespace, name, oid = target(call, TYPE)
    session = await session_of(call)
    detail = await _detail(call, session, namespace, name)
    hub, hub_ns = call.request.app[HUB], call.request.app[SETTINGS].namespace
    probes = [(s, _last(series)) for s, series in await read_all(hub, hub_ns, ADDRESS_FAMILY, call.cluster.name)
              if s.namespace == namespace and s.name.startswith(f"{name}/")]
    checks = []
    latest_by_ip: dict[str, Json] = {}
    for subject, point in sorted(probes, key=lambda p: p[0].name):
        if point is None:
            continue
        endpoint = subject.name.split("/", 1)[1]
        checks.append({"endpoint": endpoint, "status": "healthy" if float(point.get("up", 0)) >= 0.5 else "unhealthy",
                       "response_time": point_latency(point), "last_check": point["t"]})
        latest_by_ip.setdefault(endpoint.rsplit(":", 1)[0].strip("[]"), point)
    details = []
    for subset in detail["subsets"]:
        for a in [*subset["addresses"], *subset["not_ready_addresses"]]:
            point = latest_by_ip.get(a["ip"])
            details.append({k: a[k] for k in ("ip", "hostname", "node_name", "ready", "serving", "terminating")} | {
                "last_probe": point["t"] if point else None, "response_time": point_latency(point) if point else None})
    last = max((c["last_check"] for c in checks), default=None)
    return ok({"id": oid, "name": name, "namespace": namespace, "cluster_id": call.cluster.id,
               "status": {**detail["status"], "last_check": last}, "endpoint_details": details,
               "health_checks": checks})


@section.route("POST", "/api/k8s/endpoints/{name}/health-check", "执行端点健康检查", verb="get",
               subresource="network", query=NamespaceQuery, body=HealthCheckBody, data=HealthCheckResult,
               cluster="param")
async def health_check(call: Call) -> web.Response:
    """TCP (and HTTP on HTTP ports, plus custom checks) per address and port, concurrently under a bounded pool;
    total time at most (retries + 1) × timeout. Addresses outside CLOUDOPS_PROBE_CIDRS are never contacted."""
    b: HealthCheckBody = call.body
    namespace, name, _ = target(call, TYPE)
    settings = call.request.app[SETTINGS]
    try:
        scope = ProbeScope.parse(settings.endpoint_probe_cidrs, settings.endpoint_probe_map)
    except ValueError as e:
        raise ApiError(503, f"probe configuration: {e}", BusinessCode.CONFIG_ERROR) from None
    session = await session_of(call)
    detail = await _detail(call, session, namespace, name)
    custom = [(c.port, HttpCheck(c.path, c.method, c.expected_status, custom=True)) for c in b.custom_checks]
    targets = probe_targets(detail["subsets"], b.check_ports, custom, b.include_not_ready)
    started, check_time = asyncio.get_running_loop().time(), now_iso()
    results = await probe_all(targets, scope, b.timeout, b.retries, settings.endpoint_probe_concurrency)
    duration = round(asyncio.get_running_loop().time() - started, 3)
    return ok({
        "check_id": f"health-check-{uuid.uuid4().hex[:12]}", "endpoint_name": name, "namespace": namespace,
        "check_time": check_time, "duration": duration,
        "results": [{"endpoint": r.endpoint, "ip": r.ip, "port": r.port, "status": r.status,
                     "response_time": r.response_time, "attempts": r.attempts,
                     "details": {"tcp_check": r.tcp_check, "http_check": r.http_check,
                                 "custom_check": r.custom_check},
                     "error": r.error, "error_type": r.error_type, "http_status": r.http_status} for r in results],
        "summary": summarize(results)})


@section.route("GET", "/api/k8s/endpoints/{name}/service", "获取 Endpoint 与 Service 关联", verb="get",
               subresource="network", query=NamespaceQuery, data=ServiceLink, cluster="param")
async def endpoint_service(call: Call) -> web.Response:
    namespace, name, _ = target(call, TYPE)
    session = await session_of(call)
    svc_rt, slice_rt = await _types(session)
    svc = await _service(session, svc_rt, namespace, name)
    slices = await _slices(session, slice_rt, namespace, name)
    if svc is None and not slices:
        raise ApiError(404, f"name: no service or endpoints {name!r} in {namespace!r}",
                       BusinessCode.RESOURCE_NOT_FOUND)
    state, problems = sync_status(svc, slices)
    return ok({"endpoint_name": name, "namespace": namespace, "service": service_view(svc) if svc else None,
               "selector_managed": bool(svc and (svc.get("spec") or {}).get("selector")),
               "endpoint_sync_status": state, "sync_problems": problems,
               "last_sync_time": endpoint_view(None, "", "", name, namespace, slices)["updated_at"]})


@section.route("POST", "/api/k8s/endpoints/batch", "批量操作 Endpoint", verb="update", subresource="network",
               body=BatchBody, data=BatchSummary, cluster="param")
async def batch(call: Call) -> web.Response:
    """One result per item, in order; a failing item never stops the others."""
    b: BatchBody = call.body
    if b.operation != "update":
        await call.authorize(b.operation, "network", call.cluster.name)
    session = await session_of(call)
    slots = asyncio.Semaphore(8)

    async def one(item: BatchItem) -> Json:
        namespace = item.namespace or "default"
        try:
            async with slots:
                if b.operation == "delete":
                    await _remove(session, namespace, item.name)
                else:
                    if b.operation == "create" and item.subsets is None:
                        raise ApiError(422, "subsets: required to create endpoints")
                    await _write(session, namespace, item.name, _subsets(item.subsets), item.labels,
                                 item.annotations, create=b.operation == "create")
            return {"name": item.name, "namespace": namespace, "success": True, "status": 200, "error": None}
        except ApiError as e:
            return {"name": item.name, "namespace": namespace, "success": False, "status": e.status, "error": e.detail}
        except MemberError as e:
            return {"name": item.name, "namespace": namespace, "success": False, "status": e.status, "error": e.detail}

    results = list(await asyncio.gather(*(one(i) for i in b.endpoints)))
    succeeded = sum(1 for r in results if r["success"])
    return ok({"operation": b.operation, "total": len(results), "succeeded": succeeded,
               "failed": len(results) - succeeded, "results": results})


@section.route("GET", "/api/k8s/endpoints/{name}/metrics", "获取 Endpoint 监控指标", verb="get", subresource="network",
               query=MetricsQuery, data=EndpointMetrics, cluster="param")
async def endpoint_metrics(call: Call) -> web.Response:
    """Latency, errors and availability from the operator's probe history; traffic only from Prometheus
    (CLOUDOPS_PROMETHEUS_URL), otherwise null with source "none"."""
    q: MetricsQuery = call.query
    namespace, name, _ = target(call, TYPE)
    wanted = set((q.metrics or "traffic,latency,errors").split(","))
    hub, hub_ns = call.request.app[HUB], call.request.app[SETTINGS].namespace
    series = await read(hub, hub_ns, FAMILY, call.cluster.name, Subject("Service", namespace, name))
    points = series.get(q.time_range) or []
    summary = range_metrics(points)
    metrics: Json = {"traffic": None, "latency": None, "errors": None, "availability": summary["availability"]}
    if "traffic" in wanted:
        url = call.request.app[SETTINGS].prometheus_url
        metrics["traffic"] = none()
        if url:
            try:
                metrics["traffic"] = await service_traffic(url, namespace, name, q.time_range)
            except (ConnectionError, TimeoutError) as e:  # the other figures stand; traffic says why it has none
                metrics["traffic"] = none() | {"source": "prometheus",
                                               "error": str(e) or "Prometheus did not answer in time"}
    if "latency" in wanted:
        metrics["latency"] = summary["latency"]
    if "errors" in wanted:
        metrics["errors"] = summary["errors"]
    performance = [{"timestamp": p["t"], "requests_per_second": None,
                    "average_latency": point_latency(p),
                    "error_rate": round(sum(float(p.get(t, 0)) for t in summary["errors"]["error_types"])
                                        / float(p["checks"]), 4) if float(p.get("checks", 0)) > 0 else None,
                    "availability": p.get("availability") if float(p.get("checks", 0)) > 0 else None}
                   for p in points]
    return ok({"endpoint_name": name, "namespace": namespace, "time_range": q.time_range,
               "monitored": bool(points), "checks": summary["checks"], "metrics": metrics,
               "endpoint_performance": performance})

