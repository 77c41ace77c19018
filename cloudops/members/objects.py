"""Objects inside members: the one id scheme, Secret redaction, and the reference's item view.

Id: `<cluster id>:<type>:<namespace>:<name>`, type the singular lower-case kind, namespace empty for
cluster-scoped objects (`1:node::node-000000`). It decodes without a lookup; a name may itself hold `:`
(RBAC names such as `system:auth-delegator`), so only the first three separators count.
"""

from __future__ import annotations

import base64
import copy
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SECRET_SUMMARY",
    "ObjectId",
    "huge_exponent",
    "is_secret",
    "item_view",
    "redact_secret",
    "snake",
    "status_of",
    "strip_managed_fields",
]

Json = dict[str, Any]
CLUSTER_REF = re.compile(r"^([0-9]+|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$")
TYPE = re.compile(r"^[a-z0-9]+$")
NAMESPACE = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$")
NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._:@-]*[A-Za-z0-9])?$")
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
# Where a redacted Secret lists its keys and value sizes instead of the values.
SECRET_SUMMARY = "dataSummary"


def valid_name(name: str) -> bool:
    return 0 < len(name) <= 253 and NAME.fullmatch(name) is not None


@dataclass(frozen=True)
class ObjectId:
    cluster: str
    type: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.cluster}:{self.type}:{self.namespace}:{self.name}"

    @classmethod
    def parse(cls, text: str) -> ObjectId:
        """Raises ValueError saying which part is wrong."""
        parts = text.split(":", 3)
        if len(parts) != 4:
            raise ValueError("expected <cluster id>:<type>:<namespace>:<name>")
        cluster, kind, namespace, name = parts
        if not CLUSTER_REF.fullmatch(cluster):
            raise ValueError(f"cluster part {cluster!r} is not a cluster id or name")
        if not TYPE.fullmatch(kind):
            raise ValueError(f"type part {kind!r} is not a lower-case kind")
        if len(namespace) > 63 or not NAMESPACE.fullmatch(namespace):
            raise ValueError(f"namespace part {namespace!r} is not a namespace name")
        if not valid_name(name):
            raise ValueError(f"name part {name!r} is not an object name")
        return cls(cluster, kind, namespace, name)

    @staticmethod
    def looks_like(text: str) -> bool:
        return text.count(":") >= 3


def strip_managed_fields(obj: Json) -> Json:
    (obj.get("metadata") or {}).pop("managedFields", None)
    return obj


def is_secret(obj: Json) -> bool:
    return obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"


def redact_secret(obj: Json) -> Json:
    """A Secret with its values gone: key names and decoded sizes stay, under `dataSummary`.

    The last-applied annotation goes too: `kubectl apply` copies the values into it.
    """
    out = copy.deepcopy(obj)
    data = out.pop("data", None) or {}
    string_data = out.pop("stringData", None) or {}
    summary = []
    for key, value in sorted(data.items()):
        try:
            size = len(base64.b64decode(value or ""))
        except ValueError:
            size = None
        summary.append({"key": key, "size": size})
    summary.extend({"key": k, "size": len(str(v).encode())} for k, v in sorted(string_data.items()))
    out[SECRET_SUMMARY] = summary
    annotations = (out.get("metadata") or {}).get("annotations") or {}
    annotations.pop(LAST_APPLIED, None)
    return out


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _cond(obj: Json, ctype: str) -> str | None:
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") == ctype:
            return str(c.get("status"))
    return None


def _workload(spec: Json, status: Json, want: int) -> str:
    ready = int(status.get("readyReplicas") or status.get("numberReady") or 0)
    if want == 0:
        return "scaled_down"
    return "running" if ready >= want else ("progressing" if ready > 0 or not status else "degraded")


def status_of(obj: Json) -> tuple[str, Json]:
    """A one-word status and the reference's snake_case `status_info` for an object of any kind."""
    kind, spec, status = obj.get("kind", ""), obj.get("spec") or {}, obj.get("status") or {}
    if kind == "Pod":
        containers = status.get("containerStatuses") or []
        waiting = [c["state"]["waiting"].get("reason", "") for c in containers
                   if (c.get("state") or {}).get("waiting")]
        phase = str(status.get("phase") or "Unknown")
        word = next((w for w in waiting if w in ("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull")), phase)
        return word.lower(), {
            "phase": phase, "pod_ip": status.get("podIP"), "node_name": spec.get("nodeName"),
            "ready_containers": f"{sum(1 for c in containers if c.get('ready'))}/{len(spec.get('containers') or [])}",
            "restart_count": sum(int(c.get("restartCount") or 0) for c in containers)}
    if kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        want = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
        return _workload(spec, status, want), {
            "replicas": int(status.get("replicas") or 0), "ready_replicas": int(status.get("readyReplicas") or 0),
            "available_replicas": int(status.get("availableReplicas") or 0),
            "updated_replicas": int(status.get("updatedReplicas") or 0), "desired_replicas": want}
    if kind == "DaemonSet":
        want = int(status.get("desiredNumberScheduled") or 0)
        return ("running" if int(status.get("numberReady") or 0) >= want else "progressing"), {
            "desired_number_scheduled": want, "number_ready": int(status.get("numberReady") or 0),
            "number_available": int(status.get("numberAvailable") or 0)}
    if kind == "Job":
        word = ("succeeded" if _cond(obj, "Complete") == "True" else "failed" if _cond(obj, "Failed") == "True"
                else "running")
        return word, {k: int(status.get(k) or 0) and int(status.get(k) or 0)
                      for k in ("active", "succeeded", "failed")} | {"completion_time": status.get("completionTime")}
    if kind == "CronJob":
        return ("suspended" if spec.get("suspend") else "active"), {
            "schedule": spec.get("schedule"), "active": len(status.get("active") or []),
            "last_schedule_time": status.get("lastScheduleTime")}
    if kind == "Node":
        ready = _cond(obj, "Ready")
        word = "ready" if ready == "True" else "not_ready"
        return (word + ("_unschedulable" if spec.get("unschedulable") else "")), {
            "ready": ready == "True", "unschedulable": bool(spec.get("unschedulable")),
            "kubelet_version": (status.get("nodeInfo") or {}).get("kubeletVersion"),
            "capacity": status.get("capacity") or {}, "allocatable": status.get("allocatable") or {}}
    if kind == "Service":
        return "active", {"type": spec.get("type", "ClusterIP"), "cluster_ip": spec.get("clusterIP"),
                          "ports": spec.get("ports") or []}
    if kind in ("PersistentVolumeClaim", "PersistentVolume", "Namespace"):
        phase = str(status.get("phase") or "Unknown")
        return phase.lower(), {"phase": phase, **({"capacity": status["capacity"]} if "capacity" in status else {})}
    if kind == "HorizontalPodAutoscaler":
        return "active", {"current_replicas": status.get("currentReplicas"),
                          "desired_replicas": status.get("desiredReplicas")}
    if kind == "Event":
        return str(obj.get("type") or "Normal").lower(), {"reason": obj.get("reason"), "count": obj.get("count")}
    info = {snake(k): v for k, v in status.items() if not isinstance(v, dict | list)}
    ready = _cond(obj, "Ready")
    return ("ready" if ready == "True" else "not_ready" if ready == "False" else "active"), info


def item_view(cluster_id: int | None, cluster_name: str, type_name: str, obj: Json) -> Json:
    """The reference's unified item (2.1): where, what, status, spec and the id that round-trips."""
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or ""
    status, info = status_of(obj)
    if "spec" in obj:
        spec = obj["spec"]
    elif obj.get("kind") == "Secret":
        spec = {"type": obj.get("type"), "keys": obj.get(SECRET_SUMMARY, [])}
    elif obj.get("kind") == "ConfigMap":
        spec = {"keys": sorted([*(obj.get("data") or {}), *(obj.get("binaryData") or {})])}
    else:
        spec = {}
    ref = str(cluster_id) if cluster_id is not None else cluster_name
    return {"id": str(ObjectId(ref, type_name, namespace, meta.get("name", ""))),
            "cluster_id": cluster_id, "cluster_name": cluster_name, "type": type_name,
            "kind": obj.get("kind", ""), "api_version": obj.get("apiVersion", ""), "namespace": namespace,
            "name": meta.get("name", ""), "status": status, "creation_time": meta.get("creationTimestamp"),
            "labels": meta.get("labels") or {}, "spec": spec, "status_info": info}


# A kube-apiserver spends minutes of CPU parsing a quantity with a huge decimal exponent (".6E-57970540073"):
# such a value in any object written through the layer is refused before it reaches a member. Free-form
# text (ConfigMap and Secret data, labels, annotations) is not a quantity and is not looked at.
_HUGE_EXPONENT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]{3,}")
_FREE_TEXT = frozenset({"data", "stringData", "binaryData", "labels", "annotations"})


def huge_exponent(body: Any, path: str = "") -> str | None:
    """The path of the first string that is a number with an exponent of 3 or more digits, else None."""
    if isinstance(body, dict):
        for key, value in body.items():
            if key in _FREE_TEXT:
                continue
            found = huge_exponent(value, f"{path}.{key}" if path else str(key))
            if found:
                return found
    elif isinstance(body, list):
        for i, value in enumerate(body):
            found = huge_exponent(value, f"{path}[{i}]")
            if found:
                return found
    elif isinstance(body, str) and _HUGE_EXPONENT.fullmatch(body.strip()):
        return path or "body"
    return None
