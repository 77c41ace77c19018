"""Self-healing actions against a member, through a MemberSession (failures are MemberErrors or ActionError)."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cloudops.kube.types import JsonObject
from cloudops.members.session import MemberSession
from cloudops.selfheal.matcher import Match
from cloudops.selfheal.rules import Action

__all__ = ["REVISION", "ActionError", "previous_revision", "run_action"]

REVISION = "deployment.kubernetes.io/revision"
_RESTARTABLE = ("ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController")


class ActionError(Exception):
    """The action cannot be done on this object; the message says why (kept in the history)."""


def _revision(obj: Mapping[str, Any]) -> int:
    raw = ((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION, "")
    return int(raw) if str(raw).isdigit() else 0


def previous_revision(deployment: Mapping[str, Any], replicasets: Sequence[Mapping[str, Any]],
                      to_revision: int = 0) -> tuple[int, JsonObject]:
    """The revision and pod template `kubectl rollout undo` would go back to: `to_revision`, else the newest
    revision older than the current one, among the ReplicaSets the Deployment controls."""
    uid = (deployment.get("metadata") or {}).get("uid")
    owned = [rs for rs in replicasets if any(o.get("uid") == uid and o.get("controller")
                                             for o in (rs.get("metadata") or {}).get("ownerReferences") or [])]
    current = _revision(deployment)
    if to_revision:
        candidates = [rs for rs in owned if _revision(rs) == to_revision]
    else:
        candidates = sorted((rs for rs in owned if 0 < _revision(rs) < current), key=_revision, reverse=True)
    if not candidates or (to_revision and to_revision == current):
        raise ActionError(f"deployment has no revision {to_revision} to roll back to" if to_revision else
                          f"deployment has no revision before {current} to roll back to")
    template: JsonObject = copy.deepcopy(dict((candidates[0].get("spec") or {}).get("template") or {}))
    meta = template.get("metadata")
    if isinstance(meta, dict) and isinstance(labels := meta.get("labels"), dict):
        labels.pop("pod-template-hash", None)  # the Deployment controller adds it back
    return _revision(candidates[0]), template


async def _deployment_of(session: MemberSession, match: Match, obj: Mapping[str, Any]) -> str:
    if match.kind == "deployments":
        return match.name
    owner = next((o for o in (obj.get("metadata") or {}).get("ownerReferences") or [] if o.get("controller")), None)
    if owner is None or owner.get("kind") != "ReplicaSet":
        raise ActionError("the pod is not managed by a Deployment")
    rs = await session.get(await session.resolve("replicasets"), match.namespace, str(owner["name"]))
    parent = next((o for o in (rs.get("metadata") or {}).get("ownerReferences") or [] if o.get("controller")), None)
    if parent is None or parent.get("kind") != "Deployment":
        raise ActionError("the pod's ReplicaSet is not managed by a Deployment")
    return str(parent["name"])


async def _rollback(session: MemberSession, action: Action, match: Match, obj: Mapping[str, Any]) -> str:
    name = await _deployment_of(session, match, obj)
    deployments, replicasets = await session.resolve("deployments"), await session.resolve("replicasets")
    deployment = await session.get(deployments, match.namespace, name)
    selector = ",".join(f"{k}={v}" for k, v in
                        (((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}).items())
    items, _ = await session.list_all(replicasets, match.namespace, label_selector=selector or None, max_items=1000)
    revision, template = previous_revision(deployment, items, int(action.param("to_revision") or 0))
    rv = str(deployment["metadata"].get("resourceVersion", ""))
    await session.patch(deployments, match.namespace, name, [
        {"op": "test", "path": "/metadata/resourceVersion", "value": rv},
        {"op": "replace", "path": "/spec/template", "value": template}], patch_type="json")
    return f"rolled deployment {match.namespace}/{name} back to revision {revision}"


async def _event(session: MemberSession, action: Action, match: Match, obj: Mapping[str, Any], rule: str,
                 condition: str) -> str:
    meta = obj.get("metadata") or {}
    namespace = match.namespace or "default"
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    reason = action.param("reason", "SelfHealing")
    message = action.param("message") or f"self-healing rule {rule}: {condition}"
    body = {"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{match.name[:200]}.{uuid.uuid4().hex[:16]}", "namespace": namespace},
            "involvedObject": {"apiVersion": obj.get("apiVersion") or ("apps/v1" if match.kind == "deployments"
                                                                        else "v1"),
                               "kind": obj.get("kind") or {"pods": "Pod", "nodes": "Node",
                                                           "deployments": "Deployment"}[match.kind],
                               "name": match.name, "namespace": match.namespace, "uid": meta.get("uid", "")},
            "reason": reason, "message": message[:1024], "type": "Warning", "count": 1,
            "firstTimestamp": now, "lastTimestamp": now, "source": {"component": "cloudops-self-healing"}}
    await session.create(await session.resolve("events"), namespace, body)
    return f"posted a Warning event {reason} on {match.kind[:-1]} {match.name}"


async def run_action(session: MemberSession, action: Action, match: Match, obj: Mapping[str, Any], rule: str,
                     condition: str) -> str:
    """Does `action` about the matched object; returns what was done, in words."""
    where = f"{match.namespace}/{match.name}" if match.namespace else match.name
    if action.type == "restart_pod":
        owner = next((o for o in (obj.get("metadata") or {}).get("ownerReferences") or [] if o.get("controller")),
                     None)
        if owner is None or owner.get("kind") not in _RESTARTABLE:
            raise ActionError("the pod has no controller: deleting it would not bring it back")
        await session.delete(await session.resolve("pods"), match.namespace, match.name)
        return f"deleted pod {where}; its {owner['kind']} {owner['name']} recreates it"
    if action.type == "rollback_deployment":
        return await _rollback(session, action, match, obj)
    if action.type == "scale":
        name = await _deployment_of(session, match, obj)
        replicas = int(action.param("replicas"))
        await session.patch(await session.resolve("deployments"), match.namespace, name,
                            {"spec": {"replicas": replicas}}, subresource="scale")
        return f"scaled deployment {match.namespace}/{name} to {replicas} replicas"
    if action.type == "cordon_node":
        await session.patch(await session.resolve("nodes"), None, match.name, {"spec": {"unschedulable": True}})
        return f"cordoned node {match.name}"
    if action.type == "annotate":
        key, value = action.param("key"), action.param("value")
        await session.patch(await session.resolve(match.kind), match.namespace or None, match.name,
                            {"metadata": {"annotations": {key: value}}})
        return f"annotated {match.kind[:-1]} {where} {key}={value}"[:1024]
    if action.type == "event":
        return await _event(session, action, match, obj, rule, condition)
    raise ActionError(f"unknown action {action.type!r}")
