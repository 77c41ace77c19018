"""ResourceQuota arithmetic: usage percentages, state, alerts and usage trends. Pure, so each rule is unit-tested.

Quantities are parsed with the one Kubernetes quantity parser (cloudops.clusters.health.parse_quantity):
`500m`, `8Gi`, `1e3` all become floats in base units (cores, bytes, counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cloudops.clusters.health import parse_quantity

__all__ = ["Thresholds", "alerts", "quota_state", "trend", "trends", "usage_history", "usage_percentage",
           "used_sample"]

Json = dict[str, Any]
STABLE_PERCENT = 1.0  # |growth| below this (percent of the mean per period) is `stable`


@dataclass(frozen=True)
class Thresholds:
    warning: float = 80.0
    critical: float = 95.0


def _number(q: Any) -> float | None:
    try:
        return parse_quantity(q)
    except (TypeError, ValueError):
        return None


def usage_percentage(hard: dict[str, Any], used: dict[str, Any]) -> dict[str, float]:
    """used / hard in percent per resource in `hard` (one decimal). A hard of 0 is 100 % once anything is
    used, else 0; a resource the quota controller has not counted yet is 0."""
    out: dict[str, float] = {}
    for name, limit in sorted(hard.items()):
        h, u = _number(limit), _number(used.get(name, "0"))
        if h is None or u is None:
            continue
        if h <= 0:
            out[name] = 100.0 if u > 0 else 0.0
        else:
            out[name] = round(u / h * 100.0, 1)
    return out


def quota_state(hard: dict[str, Any], used: dict[str, Any]) -> str:
    """`exceeded` when any used value reaches its (non-zero) hard limit or passes it, else `active`."""
    for name, limit in hard.items():
        h, u = _number(limit), _number(used.get(name, "0"))
        if h is None or u is None:
            continue
        if u > h or (h > 0 and u >= h):
            return "exceeded"
    return "active"


def alerts(hard: dict[str, Any], used: dict[str, Any], thresholds: Thresholds = Thresholds()) -> list[Json]:
    """One alert per resource at or above the warning threshold: `critical` from the critical threshold on."""
    out = []
    for name, pct in usage_percentage(hard, used).items():
        if pct >= thresholds.critical:
            kind, threshold = "critical", thresholds.critical
        elif pct >= thresholds.warning:
            kind, threshold = "warning", thresholds.warning
        else:
            continue
        verb = "has reached its limit" if pct >= 100 else "is approaching its limit"
        out.append({"type": kind, "resource": name, "usage": pct, "threshold": threshold,
                    "message": f"{name} usage {verb}: {used.get(name, '0')} of {hard[name]} ({pct}%)"})
    return out


def used_sample(used: dict[str, Any], limit: int = 64) -> dict[str, float]:
    """The numeric `status.used` of a quota as a history sample (base units), at most `limit` resources."""
    out: dict[str, float] = {}
    for name in sorted(used)[:limit]:
        value = _number(used[name])
        if value is not None and len(name) <= 63:
            out[name] = value
    return out


def usage_history(points: list[Json]) -> list[Json]:
    """History points (`t`, `n`, one field per resource) as the reference's rows: `timestamp` plus values."""
    return [{"timestamp": p["t"], **{k: float(v) for k, v in p.items() if k not in ("t", "n")}} for p in points]


def trend(samples: list[tuple[float, float]], stable_percent: float = STABLE_PERCENT) -> tuple[str, float]:
    """Least-squares line through (period index, value) samples; `growth_rate` is its slope as percent of
    the mean value per period. Fewer than two distinct periods, or a mean of 0, is `stable` at 0."""
    n = len(samples)
    if n < 2:
        return "stable", 0.0
    mean_x = sum(x for x, _ in samples) / n
    mean_y = sum(y for _, y in samples) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in samples)
    if sxx == 0 or mean_y == 0:
        return "stable", 0.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in samples) / sxx
    growth = round(slope / abs(mean_y) * 100.0, 2)
    if growth >= stable_percent:
        return "increasing", growth
    if growth <= -stable_percent:
        return "decreasing", growth
    return "stable", growth


def _epoch(ts: str) -> float:
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def trends(points: list[Json], period_seconds: float, stable_percent: float = STABLE_PERCENT) -> dict[str, Json]:
    """`trend` per field over a history's points (`t` bucket starts, one period = `period_seconds`); gaps
    between buckets count as time, and a field absent from a point is skipped there."""
    fields = sorted({k for p in points for k in p if k not in ("t", "n")})
    out: dict[str, Json] = {}
    for f in fields:
        samples = [(_epoch(p["t"]) / period_seconds, float(p[f])) for p in points if f in p]
        kind, growth = trend(samples, stable_percent)
        out[f] = {"trend": kind, "growth_rate": growth}
    return out
