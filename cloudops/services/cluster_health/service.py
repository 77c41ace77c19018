"""The cluster health service: stored status and history, and live batch checks (多云集群 API 3.x)."""

from __future__ import annotations

from collections.abc import Sequence

from cloudops.clusters.fleet import ProbeResult, probe_many
from cloudops.clusters.metrics_store import points, read_metrics
from cloudops.clusters.objects import as_cluster
from cloudops.clusters.probe import Scope
from cloudops.conditions import now_iso
from cloudops.members.access import ClusterRef
from cloudops.resources.base import dump
from cloudops.resources.managed_cluster import (
    ClusterIssue,
    ClusterUsage,
    ComponentHealth,
    ManagedClusterStatus,
    ResourceCounts,
)
from cloudops.services.base import Service
from cloudops.services.cluster_health.models import (
    CheckedCluster,
    CheckedNode,
    CheckSummary,
    ClusterHealth,
    ClusterMetrics,
    Component,
    HealthCheckBody,
    HealthCheckResult,
    Issue,
    MetricsPoint,
    MetricsQuery,
    MetricsSummary,
    NodeHealth,
    SummaryCounts,
    SummaryRow,
)
from cloudops.services.cluster_health.network import measure_network
from cloudops.services.clusters.views import cluster_summary

__all__ = ["ClusterMonitoring"]


def _status(cluster: ClusterRef) -> ManagedClusterStatus:
    return as_cluster(cluster.cr).status or ManagedClusterStatus()


def _issues(issues: list[ClusterIssue] | None) -> list[Issue]:
    return [Issue(type=i.type or "", message=i.message, severity=i.severity) for i in issues or []]


def _component(c: ComponentHealth) -> Component:
    return Component(name=c.name, status=c.status, response_time=c.response_time_seconds)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _checked(r: ProbeResult, body: HealthCheckBody) -> CheckedCluster:
    view = cluster_summary(r.cluster)
    if r.snapshot is None:
        return CheckedCluster(cluster_id=view.id, cluster_name=view.name, status="error", connected=False,
                              health_score=0.0, issues=[Issue(type="error", message=r.message, severity="critical")])
    s = r.snapshot
    return CheckedCluster(
        cluster_id=view.id, cluster_name=view.name, status=s.health_status, connected=True,
        health_score=s.health_score, issues=[Issue.model_validate(i) for i in s.issues], response_time=s.response_time,
        components=[_component(c) for c in s.components] if body.check_components else None,
        nodes=[CheckedNode(name=n.name, status=n.status or "") for n in s.nodes] if body.check_nodes else None,
        resources=dump(s.counts) if body.check_resources else None)


class ClusterMonitoring(Service):
    async def metrics(self, cluster: ClusterRef, query: MetricsQuery) -> ClusterMetrics:
        status = _status(cluster)
        counts, usage = status.resource_counts or ResourceCounts(), status.usage or ClusterUsage()
        stored = await read_metrics(self.deps.hub, self.deps.namespace, cluster.name)
        history = [MetricsPoint(timestamp=p.t, cpu_usage=p.cpu or 0.0, memory_usage=p.memory or 0.0,
                                disk_usage=p.disk or 0.0, pod_count=p.pods or 0, node_count=p.nodes or 0,
                                health_score=p.score or 0.0) for p in points(stored.series, query.time_range)]
        network = await measure_network(self.deps.settings, cluster, query.time_range)
        return ClusterMetrics(
            cluster_id=cluster.id, timestamp=status.last_sync_time or now_iso(), time_range=query.time_range,
            cpu_usage=usage.cpu_percent, memory_usage=usage.memory_percent, disk_usage=usage.disk_percent,
            network_usage=network.total(), network=network, pod_count=counts.pods or 0, node_count=counts.nodes or 0,
            service_count=counts.services or 0, deployment_count=counts.deployments or 0,
            health_score=status.health_score, issues=_issues(status.issues), history=history)

    async def health(self, cluster: ClusterRef) -> ClusterHealth:
        """Stored status, with per-node detail from the cluster's ClusterMetrics object."""
        status = _status(cluster)
        stored = await read_metrics(self.deps.hub, self.deps.namespace, cluster.name)
        return ClusterHealth(
            cluster_id=cluster.id, health_status=status.health_status or "unknown", health_score=status.health_score,
            last_check=status.last_sync_time, components=[_component(c) for c in status.components or []],
            nodes=[NodeHealth(name=n.name, status=n.status or "", cpu_usage=n.cpu_percent,
                              memory_usage=n.memory_percent) for n in stored.nodes or []],
            issues=_issues(status.issues))

    async def summary(self) -> MetricsSummary:
        rows = []
        for cluster in map(as_cluster, await self.deps.registry.all()):
            view, usage = cluster_summary(cluster), (cluster.status.usage if cluster.status else None) or ClusterUsage()
            rows.append(SummaryRow(id=view.id, name=view.name, health_status=view.health_status,
                                   resource_count=view.resource_count, cpu_usage=usage.cpu_percent,
                                   memory_usage=usage.memory_percent))
        rows.sort(key=lambda r: (r.id or 0, r.name))

        def by(health: str) -> int:
            return sum(1 for r in rows if r.health_status == health)

        return MetricsSummary(summary=SummaryCounts(
            total_clusters=len(rows), healthy_clusters=by("healthy"), warning_clusters=by("warning"),
            error_clusters=by("error"), unknown_clusters=by("unknown"),
            total_resources=sum(r.resource_count for r in rows),
            avg_cpu_usage=_mean([r.cpu_usage for r in rows if r.cpu_usage is not None]),
            avg_memory_usage=_mean([r.memory_usage for r in rows if r.memory_usage is not None])), clusters=rows)

    async def check(self, body: HealthCheckBody, clusters: Sequence[ClusterRef],
                    missing: Sequence[str]) -> HealthCheckResult:
        """A live probe of `clusters` (all resolved and authorized); `missing` were named but do not exist."""
        scope = Scope(components=body.check_components, resources=body.check_resources)
        probed = await probe_many(self.deps.registry, [as_cluster(c.cr) for c in clusters], scope)
        results = [_checked(r, body) for r in probed]

        def count(health: str) -> int:
            return sum(1 for r in results if r.status == health)

        return HealthCheckResult(check_time=now_iso(), results=results, not_found=list(missing), summary=CheckSummary(
            total_checked=len(results), healthy=count("healthy"), warning=count("warning"), error=count("error")))
