"""ClusterMetrics (crds/clustermetrics.yaml): one ManagedCluster's downsampled metrics history and node health.

The series ranges are named 1h, 24h, 7d and 30d on the wire (cloudops.clusters.history.TIERS); in Python they
are `range_1h`, `range_24h`, `range_7d` and `range_30d`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from cloudops.constants import CLUSTER_METRICS, Kind
from cloudops.resources.base import CustomResource, ObjectRef, ResourceModel, Timestamp
from cloudops.resources.managed_cluster import NodeHealth

__all__ = ["ClusterMetrics", "ClusterMetricsSeries", "ClusterMetricsSpec", "ClusterMetricsStatus", "MetricsPoint",
           "NodeHealth"]


class MetricsPoint(ResourceModel):
    """One bucket: its start `t`, the number `n` of samples averaged, and their means."""

    t: Timestamp
    n: int | None = None
    cpu: float | None = None
    memory: float | None = None
    disk: float | None = None
    pods: float | None = None
    nodes: float | None = None
    score: float | None = None


class ClusterMetricsSeries(ResourceModel):
    range_1h: list[MetricsPoint] | None = Field(default=None, alias="1h")
    range_24h: list[MetricsPoint] | None = Field(default=None, alias="24h")
    range_7d: list[MetricsPoint] | None = Field(default=None, alias="7d")
    range_30d: list[MetricsPoint] | None = Field(default=None, alias="30d")


class ClusterMetricsSpec(ResourceModel):
    cluster_ref: ObjectRef


class ClusterMetricsStatus(ResourceModel):
    updated_time: Timestamp | None = None
    nodes: list[NodeHealth] | None = None
    series: ClusterMetricsSeries | None = None


class ClusterMetrics(CustomResource):
    KIND: ClassVar[Kind] = CLUSTER_METRICS

    kind: Literal["ClusterMetrics"] = "ClusterMetrics"
    spec: ClusterMetricsSpec
    status: ClusterMetricsStatus | None = None
