"""Reads a member cluster's state: version, nodes, resource counts, component health and usage.

Member JSON is read as plain dicts typed by cloudops.clusters.shapes and cloudops.kube.shapes, not turned into
models: a probe reads lists many times a minute, and validating them would cost more CPU than the requests
themselves.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, Field

from cloudops.clusters.health import HealthInput, HealthStatus, health_status, parse_quantity, score_health
from cloudops.clusters.shapes import Lease, Node, NodeMetrics
from cloudops.kube.client import ApiClient
from cloudops.kube.failures import http_failure
from cloudops.kube.raw import METADATA_ONLY, get_json, get_text
from cloudops.kube.shapes import Pod
from cloudops.resources.managed_cluster import ClusterUsage, ComponentHealth, NodeHealth, ResourceCounts

__all__ = ["FULL", "Scope", "Snapshot", "ping", "probe"]

T = TypeVar("T")
LEASE_COMPONENTS = {"controller-manager": "kube-controller-manager", "scheduler": "kube-scheduler"}
COUNTED = {"pods": "/api/v1/pods", "deployments": "/apis/apps/v1/deployments", "services": "/api/v1/services",
           "configmaps": "/api/v1/configmaps", "secrets": "/api/v1/secrets",
           "persistent_volumes": "/api/v1/persistentvolumes"}  # by ResourceCounts field
PerNode = dict[str, tuple[float, float]]  # node -> (cpu %, memory %)


class Snapshot(BaseModel):
    """One probe's reading, in the ManagedCluster status vocabulary (cloudops.resources.managed_cluster)."""

    version: str
    api_server: str
    response_time: float
    nodes: list[NodeHealth]
    counts: ResourceCounts
    components: list[ComponentHealth]
    usage: ClusterUsage
    health_score: float
    health_status: HealthStatus
    issues: list[dict[str, str]] = Field(default_factory=list)  # type, message, severity


async def _timed(coro: Awaitable[T]) -> tuple[T, float]:
    start = time.perf_counter()
    res = await coro
    return res, time.perf_counter() - start


async def ping(api: ApiClient) -> tuple[str, float, int]:
    """Version, round-trip seconds and node count: the live connection test."""
    version, elapsed = await _timed(get_json(api, "/version"))
    nodes = await get_json(api, "/api/v1/nodes", {"limit": "500"}, METADATA_ONLY)
    return str(version["gitVersion"]), round(elapsed, 4), len(nodes.get("items") or [])


async def _count(api: ApiClient, path: str) -> int:
    res = await get_json(api, path, {"limit": "1"}, METADATA_ONLY)
    return len(res.get("items") or []) + int(res.get("metadata", {}).get("remainingItemCount") or 0)


async def _readyz(api: ApiClient) -> tuple[dict[str, bool], float]:
    (status, text), elapsed = await _timed(get_text(api, "/readyz", {"verbose": "true"}, "text/plain"))
    return {"api-server": status == 200, "etcd": "[+]etcd ok" in text}, elapsed


async def _lease_fresh(api: ApiClient, name: str) -> tuple[bool, float, str]:
    start = time.perf_counter()
    try:
        lease: Lease = await get_json(api, f"/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/{name}")
    except Exception as e:
        if (answered := http_failure(e)) is None:
            raise
        return False, time.perf_counter() - start, f"no leader lease ({answered[0]})"
    elapsed = time.perf_counter() - start
    spec = lease.get("spec") or {}
    renew_time = spec.get("renewTime")
    if not renew_time:
        return False, elapsed, "leader lease never renewed"
    renewed = datetime.fromisoformat(renew_time.replace("Z", "+00:00"))
    age = (datetime.now(UTC) - renewed).total_seconds()
    limit = 2 * (spec.get("leaseDurationSeconds") or 15)
    return age <= limit, elapsed, f"leader lease renewed {age:.0f}s ago"


def _ready(node: Node) -> bool:
    conds = (node.get("status") or {}).get("conditions") or []
    ready = next((c for c in conds if c.get("type") == "Ready"), None)
    return ready is not None and ready.get("status") == "True"


def _pct(used: float, total: float) -> float:
    return round(100.0 * used / total, 1) if total > 0 else 0.0


async def _metered(api: ApiClient) -> tuple[dict[str, float], dict[str, float]]:
    """CPU and memory used per node as metrics.k8s.io reports them; nothing when it is not served."""
    used_cpu: dict[str, float] = {}
    used_mem: dict[str, float] = {}
    try:
        metrics = await get_json(api, "/apis/metrics.k8s.io/v1beta1/nodes")
    except Exception as e:
        if http_failure(e) is None:
            raise
        return used_cpu, used_mem
    items: list[NodeMetrics] = metrics.get("items") or []
    for item in items:
        name, usage = item.get("metadata", {}).get("name", ""), item.get("usage") or {}
        used_cpu[name] = parse_quantity(usage.get("cpu", 0))
        used_mem[name] = parse_quantity(usage.get("memory", 0))
    return used_cpu, used_mem


async def _usage(api: ApiClient, nodes: list[Node]) -> tuple[ClusterUsage, PerNode]:
    """metrics.k8s.io when served, else pod requests against node allocatable; says which."""
    alloc = {n.get("metadata", {}).get("name", ""): (n.get("status") or {}).get("allocatable") or {} for n in nodes}
    alloc_cpu = {name: parse_quantity(a.get("cpu", 0)) for name, a in alloc.items()}
    alloc_mem = {name: parse_quantity(a.get("memory", 0)) for name, a in alloc.items()}
    alloc_disk = sum(parse_quantity(a.get("ephemeral-storage", 0)) for a in alloc.values())
    used_cpu, used_mem = await _metered(api)
    used_disk = 0.0
    # metrics-api only when it measured something: a registered metrics-server with no figures yet (or
    # none for a node, e.g. an emulated node without pods) leaves those nodes to their pods' requests.
    metered = set(used_cpu)
    source: Literal["metrics-api", "requests"] = "metrics-api" if metered else "requests"
    # Disk has no metrics-api figure; requests are the only signal, so they feed disk either way.
    listed = await get_json(api, "/api/v1/pods", {"fieldSelector": "status.phase!=Succeeded,status.phase!=Failed"})
    pods: list[Pod] = listed.get("items") or []
    for pod in pods:
        node = (pod.get("spec") or {}).get("nodeName")
        for c in (pod.get("spec") or {}).get("containers") or []:
            req = (c.get("resources") or {}).get("requests") or {}
            used_disk += parse_quantity(req.get("ephemeral-storage", 0))
            if node and node not in metered:
                used_cpu[node] = used_cpu.get(node, 0.0) + parse_quantity(req.get("cpu", 0))
                used_mem[node] = used_mem.get(node, 0.0) + parse_quantity(req.get("memory", 0))
    per_node = {n: (_pct(used_cpu.get(n, 0), alloc_cpu[n]), _pct(used_mem.get(n, 0), alloc_mem[n])) for n in alloc}
    usage = ClusterUsage(cpu_percent=_pct(sum(used_cpu.values()), sum(alloc_cpu.values())),
                         memory_percent=_pct(sum(used_mem.values()), sum(alloc_mem.values())),
                         disk_percent=_pct(used_disk, alloc_disk), source=source)
    return usage, per_node


@dataclass(frozen=True)
class Scope:
    """Which parts to read; a batch health check may skip what it was not asked for."""

    components: bool = True
    resources: bool = True


FULL = Scope()


async def _no_usage() -> tuple[ClusterUsage, PerNode]:
    return ClusterUsage(cpu_percent=None, memory_percent=None, disk_percent=None, source="none"), {}


async def _components(api: ApiClient) -> tuple[list[ComponentHealth], dict[str, bool]]:
    (readyz, readyz_time), leases = await asyncio.gather(
        _readyz(api), asyncio.gather(*(_lease_fresh(api, lease) for lease in LEASE_COMPONENTS.values())))
    components = [
        ComponentHealth(name="api-server", status="healthy" if readyz["api-server"] else "unhealthy",
                        response_time_seconds=round(readyz_time, 4)),
        ComponentHealth(name="etcd", status="healthy" if readyz["etcd"] else "unhealthy",
                        response_time_seconds=round(readyz_time, 4), message="apiserver readyz etcd check"),
    ]
    healthy = dict(readyz)
    for comp, (fresh, t, msg) in zip(LEASE_COMPONENTS, leases, strict=True):
        components.append(ComponentHealth(name=comp, status="healthy" if fresh else "unhealthy",
                                          response_time_seconds=round(t, 4), message=msg))
        healthy[comp] = fresh
    return components, healthy


async def _no_components() -> tuple[list[ComponentHealth], dict[str, bool]]:
    return [], {}


async def _counts(api: ApiClient) -> dict[str, int]:
    counted = await asyncio.gather(*(_count(api, path) for path in COUNTED.values()))
    return dict(zip(COUNTED, counted, strict=True))


async def _no_counts() -> dict[str, int]:
    return {}


async def probe(api: ApiClient, api_server: str, scope: Scope = FULL) -> Snapshot:
    (version, elapsed), node_list = await asyncio.gather(_timed(get_json(api, "/version")),
                                                         get_json(api, "/api/v1/nodes"))
    nodes: list[Node] = list(node_list.get("items") or [])
    counts, (components, healthy), (usage, per_node) = await asyncio.gather(
        _counts(api) if scope.resources else _no_counts(),
        _components(api) if scope.components else _no_components(),
        _usage(api, nodes) if scope.resources else _no_usage())
    node_views = []
    for n in nodes:
        name = n.get("metadata", {}).get("name", "")
        cpu, mem = per_node.get(name, (0.0, 0.0))
        node_views.append(NodeHealth(name=name, status="Ready" if _ready(n) else "NotReady", cpu_percent=cpu,
                                     memory_percent=mem))
    ready = sum(1 for v in node_views if v.status == "Ready")
    score, issues = score_health(HealthInput(
        components=healthy, nodes_total=len(nodes), nodes_ready=ready,
        cpu_percent=usage.cpu_percent, memory_percent=usage.memory_percent, disk_percent=usage.disk_percent))
    return Snapshot(
        version=str(version["gitVersion"]), api_server=api_server, response_time=round(elapsed, 4),
        nodes=node_views, counts=ResourceCounts(nodes=len(nodes), **counts), components=components, usage=usage,
        health_score=score, health_status=health_status(score, issues), issues=[i.as_dict() for i in issues],
    )
