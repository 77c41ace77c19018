"""The cluster health section (多云集群 API 3.x, 集群监控和健康检查): what the operator recorded about each
cluster (status, ClusterMetrics history and node detail) and live batch health checks."""

from cloudops.services.cluster_health.service import ClusterMonitoring

__all__ = ["ClusterMonitoring"]
