"""The traffic part of a Service's endpoint metrics: figures over the range and requests per second per
bucket, from Prometheus only (cloudops.network.traffic); without it null with source "none" and the reason."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from cloudops.members.access import ClusterRef
from cloudops.network.traffic import (
    REQUESTS,
    RESPONSE_BYTES,
    STEP_SECONDS,
    StepRates,
    buckets,
    requests_per_step,
    service_traffic,
    traffic_queries,
)
from cloudops.prometheus import Prometheus, PrometheusError, cluster_value, iso
from cloudops.quantity_format import metric_bytes
from cloudops.services.network.models.endpoints import PerformancePoint, Traffic
from cloudops.services.network.names import Named
from cloudops.settings import Settings

__all__ = ["measure_traffic"]

NO_SOURCE = "no traffic source: CLOUDOPS_PROMETHEUS_URL is not set (figures are never estimated)"


def _null(time_range: str, reason: str, error: str | None = None, queries: dict[str, str] | None = None,
          at: float | None = None) -> Traffic:
    return Traffic(source="none" if at is None else "prometheus", total_requests=None, requests_per_second=None,
                   bytes_transferred=None, bytes_transferred_bytes=None, time_range=time_range,
                   evaluated_at=iso(at) if at is not None else None, queries=queries or {},
                   step_seconds=STEP_SECONDS[time_range], error=error, reason=reason)


def _epoch(timestamp: str) -> float | None:
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


async def measure_traffic(settings: Settings, cluster: ClusterRef, ref: Named, time_range: str,
                          performance: list[PerformancePoint]) -> tuple[Traffic, list[PerformancePoint]]:
    """The traffic figures, and `performance` (the probe buckets) with their requests per second; without
    probe buckets, the buckets Prometheus has requests for."""
    prom = Prometheus.of(settings)
    if prom is None:
        return _null(time_range, NO_SOURCE), performance
    at, name, queries = time.time(), cluster_value(cluster.name, cluster.cr), {}
    probed = {p.timestamp: t for p in performance if (t := _epoch(p.timestamp)) is not None}
    try:
        queries = traffic_queries(prom, name, ref.namespace, ref.name, time_range)
        figures, steps = await asyncio.gather(
            service_traffic(prom, queries, at),
            requests_per_step(prom, name, ref.namespace, ref.name, time_range,
                              sorted(probed.values()) or buckets(time_range, at), at))
    except PrometheusError as e:
        return _null(time_range, f"Prometheus gave no answer: {e.reason}", e.reason, queries, at), performance
    queries = {**queries, "endpoint_performance": steps.query}
    if steps.current_query:
        queries["endpoint_performance_current"] = steps.current_query
    missing = [metric for metric, value in ((REQUESTS, figures.total_requests),
                                            (RESPONSE_BYTES, figures.bytes_transferred)) if value is None]
    size = figures.bytes_transferred
    return Traffic(source="prometheus", total_requests=figures.total_requests,
                   requests_per_second=figures.requests_per_second,
                   bytes_transferred=metric_bytes(size) if size is not None else None, bytes_transferred_bytes=size,
                   time_range=time_range, evaluated_at=iso(at), queries=queries, step_seconds=steps.step, error=None,
                   reason=f"Prometheus has no {' or '.join(missing)} series for this Service in the last {time_range}"
                   if missing else None), _with_rates(performance, probed, steps)


def _with_rates(performance: list[PerformancePoint], probed: dict[str, float],
                steps: StepRates) -> list[PerformancePoint]:
    """The probe buckets with their requests per second; without any, the buckets Prometheus measured."""
    if performance:
        return [p.model_copy(update={"requests_per_second": steps.at(probed[p.timestamp])})
                if p.timestamp in probed else p for p in performance]
    return [PerformancePoint(timestamp=iso(t), requests_per_second=rate, average_latency=None, error_rate=None,
                             availability=None) for t, rate in sorted(steps.rates.items())]
