"""A cluster's network usage from Prometheus: bytes per second its pods received and transmitted, averaged
over a time range, from the kubelet's cAdvisor counters (`container_network_receive_bytes_total`,
`container_network_transmit_bytes_total`) of the cluster (cloudops.prometheus's cluster label).

Only series with a `namespace` count: cAdvisor also exports the node's own interfaces (`id="/"`, no pod), which
hold every pod's traffic again. `rate()` over the range is the increase divided by the whole range: a pod that
ran for part of the range counts for that part, which is true. But when Prometheus itself has recorded the
cluster for less than the range (it was started ten minutes ago), the rest of the range is unknown, not silent:
the figures are then averaged over the recorded part only, and `recorded_seconds` says how long that is: since
the earliest scrape of the cluster within the range (its `up` series, which exist whether or not pods do, so
a time without pods counts as silence), from a subquery at 1/120 of the range.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from cloudops.network.traffic import RANGE_SECONDS
from cloudops.prometheus import Prometheus, Sample, selector

__all__ = ["RECEIVE", "TRANSMIT", "NetworkUsage", "network_usage", "usage_queries"]

RECEIVE = "container_network_receive_bytes_total"
TRANSMIT = "container_network_transmit_bytes_total"


@dataclass(frozen=True)
class NetworkUsage:
    """Bytes per second received and transmitted (None where Prometheus has no series), the seconds of the range
    they are averaged over, and the queries."""

    receive: float | None
    transmit: float | None
    recorded_seconds: float | None
    queries: dict[str, str]


def usage_queries(prom: Prometheus, cluster: str, time_range: str) -> dict[str, str]:
    """The PromQL of receive and transmit; PrometheusError when the cluster label setting is unusable."""
    labels = prom.matchers(cluster)
    step = max(RANGE_SECONDS[time_range] // 120, 15)
    return {"receive": f"sum(rate({selector(RECEIVE, labels, ['namespace'])}[{time_range}]))",
            "transmit": f"sum(rate({selector(TRANSMIT, labels, ['namespace'])}[{time_range}]))",
            "recorded_since": f"min(min_over_time(timestamp({selector('up', labels)})[{time_range}:{step}s]))"}


async def network_usage(prom: Prometheus, queries: dict[str, str], at: float, time_range: str) -> NetworkUsage:
    """Receive and transmit rates (`usage_queries`) evaluated at `at`, averaged over what Prometheus recorded
    of the range; PrometheusError when Prometheus cannot answer."""
    receive, transmit, since = await asyncio.gather(
        prom.query(queries["receive"], at), prom.query(queries["transmit"], at),
        prom.query(queries["recorded_since"], at))
    whole = float(RANGE_SECONDS[time_range])
    earliest = _sum(since)
    recorded = min(max(at - earliest, 1.0), whole) if earliest is not None else None
    scale = whole / recorded if recorded else 1.0
    return NetworkUsage(_scaled(receive, scale), _scaled(transmit, scale),
                        round(recorded, 1) if recorded is not None else None, queries)


def _scaled(samples: list[Sample], scale: float) -> float | None:
    total = _sum(samples)
    return round(total * scale, 2) if total is not None else None


def _sum(samples: list[Sample]) -> float | None:
    values = [v for s in samples if (v := s.finite) is not None]
    return round(sum(values), 2) if values else None
