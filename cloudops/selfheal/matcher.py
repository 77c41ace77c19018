"""Which member objects a rule's conditions match, and since when: pure functions of the object and the clock.

Every "since" comes from the object itself (creation time, a condition's lastTransitionTime), so two operator
replicas and a restarted operator agree on when a duration is over without remembering anything. Objects are
pods, nodes and deployments as the API server sends them; the parts read are typed below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict

from cloudops.kube.shapes import Condition as StatusCondition
from cloudops.kube.types import ObjectMeta
from cloudops.resources.self_healing_rule import LabelSelector
from cloudops.selfheal.rules import Condition, Rule

__all__ = ["SYSTEM_NAMESPACES", "Match", "evaluate", "pod_statuses", "protected_namespace", "resource_key",
           "restart_count", "selector_matches"]

SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class StateDetail(TypedDict, total=False):
    reason: str


class ContainerState(TypedDict, total=False):
    waiting: StateDetail
    running: StateDetail
    terminated: StateDetail


class ContainerStatus(TypedDict, total=False):
    name: str
    restartCount: int
    state: ContainerState
    lastState: ContainerState


class ObjectStatus(TypedDict, total=False):
    """The status fields of pods, nodes and deployments the conditions read."""

    phase: str
    conditions: list[StatusCondition]
    initContainerStatuses: list[ContainerStatus]
    containerStatuses: list[ContainerStatus]
    unavailableReplicas: int


@dataclass(frozen=True)
class Match:
    """All of a rule's conditions hold for one object."""

    kind: str  # pods | nodes | deployments
    namespace: str
    name: str
    resource: str  # what the cooldown is per: the pod's workload, the node, the deployment
    matched: str  # the conditions that matched, as text
    due: datetime  # when every condition has held for its duration


def protected_namespace(namespace: str, operator_namespace: str) -> bool:
    """The hub's own system namespaces (and the operator's) are never acted in."""
    return namespace in SYSTEM_NAMESPACES or (bool(operator_namespace) and namespace == operator_namespace)


def _meta(obj: Mapping[str, Any]) -> ObjectMeta:
    meta: ObjectMeta = obj.get("metadata") or ObjectMeta()
    return meta


def _status(obj: Mapping[str, Any]) -> ObjectStatus:
    status: ObjectStatus = obj.get("status") or ObjectStatus()
    return status


def _time(text: str | None) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _created(obj: Mapping[str, Any]) -> datetime:
    return _time(_meta(obj).get("creationTimestamp")) or _EPOCH


def _condition(obj: Mapping[str, Any], ctype: str) -> StatusCondition:
    for c in _status(obj).get("conditions") or []:
        if c.get("type") == ctype:
            return c
    return {}


def _containers(pod: Mapping[str, Any]) -> list[ContainerStatus]:
    status = _status(pod)
    return [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]


def pod_statuses(pod: Mapping[str, Any]) -> set[str]:
    """What kubectl's STATUS column can show for the pod: its phase and each container's current waiting or
    terminated reason; OOMKilled also when it is the last termination (an OOM loop shows CrashLoopBackOff)."""
    out = {str(_status(pod).get("phase") or "Unknown")}
    for c in _containers(pod):
        state = c.get("state") or {}
        for part in (state.get("waiting") or {}, state.get("terminated") or {}):
            if reason := part.get("reason"):
                out.add(str(reason))
        if ((c.get("lastState") or {}).get("terminated") or {}).get("reason") == "OOMKilled":
            out.add("OOMKilled")
    return out


def restart_count(pod: Mapping[str, Any]) -> int:
    """The sum over containers, as kubectl's RESTARTS column."""
    return sum(int(c.get("restartCount") or 0) for c in _containers(pod))


def _compare(actual: int, operator: str, value: str) -> bool:
    wanted = int(value)
    return {"greater_than": actual > wanted, "greater_than_or_equal": actual >= wanted,
            "equals": actual == wanted}[operator]


def _pod_since(pod: Mapping[str, Any], status: str) -> datetime:
    """Pending counts from creation; a failed state from when the pod stopped being ready."""
    if status == "Pending":
        return _created(pod)
    ready = _condition(pod, "Ready")
    return (_time(ready.get("lastTransitionTime")) if ready.get("status") == "False" else None) or _created(pod)


def _deployment_since(dep: Mapping[str, Any]) -> datetime:
    """Unavailable since Available went False, else since the rollout last progressed."""
    available = _condition(dep, "Available")
    if available.get("status") == "False" and (t := _time(available.get("lastTransitionTime"))):
        return t
    progressing = _condition(dep, "Progressing")
    return _time(progressing.get("lastUpdateTime")) or _time(progressing.get("lastTransitionTime")) or _created(dep)


def _holds(c: Condition, obj: Mapping[str, Any]) -> datetime | None:
    """Since when `c` holds for `obj`, or None when it does not."""
    if c.type == "pod_status":
        return _pod_since(obj, c.value) if c.value in pod_statuses(obj) else None
    if c.type == "restart_count":
        return _pod_since(obj, "") if _compare(restart_count(obj), c.operator, c.value) else None
    if c.type == "node_status":
        ready = _condition(obj, "Ready")
        state = {"True": "Ready", "Unknown": "Unknown"}.get(str(ready.get("status")), "NotReady")
        hit = state == c.value or (c.value == "NotReady" and state == "Unknown")
        return (_time(ready.get("lastTransitionTime")) or _created(obj)) if hit else None
    if c.type == "deployment_unavailable_replicas":
        unavailable = int(_status(obj).get("unavailableReplicas") or 0)
        return _deployment_since(obj) if _compare(unavailable, c.operator, c.value) else None
    return None


def selector_matches(selector: LabelSelector | Mapping[str, object], labels: Mapping[str, str]) -> bool:
    """metav1.LabelSelector semantics: matchLabels and matchExpressions all hold; an empty selector matches."""
    sel = selector if isinstance(selector, LabelSelector) else LabelSelector.model_validate(selector)
    for key, value in (sel.match_labels or {}).items():
        if labels.get(key) != value:
            return False
    for expr in sel.match_expressions or []:
        key, op, values = expr.key, expr.operator, list(expr.values or [])
        present = key in labels
        if ((op == "In" and (not present or labels[key] not in values))
                or (op == "NotIn" and present and labels[key] in values)
                or (op == "Exists" and not present) or (op == "DoesNotExist" and present)):
            return False
    return True


def resource_key(kind: str, obj: Mapping[str, Any]) -> str:
    """What a cooldown is per. A pod is keyed by its workload (the Deployment behind its ReplicaSet, else its
    controller), so a crash-looping app whose restarted pods keep crashing is still restarted once per cooldown."""
    meta = _meta(obj)
    namespace, name = meta.get("namespace") or "", meta.get("name") or ""
    if kind != "pods":
        return f"{kind[:-1]}/{namespace}/{name}"
    owner = next((o for o in meta.get("ownerReferences") or [] if o.get("controller")), None)
    if owner is None:
        return f"pod/{namespace}/{name}"
    owner_kind, owner_name = str(owner.get("kind", "")).lower(), str(owner.get("name", ""))
    template_hash = (meta.get("labels") or {}).get("pod-template-hash")
    if owner_kind == "replicaset" and template_hash and owner_name.endswith(f"-{template_hash}"):
        return f"deployment/{namespace}/{owner_name[:-len(template_hash) - 1]}"
    return f"{owner_kind}/{namespace}/{owner_name}"


def evaluate(rule: Rule, obj: Mapping[str, Any], now: datetime, operator_namespace: str) -> Match | None:
    """The match when every condition holds for `obj` (an object of the rule's kind) and the rule's target
    takes it in; due is when the longest required duration is over."""
    meta = _meta(obj)
    if meta.get("deletionTimestamp"):
        return None  # already going (a restarted pod, a deleted node): nothing to heal
    namespace = str(meta.get("namespace") or "")
    if rule.kind != "nodes":
        if protected_namespace(namespace, operator_namespace):
            return None
        if rule.namespaces and namespace not in rule.namespaces:
            return None
    if not selector_matches(rule.selector, meta.get("labels") or {}):
        return None
    due = _EPOCH
    for c in rule.conditions:
        since = _holds(c, obj)
        if since is None:
            return None
        due = max(due, since + timedelta(seconds=c.duration))
    matched = " and ".join(c.describe() for c in rule.conditions)
    return Match(rule.kind, namespace, str(meta.get("name") or ""), resource_key(rule.kind, obj), matched,
                 min(due, now) if not any(c.duration for c in rule.conditions) else due)
