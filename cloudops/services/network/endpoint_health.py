"""网络管理 API 1. Endpoint 管理 (1.6, 1.7, 1.10): status, health checks and metrics of a Service's endpoints.

Health checks probe from this process within CLOUDOPS_PROBE_CIDRS only; status and metrics read what the
operator's monitor recorded (Services labelled cloudops.io/monitor=true) and Prometheus for traffic.
"""

from __future__ import annotations

import asyncio
import uuid

from cloudops.conditions import now_iso
from cloudops.history_store import Subject, read, read_all
from cloudops.members.access import ClusterRef
from cloudops.network import kinds
from cloudops.network.monitor import (
    ADDRESS_FAMILY,
    ERROR_TYPES,
    FAMILY,
    ProbePoint,
    point_latency,
    probe_targets,
    range_metrics,
)
from cloudops.network.probes import HttpCheck, ProbeResult, ProbeScope, probe_all, summarize
from cloudops.network.slices import subsets_of
from cloudops.services.base import Service
from cloudops.services.network.endpoint_traffic import measure_traffic
from cloudops.services.network.endpoint_views import endpoint_detail
from cloudops.services.network.endpoints import Endpoints
from cloudops.services.network.models.endpoints import (
    AddressDetail,
    CheckDetails,
    CheckResult,
    CheckSummary,
    EndpointMetrics,
    EndpointStatus,
    Errors,
    HealthCheckBody,
    HealthCheckResult,
    Latency,
    LatestCheck,
    MetricSet,
    MetricsQuery,
    PerformancePoint,
    StatusCounts,
)
from cloudops.services.network.names import Named

__all__ = ["EndpointHealth"]


def _check(r: ProbeResult) -> CheckResult:
    return CheckResult(endpoint=r.endpoint, ip=r.ip, port=r.port, status=r.status, response_time=r.response_time,
                       attempts=r.attempts, details=CheckDetails(tcp_check=r.tcp_check, http_check=r.http_check,
                                                                 custom_check=r.custom_check),
                       error=r.error, error_type=r.error_type, http_status=r.http_status)


def _performance(p: ProbePoint) -> PerformancePoint:
    checked = float(p.get("checks", 0)) > 0
    return PerformancePoint(
        timestamp=p.get("t", ""), requests_per_second=None, average_latency=point_latency(p),
        error_rate=round(sum(float(p.get(t, 0)) for t in ERROR_TYPES) / float(p.get("checks", 0)), 4)
        if checked else None,
        availability=p.get("availability") if checked else None)


class EndpointHealth(Service):
    async def _latest_probes(self, cluster: ClusterRef, ref: Named) -> list[tuple[str, ProbePoint]]:
        """(address:port, its latest probe) per probed address of the Service, by address."""
        out = []
        for subject, series in await read_all(self.deps.hub, self.deps.namespace, ADDRESS_FAMILY, cluster.name):
            points = series.get("1h") or []
            if subject.namespace == ref.namespace and subject.name.startswith(f"{ref.name}/") and points:
                out.append((subject.name.split("/", 1)[1], kinds.parse(ProbePoint, points[-1])))
        return sorted(out, key=lambda p: p[0])

    async def status(self, cluster: ClusterRef, ref: Named) -> EndpointStatus:
        """Counts from the slices; the latest probe per address from the operator's monitor (Services labelled
        cloudops.io/monitor=true), empty when the Service is not monitored."""
        detail = endpoint_detail(cluster, ref, await Endpoints(self.deps).slices(cluster, ref))
        checks: list[LatestCheck] = []
        latest_by_ip: dict[str, ProbePoint] = {}
        for endpoint, point in await self._latest_probes(cluster, ref):
            checks.append(LatestCheck(endpoint=endpoint, response_time=point_latency(point),
                                      status="healthy" if float(point.get("up", 0)) >= 0.5 else "unhealthy",
                                      last_check=point.get("t", "")))
            latest_by_ip.setdefault(endpoint.rsplit(":", 1)[0].strip("[]"), point)
        details = []
        for subset in detail.subsets:
            for a in [*subset.addresses, *subset.not_ready_addresses]:
                probe = latest_by_ip.get(a.ip)
                details.append(AddressDetail(ip=a.ip, hostname=a.hostname, node_name=a.node_name, ready=a.ready,
                                             serving=a.serving, terminating=a.terminating,
                                             last_probe=probe.get("t") if probe else None,
                                             response_time=point_latency(probe) if probe else None))
        last = max((c.last_check for c in checks), default=None)
        return EndpointStatus(id=ref.id, name=ref.name, namespace=ref.namespace, cluster_id=cluster.id,
                              status=StatusCounts(**dict(detail.status), last_check=last), endpoint_details=details,
                              health_checks=checks)

    async def health_check(self, cluster: ClusterRef, ref: Named, b: HealthCheckBody) -> HealthCheckResult:
        """TCP (and HTTP on HTTP ports, plus custom checks) per address and port, concurrently under a bounded pool;
        total time at most (retries + 1) × timeout. Addresses outside CLOUDOPS_PROBE_CIDRS are never contacted."""
        settings = self.deps.settings
        scope = ProbeScope.parse(settings.endpoint_probe_cidrs, settings.endpoint_probe_map)
        subsets = subsets_of(await Endpoints(self.deps).slices(cluster, ref))
        custom = [(c.port, HttpCheck(c.path, c.method, c.expected_status, custom=True)) for c in b.custom_checks]
        targets = probe_targets(subsets, b.check_ports, custom, b.include_not_ready)
        started, check_time = asyncio.get_running_loop().time(), now_iso()
        results = await probe_all(targets, scope, b.timeout, b.retries, settings.endpoint_probe_concurrency)
        return HealthCheckResult(
            check_id=f"health-check-{uuid.uuid4().hex[:12]}", endpoint_name=ref.name, namespace=ref.namespace,
            check_time=check_time, duration=round(asyncio.get_running_loop().time() - started, 3),
            results=[_check(r) for r in results], summary=CheckSummary(**summarize(results)))

    async def metrics(self, cluster: ClusterRef, ref: Named, q: MetricsQuery) -> EndpointMetrics:
        """Latency, errors and availability from the operator's probe history; traffic and each bucket's requests
        per second only from Prometheus (CLOUDOPS_PROMETHEUS_URL), otherwise null with source "none" and the
        reason."""
        wanted = set((q.metrics or "traffic,latency,errors").split(","))
        series = await read(self.deps.hub, self.deps.namespace, FAMILY, cluster.name,
                            Subject("Service", ref.namespace, ref.name))
        points = kinds.parse_all(ProbePoint, series.get(q.time_range) or [])
        summary = range_metrics(points)
        metrics = MetricSet(availability=summary["availability"])
        performance = [_performance(p) for p in points]
        if "traffic" in wanted:
            metrics.traffic, performance = await measure_traffic(self.deps.settings, cluster, ref, q.time_range,
                                                                 performance)
        if "latency" in wanted:
            metrics.latency = Latency(**summary["latency"])
        if "errors" in wanted:
            metrics.errors = Errors(**summary["errors"])
        return EndpointMetrics(endpoint_name=ref.name, namespace=ref.namespace, time_range=q.time_range,
                               monitored=bool(points), checks=summary["checks"], metrics=metrics,
                               endpoint_performance=performance)
