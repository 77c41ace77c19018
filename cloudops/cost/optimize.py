"""Cost optimization suggestions (pure): right-sizing as KRR's simple strategy does it, underused nodes,
and storage nobody uses. Each suggestion carries the patch to apply (or the delete to make) and an
estimated monthly saving by the allocation model (max(request, usage) x 730 h x unit price).

Right-sizing (KRR, simple strategy): CPU request at the 95th percentile of recorded usage, memory request at
the recorded maximum plus 15 %, at least 10m and 100Mi; workloads an HPA scales are skipped (changing their
requests changes what the HPA aims at), and so are workloads with less recorded history than required.
Usage comes from the per-container fields of the pod-usage histories (bucket means for CPU, bucket peaks for
memory) of the 24h tier, or the 7d tier when more than 24 hours are required.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from cloudops.cost.pricing import HOURS_PER_MONTH, Prices
from cloudops.cost.views import Action, Advice, OptimizationType, PatchType, Skipped, Target
from cloudops.history_store import History
from cloudops.kube.narrow import dig, mapping, mappings, text
from cloudops.kube.types import JsonObject, JsonValue
from cloudops.usage_history import quantity as _q

__all__ = ["MIN_CPU_M", "MIN_MEMORY", "instance", "percentile", "resource", "storage"]

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
    saving = 0.0
    short = []
    for c in mappings(dig(w, "spec", "template", "spec").get("containers")):
        cname = text(c.get("name"))
        cpu, memory, hours = _workload_usage(mine, cname, tier)
        if hours < min_hours or not cpu:
            short.append(f"{cname}: {hours:.1f} h of usage recorded, {min_hours:g} h needed")
            continue
        if (sized := _right_size(c, cpu, memory, prices, replicas)) is not None:
            changes.append(sized[0])
            current[cname], recommended[cname] = sized[1], sized[2]
            saving += sized[3]
    if changes:
        return _suggestion("resource", target, "patch", "requests set to the 95th percentile of CPU usage and the "
                           "peak memory usage plus 15 %", current, recommended,
                           {"spec": {"template": {"spec": {"containers": changes}}}}, "strategic", saving,
                           {"replicas": replicas})
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


def _pod_requests(pod: Mapping[str, object]) -> tuple[float, float]:
    cpu = mem = 0.0
    for c in mappings(dig(pod, "spec").get("containers")):
        req = dig(c, "resources", "requests")
        cpu += _q(req.get("cpu")) * 1000.0
        mem += _q(req.get("memory"))
    return cpu, mem


def _moves(pod: Mapping[str, object]) -> bool:
    """Pods a drain would move: not DaemonSet pods, not mirror (static) pods, not finished."""
    meta = _meta(pod)
    if "kubernetes.io/config.mirror" in mapping(meta.get("annotations")):
        return False
    if any(o.get("kind") == "DaemonSet" for o in mappings(meta.get("ownerReferences"))):
        return False
    return dig(pod, "status").get("phase") not in ("Succeeded", "Failed")


def _node_of(pod: Mapping[str, object]) -> str:
    return text(dig(pod, "spec").get("nodeName"))


def _load(nodes: list[Mapping[str, object]], live: list[Mapping[str, object]]) -> tuple[
        dict[str, tuple[float, float]], dict[str, tuple[float, float]]]:
    """(allocatable, requested) CPU millicores and memory bytes per node."""
    capacity: dict[str, tuple[float, float]] = {}
    used: dict[str, tuple[float, float]] = {}
    for n in nodes:
        alloc = dig(n, "status", "allocatable")
        capacity[text(_meta(n).get("name"))] = (_q(alloc.get("cpu")) * 1000.0, _q(alloc.get("memory")))
    for p in live:
        cpu, mem = _pod_requests(p)
        u = used.get(_node_of(p), (0.0, 0.0))
        used[_node_of(p)] = (u[0] + cpu, u[1] + mem)
    return capacity, used


def instance(nodes: list[Mapping[str, object]], pods: list[Mapping[str, object]], node_histories: list[History],
             threshold: float, prices: Prices) -> tuple[list[Advice], list[Skipped]]:
    """Nodes whose requested share (the larger of CPU and memory) is below `threshold` percent now and at
    every recorded point of the last 24 hours, when the other nodes have room for their pods."""
    live = [p for p in pods if _node_of(p) and _moves(p)]
    peak = {h.subject.name: max((max(float(p.get("cpu_share_max", 0.0)), float(p.get("memory_share_max", 0.0)))
                                 for p in h.series.get("24h") or []), default=None) for h in node_histories}
    capacity, used = _load(nodes, live)
    schedulable = [text(_meta(n).get("name")) for n in nodes if not dig(n, "spec").get("unschedulable")]
    suggestions: list[Advice] = []
    skipped: list[Skipped] = []
    for name in schedulable:
        cap, req = capacity.get(name, (0.0, 0.0)), used.get(name, (0.0, 0.0))
        share = max(100.0 * req[0] / cap[0] if cap[0] else 0.0, 100.0 * req[1] / cap[1] if cap[1] else 0.0)
        recorded = peak.get(name)
        highest = max(share, recorded) if recorded is not None else share
        if highest >= threshold:
            continue
        target = Target(kind="Node", namespace="", name=name)
        others = [o for o in schedulable if o != name]
        room_cpu = sum(capacity[o][0] - used.get(o, (0.0, 0.0))[0] for o in others)
        room_mem = sum(capacity[o][1] - used.get(o, (0.0, 0.0))[1] for o in others)
        if not others or room_cpu < req[0] or room_mem < req[1]:
            skipped.append(Skipped(**target, reason="the other schedulable nodes lack room for its pods"))
            continue
        moving = sorted(f"{text(_meta(p).get('namespace'))}/{text(_meta(p).get('name'))}" for p in live
                        if _node_of(p) == name)
        saving = (cap[0] / 1000.0 * prices.cpu + cap[1] / GIB * prices.memory) * HOURS_PER_MONTH
        suggestions.append(_suggestion(
            "instance", target, "cordon-and-drain",
            f"requested share {highest:.1f} % stays below {threshold:g} %"
            + (" (now and over the recorded 24 hours)" if recorded is not None else " (now; no recorded history)"),
            {"requested_share_percent": round(highest, 2)}, {"remove_node": True},
            {"spec": {"unschedulable": True}}, "merge", saving, {"pods_to_move": moving}))
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
