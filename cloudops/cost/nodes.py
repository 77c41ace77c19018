"""Instance advice (pure): underused nodes whose removal is feasible, suggested together.

A node is a candidate when it is Ready, not cordoned, has at least the required hours of node usage recorded,
and its requested share (the larger of CPU and memory) is below the threshold now and at every recorded point
of the tier that holds those hours (cloudops.cost.recorded.tier_for). Candidates are taken least used first;
one is suggested only when, with it and every node suggested before it removed:
- none of its pods is bare (no controller: a drain deletes it, nothing recreates it);
- at least `min_nodes` Ready, schedulable nodes remain;
- every pod to move (from all the nodes suggested together) fits on the remaining nodes, by requests against
  their allocatable minus what they already hold, node selectors, required node affinity, taints and
  tolerations (cloudops.cost.fit).
DaemonSet pods and mirror (static) pods are not moved: they stay with their node. Each suggestion names the
pods to move, where they would land, and the hours its figures were measured over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cloudops.cost import fit
from cloudops.cost.pricing import HOURS_PER_MONTH, Prices
from cloudops.cost.recorded import hours_text, recorded_hours, tier_for
from cloudops.cost.views import Advice, Skipped, Target
from cloudops.history_store import History
from cloudops.kube.types import KubeObject
from cloudops.usage_history import quantity

__all__ = ["Candidate", "instance", "role"]

GIB = 1024.0 ** 3


@dataclass(frozen=True)
class Candidate:
    node: KubeObject
    name: str
    now: float  # requested share now, percent
    peak: float  # highest recorded share in the tier
    hours: float  # recorded hours in the tier


def _name(obj: KubeObject) -> str:
    return (obj.get("metadata") or {}).get("name", "")


def _node_of(pod: KubeObject) -> str:
    return str((pod.get("spec") or {}).get("nodeName") or "")


def role(pod: KubeObject) -> str:
    """What a drain does with the pod: "stays" (DaemonSet or mirror pod, or already terminating: nothing to
    move), "bare" (no controller: deleted, not rescheduled) or "moves"."""
    meta = pod.get("metadata") or {}
    if meta.get("deletionTimestamp") or "kubernetes.io/config.mirror" in (meta.get("annotations") or {}):
        return "stays"
    owners = meta.get("ownerReferences") or []
    if any(o.get("kind") == "DaemonSet" for o in owners):
        return "stays"
    return "moves" if any(o.get("controller") for o in owners) else "bare"


def _share(node: KubeObject, pods: list[KubeObject]) -> float:
    """The larger of requested CPU and memory over allocatable, percent."""
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    shares = []
    for resource in ("cpu", "memory"):
        total = quantity(allocatable.get(resource))
        used = sum(fit.requests(p).get(resource, 0.0) for p in pods)
        shares.append(100.0 * used / total if total else 0.0)
    return max(shares)


def _peak(history: History | None, tier: str) -> float:
    points = history.series.get(tier) or [] if history is not None else []
    return max((max(float(p.get("cpu_share_max", 0.0)), float(p.get("memory_share_max", 0.0))) for p in points),
               default=0.0)


def _usable(node: KubeObject) -> bool:
    return fit.ready(node) and not (node.get("spec") or {}).get("unschedulable")


def _candidates(nodes: list[KubeObject], live: list[KubeObject], histories: list[History], threshold: float,
                min_hours: float) -> tuple[list[Candidate], list[Skipped]]:
    tier = tier_for(min_hours)
    by_name = {h.subject.name: h for h in histories}
    found: list[Candidate] = []
    skipped: list[Skipped] = []
    for n in nodes:
        name = _name(n)
        history = by_name.get(name)
        now = _share(n, [p for p in live if _node_of(p) == name])
        hours = recorded_hours(history.series, tier) if history is not None else 0.0
        if now < threshold and hours < min_hours:
            skipped.append(Skipped(kind="Node", namespace="", name=name, reason=(
                f"{hours_text(hours)} hours of node usage recorded, {min_hours:g} needed")))
            continue
        peak = _peak(history, tier)
        if max(now, peak) < threshold:
            found.append(Candidate(n, name, now, peak, hours))
    return sorted(found, key=lambda c: (max(c.now, c.peak), c.now, c.name)), skipped


def _removal(c: Candidate, remaining: list[KubeObject], removed: list[str], live: list[KubeObject],
             min_nodes: int) -> tuple[str | None, fit.Placement]:
    """Why the node cannot go along with `removed` (None when it can), and where the moved pods would land."""
    bare = sorted(fit.pod_ref(p) for p in live if _node_of(p) == c.name and role(p) == "bare")
    if bare:
        return (f"pods without a controller would be deleted by a drain, not rescheduled: {', '.join(bare)}",
                fit.Placement())
    if len(remaining) < min_nodes:
        return (f"removing it would leave {len(remaining)} schedulable node(s); the minimum is {min_nodes} "
                f"(min_nodes)", fit.Placement())
    gone = {*removed, c.name}
    moving = [p for p in live if _node_of(p) in gone and role(p) == "moves"]
    names = {_name(n) for n in remaining}
    placed = fit.place(moving, remaining, fit.free(remaining, [p for p in live if _node_of(p) in names]))
    if not placed.complete:
        return ("the remaining nodes cannot take its pods: "
                + "; ".join(f"{pod} ({why})" for pod, why in sorted(placed.unplaced.items())), placed)
    return None, placed


def _advice(c: Candidate, live: list[KubeObject], removed: list[str], remaining: list[str],
            placed: fit.Placement, threshold: float, prices: Prices) -> Advice:
    allocatable = (c.node.get("status") or {}).get("allocatable") or {}
    cpu, memory = quantity(allocatable.get("cpu")), quantity(allocatable.get("memory"))
    saving = (cpu * prices.cpu + memory / GIB * prices.memory) * HOURS_PER_MONTH
    mine = sorted(fit.pod_ref(p) for p in live if _node_of(p) == c.name and role(p) == "moves")
    details: Mapping[str, object] = {
        "pods_to_move": mine, "placement": {p: placed.nodes[p] for p in mine},
        "staying_with_node": sorted(fit.pod_ref(p) for p in live if _node_of(p) == c.name and role(p) == "stays"),
        "removed_together": [n for n in removed if n != c.name], "remaining_nodes": remaining,
        "recorded_hours": round(c.hours, 4)}
    reason = (f"requested share stays below {threshold:g} %: {c.now:.1f} % now, at most {c.peak:.1f} % over the "
              f"recorded {hours_text(c.hours)} hours; its pods fit on the remaining nodes")
    return Advice(type="instance", action="cordon-and-drain", target=Target(kind="Node", namespace="", name=c.name),
                  reason=reason, current={"requested_share_percent_now": round(c.now, 2),
                                          "requested_share_percent_peak": round(c.peak, 2),
                                          "recorded_hours": round(c.hours, 4)},
                  recommended={"remove_node": True}, patch={"spec": {"unschedulable": True}}, patch_type="merge",
                  estimated_monthly_saving=round(saving, 2), details=details)


def instance(nodes: list[KubeObject], pods: list[KubeObject], node_histories: list[History], prices: Prices, *,
             threshold: float, min_hours: float, min_nodes: int) -> tuple[list[Advice], list[Skipped]]:
    """(suggestions, skipped): the underused nodes that can go together, and why the others cannot."""
    live = [p for p in pods if _node_of(p) and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    usable = [n for n in nodes if _usable(n)]
    candidates, skipped = _candidates(usable, live, node_histories, threshold, min_hours)
    removed: list[Candidate] = []
    placed = fit.Placement()
    for c in candidates:
        gone = {r.name for r in removed} | {c.name}
        remaining = [n for n in usable if _name(n) not in gone]
        why, attempt = _removal(c, remaining, [r.name for r in removed], live, min_nodes)
        if why is not None:
            skipped.append(Skipped(kind="Node", namespace="", name=c.name, reason=why))
            continue
        removed.append(c)
        placed = attempt
    names = [r.name for r in removed]
    left = sorted(_name(n) for n in usable if _name(n) not in names)
    return [_advice(c, live, names, left, placed, threshold, prices) for c in removed], skipped
