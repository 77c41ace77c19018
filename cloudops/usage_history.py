"""Usage samples of a member: per pod, per namespace, per node and for the cluster, folded into bounded
histories in the hub (cloudops.history_store), so autoscaling advice and cost rest on recorded usage.

Each sample holds instantaneous figures (millicores, bytes) and OpenCost-style allocation integrals over the
`seconds` the sample stands for: per container max(request, usage), summed (millicore-seconds, byte-seconds).
A bucket's mean times its `n` is then the exact sum of its samples, whatever the downsampling tier.

Families (one MetricHistory per subject): `pod-usage` (Pod; the pods with the largest allocation, at most
`usage_max_pods` per cluster), `namespace-usage` (Namespace; every pod counted, plus PVC requested storage),
`node-usage` (Node; requested against allocatable, at most `usage_max_nodes`), `cluster-usage` (one
subject: allocatable and the idle integral, allocatable not allocated).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from cloudops import history_store
from cloudops.clusters.health import parse_quantity
from cloudops.clusters.shapes import (
    Node,
    PersistentVolumeClaim,
    PodMetrics,
    node_list,
    pod_list,
    pod_metrics_list,
    pvc_list,
)
from cloudops.kube.client import ApiClient
from cloudops.kube.shapes import Pod
from cloudops.kube.types import JsonObject, JsonValue
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.resources.managed_cluster import ManagedCluster

__all__ = ["CLUSTER_FAMILY", "MAX_CONTAINERS", "NAMESPACE_FAMILY", "NODE_FAMILY", "POD_FAMILY", "PodFigures",
           "Sampled", "cluster_subject", "controller_of", "pod_figures", "quantity", "sample_usage", "samples"]

POD_FAMILY = "pod-usage"
NAMESPACE_FAMILY = "namespace-usage"
NODE_FAMILY = "node-usage"
CLUSTER_FAMILY = "cluster-usage"
MAX_CONTAINERS = 4  # per-container usage fields (c0_..c3_) kept per pod, for right-sizing
WRITE_CONCURRENCY = 16  # hub writes of one round at once

Entry = tuple[history_store.Subject, dict[str, float], JsonObject]  # subject, sample, attributes


def quantity(value: object) -> float:
    """A quantity from a member object in base units; 0 for one that is absent or malformed (the member
    validated it; a sample must not fail on one odd object)."""
    try:
        return parse_quantity(value) if value is not None else 0.0
    except ValueError:
        return 0.0


def controller_of(pod: Pod) -> tuple[str, str]:
    """The workload owning a pod: a ReplicaSet made by a Deployment is reported as that Deployment (its
    name minus the pod-template-hash), without another call; ("", "") for a bare pod."""
    meta = pod.get("metadata") or {}
    owner = next((o for o in meta.get("ownerReferences") or [] if o.get("controller")), None)
    if owner is None:
        return "", ""
    kind, name = str(owner.get("kind", "")), str(owner.get("name", ""))
    template_hash = (meta.get("labels") or {}).get("pod-template-hash")
    if kind == "ReplicaSet" and template_hash and name.endswith(f"-{template_hash}"):
        return "Deployment", name[: -len(template_hash) - 1]
    return kind, name


@dataclass
class PodFigures:
    """One pod at one instant: millicores and bytes; per container usage for right-sizing."""

    namespace: str
    name: str
    node: str
    cpu_request: float = 0.0
    cpu_limit: float = 0.0
    cpu_usage: float = 0.0
    cpu_alloc: float = 0.0  # sum over containers of max(request, usage)
    memory_request: float = 0.0
    memory_limit: float = 0.0
    memory_usage: float = 0.0
    memory_alloc: float = 0.0
    gpu: float = 0.0
    storage: float = 0.0  # requested bytes of the PVCs it mounts (shared among the pods mounting one)
    metered: bool = False
    containers: list[str] = field(default_factory=list)
    container_usage: dict[str, tuple[float, float]] = field(default_factory=dict)
    attributes: JsonObject = field(default_factory=dict)


def pod_figures(pod: Pod, metrics: PodMetrics | None) -> PodFigures:
    """Requests, limits and (when metrics.k8s.io has the pod) usage; usage 0 and unmetered otherwise."""
    meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    usage = {str(c.get("name")): (quantity((c.get("usage") or {}).get("cpu")) * 1000.0,
                                  quantity((c.get("usage") or {}).get("memory")))
             for c in (metrics or {}).get("containers") or []}
    kind, owner = controller_of(pod)
    f = PodFigures(str(meta.get("namespace", "")), str(meta.get("name", "")), str(spec.get("nodeName") or ""),
                   metered=metrics is not None)
    for c in spec.get("containers") or []:
        name = str(c.get("name", ""))
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        cpu_req, mem_req = quantity(req.get("cpu")) * 1000.0, quantity(req.get("memory"))
        cpu_use, mem_use = usage.get(name, (0.0, 0.0))
        f.cpu_request += cpu_req
        f.cpu_limit += quantity(lim.get("cpu")) * 1000.0
        f.memory_request += mem_req
        f.memory_limit += quantity(lim.get("memory"))
        f.cpu_usage += cpu_use
        f.memory_usage += mem_use
        f.cpu_alloc += max(cpu_req, cpu_use)
        f.memory_alloc += max(mem_req, mem_use)
        f.gpu += quantity(req.get("nvidia.com/gpu") or lim.get("nvidia.com/gpu"))
        f.containers.append(name)
        f.container_usage[name] = (cpu_use, mem_use)
    labels: JsonObject = {**(meta.get("labels") or {})}
    containers: list[JsonValue] = [*f.containers[:MAX_CONTAINERS]]
    f.attributes = {"node": f.node, "controller_kind": kind, "controller": owner, "labels": labels,
                    "containers": containers}
    return f


def _pod_sample(f: PodFigures, seconds: float) -> dict[str, float]:
    sample = {"seconds": seconds, "metered": 1.0 if f.metered else 0.0,
              "cpu_usage_m": f.cpu_usage, "cpu_request_m": f.cpu_request, "cpu_limit_m": f.cpu_limit,
              "memory_usage": f.memory_usage, "memory_usage_max": f.memory_usage,
              "memory_request": f.memory_request, "memory_limit": f.memory_limit, "gpu_request": f.gpu,
              "storage": f.storage, **_integrals(f.cpu_alloc, f.memory_alloc, f.gpu, f.storage, seconds)}
    for i, name in enumerate(f.containers[:MAX_CONTAINERS]):
        cpu, mem = f.container_usage.get(name, (0.0, 0.0))
        sample[f"c{i}_cpu_m"] = cpu
        sample[f"c{i}_memory_max"] = mem
    return sample


def _integrals(cpu_alloc: float, memory_alloc: float, gpu: float, storage: float, seconds: float) -> dict[str, float]:
    return {"cpu_alloc_ms": cpu_alloc * seconds, "memory_alloc_bs": memory_alloc * seconds,
            "gpu_alloc_s": gpu * seconds, "storage_bs": storage * seconds}


@dataclass
class Sampled:
    """Every sample of one round, by family: (subject, sample, attributes)."""

    pods: list[Entry]
    namespaces: list[Entry]
    nodes: list[Entry]
    cluster: dict[str, float]
    pods_total: int


def cluster_subject(cluster: str) -> history_store.Subject:
    return history_store.Subject("Cluster", "", cluster)


def _pvc_bytes(pvc: PersistentVolumeClaim) -> float:
    spec = pvc.get("spec") or {}
    return quantity(((spec.get("resources") or {}).get("requests") or {}).get("storage"))


def _key(obj: Pod | PodMetrics | PersistentVolumeClaim) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return meta.get("namespace", ""), meta.get("name", "")


def _share_storage(live: list[Pod], figures: list[PodFigures],
                   claims: dict[tuple[str, str], PersistentVolumeClaim]) -> None:
    """Each claim's requested bytes, split among the pods that mount it."""
    mounts: dict[tuple[str, str], list[PodFigures]] = {}
    for pod, f in zip(live, figures, strict=True):
        for v in (pod.get("spec") or {}).get("volumes") or []:
            claim = (v.get("persistentVolumeClaim") or {}).get("claimName")
            if claim and (f.namespace, claim) in claims:
                mounts.setdefault((f.namespace, claim), []).append(f)
    for key, users in mounts.items():
        for f in users:
            f.storage += _pvc_bytes(claims[key]) / len(users)


def _namespace_samples(figures: list[PodFigures], claims: dict[tuple[str, str], PersistentVolumeClaim],
                       seconds: float) -> list[Entry]:
    """Every pod counted, plus the requested storage of every claim in the namespace."""
    ns_totals: dict[str, dict[str, float]] = {}
    for f in figures:
        t = ns_totals.setdefault(f.namespace, {})
        for k, v in (("cpu_usage_m", f.cpu_usage), ("cpu_request_m", f.cpu_request), ("memory_usage", f.memory_usage),
                     ("memory_request", f.memory_request), ("cpu_alloc", f.cpu_alloc),
                     ("memory_alloc", f.memory_alloc), ("gpu", f.gpu), ("pods", 1.0)):
            t[k] = t.get(k, 0.0) + v
    for (ns, _), claim in claims.items():
        t = ns_totals.setdefault(ns, {})
        t["storage"] = t.get("storage", 0.0) + _pvc_bytes(claim)
    namespaces: list[Entry] = []
    for ns, t in sorted(ns_totals.items()):
        sample = {"seconds": seconds, "pods": t.get("pods", 0.0), "cpu_usage_m": t.get("cpu_usage_m", 0.0),
                  "cpu_request_m": t.get("cpu_request_m", 0.0), "memory_usage": t.get("memory_usage", 0.0),
                  "memory_request": t.get("memory_request", 0.0), "storage": t.get("storage", 0.0),
                  **_integrals(t.get("cpu_alloc", 0.0), t.get("memory_alloc", 0.0), t.get("gpu", 0.0),
                               t.get("storage", 0.0), seconds)}
        namespaces.append((history_store.Subject("Namespace", "", ns), sample, {}))
    return namespaces


def _node_samples(nodes: Iterable[Node], figures: list[PodFigures], seconds: float) -> tuple[list[Entry], float, float]:
    """Requested against allocatable per node, and the cluster's allocatable CPU (millicores) and memory."""
    requested: dict[str, tuple[float, float]] = {}
    for f in figures:
        cpu, mem = requested.get(f.node, (0.0, 0.0))
        requested[f.node] = (cpu + f.cpu_request, mem + f.memory_request)
    node_samples: list[Entry] = []
    alloc_cpu = alloc_mem = 0.0
    for n in nodes:
        name = str((n.get("metadata") or {}).get("name", ""))
        allocatable = (n.get("status") or {}).get("allocatable") or {}
        cpu_cap, mem_cap = quantity(allocatable.get("cpu")) * 1000.0, quantity(allocatable.get("memory"))
        alloc_cpu += cpu_cap
        alloc_mem += mem_cap
        cpu_req, mem_req = requested.get(name, (0.0, 0.0))
        node_samples.append((history_store.Subject("Node", "", name), {
            "seconds": seconds, "cpu_allocatable_m": cpu_cap, "memory_allocatable": mem_cap,
            "cpu_request_m": cpu_req, "memory_request": mem_req,
            "cpu_share_max": 100.0 * cpu_req / cpu_cap if cpu_cap else 0.0,
            "memory_share_max": 100.0 * mem_req / mem_cap if mem_cap else 0.0}, {}))
    node_samples.sort(key=lambda s: s[0].name)
    return node_samples, alloc_cpu, alloc_mem


def samples(pods: Iterable[Pod], pod_metrics: Iterable[PodMetrics], nodes: Iterable[Node],
            pvcs: Iterable[PersistentVolumeClaim], seconds: float, max_pods: int, max_nodes: int) -> Sampled:
    """One round of samples from the member's objects (pure). Pods that are not scheduled or have ended
    are not allocated; the `max_pods` pods with the largest allocation get a history of their own."""
    by_pod = {_key(m): m for m in pod_metrics}
    live = [p for p in pods if (p.get("spec") or {}).get("nodeName")
            and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    figures = [pod_figures(p, by_pod.get(_key(p))) for p in live]
    claims = {_key(c): c for c in pvcs}
    _share_storage(live, figures, claims)
    namespaces = _namespace_samples(figures, claims, seconds)
    chosen = sorted(figures, key=lambda f: (-f.cpu_alloc, -f.memory_alloc, f.namespace, f.name))[:max_pods]
    pod_samples: list[Entry] = [(history_store.Subject("Pod", f.namespace, f.name), _pod_sample(f, seconds),
                                 f.attributes) for f in chosen]
    node_samples, alloc_cpu, alloc_mem = _node_samples(nodes, figures, seconds)
    total_cpu = sum(f.cpu_alloc for f in figures)
    total_mem = sum(f.memory_alloc for f in figures)
    total_storage = sum(_pvc_bytes(c) for c in claims.values())
    cluster = {"seconds": seconds, "pods": float(len(figures)), "cpu_allocatable_m": alloc_cpu,
               "memory_allocatable": alloc_mem,
               **_integrals(total_cpu, total_mem, sum(f.gpu for f in figures), total_storage, seconds),
               "cpu_idle_ms": max(0.0, alloc_cpu - total_cpu) * seconds,
               "memory_idle_bs": max(0.0, alloc_mem - total_mem) * seconds}
    return Sampled(pod_samples, namespaces, node_samples[:max_nodes], cluster, len(figures))


async def _pod_metrics(session: MemberSession) -> list[PodMetrics]:
    """metrics.k8s.io pod metrics; none when the member does not serve them (usage then counts as 0)."""
    try:
        doc = await session.json("GET", "/apis/metrics.k8s.io/v1beta1/pods")
    except MemberError as e:
        if e.status in (404, 503):
            return []
        raise
    return pod_metrics_list.validate_python(doc.get("items") or [])


async def sample_usage(hub: ApiClient, cluster: ManagedCluster, session: MemberSession, now: datetime,
                       seconds: float, max_pods: int, max_nodes: int) -> Sampled:
    """Reads the member once (pods, pod metrics, nodes, PVCs) and appends every sample of the round."""
    pods_rt, nodes_rt, pvc_rt = (await session.resolve("pods"), await session.resolve("nodes"),
                                 await session.resolve("persistentvolumeclaims"))
    pods, _ = await session.list_all(pods_rt)
    nodes, _ = await session.list_all(nodes_rt)
    pvcs, _ = await session.list_all(pvc_rt)
    round_ = samples(pod_list.validate_python(pods), await _pod_metrics(session), node_list.validate_python(nodes),
                     pvc_list.validate_python(pvcs), seconds, max_pods, max_nodes)
    slots = asyncio.Semaphore(WRITE_CONCURRENCY)

    async def write(family: str, entry: Entry) -> None:
        subject, sample, attrs = entry
        async with slots:
            await history_store.append(hub, cluster, family, subject, sample, now, attrs or None)

    await asyncio.gather(write(CLUSTER_FAMILY, (cluster_subject(cluster.metadata.name or ""), round_.cluster, {})),
                         *(write(family, entry)
                           for family, entries in ((NAMESPACE_FAMILY, round_.namespaces), (NODE_FAMILY, round_.nodes),
                                                   (POD_FAMILY, round_.pods))
                           for entry in entries))
    return round_
