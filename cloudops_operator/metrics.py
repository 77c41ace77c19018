"""Prometheus metrics of the operator (served by the startup handler on its own port)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = ["CLUSTER_HEALTH_SCORE", "CLUSTER_UP", "STATUS_WRITES", "SYNCS", "SYNC_DURATION"]

SYNCS = Counter("cloudops_operator_cluster_syncs_total", "ManagedCluster syncs by outcome", ["result"])
SYNC_DURATION = Histogram("cloudops_operator_cluster_sync_duration_seconds", "Time to probe a member and write status")
CLUSTER_UP = Gauge("cloudops_operator_cluster_connected", "1 when the member answered the last sync",
                   ["namespace", "cluster"])
CLUSTER_HEALTH_SCORE = Gauge("cloudops_operator_cluster_health_score", "Health score of the last sync (0-100)",
                             ["namespace", "cluster"])
STATUS_WRITES = Counter("cloudops_operator_cluster_status_writes_total",
                        "ManagedCluster status writes: full (something changed) or heartbeat (timestamps only)",
                        ["kind"])
