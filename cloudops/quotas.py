"""ResourceQuota arithmetic: usage percentages, state, alerts and usage trends. Pure, so each rule is unit-tested.

Quantities are parsed with the one Kubernetes quantity parser (cloudops.clusters.health.parse_quantity):
`500m`, `8Gi`, `1e3` all become floats in base units (cores, bytes, counts); the usage history shows them back in
the reference's form (cloudops.quantity_format.usage_value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from cloudops.clusters.health import parse_quantity
from cloudops.errors import BadRequest
from cloudops.quantity_format import usage_value
from cloudops.resources.base import FreeForm, ObjectMeta

__all__ = ["BadQuantity", "QuotaAlert", "QuotaObject", "Thresholds", "TrendInfo", "alerts", "quantities",
           "quota_state", "trend", "trends", "usage_history", "usage_percentage", "used_sample"]

STABLE_PERCENT = 1.0  # |growth| below this (percent of the mean per period) is `stable`
Figures = Mapping[str, object]  # resource name -> quantity, as a quota's hard and used hold them
TrendKind = Literal["increasing", "decreasing", "stable"]


class BadQuantity(BadRequest, ValueError):
    """A value that is not a Kubernetes quantity: 400 naming the field."""


class QuotaAlert(TypedDict):
    type: Literal["warning", "critical"]
    resource: str
    usage: float
    threshold: float
    message: str


class TrendInfo(TypedDict):
    trend: TrendKind
    growth_rate: float


class _Counts(BaseModel):
    model_config = ConfigDict(extra="ignore")
    hard: dict[str, str | int | float] | None = None
    used: dict[str, str | int | float] | None = None


class QuotaObject(BaseModel):
    """A ResourceQuota or LimitRange as a member sends it: typed metadata, the spec as sent, the counts."""

    model_config = ConfigDict(extra="ignore")
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: FreeForm = Field(default_factory=dict)
    status: _Counts = Field(default_factory=_Counts)

    @property
    def hard(self) -> dict[str, str]:
        """status.hard (what the quota controller enforces), else spec.hard."""
        figures = self.status.hard or _Counts.model_validate(self.spec).hard or {}
        return {k: str(v) for k, v in figures.items()}

    @property
    def used(self) -> dict[str, str]:
        return {k: str(v) for k, v in (self.status.used or {}).items()}


@dataclass(frozen=True)
class Thresholds:
    warning: float = 80.0
    critical: float = 95.0


def quantities(values: Mapping[str, str | int] | None, where: str) -> dict[str, str]:
    """Quantities as the strings Kubernetes stores; one that is not a quantity is a 400 naming it."""
    out: dict[str, str] = {}
    for key, value in (values or {}).items():
        text = str(value)
        try:
            parse_quantity(text)
        except ValueError:
            raise BadQuantity(f"{text[:40]!r} is not a quantity (such as 500m, 8Gi, 1e3)",
                              field=f"{where}.{key}") from None
        out[key] = text
    return out


def _number(q: object) -> float | None:
    try:
        return parse_quantity(q)
    except (TypeError, ValueError):
        return None


def usage_percentage(hard: Figures, used: Figures) -> dict[str, float]:
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


def quota_state(hard: Figures, used: Figures) -> Literal["active", "exceeded"]:
    """`exceeded` when any used value reaches its (non-zero) hard limit or passes it, else `active`."""
    for name, limit in hard.items():
        h, u = _number(limit), _number(used.get(name, "0"))
        if h is None or u is None:
            continue
        if u > h or (h > 0 and u >= h):
            return "exceeded"
    return "active"


def alerts(hard: Figures, used: Figures, thresholds: Thresholds = Thresholds()) -> list[QuotaAlert]:
    """One alert per resource at or above the warning threshold: `critical` from the critical threshold on."""
    out: list[QuotaAlert] = []
    for name, pct in usage_percentage(hard, used).items():
        kind: Literal["warning", "critical"]
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


def used_sample(used: Figures, limit: int = 64) -> dict[str, float]:
    """The numeric `status.used` of a quota as a history sample (base units), at most `limit` resources."""
    out: dict[str, float] = {}
    for name in sorted(used)[:limit]:
        value = _number(used[name])
        if value is not None and len(name) <= 63:
            out[name] = value
    return out


Point = Mapping[str, object]  # a history point: `t` (bucket start), `n` (samples), one number per resource


def _values(point: Point) -> dict[str, float]:
    return {k: float(v) for k, v in point.items() if k not in ("t", "n") and isinstance(v, int | float)}


HistoryRow = dict[str, str | int | float | dict[str, float]]


def usage_history(points: Sequence[Point]) -> list[HistoryRow]:
    """History points (`t`, `n`, one number per resource in base units) as the reference's rows: `timestamp`, each
    resource in the reference's form (`"requests.memory": "5Gi"`, `"requests.cpu": 2.5`, `"pods": 6`), and
    `values`, the same figures as numbers in base units for machines."""
    rows: list[HistoryRow] = []
    for p in points:
        values = _values(p)
        rows.append({"timestamp": str(p["t"]), **{k: usage_value(k, v) for k, v in values.items()}, "values": values})
    return rows


def trend(samples: list[tuple[float, float]], stable_percent: float = STABLE_PERCENT) -> tuple[TrendKind, float]:
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


def trends(points: Sequence[Point], period_seconds: float,
           stable_percent: float = STABLE_PERCENT) -> dict[str, TrendInfo]:
    """`trend` per field over a history's points (`t` bucket starts, one period = `period_seconds`); gaps
    between buckets count as time, and a field absent from a point is skipped there."""
    rows = [(_epoch(str(p["t"])) / period_seconds, _values(p)) for p in points]
    out: dict[str, TrendInfo] = {}
    for f in sorted({k for _, values in rows for k in values}):
        samples = [(x, values[f]) for x, values in rows if f in values]
        kind, growth = trend(samples, stable_percent)
        out[f] = {"trend": kind, "growth_rate": growth}
    return out
