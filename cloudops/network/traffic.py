"""Traffic figures of a Service from Prometheus, the only source: without CLOUDOPS_PROMETHEUS_URL they are
null with source "none", never estimated.

Queries use the labels the Prometheus Operator's ServiceMonitors put on scraped series (`namespace`,
`service`), the cluster label (cloudops.prometheus) and the conventional HTTP metrics: `http_requests_total`
and `http_response_size_bytes_sum`. Over the answer's `time_range`: total requests and bytes are
`increase()`, requests per second `rate()`, Prometheus's average over the whole range (a Service recorded for
part of it counts the rest as no traffic, as the reference's 125000 requests in 24h are 1.45 per second).
Per step (the probe history's bucket width for that range: 60 s for 1h, 15 min for 24h, 2 h for 7d, 12 h for
30d), `rate()` over each bucket, evaluated at its end; the bucket still in progress over its elapsed part.
"""

from __future__ import annotations

import asyncio
import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from cloudops.clusters.history import TIERS
from cloudops.prometheus import Prometheus, Sample, selector

__all__ = ["REQUESTS", "RESPONSE_BYTES", "STEP_SECONDS", "ServiceTraffic", "StepRates", "buckets",
           "requests_per_step", "service_traffic", "traffic_queries"]

REQUESTS = "http_requests_total"
RESPONSE_BYTES = "http_response_size_bytes_sum"
RANGE_SECONDS = {"1h": 3600, "24h": 86400, "7d": 604800, "30d": 2592000}
STEP_SECONDS = {name: width for name, (width, _) in TIERS.items()}


@dataclass(frozen=True)
class ServiceTraffic:
    """The figures over the range (None where Prometheus has no series) and the query of each."""

    total_requests: float | None
    requests_per_second: float | None
    bytes_transferred: float | None
    queries: dict[str, str]


@dataclass(frozen=True)
class StepRates:
    """Requests per second per bucket, by bucket start (unix seconds), and the queries that measured them."""

    step: int
    query: str  # the range query over the complete buckets
    current_query: str | None  # the instant query of the bucket in progress, when there is one
    rates: dict[float, float] = field(default_factory=dict)

    def at(self, t: float) -> float | None:
        """The rate of the bucket holding `t` (start ≤ t < start + step), None when Prometheus had none for it:
        never a neighbour's."""
        starts = sorted(self.rates)
        i = bisect.bisect_right(starts, t) - 1
        return self.rates[starts[i]] if i >= 0 and t - starts[i] < self.step else None


def _selectors(prom: Prometheus, cluster: str, namespace: str, service: str) -> tuple[str, str]:
    labels = prom.matchers(cluster, namespace=namespace, service=service)
    return selector(REQUESTS, labels), selector(RESPONSE_BYTES, labels)


def _total(samples: list[Sample]) -> float | None:
    values = [v for s in samples if (v := s.finite) is not None]
    return round(sum(values), 4) if values else None


def traffic_queries(prom: Prometheus, cluster: str, namespace: str, service: str, time_range: str) -> dict[str, str]:
    """The PromQL of each figure over `time_range`; PrometheusError when the cluster label setting is unusable."""
    requests, size = _selectors(prom, cluster, namespace, service)
    return {"total_requests": f"sum(increase({requests}[{time_range}]))",
            "requests_per_second": f"sum(rate({requests}[{time_range}]))",
            "bytes_transferred": f"sum(increase({size}[{time_range}]))"}


async def service_traffic(prom: Prometheus, queries: dict[str, str], at: float) -> ServiceTraffic:
    """Requests, requests per second and response bytes (`traffic_queries`) evaluated at `at`; PrometheusError
    when Prometheus cannot answer (the caller reports it, never a guess)."""
    names = ("total_requests", "requests_per_second", "bytes_transferred")
    total, rate, size = map(_total, await asyncio.gather(*(prom.query(queries[n], at) for n in names)))
    return ServiceTraffic(total, rate, size, queries)


def buckets(time_range: str, at: float) -> list[float]:
    """Starts of the buckets of `time_range` ending at `at`, as the probe history cuts it."""
    step = STEP_SECONDS[time_range]
    last = at // step * step
    first = (at - RANGE_SECONDS[time_range]) // step * step + step
    return [first + k * step for k in range(int((last - first) // step) + 1)]


async def requests_per_step(prom: Prometheus, cluster: str, namespace: str, service: str, time_range: str,
                            starts: Sequence[float], at: float) -> StepRates:
    """Requests per second in each bucket starting at `starts` (aligned to the range's step): `rate()` over
    the bucket, evaluated at its end; the bucket in progress (ending after `at`) over its elapsed seconds."""
    step = STEP_SECONDS[time_range]
    requests, _ = _selectors(prom, cluster, namespace, service)
    query = f"sum(rate({requests}[{step}s]))"
    done = sorted(s for s in starts if s + step <= at)
    current = max((s for s in starts if s + step > at), default=None)
    elapsed = int(at - current) if current is not None else 0
    current_query = f"sum(rate({requests}[{elapsed}s]))" if current is not None and elapsed > 0 else None
    rates: dict[float, float] = {}
    if done:
        for series in await prom.query_range(query, done[0] + step, done[-1] + step, step):
            rates.update({t - step: round(v, 4) for t, v in series.points if math.isfinite(v)})
    if current is not None and current_query is not None:
        value = _total(await prom.query(current_query, at))
        if value is not None:
            rates[current] = value
    wanted = set(starts)
    return StepRates(step, query, current_query, {s: v for s, v in rates.items() if s in wanted})
