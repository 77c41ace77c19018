"""ManagedCluster objects rendered as the reference's snake_case response models."""

from __future__ import annotations

from cloudops.clusters.registry import LiveTest
from cloudops.constants import ID_LABEL
from cloudops.resources.managed_cluster import (
    ClusterUsage,
    ManagedCluster,
    ManagedClusterStatus,
    ResourceCounts,
)
from cloudops.services.clusters.models import ClusterDetail, ClusterMetricsView, ClusterSummary, HealthReason, Usage

__all__ = ["bare_version", "cluster_detail", "cluster_summary", "registered_detail", "resources_view", "usage_view"]


def bare_version(version: str | None) -> str:
    """A Kubernetes version without its leading v (1.30.2)."""
    return (version or "").removeprefix("v")


def resources_view(counts: ResourceCounts) -> dict[str, int]:
    return {"pods": counts.pods or 0, "deployments": counts.deployments or 0, "services": counts.services or 0,
            "configmaps": counts.configmaps or 0, "secrets": counts.secrets or 0,
            "persistent_volumes": counts.persistent_volumes or 0, "nodes": counts.nodes or 0}


def usage_view(usage: ClusterUsage | None) -> Usage:
    u = usage or ClusterUsage()
    return Usage(cpu_usage=u.cpu_percent, memory_usage=u.memory_percent, disk_usage=u.disk_percent,
                 source=u.source or "none")


def _label_id(cluster: ManagedCluster) -> int | None:
    label = (cluster.metadata.labels or {}).get(ID_LABEL)
    return int(label) if label and label.isascii() and label.isdigit() else None


def cluster_summary(cluster: ManagedCluster) -> ClusterSummary:
    spec, status = cluster.spec, cluster.status or ManagedClusterStatus()
    counts = status.resource_counts or ResourceCounts()
    name = cluster.metadata.name or ""
    return ClusterSummary(
        id=status.id or _label_id(cluster), name=name, display_name=spec.display_name or name,
        provider=spec.provider, region=spec.region or "", version=bare_version(status.kubernetes_version),
        status=status.phase or "pending", health_status=status.health_status or "unknown",
        resource_count=sum(v for v in counts.model_dump().values() if isinstance(v, int)),
        last_sync_time=status.last_sync_time, tags=list(spec.tags or []), health_score=status.health_score,
        issues=[HealthReason(type=i.type, message=i.message, severity=i.severity) for i in status.issues or []],
        node_count=counts.nodes if counts.nodes is not None else status.node_count,
        cpu_usage=(status.usage or ClusterUsage()).cpu_percent,
        memory_usage=(status.usage or ClusterUsage()).memory_percent)


def cluster_detail(cluster: ManagedCluster) -> ClusterDetail:
    status = cluster.status or ManagedClusterStatus()
    counts, usage = status.resource_counts or ResourceCounts(), status.usage or ClusterUsage()
    node_count = counts.nodes if counts.nodes is not None else (status.node_count or 0)
    return ClusterDetail(
        **cluster_summary(cluster).model_dump(), created_at=cluster.metadata.creation_timestamp,
        description=cluster.spec.description or "", api_server=status.api_server or "",
        message=status.message or "",
        metrics=ClusterMetricsView(cpu_usage=usage.cpu_percent, memory_usage=usage.memory_percent,
                                   disk_usage=usage.disk_percent, pod_count=counts.pods or 0, node_count=node_count,
                                   service_count=counts.services or 0, deployment_count=counts.deployments or 0))


def registered_detail(cluster: ManagedCluster, reached: LiveTest) -> ClusterDetail:
    """The answer to an add: what registration itself just read from the member (it answered: `connected`, its
    version, API server and node count) while the operator has not written a status yet. Health and resource
    counts are the operator's to measure, so they stay unknown until its first sync, and `message` says so."""
    detail = cluster_detail(cluster)
    if cluster.status is not None and cluster.status.phase:
        return detail  # the operator already answered: its reading is the newer one
    return detail.model_copy(update={
        "status": "connected", "version": bare_version(reached.version), "api_server": reached.api_server,
        "message": "registered: the member answered; health and resource counts follow the operator's first sync",
        "metrics": detail.metrics.model_copy(update={"node_count": reached.nodes_count})})
