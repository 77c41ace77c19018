"""Findings from member objects, pure: each issue names the object it came from, so it traces to real data.

An issue is {type, resource, namespace, message, severity, source}; a recommendation is
{type, title, description, action, resource}. Severities: low, medium, high, critical.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cloudops.clusters.health import parse_quantity

__all__ = ["BAD_WAITING", "bad_pods", "hpas_at_max", "near_limits", "node_conditions", "pending_for_resources",
           "recommendation", "services_without_endpoints", "warning_events"]

Json = dict[str, Any]
BAD_WAITING = {"CrashLoopBackOff": "high", "ImagePullBackOff": "medium", "ErrImagePull": "medium",
               "CreateContainerConfigError": "high", "CreateContainerError": "high", "InvalidImageName": "medium",
               "RunContainerError": "high"}
BAD_TERMINATED = {"OOMKilled": "high", "Error": "medium", "ContainerCannotRun": "high"}
RESTARTS_WARN = 5
PRESSURE = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")
ACTIONS = {"CrashLoopBackOff": "inspect_pod_logs", "ImagePullBackOff": "fix_image_reference",
           "ErrImagePull": "fix_image_reference", "OOMKilled": "update_resource_limits", "Error": "inspect_pod_logs",
           "NotReady": "inspect_node", "NoEndpoints": "check_service_selector",
           "Pending": "add_capacity_or_reduce_requests",
           "MemoryPressure": "free_node_memory", "DiskPressure": "free_node_disk", "PIDPressure": "inspect_node",
           "HpaAtMax": "raise_hpa_max_replicas", "NearLimit": "update_resource_limits", "Restarts": "inspect_pod_logs"}


def _meta(obj: Json) -> Json:
    return obj.get("metadata") or {}


def issue(kind: str, name: str, namespace: str, message: str, severity: str, source: str,
          type_: str = "warning") -> Json:
    return {"type": type_, "resource": f"{kind}/{name}", "namespace": namespace, "message": message,
            "severity": severity, "source": source}


def recommendation(reason: str, found: Json) -> Json:
    """What to do about one issue; the action is a stable name a client can act on."""
    action = ACTIONS.get(reason, "investigate")
    return {"type": "remediation" if found["type"] == "error" else "optimization",
            "title": f"{reason}: {found['resource']}", "description": found["message"], "action": action,
            "resource": found["resource"]}


def bad_pods(pods: Iterable[Json]) -> list[tuple[str, Json]]:
    """(reason, issue) for pods failing, waiting in a bad state, killed, or restarting often."""
    out = []
    for p in pods:
        m, status = _meta(p), p.get("status") or {}
        name, ns = m.get("name", ""), m.get("namespace", "")
        if status.get("phase") == "Failed":
            out.append(("Error", issue("pod", name, ns, f"pod failed: {status.get('reason') or 'Failed'}", "high",
                                       "pod.status.phase", "error")))
            continue
        for c in status.get("containerStatuses") or []:
            state = c.get("state") or {}
            waiting = (state.get("waiting") or {}).get("reason")
            term = (state.get("terminated") or {}).get("reason") or \
                ((c.get("lastState") or {}).get("terminated") or {}).get("reason")
            restarts = int(c.get("restartCount") or 0)
            if waiting in BAD_WAITING:
                out.append((waiting, issue("pod", name, ns, f"container {c.get('name')} is {waiting} "
                                           f"({restarts} restarts)", BAD_WAITING[waiting],
                                           "pod.status.containerStatuses", "error")))
            elif term in BAD_TERMINATED:
                out.append((term, issue("pod", name, ns, f"container {c.get('name')} terminated: {term} "
                                        f"({restarts} restarts)", BAD_TERMINATED[term],
                                        "pod.status.containerStatuses", "error")))
            elif restarts >= RESTARTS_WARN:
                out.append(("Restarts", issue("pod", name, ns, f"container {c.get('name')} restarted {restarts} "
                                              "times", "medium", "pod.status.containerStatuses")))
    return out


def pending_for_resources(pods: Iterable[Json]) -> list[tuple[str, Json]]:
    """Pods the scheduler could not place (PodScheduled False, Unschedulable), with its message."""
    out = []
    for p in pods:
        status = p.get("status") or {}
        if status.get("phase") != "Pending":
            continue
        for cond in status.get("conditions") or []:
            if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
                m = _meta(p)
                msg = cond.get("message") or cond.get("reason") or "not scheduled"
                out.append(("Pending", issue("pod", m.get("name", ""), m.get("namespace", ""),
                                             f"pending: {msg}", "high" if "Insufficient" in msg else "medium",
                                             "pod.status.conditions[PodScheduled]")))
    return out


def node_conditions(nodes: Iterable[Json]) -> list[tuple[str, Json]]:
    """Nodes not Ready, and pressure conditions that are True."""
    out = []
    for n in nodes:
        name = _meta(n).get("name", "")
        conds = {c.get("type"): c for c in (n.get("status") or {}).get("conditions") or []}
        ready = conds.get("Ready") or {}
        if ready.get("status") != "True":
            out.append(("NotReady", issue("node", name, "", f"node not Ready: {ready.get('reason') or 'unknown'}",
                                          "high", "node.status.conditions[Ready]", "error")))
        for kind in PRESSURE:
            if (conds.get(kind) or {}).get("status") == "True":
                out.append((kind, issue("node", name, "", f"{kind}: {conds[kind].get('message') or kind}",
                                        "high", f"node.status.conditions[{kind}]")))
        if (n.get("spec") or {}).get("unschedulable"):
            out.append(("Cordoned", issue("node", name, "", "node is cordoned (unschedulable)", "low",
                                          "node.spec.unschedulable")))
    return out


def services_without_endpoints(services: Iterable[Json], slices: Iterable[Json]) -> list[tuple[str, Json]]:
    """Services with a selector whose EndpointSlices hold no ready endpoint."""
    ready: dict[tuple[str, str], int] = {}
    for s in slices:
        m = _meta(s)
        key = (m.get("namespace", ""), (m.get("labels") or {}).get("kubernetes.io/service-name", ""))
        n = sum(1 for e in s.get("endpoints") or [] if (e.get("conditions") or {}).get("ready", True) is not False)
        ready[key] = ready.get(key, 0) + n
    out = []
    for svc in services:
        m, spec = _meta(svc), svc.get("spec") or {}
        if not spec.get("selector") or spec.get("type") == "ExternalName":
            continue
        key = (m.get("namespace", ""), m.get("name", ""))
        if ready.get(key, 0) == 0:
            out.append(("NoEndpoints", issue("service", key[1], key[0], "service has no ready endpoints", "medium",
                                             "discovery.k8s.io EndpointSlices")))
    return out


def warning_events(events: Iterable[Json], limit: int = 50) -> list[tuple[str, Json]]:
    """The most recent Warning events, newest first, one issue each."""
    def when(e: Json) -> str:
        return str(e.get("lastTimestamp") or e.get("eventTime") or _meta(e).get("creationTimestamp") or "")
    warnings = sorted((e for e in events if e.get("type") == "Warning"), key=when, reverse=True)[:limit]
    out = []
    for e in warnings:
        obj = e.get("involvedObject") or {}
        count = e.get("count") or 1
        out.append((str(e.get("reason") or "Warning"), issue(
            str(obj.get("kind") or "object").lower(), str(obj.get("name") or ""), str(obj.get("namespace") or ""),
            f"{e.get('reason')}: {e.get('message') or ''} (x{count})".strip(), "low", "core/v1 Event")))
    return out


def hpas_at_max(hpas: Iterable[Json]) -> list[tuple[str, Json]]:
    out = []
    for h in hpas:
        m, spec, status = _meta(h), h.get("spec") or {}, h.get("status") or {}
        top, current = spec.get("maxReplicas"), status.get("currentReplicas")
        if top is not None and current is not None and current >= top:
            out.append(("HpaAtMax", issue("horizontalpodautoscaler", m.get("name", ""), m.get("namespace", ""),
                                          f"pinned at maxReplicas {top} (current {current})", "medium",
                                          "autoscaling/v2 HorizontalPodAutoscaler.status")))
    return out


def near_limits(pods: Iterable[Json], usage: Iterable[Json], threshold: float) -> list[tuple[str, Json]]:
    """Containers whose live usage (metrics.k8s.io PodMetrics) is at least `threshold` percent of their limit."""
    limits: dict[tuple[str, str, str], Json] = {}
    for p in pods:
        m = _meta(p)
        for c in (p.get("spec") or {}).get("containers") or []:
            limits[(m.get("namespace", ""), m.get("name", ""), c.get("name", ""))] = \
                (c.get("resources") or {}).get("limits") or {}
    out = []
    for pm in usage:
        m = _meta(pm)
        for c in pm.get("containers") or []:
            lim = limits.get((m.get("namespace", ""), m.get("name", ""), c.get("name", ""))) or {}
            for res in ("cpu", "memory"):
                if res not in lim or res not in (c.get("usage") or {}):
                    continue
                cap, used = parse_quantity(lim[res]), parse_quantity(c["usage"][res])
                if cap > 0 and 100.0 * used / cap >= threshold:
                    pct = round(100.0 * used / cap, 1)
                    out.append(("NearLimit", issue("pod", m.get("name", ""), m.get("namespace", ""),
                                                   f"container {c.get('name')} {res} at {pct}% of its limit "
                                                   f"({c['usage'][res]} of {lim[res]})",
                                                   "high" if pct >= 95 else "medium", "metrics.k8s.io PodMetrics")))
    return out
