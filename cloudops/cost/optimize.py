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
from collections.abc import Iterable
from typing import Any

from cloudops.cost.pricing import HOURS_PER_MONTH, Prices
from cloudops.history_store import History
from cloudops.usage_history import quantity as _q

__all__ = ["MIN_CPU_M", "MIN_MEMORY", "instance", "percentile", "resource", "storage"]

MIN_CPU_M = 10.0
MIN_MEMORY = 100 * 1024.0 ** 2
MEMORY_HEADROOM = 0.15
CHANGE_THRESHOLD = 0.10  # suggest only when a request moves by at least 10 %
GIB = 1024.0 ** 3
MIB = 1024.0 ** 2
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")

Json = dict[str, Any]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (KRR uses numpy's; for p95 over many samples the two agree closely)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[rank - 1]


def _money(value: float) -> float:
    return round(value, 2) if math.isfinite(value) else 0.0


def _meta(obj: Json) -> Json:
    return obj.get("metadata") or {}


def _replicas(obj: Json) -> int:
    if obj.get("kind") == "DaemonSet":
        return int((obj.get("status") or {}).get("desiredNumberScheduled") or 0)
    replicas = (obj.get("spec") or {}).get("replicas")
    return int(replicas if replicas is not None else 1)


def _suggestion(kind: str, obj_kind: str, namespace: str, name: str, action: str, reason: str, current: Json,
                recommended: Json, patch: Json | None, patch_type: str | None, saving: float,
                details: Json | None = None) -> Json:
    return {"type": kind, "action": action, "target": {"kind": obj_kind, "namespace": namespace, "name": name},
            "reason": reason, "current": current, "recommended": recommended, "patch": patch,
            "patch_type": patch_type, "estimated_monthly_saving": _money(saving), "details": details or {}}


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


def resource(workloads: Iterable[Json], pods: list[History], hpa_targets: set[tuple[str, str, str]],
             prices: Prices, min_hours: float) -> tuple[list[Json], list[Json]]:
    """(suggestions, skipped) for Deployments, StatefulSets and DaemonSets."""
    tier = "24h" if min_hours <= 24 else "7d"
    suggestions: list[Json] = []
    skipped: list[Json] = []
    for w in workloads:
        kind, ns, name = str(w.get("kind", "")), str(_meta(w).get("namespace", "")), str(_meta(w).get("name", ""))
        if kind not in WORKLOAD_KINDS:
            continue
        target = {"kind": kind, "namespace": ns, "name": name}
        if (kind, ns, name) in hpa_targets:
            skipped.append({**target, "reason": "scaled by a HorizontalPodAutoscaler"})
            continue
        mine = [h for h in pods if h.subject.namespace == ns and h.attributes.get("controller_kind") == kind
                and h.attributes.get("controller") == name]
        replicas = _replicas(w)
        containers = ((((w.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or [])
        changes = []
        current: Json = {}
        recommended: Json = {}
        saving = 0.0
        short = []
        for c in containers:
            cname = str(c.get("name", ""))
            cpu, memory, hours = _workload_usage(mine, cname, tier)
            if hours < min_hours or not cpu:
                short.append(f"{cname}: {hours:.1f} h of usage recorded, {min_hours:g} h needed")
                continue
            resources = c.get("resources") or {}
            requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
            cur_cpu, cur_mem = _q(requests.get("cpu")) * 1000.0, _q(requests.get("memory"))
            rec_cpu = math.ceil(max(MIN_CPU_M, percentile(cpu, 95)))
            rec_mem = math.ceil(max(MIN_MEMORY, max(memory) * (1 + MEMORY_HEADROOM)) / MIB) * MIB
            moved = [abs(rec - cur) >= CHANGE_THRESHOLD * cur if cur > 0 else True
                     for rec, cur in ((rec_cpu, cur_cpu), (rec_mem, cur_mem))]
            if not any(moved):
                continue
            new_requests = {"cpu": _cpu_text(rec_cpu), "memory": _memory_text(rec_mem)}
            entry: Json = {"name": cname, "resources": {"requests": new_requests}}
            new_limits = {}
            if limits.get("cpu") is not None and _q(limits["cpu"]) * 1000.0 < rec_cpu:
                new_limits["cpu"] = new_requests["cpu"]
            if limits.get("memory") is not None and _q(limits["memory"]) < rec_mem:
                new_limits["memory"] = new_requests["memory"]
            if new_limits:
                entry["resources"]["limits"] = new_limits
            changes.append(entry)
            current[cname] = {"cpu": requests.get("cpu"), "memory": requests.get("memory")}
            recommended[cname] = new_requests
            mean_cpu, mean_mem = sum(cpu) / len(cpu), sum(memory) / len(memory)
            per_hour = ((max(cur_cpu, mean_cpu) - max(rec_cpu, mean_cpu)) / 1000.0 * prices.cpu
                        + (max(cur_mem, mean_mem) - max(rec_mem, mean_mem)) / GIB * prices.memory)
            saving += per_hour * HOURS_PER_MONTH * replicas
        if changes:
            patch = {"spec": {"template": {"spec": {"containers": changes}}}}
            suggestions.append(_suggestion(
                "resource", kind, ns, name, "patch",
                "requests set to the 95th percentile of CPU usage and the peak memory usage plus 15 %",
                current, recommended, patch, "strategic", saving, {"replicas": replicas}))
        elif short:
            skipped.append({**target, "reason": "not enough history: " + "; ".join(short)})
    return suggestions, skipped


def _pod_requests(pod: Json) -> tuple[float, float]:
    cpu = mem = 0.0
    for c in (pod.get("spec") or {}).get("containers") or []:
        req = (c.get("resources") or {}).get("requests") or {}
        cpu += _q(req.get("cpu")) * 1000.0
        mem += _q(req.get("memory"))
    return cpu, mem


def _moves(pod: Json) -> bool:
    """Pods a drain would move: not DaemonSet pods, not mirror (static) pods, not finished."""
    meta = _meta(pod)
    if "kubernetes.io/config.mirror" in (meta.get("annotations") or {}):
        return False
    if any(o.get("kind") == "DaemonSet" for o in meta.get("ownerReferences") or []):
        return False
    return (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")


def instance(nodes: list[Json], pods: list[Json], node_histories: list[History], threshold: float,
             prices: Prices) -> tuple[list[Json], list[Json]]:
    """Nodes whose requested share (the larger of CPU and memory) is below `threshold` percent now and at
    every recorded point of the last 24 hours, when the other nodes have room for their pods."""
    live = [p for p in pods if (p.get("spec") or {}).get("nodeName") and _moves(p)]
    peak = {h.subject.name: max((max(float(p.get("cpu_share_max", 0.0)), float(p.get("memory_share_max", 0.0)))
                                 for p in h.series.get("24h") or []), default=None) for h in node_histories}
    capacity: dict[str, tuple[float, float]] = {}
    used: dict[str, tuple[float, float]] = {}
    for n in nodes:
        alloc = (n.get("status") or {}).get("allocatable") or {}
        capacity[_meta(n)["name"]] = (_q(alloc.get("cpu")) * 1000.0, _q(alloc.get("memory")))
    for p in live:
        node = p["spec"]["nodeName"]
        cpu, mem = _pod_requests(p)
        u = used.get(node, (0.0, 0.0))
        used[node] = (u[0] + cpu, u[1] + mem)
    schedulable = [n for n in nodes if not (n.get("spec") or {}).get("unschedulable")]
    suggestions: list[Json] = []
    skipped: list[Json] = []
    for n in schedulable:
        name = _meta(n)["name"]
        cap, req = capacity.get(name, (0.0, 0.0)), used.get(name, (0.0, 0.0))
        share = max(100.0 * req[0] / cap[0] if cap[0] else 0.0, 100.0 * req[1] / cap[1] if cap[1] else 0.0)
        recorded = peak.get(name)
        highest = max(share, recorded) if recorded is not None else share
        if highest >= threshold:
            continue
        target = {"kind": "Node", "namespace": "", "name": name}
        others = [_meta(o)["name"] for o in schedulable if _meta(o)["name"] != name]
        room_cpu = sum(capacity[o][0] - used.get(o, (0.0, 0.0))[0] for o in others)
        room_mem = sum(capacity[o][1] - used.get(o, (0.0, 0.0))[1] for o in others)
        if not others or room_cpu < req[0] or room_mem < req[1]:
            skipped.append({**target, "reason": "the other schedulable nodes lack room for its pods"})
            continue
        moving = sorted(f"{_meta(p).get('namespace', '')}/{_meta(p).get('name', '')}" for p in live
                        if p["spec"]["nodeName"] == name)
        saving = (cap[0] / 1000.0 * prices.cpu + cap[1] / GIB * prices.memory) * HOURS_PER_MONTH
        suggestions.append(_suggestion(
            "instance", "Node", "", name, "cordon-and-drain",
            f"requested share {highest:.1f} % stays below {threshold:g} %"
            + (" (now and over the recorded 24 hours)" if recorded is not None else " (now; no recorded history)"),
            {"requested_share_percent": round(highest, 2)}, {"remove_node": True},
            {"spec": {"unschedulable": True}}, "merge", saving, {"pods_to_move": moving}))
    return suggestions, skipped


def storage(pvcs: list[Json], pvs: list[Json], prices: Prices) -> list[Json]:
    """Unbound PVCs (their requested capacity is still allocated) and Released PVs (kept, billed, unused)."""
    out = []
    for c in pvcs:
        phase = (c.get("status") or {}).get("phase")
        if phase == "Bound":
            continue
        size = _q((((c.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage"))
        meta = _meta(c)
        out.append(_suggestion("storage", "PersistentVolumeClaim", str(meta.get("namespace", "")),
                               str(meta.get("name", "")), "delete", f"claim is {phase or 'not bound'}",
                               {"phase": phase, "requested": _memory_text(size)}, {"delete": True}, None, None,
                               size / GIB * prices.storage * HOURS_PER_MONTH))
    for v in pvs:
        phase = (v.get("status") or {}).get("phase")
        if phase != "Released":
            continue
        size = _q(((v.get("spec") or {}).get("capacity") or {}).get("storage"))
        meta = _meta(v)
        out.append(_suggestion("storage", "PersistentVolume", "", str(meta.get("name", "")), "delete",
                               "volume was released by its claim and is kept by its Retain policy",
                               {"phase": phase, "capacity": _memory_text(size)}, {"delete": True}, None, None,
                               size / GIB * prices.storage * HOURS_PER_MONTH))
    return out
