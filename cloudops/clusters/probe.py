"""Reads a member cluster's state: version, nodes, resource counts, component health and usage."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kubernetes_asyncio.client import (
    ApiClient,
    AppsV1Api,
    CoordinationV1Api,
    CoreV1Api,
    CustomObjectsApi,
    VersionApi,
)
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.clusters.health import HealthInput, health_status, parse_quantity, score_health

__all__ = ["Snapshot", "ping", "probe"]

LEASE_COMPONENTS = {"controller-manager": "kube-controller-manager", "scheduler": "kube-scheduler"}


@dataclass
class Snapshot:
    version: str
    api_server: str
    response_time: float
    nodes: list[dict[str, Any]]
    counts: dict[str, int]
    components: list[dict[str, Any]]
    usage: dict[str, Any]
    health_score: float
    health_status: str
    issues: list[dict[str, str]] = field(default_factory=list)


async def _timed(coro: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    res = await coro
    return res, time.perf_counter() - start


async def ping(api: ApiClient) -> tuple[str, float, int]:
    """Version, round-trip seconds and node count: the live connection test."""
    version, elapsed = await _timed(VersionApi(api).get_code())
    nodes = await CoreV1Api(api).list_node(limit=500)
    return str(version.git_version), round(elapsed, 4), len(nodes.items)


async def _count(list_fn: Any) -> int:
    res = await list_fn(limit=1)
    return len(res.items) + int(res.metadata.remaining_item_count or 0)


async def _readyz(api: ApiClient) -> tuple[dict[str, bool], float]:
    start = time.perf_counter()
    try:
        resp = await api.call_api("/readyz", "GET", query_params=[("verbose", "true")],
                                  auth_settings=["BearerToken"], _preload_content=False, _return_http_data_only=True)
        text = (await resp.read()).decode()
        ok = resp.status == 200
    except ApiException as e:
        text, ok = (e.body or "") if isinstance(e.body, str) else "", False
    elapsed = time.perf_counter() - start
    etcd_ok = "[+]etcd ok" in text
    return {"api-server": ok, "etcd": etcd_ok}, elapsed


async def _lease_fresh(coord: CoordinationV1Api, name: str) -> tuple[bool, float, str]:
    start = time.perf_counter()
    try:
        lease = await coord.read_namespaced_lease(name, "kube-system")
    except ApiException as e:
        return False, time.perf_counter() - start, f"no leader lease ({e.status})"
    elapsed = time.perf_counter() - start
    spec = lease.spec
    if spec is None or spec.renew_time is None:
        return False, elapsed, "leader lease never renewed"
    age = (datetime.now(UTC) - spec.renew_time).total_seconds()
    limit = 2 * (spec.lease_duration_seconds or 15)
    return age <= limit, elapsed, f"leader lease renewed {age:.0f}s ago"


def _node_view(node: Any) -> dict[str, Any]:
    ready = next((c for c in (node.status.conditions or []) if c.type == "Ready"), None)
    is_ready = ready is not None and ready.status == "True"
    return {"name": node.metadata.name, "status": "Ready" if is_ready else "NotReady"}


async def _usage(api: ApiClient, nodes: list[Any]) -> tuple[dict[str, Any], dict[str, tuple[float, float]]]:
    """metrics.k8s.io when served, else pod requests against node allocatable; says which."""
    alloc_cpu = {n.metadata.name: parse_quantity((n.status.allocatable or {}).get("cpu", 0)) for n in nodes}
    alloc_mem = {n.metadata.name: parse_quantity((n.status.allocatable or {}).get("memory", 0)) for n in nodes}
    alloc_disk = sum(parse_quantity((n.status.allocatable or {}).get("ephemeral-storage", 0)) for n in nodes)
    used_cpu: dict[str, float] = {}
    used_mem: dict[str, float] = {}
    used_disk = 0.0
    source = "metrics-api"
    try:
        metrics = await CustomObjectsApi(api).list_cluster_custom_object("metrics.k8s.io", "v1beta1", "nodes")
        for item in metrics.get("items", []):
            used_cpu[item["metadata"]["name"]] = parse_quantity(item["usage"].get("cpu", 0))
            used_mem[item["metadata"]["name"]] = parse_quantity(item["usage"].get("memory", 0))
    except ApiException:
        source = "requests"
    # Disk has no metrics-api figure; requests are the only signal, so they feed disk either way.
    live = "status.phase!=Succeeded,status.phase!=Failed"
    pods = await CoreV1Api(api).list_pod_for_all_namespaces(field_selector=live)
    for pod in pods.items:
        node = pod.spec.node_name
        for c in pod.spec.containers or []:
            req = (c.resources.requests if c.resources else None) or {}
            used_disk += parse_quantity(req.get("ephemeral-storage", 0))
            if source == "requests" and node:
                used_cpu[node] = used_cpu.get(node, 0.0) + parse_quantity(req.get("cpu", 0))
                used_mem[node] = used_mem.get(node, 0.0) + parse_quantity(req.get("memory", 0))

    def pct(used: float, total: float) -> float:
        return round(100.0 * used / total, 1) if total > 0 else 0.0

    per_node = {n: (pct(used_cpu.get(n, 0), alloc_cpu[n]), pct(used_mem.get(n, 0), alloc_mem[n])) for n in alloc_cpu}
    usage = {
        "cpuPercent": pct(sum(used_cpu.values()), sum(alloc_cpu.values())),
        "memoryPercent": pct(sum(used_mem.values()), sum(alloc_mem.values())),
        "diskPercent": pct(used_disk, alloc_disk),
        "source": source,
    }
    return usage, per_node


async def probe(api: ApiClient, api_server: str) -> Snapshot:
    core, apps, coord = CoreV1Api(api), AppsV1Api(api), CoordinationV1Api(api)
    (version, elapsed), node_list = await asyncio.gather(_timed(VersionApi(api).get_code()), core.list_node())
    nodes = list(node_list.items)
    counts_list = await asyncio.gather(
        _count(core.list_pod_for_all_namespaces), _count(apps.list_deployment_for_all_namespaces),
        _count(core.list_service_for_all_namespaces), _count(core.list_config_map_for_all_namespaces),
        _count(core.list_secret_for_all_namespaces), _count(core.list_persistent_volume),
    )
    counts = dict(zip(["pods", "deployments", "services", "configmaps", "secrets", "persistentVolumes"],
                      counts_list, strict=True))
    counts["nodes"] = len(nodes)
    (readyz, readyz_time), leases, (usage, per_node) = await asyncio.gather(
        _readyz(api),
        asyncio.gather(*(_lease_fresh(coord, lease) for lease in LEASE_COMPONENTS.values())),
        _usage(api, nodes),
    )
    components = [
        {"name": "api-server", "status": "healthy" if readyz["api-server"] else "unhealthy",
         "responseTimeSeconds": round(readyz_time, 4)},
        {"name": "etcd", "status": "healthy" if readyz["etcd"] else "unhealthy",
         "responseTimeSeconds": round(readyz_time, 4), "message": "apiserver readyz etcd check"},
    ]
    healthy = dict(readyz)
    for (comp, _lease), (fresh, t, msg) in zip(LEASE_COMPONENTS.items(), leases, strict=True):
        components.append({"name": comp, "status": "healthy" if fresh else "unhealthy",
                           "responseTimeSeconds": round(t, 4), "message": msg})
        healthy[comp] = fresh
    node_views = []
    for n in nodes:
        view = _node_view(n)
        cpu, mem = per_node.get(view["name"], (0.0, 0.0))
        node_views.append({**view, "cpuPercent": cpu, "memoryPercent": mem})
    ready = sum(1 for v in node_views if v["status"] == "Ready")
    score, issues = score_health(HealthInput(
        components=healthy, nodes_total=len(nodes), nodes_ready=ready,
        cpu_percent=usage["cpuPercent"], memory_percent=usage["memoryPercent"], disk_percent=usage["diskPercent"]))
    return Snapshot(
        version=str(version.git_version), api_server=api_server, response_time=round(elapsed, 4),
        nodes=node_views, counts=counts, components=components, usage=usage,
        health_score=score, health_status=health_status(score, issues), issues=[i.as_dict() for i in issues],
    )


