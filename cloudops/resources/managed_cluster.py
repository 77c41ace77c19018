"""ManagedCluster (crds/managedclusters.yaml): a member cluster; spec from REST clusters/add, status by the operator."""

from __future__ import annotations

from typing import ClassVar, Literal, TypeAlias

from cloudops.constants import MANAGED_CLUSTER, Kind
from cloudops.resources.base import Condition, CustomResource, ResourceModel, Timestamp

__all__ = [
    "ClusterIssue",
    "ClusterUsage",
    "ComponentHealth",
    "KubeconfigSecretRef",
    "ManagedCluster",
    "ManagedClusterSpec",
    "ManagedClusterStatus",
    "NodeHealth",
    "Provider",
    "ResourceCounts",
]

Provider: TypeAlias = Literal["aws", "huawei", "aliyun", "tencent", "other"]


class KubeconfigSecretRef(ResourceModel):
    """Secret (same namespace) holding the kubeconfig."""

    name: str
    key: str = "kubeconfig"


class ManagedClusterSpec(ResourceModel):
    display_name: str | None = None
    description: str | None = None
    provider: Provider = "other"
    region: str | None = None
    tags: list[str] | None = None
    kubeconfig_secret_ref: KubeconfigSecretRef
    context: str | None = None
    sync_interval_seconds: int = 15


class ResourceCounts(ResourceModel):
    pods: int | None = None
    deployments: int | None = None
    services: int | None = None
    configmaps: int | None = None
    secrets: int | None = None
    persistent_volumes: int | None = None
    nodes: int | None = None


class ClusterUsage(ResourceModel):
    """Utilisation in percent (can exceed 100) and where the numbers come from."""

    cpu_percent: float | None = None
    memory_percent: float | None = None
    disk_percent: float | None = None
    source: Literal["metrics-api", "requests", "none"] | None = None


class ComponentHealth(ResourceModel):
    name: str
    status: Literal["healthy", "unhealthy", "unknown"]
    response_time_seconds: float | None = None
    message: str | None = None


class NodeHealth(ResourceModel):
    """One node's readiness and usage (also the item of ClusterMetrics status.nodes)."""

    name: str
    status: str | None = None
    cpu_percent: float | None = None
    memory_percent: float | None = None


class ClusterIssue(ResourceModel):
    type: str | None = None
    message: str
    severity: Literal["low", "medium", "high", "critical"] | None = None


class ManagedClusterStatus(ResourceModel):
    observed_generation: int | None = None
    conditions: list[Condition] | None = None
    id: int | None = None
    phase: Literal["pending", "connected", "disconnected", "error"] | None = None
    health_status: Literal["healthy", "warning", "error", "unknown"] | None = None
    health_score: float | None = None
    kubernetes_version: str | None = None
    api_server: str | None = None
    node_count: int | None = None
    resource_counts: ResourceCounts | None = None
    usage: ClusterUsage | None = None
    components: list[ComponentHealth] | None = None
    nodes: list[NodeHealth] | None = None
    """Deprecated, no longer written (per-node health is in ClusterMetrics); the operator clears it."""
    issues: list[ClusterIssue] | None = None
    last_sync_time: Timestamp | None = None
    last_sync_request: str | None = None
    reason: str | None = None
    message: str | None = None


class ManagedCluster(CustomResource):
    KIND: ClassVar[Kind] = MANAGED_CLUSTER

    kind: Literal["ManagedCluster"] = "ManagedCluster"
    spec: ManagedClusterSpec
    status: ManagedClusterStatus | None = None
