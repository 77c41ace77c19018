"""`network_usage` of a cluster's metrics: measured by Prometheus (cloudops.clusters.network_usage), or null
with the reason. Never estimated."""

from __future__ import annotations

import time

from cloudops.clusters.network_usage import RECEIVE, TRANSMIT, network_usage, usage_queries
from cloudops.members.access import ClusterRef
from cloudops.prometheus import Prometheus, PrometheusError, cluster_value, iso
from cloudops.services.cluster_health.models import NetworkUsage
from cloudops.settings import Settings

__all__ = ["measure_network"]


async def measure_network(settings: Settings, cluster: ClusterRef, time_range: str) -> NetworkUsage:
    prom = Prometheus.of(settings)
    if prom is None:
        return NetworkUsage(source="none", receive_bytes_per_second=None, transmit_bytes_per_second=None,
                            recorded_seconds=None, time_range=time_range, evaluated_at=None, queries={}, error=None,
                            reason="no Prometheus: CLOUDOPS_PROMETHEUS_URL is not set (figures are never estimated)")
    at = time.time()
    name = cluster_value(cluster.name, cluster.cr)
    queries: dict[str, str] = {}
    try:
        queries = usage_queries(prom, name, time_range)
        got = await network_usage(prom, queries, at, time_range)
    except PrometheusError as e:
        return NetworkUsage(source="prometheus", receive_bytes_per_second=None, transmit_bytes_per_second=None,
                            recorded_seconds=None, time_range=time_range, evaluated_at=iso(at), queries=queries,
                            error=e.reason,
                            reason=f"Prometheus gave no answer: {e.reason}")
    missing = [metric for metric, value in ((RECEIVE, got.receive), (TRANSMIT, got.transmit)) if value is None]
    scope = f"{prom.cluster_label}={name!r}" if prom.cluster_label else "its pods"
    reason = (f"Prometheus has no {' or '.join(missing)} series for {scope} in the last {time_range}"
              if missing else None)
    return NetworkUsage(source="prometheus", receive_bytes_per_second=got.receive,
                        transmit_bytes_per_second=got.transmit, recorded_seconds=got.recorded_seconds,
                        time_range=time_range, evaluated_at=iso(at),
                        queries=got.queries, reason=reason, error=None)
