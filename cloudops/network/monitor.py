"""Endpoint probing over time: what to probe for a Service, what one probe round records, what a range shows.

The operator probes the endpoints of Services labelled `cloudops.io/monitor: "true"` every
CLOUDOPS_PROBE_INTERVAL seconds and folds each round into bounded histories in the hub (cloudops.history_store):
family `probe` per Service (latency, availability, errors by type) and `probe-address` per address and port
(the latest result each, for 1.6). Percentiles over a range are computed from the recorded per-round values,
so they are percentiles of downsampled figures, never of raw requests.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from typing_extensions import TypedDict

from cloudops.history_store import Subject, append
from cloudops.kube.client import ApiClient
from cloudops.members.session import MemberSession
from cloudops.network import kinds
from cloudops.network.probes import ErrorType, HttpCheck, ProbeResult, ProbeScope, Target, probe_all
from cloudops.network.slices import SERVICE_LABEL, Port, Subset, subsets_of

__all__ = ["ADDRESS_FAMILY", "ERROR_TYPES", "FAMILY", "MONITOR_LABEL", "Latency", "ProbeErrors", "ProbePoint",
           "RangeMetrics", "address_subject", "monitor_cluster", "point_latency", "probe_targets", "range_metrics",
           "round_sample"]

MONITOR_LABEL = "cloudops.io/monitor"
FAMILY = "probe"
ADDRESS_FAMILY = "probe-address"
ERROR_TYPES: tuple[ErrorType, ...] = ("timeout", "connection_refused", "http_status", "connection_error")
MAX_TARGETS = 256


class ProbePoint(TypedDict, total=False):
    """One point of a probe history (cloudops.history_store): the time, how many rounds it folds, the figures."""

    t: str
    n: int
    checks: float
    healthy: float
    availability: float
    latency_ms: float
    latency_p95_ms: float
    latency_p99_ms: float
    timeout: float
    connection_refused: float
    http_status: float
    connection_error: float
    up: float  # probe-address histories: 1.0 when the address answered


class Latency(TypedDict):
    average: float | None
    p95: float | None
    p99: float | None


class ProbeErrors(TypedDict):
    total_errors: int
    error_rate: float | None
    error_types: dict[str, int]


class RangeMetrics(TypedDict):
    latency: Latency
    errors: ProbeErrors
    availability: float | None
    checks: int


def _is_http(port: Port) -> bool:
    name = str(port.get("name") or "")
    return name == "http" or name.startswith("http-")


def probe_targets(subsets: Sequence[Subset], check_ports: Sequence[int] | None = None,
                  custom: Iterable[tuple[int, HttpCheck]] = (), include_not_ready: bool = True) -> list[Target]:
    """One target per address and TCP port: the subsets' ports (or `check_ports`), HTTP ports get `GET /`,
    and each custom check runs on its port at every address. At most MAX_TARGETS."""
    customs: dict[int, list[HttpCheck]] = {}
    for port, check in custom:
        customs.setdefault(port, []).append(check)
    targets: dict[tuple[str, int], Target] = {}
    for subset in subsets:
        addresses = [*subset.get("addresses", []),
                     *(subset.get("not_ready_addresses", []) if include_not_ready else [])]
        tcp = [p for p in subset.get("ports", []) if p.get("protocol", "TCP") == "TCP"]
        ports = {int(p["port"]): _is_http(p) for p in tcp}
        if check_ports:
            ports = {p: ports.get(p, False) for p in check_ports}
        for port in customs:
            ports.setdefault(port, False)
        for a in addresses:
            for port, http in sorted(ports.items()):
                checks = ((HttpCheck(),) if http else ()) + tuple(customs.get(port, ()))
                targets.setdefault((a["ip"], port), Target(a["ip"], port, checks))
    return list(targets.values())[:MAX_TARGETS]


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return round(ordered[k], 4)


def round_sample(results: Sequence[ProbeResult]) -> dict[str, float]:
    """One probe round of a Service as numeric fields (unreachable_from_shim addresses are not counted)."""
    probed = [r for r in results if r.status != "unreachable_from_shim"]
    # milliseconds: histories keep two decimals, which would round loopback latencies in seconds to zero
    latencies = [1000 * r.response_time for r in probed if r.status == "healthy" and r.response_time is not None]
    healthy = sum(1 for r in probed if r.status == "healthy")
    sample = {"checks": float(len(probed)), "healthy": float(healthy),
              "availability": round(100.0 * healthy / len(probed), 2) if probed else 0.0,
              "latency_ms": round(sum(latencies) / len(latencies), 4) if latencies else 0.0,
              "latency_p95_ms": _percentile(latencies, 95) or 0.0, "latency_p99_ms": _percentile(latencies, 99) or 0.0}
    for t in ERROR_TYPES:
        sample[t] = float(sum(1 for r in probed if r.error_type == t and r.status != "healthy"))
    return sample


def address_subject(namespace: str, service: str, ip: str, port: int) -> Subject:
    return Subject("EndpointAddress", namespace, f"{service}/{ip}:{port}")


def _seconds(ms: float | None) -> float | None:
    return None if ms is None else round(ms / 1000, 6)


def _n(p: ProbePoint) -> int:
    return int(p.get("n", 1))


def range_metrics(points: Sequence[ProbePoint]) -> RangeMetrics:
    """Latency in seconds (average, p95, p99), errors by type and availability over the points of one range."""
    checked = [p for p in points if float(p.get("checks", 0)) > 0]
    checks = sum(float(p.get("checks", 0)) * _n(p) for p in checked)
    errors: dict[str, int] = {t: round(sum(float(p.get(t, 0)) * _n(p) for p in checked)) for t in ERROR_TYPES}
    total_errors = sum(errors.values())
    timed = [p for p in checked if float(p.get("latency_ms", 0)) > 0]
    weight = sum(_n(p) for p in timed)
    average = sum(float(p.get("latency_ms", 0)) * _n(p) for p in timed) / weight if weight else None
    return {
        "latency": {"average": _seconds(average),
                    "p95": _seconds(_percentile([float(p.get("latency_p95_ms", 0)) for p in timed], 95)),
                    "p99": _seconds(_percentile([float(p.get("latency_p99_ms", 0)) for p in timed], 99))},
        "errors": {"total_errors": total_errors, "error_rate": round(total_errors / checks, 4) if checks else None,
                   "error_types": errors},
        "availability": round(sum(float(p.get("availability", 0)) * _n(p) for p in checked)
                              / sum(_n(p) for p in checked), 2) if checked else None,
        "checks": round(checks),
    }


def point_latency(point: ProbePoint) -> float | None:
    """A history point's average latency in seconds, None when nothing answered."""
    ms = float(point.get("latency_ms", 0))
    return _seconds(ms) if ms > 0 else None


async def monitor_cluster(hub: ApiClient, cluster: dict[str, Any], session: MemberSession, scope: ProbeScope,
                          seconds: float, concurrency: int, now: datetime) -> int:
    """One probe round over every monitored Service of one member; returns how many Services were probed."""
    svc_rt = await session.resolve("services")
    slice_rt = await session.resolve("endpointslices.discovery.k8s.io")
    services, _ = await session.list_all(svc_rt, None, label_selector=f"{MONITOR_LABEL}=true", max_items=200)
    done = 0
    for svc in kinds.parse_all(kinds.Service, services):
        meta = svc.get("metadata") or {}
        ns, name = meta.get("namespace", ""), meta.get("name", "")
        slices, _ = await session.list_all(slice_rt, ns, label_selector=f"{SERVICE_LABEL}={name}")
        subsets = subsets_of(kinds.parse_all(kinds.EndpointSlice, slices))
        results = await probe_all(probe_targets(subsets), scope, seconds, 0, concurrency)
        await append(hub, cluster, FAMILY, Subject("Service", ns, name), round_sample(results), now)
        for r in results[:32]:
            if r.status == "unreachable_from_shim":
                continue
            await append(hub, cluster, ADDRESS_FAMILY, address_subject(ns, name, r.ip, r.port),
                         {"up": 1.0 if r.status == "healthy" else 0.0,
                          "latency_ms": 1000 * (r.response_time or 0.0)}, now)
        done += 1
    return done
