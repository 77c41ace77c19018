"""The ClusterMetrics object of a cluster: created on first sample, owned by (and deleted with) it."""

from __future__ import annotations

from datetime import datetime

from cloudops.clusters.history import Point, record
from cloudops.clusters.objects import owned_by
from cloudops.conditions import now_iso
from cloudops.kube.client import ApiClient
from cloudops.kube.errors import Conflict, NotFound
from cloudops.kube.stores import HubStore
from cloudops.resources.base import ObjectMeta, ObjectRef, dump
from cloudops.resources.cluster_metrics import (
    ClusterMetrics,
    ClusterMetricsSeries,
    ClusterMetricsSpec,
    ClusterMetricsStatus,
    MetricsPoint,
)
from cloudops.resources.managed_cluster import ManagedCluster, NodeHealth

__all__ = ["Sample", "points", "read_metrics", "read_series", "write_metrics"]

Sample = tuple[dict[str, float], datetime]  # one probe's figures (cloudops.clusters.history.FIELDS) and when


def _store(api: ApiClient, namespace: str) -> HubStore[ClusterMetrics]:
    return HubStore(api, ClusterMetrics, namespace)


async def read_metrics(api: ApiClient, namespace: str, cluster: str) -> ClusterMetricsStatus:
    """The ClusterMetrics status: `series` (history by range) and `nodes` (per-node health); empty before
    the operator's first write."""
    try:
        obj = await _store(api, namespace).get(cluster)
    except NotFound:
        return ClusterMetricsStatus()
    return obj.status or ClusterMetricsStatus()


def points(series: ClusterMetricsSeries | None, time_range: str) -> list[MetricsPoint]:
    """The points of one range, named as on the wire (1h, 24h, 7d, 30d: cloudops.clusters.history.TIERS)."""
    if series is not None:
        for name, info in ClusterMetricsSeries.model_fields.items():
            if info.alias == time_range:
                found: list[MetricsPoint] | None = getattr(series, name)
                return list(found or [])
    return []


async def read_series(api: ApiClient, namespace: str, cluster: str) -> dict[str, list[Point]]:
    """The history by range as plain points in wire names, for readers of plain JSON (the MCP tools)."""
    series = (await read_metrics(api, namespace, cluster)).series
    return dump(series) if series is not None else {}


async def _current(api: ApiClient, cluster: ManagedCluster) -> ClusterMetrics:
    name, namespace = cluster.metadata.name or "", cluster.metadata.namespace or ""
    store = _store(api, namespace)
    try:
        return await store.get(name)
    except NotFound:
        pass
    try:
        return await store.create(ClusterMetrics(
            metadata=ObjectMeta(name=name, namespace=namespace, owner_references=[owned_by(cluster)]),
            spec=ClusterMetricsSpec(cluster_ref=ObjectRef(name=name))))
    except Conflict:
        return await store.get(name)


async def write_metrics(api: ApiClient, cluster: ManagedCluster, samples: list[Sample],
                        nodes: list[NodeHealth] | None = None) -> None:
    """Folds a batch of samples (each with its time) into the history and, when given, replaces the
    per-node detail: one write for many samples, and node detail kept out of the listed ManagedCluster."""
    current = await _current(api, cluster)
    stored = current.status.series if current.status is not None else None
    series = dump(stored) if stored is not None else None
    for sample, at in samples:
        series = record(series, sample, at)
    status = ClusterMetricsStatus(series=ClusterMetricsSeries.model_validate(series or {}), updated_time=now_iso())
    if nodes is not None:
        status.nodes = nodes
    await _store(api, current.metadata.namespace or "").patch_status(current.metadata.name or "", status)
