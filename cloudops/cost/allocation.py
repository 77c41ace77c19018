"""OpenCost's allocation model over recorded usage histories (pure).

Per container, max(request, usage) is allocated; the recorded integrals (cloudops.usage_history: millicore-
seconds, byte-seconds, GPU-seconds, PVC byte-seconds) times the unit prices give the cost. A bucket's mean
times its sample count is the exact sum of its samples, so every downsampling tier adds up the same way.
Idle (allocatable not allocated) is its own line. Nothing is extrapolated: `coverage` says how much of the
range the history covers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from cloudops.clusters.history import Point
from cloudops.cost.pricing import Prices
from cloudops.cost.views import AllocationReport, Coverage, Line, Parts, Trend
from cloudops.history_store import History

__all__ = ["GROUPINGS", "RANGES", "Amount", "Cost", "Window", "allocate", "amount", "cost", "group_key", "report",
           "window"]

RANGES: dict[str, tuple[str, float]] = {"1h": ("1h", 1.0), "24h": ("24h", 24.0), "7d": ("7d", 168.0),
                                        "30d": ("30d", 720.0)}  # time_range -> (history tier, hours)
GROUPINGS = ("namespace", "pod", "node", "controller")  # and label:<key>
GIB = 1024.0 ** 3
UNALLOCATED = "__unallocated__"
IDLE = "__idle__"
LineKind = Literal["allocation", "idle", "unattributed"]
UNATTRIBUTED = "__unattributed__"


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    tier: str
    hours: float

    def covers(self, point: Point) -> bool:
        t = _time(point)
        return t is not None and self.start <= t <= self.end

    def period(self) -> str:
        return f"{self.start.strftime('%Y-%m-%d %H:%M')} to {self.end.strftime('%Y-%m-%d %H:%M')} UTC"


def window(time_range: str, now: datetime) -> Window:
    """The range ending now; buckets that start inside it count (the finest tier that spans it)."""
    tier, hours = RANGES[time_range]
    return Window(now - timedelta(hours=hours), now, tier, hours)


def _time(point: Point) -> datetime | None:
    try:
        return datetime.strptime(str(point.get("t", "")), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass
class Amount:
    """Allocated quantities over time: core-hours, GiB-hours, GPU-hours, and the hours recorded."""

    cpu_core_hours: float = 0.0
    memory_gib_hours: float = 0.0
    storage_gib_hours: float = 0.0
    gpu_hours: float = 0.0
    hours: float = 0.0
    by_bucket: dict[str, Amount] = field(default_factory=dict)

    def add(self, other: Amount) -> None:
        self.cpu_core_hours += other.cpu_core_hours
        self.memory_gib_hours += other.memory_gib_hours
        self.storage_gib_hours += other.storage_gib_hours
        self.gpu_hours += other.gpu_hours
        self.hours = max(self.hours, other.hours)
        for t, a in other.by_bucket.items():
            self.by_bucket.setdefault(t, Amount()).add(a)


def _n(point: Point, key: str) -> float:
    value = point.get(key)
    return float(value) * int(point.get("n", 1)) if isinstance(value, int | float) else 0.0


def _point_amount(p: Point, cpu: str, memory: str, storage: str | None, gpu: str | None) -> Amount:
    return Amount(cpu_core_hours=_n(p, cpu) / 1000.0 / 3600.0, memory_gib_hours=_n(p, memory) / GIB / 3600.0,
                  storage_gib_hours=_n(p, storage) / GIB / 3600.0 if storage else 0.0,
                  gpu_hours=_n(p, gpu) / 3600.0 if gpu else 0.0, hours=_n(p, "seconds") / 3600.0)


def amount(series: dict[str, list[Point]], w: Window, *, cpu: str = "cpu_alloc_ms",
           memory: str = "memory_alloc_bs", storage: str | None = "storage_bs",
           gpu: str | None = "gpu_alloc_s") -> Amount:
    """The integrals of one history inside the window (idle uses cpu_idle_ms / memory_idle_bs)."""
    total = Amount()
    for p in series.get(w.tier) or []:
        if w.covers(p):
            a = _point_amount(p, cpu, memory, storage, gpu)
            total.cpu_core_hours += a.cpu_core_hours
            total.memory_gib_hours += a.memory_gib_hours
            total.storage_gib_hours += a.storage_gib_hours
            total.gpu_hours += a.gpu_hours
            total.hours += a.hours
            total.by_bucket[str(p["t"])] = a
    return total


@dataclass(frozen=True)
class Cost:
    cpu: float
    memory: float
    storage: float
    gpu: float

    @property
    def total(self) -> float:
        return self.cpu + self.memory + self.storage + self.gpu

    def parts(self) -> Parts:
        return Parts(cpu=_money(self.cpu), memory=_money(self.memory), storage=_money(self.storage),
                     gpu=_money(self.gpu))


def cost(a: Amount, prices: Prices) -> Cost:
    return Cost(a.cpu_core_hours * prices.cpu, a.memory_gib_hours * prices.memory,
                a.storage_gib_hours * prices.storage, a.gpu_hours * prices.gpu)


def group_key(h: History, group_by: str) -> str:
    """The group a pod history falls in; `__unallocated__` when the pod lacks the label or owner."""
    attrs = h.attributes
    if group_by == "namespace":
        return h.subject.namespace or h.subject.name
    if group_by == "pod":
        return f"{h.subject.namespace}/{h.subject.name}"
    if group_by == "node":
        return str(attrs.get("node") or UNALLOCATED)
    if group_by == "controller":
        kind, name = attrs.get("controller_kind"), attrs.get("controller")
        return f"{str(kind).lower()}:{name}" if kind and name else UNALLOCATED
    key = group_by.removeprefix("label:")
    value = (attrs.get("labels") or {}).get(key)
    return str(value) if value is not None else UNALLOCATED


def allocate(histories: Iterable[History], group_by: str, w: Window) -> dict[str, Amount]:
    """Sums histories into groups (namespace-usage histories when grouping by namespace, else pod-usage)."""
    groups: dict[str, Amount] = {}
    for h in histories:
        groups.setdefault(group_key(h, group_by), Amount()).add(amount(h.series, w))
    return groups


def _money(value: float) -> float:
    return round(value, 4) if math.isfinite(value) else 0.0


def _line(name: str, kind: LineKind, namespace: str | None, c: Cost, total: float) -> Line:
    return Line(name=name, kind=kind, namespace=namespace, cost=_money(c.total),
                percentage=round(100.0 * c.total / total, 2) if total > 0 else 0.0, resources=c.parts())


def _trend(buckets: dict[str, tuple[float, float]], total: float, covered_hours: float) -> Trend:
    """daily_average: cost per day of recorded time; growth_rate: least-squares slope of the hourly cost
    rate across buckets, in percent of its mean per day (0 with fewer than two buckets)."""
    daily = total / (covered_hours / 24.0) if covered_hours > 0 else 0.0
    pts = []
    for t, (c, hours) in sorted(buckets.items()):
        when = _time({"t": t})
        if when is not None and hours > 0:
            pts.append((when.timestamp() / 86400.0, c / hours))
    growth = 0.0
    if len(pts) >= 2:
        mx = sum(x for x, _ in pts) / len(pts)
        my = sum(y for _, y in pts) / len(pts)
        var = sum((x - mx) ** 2 for x, _ in pts)
        if var > 0 and my > 0:
            growth = 100.0 * sum((x - mx) * (y - my) for x, y in pts) / var / my
    return Trend(daily_average=_money(daily), growth_rate=round(growth, 2) if math.isfinite(growth) else 0.0)


def _lines(w: Window, group_by: str, prices: Prices, cluster: History | None, ns_hist: list[History],
           pod_hist: list[History], namespace: str | None) -> list[tuple[str, LineKind, str | None, Amount]]:
    """The report's lines before pricing: the groups, what no recorded pod accounts for, idle."""
    lines: list[tuple[str, LineKind, str | None, Amount]] = []
    if group_by == "namespace":
        for name, a in sorted(allocate(ns_hist, "namespace", w).items()):
            lines.append((name, "allocation", name, a))
    else:
        grouped = allocate(pod_hist, group_by, w)
        for name, a in sorted(grouped.items()):
            ns = name.split("/", 1)[0] if group_by == "pod" else None
            lines.append((name, "allocation", ns, a))
        # What the namespaces hold beyond the recorded pods: pods past the per-cluster bound, unmounted PVCs.
        whole, parts = Amount(), Amount()
        for a in allocate(ns_hist, "namespace", w).values():
            whole.add(a)
        for a in grouped.values():
            parts.add(a)
        rest = Amount(max(0.0, whole.cpu_core_hours - parts.cpu_core_hours),
                      max(0.0, whole.memory_gib_hours - parts.memory_gib_hours),
                      max(0.0, whole.storage_gib_hours - parts.storage_gib_hours),
                      max(0.0, whole.gpu_hours - parts.gpu_hours))
        if cost(rest, prices).total >= 0.00005:
            lines.append((UNATTRIBUTED, "unattributed", namespace, rest))
    if namespace is None and cluster is not None:
        idle = amount(cluster.series, w, cpu="cpu_idle_ms", memory="memory_idle_bs", storage=None, gpu=None)
        lines.append((IDLE, "idle", None, idle))
    return lines


def report(*, time_range: str, now: datetime, group_by: str, prices: Prices, cluster: History | None,
           namespaces: list[History], pods: list[History], namespace: str | None = None) -> AllocationReport:
    """The cost report (智能运维 1.1) from recorded histories; `namespace` narrows it to one namespace
    (then no idle line: idle belongs to the cluster)."""
    w = window(time_range, now)
    ns_hist = [h for h in namespaces if namespace is None or h.subject.name == namespace]
    pod_hist = [h for h in pods if namespace is None or h.subject.namespace == namespace]
    costs = [(name, kind, ns, cost(a, prices), a)
             for name, kind, ns, a in _lines(w, group_by, prices, cluster, ns_hist, pod_hist, namespace)]
    total = sum(c.total for _, _, _, c, _ in costs)
    breakdown = sorted((_line(name, kind, ns, c, total) for name, kind, ns, c, _ in costs),
                       key=lambda line: (-line["cost"], line["name"]))
    if cluster is not None:
        covered = amount(cluster.series, w).hours
    else:
        covered = max((amount(h.series, w).hours for h in ns_hist), default=0.0)
    buckets: dict[str, tuple[float, float]] = {}
    for _, _, _, _, a in costs:
        for t, b in a.by_bucket.items():
            c, hours = buckets.get(t, (0.0, 0.0))
            buckets[t] = (c + cost(b, prices).total, max(hours, b.hours))
    summed = Cost(*(sum(getattr(c, k) for _, _, _, c, _ in costs) for k in ("cpu", "memory", "storage", "gpu")))
    return AllocationReport(
        total_cost=_money(total), currency=prices.currency, period=w.period(), time_range=time_range,
        group_by=group_by, namespace=namespace, breakdown=breakdown, resources=summed.parts(),
        trend=_trend(buckets, total, covered),
        coverage=Coverage(range_hours=w.hours, covered_hours=round(min(covered, w.hours), 4),
                          ratio=round(min(1.0, covered / w.hours), 4), extrapolated=False),
        pricing_source=prices.view())
