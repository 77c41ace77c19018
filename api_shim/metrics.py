"""Prometheus metrics of the shim, on a registry of its own so tests can build many apps."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["ShimMetrics"]


@dataclass
class ShimMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        labels = ["method", "route"]
        self.requests = Counter("cloudops_shim_requests_total", "HTTP requests handled",
                                [*labels, "status"], registry=self.registry)
        self.errors = Counter("cloudops_shim_errors_total", "HTTP responses with status >= 500",
                              labels, registry=self.registry)
        self.latency = Histogram("cloudops_shim_request_duration_seconds", "Request latency",
                                 labels, registry=self.registry)
        self.in_flight = Gauge("cloudops_shim_requests_in_flight", "Requests being served",
                               labels, registry=self.registry)
