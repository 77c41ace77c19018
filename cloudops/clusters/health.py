"""Health scoring of a probed cluster: pure, so every rule has a plain unit test."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

__all__ = ["QUANTITY", "HealthStatus", "Issue", "health_status", "parse_quantity", "score_health"]

HealthStatus: TypeAlias = Literal["healthy", "warning", "error"]

# Kubernetes' quantity grammar, with the decimal exponent bounded: a kube-apiserver spends minutes of CPU on
# a quantity such as ".6E-57970540073", so no such value is ever sent to a member (or taken from one).
QUANTITY = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]{1,2})?")


@dataclass(frozen=True)
class Issue:
    type: str  # error | warning
    message: str
    severity: str  # low | medium | high | critical

    def as_dict(self) -> dict[str, str]:
        return {"type": self.type, "message": self.message, "severity": self.severity}


@dataclass
class HealthInput:
    components: dict[str, bool]  # name -> healthy
    nodes_total: int
    nodes_ready: int
    cpu_percent: float | None = None
    memory_percent: float | None = None
    disk_percent: float | None = None
    extra_issues: list[Issue] = field(default_factory=list)


COMPONENT_WEIGHT = {"api-server": 40.0, "etcd": 40.0, "controller-manager": 15.0, "scheduler": 15.0}
USAGE_WARN, USAGE_CRIT = 80.0, 95.0


def score_health(h: HealthInput) -> tuple[float, list[Issue]]:
    """100 minus penalties for unhealthy components, not-ready nodes and saturated resources."""
    score = 100.0
    issues = list(h.extra_issues)
    for name, ok in sorted(h.components.items()):
        if not ok:
            score -= COMPONENT_WEIGHT.get(name, 10.0)
            severity = "critical" if name in ("api-server", "etcd") else "high"
            issues.append(Issue("error", f"{name} is unhealthy", severity))
    if h.nodes_total == 0:
        score -= 30
        issues.append(Issue("warning", "cluster has no nodes", "high"))
    elif h.nodes_ready < h.nodes_total:
        down = h.nodes_total - h.nodes_ready
        score -= 30.0 * down / h.nodes_total
        severity = "high" if h.nodes_ready == 0 else "medium"
        issues.append(Issue("warning", f"{down} of {h.nodes_total} nodes not ready", severity))
    for label, value in (("CPU", h.cpu_percent), ("memory", h.memory_percent), ("disk", h.disk_percent)):
        if value is None:
            continue
        if value >= USAGE_CRIT:
            score -= 15
            issues.append(Issue("warning", f"{label} usage at {value:.1f}%", "high"))
        elif value >= USAGE_WARN:
            score -= 5
            issues.append(Issue("warning", f"High {label} usage detected ({value:.1f}%)", "medium"))
    return max(0.0, round(score, 1)), issues


def health_status(score: float, issues: list[Issue]) -> HealthStatus:
    if any(i.severity == "critical" for i in issues) or score < 50:
        return "error"
    if score < 80 or any(i.type == "error" for i in issues):
        return "warning"
    return "healthy"


_SUFFIX = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
           "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}


def parse_quantity(q: object) -> float:
    """A Kubernetes resource.Quantity ('250m', '1Gi', '2') as a float in base units; ValueError for what is
    not one, or is too large for a float (JSON has no Infinity)."""
    s = str(q).strip()
    if not s:
        return 0.0
    if not QUANTITY.fullmatch(s):
        raise ValueError(f"{s[:40]!r} is not a quantity (such as 500m, 8Gi, 1e3; exponents up to 2 digits)")
    value = None
    for suffix in sorted(_SUFFIX, key=len, reverse=True):
        if s.endswith(suffix):
            value = float(s[: -len(suffix)]) * _SUFFIX[suffix]
            break
    if value is None:
        value = float(s)
    if not math.isfinite(value):
        raise ValueError(f"{s!r} is not a finite quantity")
    return value
