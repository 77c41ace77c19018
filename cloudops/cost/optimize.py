"""Cost optimization suggestions (pure): right-sizing as KRR's simple strategy does it, and storage nobody
uses (underused nodes: cloudops.cost.nodes). Each suggestion carries the patch to apply (or the delete to make)
and an estimated monthly saving by the allocation model (max(request, usage) x 730 h x unit price).

Right-sizing (KRR, simple strategy): CPU request at the 95th percentile of recorded usage, memory request at
the recorded maximum plus 15 %, at least 10m and 100Mi; workloads an HPA scales are skipped (changing their
requests changes what the HPA aims at), and so are workloads with less recorded history than required (all
their recorded hours, cloudops.cost.recorded). Usage comes from the per-container fields of the pod-usage
histories (bucket means for CPU, bucket peaks for memory) of the 24h tier, or the 7d tier when more than 24
hours are required; the reason names the hours that tier holds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from cloudops.cost.pricing import HOURS_PER_MONTH, Prices
from cloudops.cost.recorded import ALL, hours_text
from cloudops.cost.views import Action, Advice, OptimizationType, PatchType, Skipped, Target
from cloudops.history_store import History
from cloudops.kube.narrow import dig, mappings, text
from cloudops.kube.types import JsonObject, JsonValue
from cloudops.usage_history import quantity as _q

__all__ = ["MIN_CPU_M", "MIN_MEMORY", "percentile", "resource", "storage"]

MIN_CPU_M = 10.0
MIN_MEMORY = 100 * 1024.0 ** 2
MEMORY_HEADROOM = 0.15
CHANGE_THRESHOLD = 0.10  # suggest only when a request moves by at least 10 %
GIB = 1024.0 ** 3
MIB = 1024.0 ** 2
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (KRR uses numpy's; for p95 over many samples the two agree closely)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[rank - 1]


def _money(value: float) -> float:
    return round(value, 2) if math.isfinite(value) else 0.0


def _meta(obj: Mapping[str, object]) -> Mapping[str, object]:
    return dig(obj, "metadata")


def _count(value: object, default: int) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _replicas(obj: Mapping[str, object]) -> int:
    if obj.get("kind") == "DaemonSet":
        return _count(dig(obj, "status").get("desiredNumberScheduled"), 0)
    return _count(dig(obj, "spec").get("replicas"), 1)


def _suggestion(kind: OptimizationType, target: Target, action: Action, reason: str, current: Mapping[str, object],
                recommended: Mapping[str, object], patch: JsonObject | None, patch_type: PatchType | None,
                saving: float, details: Mapping[str, object] | None = None) -> Advice:
    return Advice(type=kind, action=action, target=target, reason=reason, current=current, recommended=recommended,
                  patch=patch, patch_type=patch_type, estimated_monthly_saving=_money(saving), details=details or {})


def _workload_usage(pods: list[History], container: str, tier: str) -> tuple[list[float], list[float], float]:
    """CPU bucket means (millicores), memory bucket peaks (bytes) and distinct metered hours of one container
    across the workload's pods."""
    cpu: list[float] = []
    memory: list[float] = []
    hours: dict[str, float] = {}
    for h in pods:
        names = list(h.attributes.get("containers") or [])
        if container not in names:
            continue
        i = names.index(container)
        for p in h.series.get(tier) or []:
            metered = float(p.get("metered", 0.0))
            if metered <= 0 or f"c{i}_cpu_m" not in p:
                continue
            cpu.append(float(p[f"c{i}_cpu_m"]))
            memory.append(float(p.get(f"c{i}_memory_max", 0.0)))
            covered = float(p.get("seconds", 0.0)) * int(p.get("n", 1)) * metered / 3600.0
            hours[str(p["t"])] = max(hours.get(str(p["t"]), 0.0), covered)
    return cpu, memory, sum(hours.values())


def _cpu_text(millicores: float) -> str:
    return f"{int(millicores)}m"


def _memory_text(value: float) -> str:
    return f"{math.ceil(value / MIB)}Mi"


def _right_size(c: Mapping[str, object], cpu: list[float], memory: list[float], prices: Prices,
               replicas: int) -> tuple[JsonObject, Mapping[str, object], JsonObject, float] | None:
    """For one container whose requests should move: (its patch entry, current and recommended requests, the
    monthly saving); None when they are close enough already."""
    requests, limits = dig(c, "resources", "requests"), dig(c, "resources", "limits")
    cur_cpu, cur_mem = _q(requests.get("cpu")) * 1000.0, _q(requests.get("memory"))
    rec_cpu = math.ceil(max(MIN_CPU_M, percentile(cpu, 95)))
    rec_mem = math.ceil(max(MIN_MEMORY, max(memory) * (1 + MEMORY_HEADROOM)) / MIB) * MIB
    moved = [abs(rec - cur) >= CHANGE_THRESHOLD * cur if cur > 0 else True
             for rec, cur in ((rec_cpu, cur_cpu), (rec_mem, cur_mem))]
    if not any(moved):
        return None
    new_requests: JsonObject = {"cpu": _cpu_text(rec_cpu), "memory": _memory_text(rec_mem)}
    resources: JsonObject = {"requests": new_requests}
    new_limits: JsonObject = {}
    if limits.get("cpu") is not None and _q(limits["cpu"]) * 1000.0 < rec_cpu:
        new_limits["cpu"] = new_requests["cpu"]
    if limits.get("memory") is not None and _q(limits["memory"]) < rec_mem:
        new_limits["memory"] = new_requests["memory"]
    if new_limits:
        resources["limits"] = new_limits
    mean_cpu, mean_mem = sum(cpu) / len(cpu), sum(memory) / len(memory)
    per_hour = ((max(cur_cpu, mean_cpu) - max(rec_cpu, mean_cpu)) / 1000.0 * prices.cpu
                + (max(cur_mem, mean_mem) - max(rec_mem, mean_mem)) / GIB * prices.memory)
    return ({"name": text(c.get("name")), "resources": resources},
            {"cpu": requests.get("cpu"), "memory": requests.get("memory")}, new_requests,
            per_hour * HOURS_PER_MONTH * replicas)


def _workload(w: Mapping[str, object], target: Target, pods: list[History], tier: str, prices: Prices,
              min_hours: float) -> Advice | str | None:
    """Right-sizing of one workload: a suggestion, why it was skipped (too little history), or nothing."""
    mine = [h for h in pods if h.subject.namespace == target["namespace"]
            and h.attributes.get("controller_kind") == target["kind"]
            and h.attributes.get("controller") == target["name"]]
    replicas = _replicas(w)
    changes: list[JsonValue] = []
    current: dict[str, object] = {}
    recommended: dict[str, object] = {}
    saving = window = 0.0
    short = []
    for c in mappings(dig(w, "spec", "template", "spec").get("containers")):
        cname = text(c.get("name"))
        cpu, memory, hours = _workload_usage(mine, cname, tier)
        recorded = _workload_usage(mine, cname, ALL)[2]
        if recorded < min_hours or not cpu:
            short.append(f"{cname}: {recorded:.1f} h of usage recorded, {min_hours:g} h needed")
            continue
        if (sized := _right_size(c, cpu, memory, prices, replicas)) is not None:
            changes.append(sized[0])
            current[cname], recommended[cname] = sized[1], sized[2]
            saving, window = saving + sized[3], max(window, hours)
    if changes:
        return _suggestion("resource", target, "patch", "requests set to the 95th percentile of CPU usage and the "
                           f"peak memory usage plus 15 % over the recorded {hours_text(window)} hours", current,
                           recommended, {"spec": {"template": {"spec": {"containers": changes}}}}, "strategic",
                           saving, {"replicas": replicas, "recorded_hours": round(window, 4)})
    return "not enough history: " + "; ".join(short) if short else None


def resource(workloads: Iterable[Mapping[str, object]], pods: list[History], hpa_targets: set[tuple[str, str, str]],
             prices: Prices, min_hours: float) -> tuple[list[Advice], list[Skipped]]:
    """(suggestions, skipped) for Deployments, StatefulSets and DaemonSets."""
    tier = "24h" if min_hours <= 24 else "7d"
    suggestions: list[Advice] = []
    skipped: list[Skipped] = []
    for w in workloads:
        target = Target(kind=text(w.get("kind")), namespace=text(_meta(w).get("namespace")),
                        name=text(_meta(w).get("name")))
        if target["kind"] not in WORKLOAD_KINDS:
            continue
        if (target["kind"], target["namespace"], target["name"]) in hpa_targets:
            skipped.append(Skipped(**target, reason="scaled by a HorizontalPodAutoscaler"))
            continue
        found = _workload(w, target, pods, tier, prices, min_hours)
        if isinstance(found, str):
            skipped.append(Skipped(**target, reason=found))
        elif found is not None:
            suggestions.append(found)
    return suggestions, skipped


def storage(pvcs: list[Mapping[str, object]], pvs: list[Mapping[str, object]], prices: Prices) -> list[Advice]:
    """Unbound PVCs (their requested capacity is still allocated) and Released PVs (kept, billed, unused)."""
    out = []
    for c in pvcs:
        phase = dig(c, "status").get("phase")
        if phase == "Bound":
            continue
        size = _q(dig(c, "spec", "resources", "requests").get("storage"))
        meta = _meta(c)
        target = Target(kind="PersistentVolumeClaim", namespace=text(meta.get("namespace")),
                        name=text(meta.get("name")))
        out.append(_suggestion("storage", target, "delete", f"claim is {phase or 'not bound'}",
                               {"phase": phase, "requested": _memory_text(size)}, {"delete": True}, None, None,
                               size / GIB * prices.storage * HOURS_PER_MONTH))
    for v in pvs:
        phase = dig(v, "status").get("phase")
        if phase != "Released":
            continue
        size = _q(dig(v, "spec", "capacity").get("storage"))
        target = Target(kind="PersistentVolume", namespace="", name=text(_meta(v).get("name")))
        out.append(_suggestion("storage", target, "delete",
                               "volume was released by its claim and is kept by its Retain policy",
                               {"phase": phase, "capacity": _memory_text(size)}, {"delete": True}, None, None,
                               size / GIB * prices.storage * HOURS_PER_MONTH))
    return out
