"""网络管理 API 1. Endpoint 管理 (1.1–1.10): request and response models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cloudops.services.common import CheckedLabels, ClusterRefItem, PageInfo
from cloudops.services.network.models.network_params import DNS_LABEL, ListQuery, NamespaceQuery

__all__ = ["AddressDetail", "BatchBody", "BatchItem", "BatchResult", "BatchSummary", "CheckResult", "CheckSummary",
           "Counts", "CustomCheck", "EndpointCreate", "EndpointDetail", "EndpointItem", "EndpointList",
           "EndpointMetrics", "EndpointStatus", "EndpointUpdate", "Errors", "HealthCheckBody", "HealthCheckResult",
           "Latency", "LatestCheck", "ListEndpointsQuery", "MetricSet", "MetricsQuery", "PerformancePoint",
           "ServiceInfo", "ServiceLink", "StatusCounts", "Subset", "SubsetIn", "Traffic"]


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ip: str = Field(max_length=45)
    hostname: str | None = Field(None, pattern=DNS_LABEL, max_length=63)
    node_name: str | None = Field(None, max_length=253)


class PortIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, pattern=DNS_LABEL, max_length=15)
    port: int = Field(ge=1, le=65535)
    protocol: Literal["TCP", "UDP", "SCTP"] = "TCP"


class SubsetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    addresses: list[AddressIn] = Field(default_factory=list, max_length=1000)
    not_ready_addresses: list[AddressIn] = Field(default_factory=list, max_length=1000)
    ports: list[PortIn] = Field(min_length=1, max_length=100)


class EndpointFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    namespace: str | None = Field(None, pattern=DNS_LABEL, max_length=63)
    subsets: list[SubsetIn] | None = Field(None, max_length=20)
    labels: CheckedLabels | None = None
    annotations: dict[str, str] | None = None


class EndpointCreate(EndpointFields):
    name: str = Field(pattern=DNS_LABEL, max_length=63, description="the Service's name")
    subsets: list[SubsetIn] = Field(max_length=20)


class EndpointUpdate(EndpointFields):
    """`subsets` replace all addresses when given; labels and annotations replace theirs when given."""


class ListEndpointsQuery(ListQuery):
    service_name: str | None = Field(None, pattern=DNS_LABEL, max_length=63, description="服务名称")


class TargetRef(BaseModel):
    kind: str | None
    name: str | None
    namespace: str | None


class Address(BaseModel):
    ip: str
    hostname: str | None
    node_name: str | None
    zone: str | None
    target_ref: TargetRef | None
    ready: bool
    serving: bool
    terminating: bool


class PortView(BaseModel):
    name: str | None
    port: int
    protocol: str


class Subset(BaseModel):
    addresses: list[Address]
    not_ready_addresses: list[Address]
    ports: list[PortView]


class EndpointItem(BaseModel):
    id: str
    name: str
    namespace: str
    cluster_id: int | None
    cluster_name: str
    subsets: list[Subset]
    labels: dict[str, str]
    annotations: dict[str, str]
    slices: list[str]
    managed_by: list[str]
    created_at: str | None
    updated_at: str | None


class EndpointList(PageInfo):
    endpoints: list[EndpointItem]


class Counts(BaseModel):
    total_endpoints: int
    ready_endpoints: int
    not_ready_endpoints: int
    health_score: float


class EndpointDetail(EndpointItem):
    status: Counts


class StatusCounts(Counts):
    last_check: str | None


class AddressDetail(BaseModel):
    ip: str
    hostname: str | None
    node_name: str | None
    ready: bool
    serving: bool
    terminating: bool
    last_probe: str | None
    response_time: float | None


class LatestCheck(BaseModel):
    endpoint: str
    status: Literal["healthy", "unhealthy"]
    response_time: float | None
    last_check: str


class EndpointStatus(BaseModel):
    id: str
    name: str
    namespace: str
    cluster_id: int | None
    status: StatusCounts
    endpoint_details: list[AddressDetail]
    health_checks: list[LatestCheck]


class CustomCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")
    port: int = Field(ge=1, le=65535)
    path: str = Field("/", pattern=r"^/[!-~]*$", max_length=1024)
    method: Literal["GET", "HEAD", "OPTIONS"] = "GET"
    expected_status: int | None = Field(None, ge=100, le=599)


class HealthCheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    namespace: str | None = Field(None, pattern=DNS_LABEL, max_length=63)
    timeout: float = Field(5.0, gt=0, le=60, description="seconds per attempt")
    retries: int = Field(0, ge=0, le=5)
    check_ports: list[int] | None = Field(None, max_length=20)
    custom_checks: list[CustomCheck] = Field(default_factory=list, max_length=10)
    include_not_ready: bool = True


class CheckDetails(BaseModel):
    tcp_check: str
    http_check: str
    custom_check: str


class CheckResult(BaseModel):
    endpoint: str
    ip: str
    port: int
    status: Literal["healthy", "unhealthy", "timeout", "unreachable_from_shim"]
    response_time: float | None
    attempts: int
    details: CheckDetails
    error: str | None
    error_type: str | None
    http_status: list[int]


class CheckSummary(BaseModel):
    total_checked: int
    healthy: int
    unhealthy: int
    timeout: int
    unreachable_from_shim: int


class HealthCheckResult(BaseModel):
    check_id: str
    endpoint_name: str
    namespace: str
    check_time: str
    duration: float
    results: list[CheckResult]
    summary: CheckSummary


class ServicePort(BaseModel):
    name: str | None
    port: int
    target_port: int | str
    protocol: str


class ServiceInfo(BaseModel):
    name: str
    namespace: str
    type: str
    cluster_ip: str | None
    external_ips: list[str]
    ports: list[ServicePort]
    selector: dict[str, str]


class ServiceLink(BaseModel):
    endpoint_name: str
    namespace: str
    service: ServiceInfo | None
    selector_managed: bool
    endpoint_sync_status: Literal["synced", "out_of_sync", "no_endpoints", "orphaned"]
    sync_problems: list[str]
    last_sync_time: str | None


class BatchItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=DNS_LABEL, max_length=63)
    namespace: str | None = Field(None, pattern=DNS_LABEL, max_length=63)
    subsets: list[SubsetIn] | None = Field(None, max_length=20)
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class BatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    operation: Literal["create", "update", "delete"]
    endpoints: list[BatchItem] = Field(min_length=1, max_length=100)


class BatchResult(BaseModel):
    name: str
    namespace: str
    success: bool
    status: int
    error: str | None


class BatchSummary(BaseModel):
    operation: str
    total: int
    succeeded: int
    failed: int
    results: list[BatchResult]


class MetricsQuery(NamespaceQuery):
    time_range: Literal["1h", "24h", "7d", "30d"] = "24h"
    metrics: str | None = Field(None, pattern=r"^(traffic|latency|errors)(,(traffic|latency|errors))*$",
                                description="comma-separated: traffic, latency, errors (default: all)")


class Traffic(BaseModel):
    source: Literal["prometheus", "none"] = Field(description="prometheus: CLOUDOPS_PROMETHEUS_URL answered; none: "
                                                              "no Prometheus is configured")
    total_requests: float | None = Field(description="requests in time_range: increase() of http_requests_total")
    requests_per_second: float | None = Field(description="rate() of http_requests_total over time_range: the "
                                                          "average over the whole range")
    bytes_transferred: str | None = Field(description="response bytes in time_range (increase() of "
                                                      "http_response_size_bytes_sum) as the reference writes them, "
                                                      "powers of 1000: \"2.5GB\"")
    bytes_transferred_bytes: float | None = Field(description="the same figure as a number of bytes")
    time_range: str
    evaluated_at: str | None = Field(description="the instant the queries were evaluated at (the range ends there)")
    queries: dict[str, str] = Field(description="the PromQL of each figure: total_requests, requests_per_second, "
                                                "bytes_transferred; endpoint_performance (the range query, one value "
                                                "per step_seconds) and endpoint_performance_current (the bucket in "
                                                "progress) for endpoint_performance[].requests_per_second")
    step_seconds: int | None = Field(description="the width of one endpoint_performance bucket")
    error: str | None = Field(description="why Prometheus gave nothing (unreachable, timeout, an error answer)")
    reason: str | None = Field(description="why the figures are null, when they are")


class Latency(BaseModel):
    average: float | None
    p95: float | None
    p99: float | None


class Errors(BaseModel):
    total_errors: int
    error_rate: float | None
    error_types: dict[str, int]


class MetricSet(BaseModel):
    traffic: Traffic | None = None
    latency: Latency | None = None
    errors: Errors | None = None
    availability: float | None = None


class PerformancePoint(BaseModel):
    timestamp: str = Field(description="start of the bucket (its width: metrics.traffic.step_seconds)")
    requests_per_second: float | None = Field(description="rate() of http_requests_total over the bucket, from "
                                                          "Prometheus; null without it or when traffic is not asked")
    average_latency: float | None
    error_rate: float | None
    availability: float | None


class EndpointMetrics(BaseModel):
    endpoint_name: str
    namespace: str
    time_range: str
    monitored: bool
    checks: int
    metrics: MetricSet
    endpoint_performance: list[PerformancePoint] = Field(
        description="per bucket of time_range: the operator's probes when the Service is monitored, with requests "
                    "per second from Prometheus; not monitored, the buckets Prometheus has requests for (latency, "
                    "error_rate and availability null)")
