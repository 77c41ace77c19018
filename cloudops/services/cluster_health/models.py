"""多云集群 API, 3. 集群监控和健康检查: request and response models of the cluster health routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cloudops.services.common import ClusterRefItem

__all__ = ["CheckSummary", "CheckedCluster", "CheckedNode", "ClusterHealth", "ClusterMetrics", "Component",
           "HealthCheckBody", "HealthCheckResult", "Issue", "MetricsPoint", "MetricsQuery", "MetricsSummary",
           "NetworkUsage", "NodeHealth", "SummaryCounts", "SummaryRow"]


def _absent(value: object) -> bool:
    return value is None


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
    severity: str | None = Field(default=None, exclude_if=_absent)


class MetricsPoint(BaseModel):
    timestamp: str
    cpu_usage: float
    memory_usage: float
    disk_usage: float
    pod_count: float
    node_count: float
    health_score: float


class NetworkUsage(BaseModel):
    """How `network_usage` was measured, or why it is null."""

    source: Literal["prometheus", "none"] = Field(description="prometheus: CLOUDOPS_PROMETHEUS_URL answered the "
                                                              "queries; none: no Prometheus is configured")
    unit: Literal["bytes/s"] = "bytes/s"
    receive_bytes_per_second: float | None = Field(description="bytes per second the cluster's pods received, "
                                                               "averaged over the recorded part of time_range")
    transmit_bytes_per_second: float | None = Field(description="bytes per second they transmitted, likewise")
    recorded_seconds: float | None = Field(description="how much of time_range Prometheus holds for this cluster: "
                                                       "the figures are averaged over these seconds, the part "
                                                       "before them is unknown, not counted as silence")
    time_range: str
    evaluated_at: str | None = Field(description="the instant the queries were evaluated at (the range ends there)")
    queries: dict[str, str] = Field(description="the PromQL of each figure (receive, transmit); empty without "
                                                "Prometheus")
    reason: str | None = Field(description="why network_usage is null, when it is")
    error: str | None = Field(description="what Prometheus failed with (unreachable, timeout, an error answer)")

    def total(self) -> float | None:
        """Receive + transmit, when both were measured."""
        rx, tx = self.receive_bytes_per_second, self.transmit_bytes_per_second
        return round(rx + tx, 2) if rx is not None and tx is not None else None


class ClusterMetrics(BaseModel):
    cluster_id: int | None
    timestamp: str
    time_range: str
    cpu_usage: float | None
    memory_usage: float | None
    disk_usage: float | None
    network_usage: float | None = Field(description="bytes per second the cluster's pods received and transmitted, "
                                                    "averaged over time_range, from Prometheus (`network` says how); "
                                                    "null without Prometheus or its series, never estimated")
    network: NetworkUsage
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
    # Parts not asked for (or not read: an unreachable member) are absent, not null.
    cluster_id: int | None
    cluster_name: str
    status: str
    connected: bool
    health_score: float
    issues: list[Issue]
    response_time: float | None = Field(default=None, exclude_if=_absent)
    components: list[Component] | None = Field(default=None, exclude_if=_absent)
    nodes: list[CheckedNode] | None = Field(default=None, exclude_if=_absent)
    resources: dict[str, int] | None = Field(default=None, exclude_if=_absent)


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
