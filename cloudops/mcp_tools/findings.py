"""Findings from member objects, pure: each issue names the object it came from, so it traces to real data.

An issue is a FoundIssue {type, resource, namespace, message, severity, source}; a recommendation is
{type, title, description, action, resource}. Severities: low, medium, high, critical. Objects come in as the
member sent them and are read with cloudops.kube.narrow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cloudops.clusters.health import parse_quantity
from cloudops.kube.narrow import dig, mapping, mappings, text
from cloudops.mcp_tools.models import FoundIssue, Recommendation

__all__ = ["BAD_WAITING", "bad_pods", "event_time", "hpas_at_max", "issue", "near_limits", "node_conditions",
           "pending_for_resources", "recommendation", "services_without_endpoints", "warning_events"]

Found = list[tuple[str, FoundIssue]]  # (reason, issue): the reason picks the recommended action
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


def _meta(obj: Mapping[str, object]) -> Mapping[str, object]:
    return dig(obj, "metadata")


def _name(obj: Mapping[str, object]) -> tuple[str, str]:
    """(namespace, name) of an object."""
    m = _meta(obj)
    return text(m.get("namespace")), text(m.get("name"))


def issue(kind: str, name: str, namespace: str, message: str, severity: str, source: str,
          type_: str = "warning") -> FoundIssue:
    return FoundIssue(type=type_, resource=f"{kind}/{name}", namespace=namespace, message=message,
                      severity=severity, source=source)


def recommendation(reason: str, found: FoundIssue) -> Recommendation:
    """What to do about one issue; the action is a stable name a client can act on."""
    action = ACTIONS.get(reason, "investigate")
    return Recommendation(type="remediation" if found["type"] == "error" else "optimization",
                          title=f"{reason}: {found['resource']}", description=found["message"], action=action,
                          resource=found["resource"])


def _container_issue(name: str, ns: str, c: Mapping[str, object]) -> tuple[str, FoundIssue] | None:
    state = dig(c, "state")
    waiting = text(dig(state, "waiting").get("reason"))
    term = text(dig(state, "terminated").get("reason")) or text(dig(c, "lastState", "terminated").get("reason"))
    count = c.get("restartCount")
    restarts = count if isinstance(count, int) else 0
    if waiting in BAD_WAITING:
        return waiting, issue("pod", name, ns, f"container {c.get('name')} is {waiting} ({restarts} restarts)",
                              BAD_WAITING[waiting], "pod.status.containerStatuses", "error")
    if term in BAD_TERMINATED:
        return term, issue("pod", name, ns, f"container {c.get('name')} terminated: {term} ({restarts} restarts)",
                           BAD_TERMINATED[term], "pod.status.containerStatuses", "error")
    if restarts >= RESTARTS_WARN:
        return "Restarts", issue("pod", name, ns, f"container {c.get('name')} restarted {restarts} times", "medium",
                                 "pod.status.containerStatuses")
    return None


def bad_pods(pods: Iterable[Mapping[str, object]]) -> Found:
    """(reason, issue) for pods failing, waiting in a bad state, killed, or restarting often."""
    out = []
    for p in pods:
        (ns, name), status = _name(p), dig(p, "status")
        if status.get("phase") == "Failed":
            out.append(("Error", issue("pod", name, ns, f"pod failed: {text(status.get('reason')) or 'Failed'}",
                                       "high", "pod.status.phase", "error")))
            continue
        out.extend(found for c in mappings(status.get("containerStatuses"))
                   if (found := _container_issue(name, ns, c)) is not None)
    return out


def pending_for_resources(pods: Iterable[Mapping[str, object]]) -> Found:
    """Pods the scheduler could not place (PodScheduled False, Unschedulable), with its message."""
    out = []
    for p in pods:
        status = dig(p, "status")
        if status.get("phase") != "Pending":
            continue
        for cond in mappings(status.get("conditions")):
            if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
                ns, name = _name(p)
                msg = text(cond.get("message")) or text(cond.get("reason")) or "not scheduled"
                out.append(("Pending", issue("pod", name, ns, f"pending: {msg}",
                                             "high" if "Insufficient" in msg else "medium",
                                             "pod.status.conditions[PodScheduled]")))
    return out


def node_conditions(nodes: Iterable[Mapping[str, object]]) -> Found:
    """Nodes not Ready, and pressure conditions that are True."""
    out = []
    for n in nodes:
        name = _name(n)[1]
        conds = {c.get("type"): c for c in mappings(dig(n, "status").get("conditions"))}
        ready = mapping(conds.get("Ready"))
        if ready.get("status") != "True":
            out.append(("NotReady", issue("node", name, "",
                                          f"node not Ready: {text(ready.get('reason')) or 'unknown'}",
                                          "high", "node.status.conditions[Ready]", "error")))
        for kind in PRESSURE:
            cond = mapping(conds.get(kind))
            if cond.get("status") == "True":
                out.append((kind, issue("node", name, "", f"{kind}: {text(cond.get('message')) or kind}",
                                        "high", f"node.status.conditions[{kind}]")))
        if dig(n, "spec").get("unschedulable"):
            out.append(("Cordoned", issue("node", name, "", "node is cordoned (unschedulable)", "low",
                                          "node.spec.unschedulable")))
    return out


def services_without_endpoints(services: Iterable[Mapping[str, object]],
                               slices: Iterable[Mapping[str, object]]) -> Found:
    """Services with a selector whose EndpointSlices hold no ready endpoint."""
    ready: dict[tuple[str, str], int] = {}
    for s in slices:
        key = (_name(s)[0], text(dig(s, "metadata", "labels").get("kubernetes.io/service-name")))
        n = sum(1 for e in mappings(s.get("endpoints")) if dig(e, "conditions").get("ready", True) is not False)
        ready[key] = ready.get(key, 0) + n
    out = []
    for svc in services:
        spec = dig(svc, "spec")
        if not spec.get("selector") or spec.get("type") == "ExternalName":
            continue
        key = _name(svc)
        if ready.get(key, 0) == 0:
            out.append(("NoEndpoints", issue("service", key[1], key[0], "service has no ready endpoints", "medium",
                                             "discovery.k8s.io EndpointSlices")))
    return out


def event_time(e: Mapping[str, object]) -> str:
    """When an Event last happened, as the member wrote it."""
    return text(e.get("lastTimestamp")) or text(e.get("eventTime")) or text(_meta(e).get("creationTimestamp"))


def warning_events(events: Iterable[Mapping[str, object]], limit: int = 50) -> Found:
    """The most recent Warning events, newest first, one issue each."""
    warnings = sorted((e for e in events if e.get("type") == "Warning"), key=event_time, reverse=True)[:limit]
    out = []
    for e in warnings:
        obj = dig(e, "involvedObject")
        count = e.get("count") or 1
        out.append((text(e.get("reason")) or "Warning", issue(
            (text(obj.get("kind")) or "object").lower(), text(obj.get("name")), text(obj.get("namespace")),
            f"{e.get('reason')}: {e.get('message') or ''} (x{count})".strip(), "low", "core/v1 Event")))
    return out


def hpas_at_max(hpas: Iterable[Mapping[str, object]]) -> Found:
    out = []
    for h in hpas:
        top, current = dig(h, "spec").get("maxReplicas"), dig(h, "status").get("currentReplicas")
        if isinstance(top, int) and isinstance(current, int) and current >= top:
            ns, name = _name(h)
            out.append(("HpaAtMax", issue("horizontalpodautoscaler", name, ns,
                                          f"pinned at maxReplicas {top} (current {current})", "medium",
                                          "autoscaling/v2 HorizontalPodAutoscaler.status")))
    return out


def near_limits(pods: Iterable[Mapping[str, object]], usage: Iterable[Mapping[str, object]],
                threshold: float) -> Found:
    """Containers whose live usage (metrics.k8s.io PodMetrics) is at least `threshold` percent of their limit."""
    limits: dict[tuple[str, str, str], Mapping[str, object]] = {}
    for p in pods:
        for c in mappings(dig(p, "spec").get("containers")):
            limits[(*_name(p), text(c.get("name")))] = dig(c, "resources", "limits")
    out = []
    for pm in usage:
        ns, name = _name(pm)
        for c in mappings(pm.get("containers")):
            lim, used_now = limits.get((ns, name, text(c.get("name")))) or {}, dig(c, "usage")
            for res in ("cpu", "memory"):
                if res not in lim or res not in used_now:
                    continue
                cap, used = parse_quantity(lim[res]), parse_quantity(used_now[res])
                if cap > 0 and 100.0 * used / cap >= threshold:
                    pct = round(100.0 * used / cap, 1)
                    out.append(("NearLimit", issue("pod", name, ns,
                                                   f"container {c.get('name')} {res} at {pct}% of its limit "
                                                   f"({used_now[res]} of {lim[res]})",
                                                   "high" if pct >= 95 else "medium", "metrics.k8s.io PodMetrics")))
    return out
