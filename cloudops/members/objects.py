"""Objects inside members: the one id scheme, Secret redaction, and the reference's item view.

Id: `<cluster id>:<type>:<namespace>:<name>`, type the singular lower-case kind, namespace empty for
cluster-scoped objects (`1:node::node-000000`). It decodes without a lookup; a name may itself hold `:`
(RBAC names such as `system:auth-delegator`), so only the first three separators count.
"""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, TypeGuard

from cloudops.errors import BadRequest, UpstreamFailed
from cloudops.kube.types import JsonObject, JsonValue, KubeObject

if TYPE_CHECKING:
    from cloudops.members.access import ClusterRef

__all__ = [
    "SECRET_SUMMARY",
    "ItemView",
    "ObjectId",
    "as_json",
    "as_object",
    "huge_exponent",
    "is_object",
    "is_secret",
    "item_view",
    "locate",
    "redact_secret",
    "snake",
    "status_of",
    "strip_managed_fields",
]

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


def is_object(value: object) -> TypeGuard[KubeObject]:
    """A JSON object whose typed fields (apiVersion, kind, metadata) have the types a Kubernetes object gives them."""
    if not isinstance(value, dict):
        return False
    return (("metadata" not in value or isinstance(value["metadata"], dict))
            and isinstance(value.get("apiVersion", ""), str) and isinstance(value.get("kind", ""), str))


def as_object(value: object) -> KubeObject:
    """What a member sent, as the Kubernetes object it must be (502/1001 when it is not one)."""
    if is_object(value):
        return value
    raise UpstreamFailed("the member answered with something that is not a Kubernetes object")


def locate(raw: str, field: str, namespace: str | None, *, cluster: ClusterRef | None = None,
           type_name: str | None = None) -> tuple[str | None, str]:
    """(namespace, name) for a path segment that is an object's name or its id (whose namespace wins over
    `namespace`); with `cluster` and `type_name`, an id must be of that cluster and type. 400 naming `field`."""
    if not ObjectId.looks_like(raw):
        if not valid_name(raw):
            raise BadRequest(f"{raw[:80]!r} is not an object name", field=field)
        return namespace, raw
    try:
        oid = ObjectId.parse(raw)
    except ValueError as e:
        raise BadRequest(str(e), field=field) from None
    if cluster is not None and oid.cluster not in (cluster.ref, cluster.name):
        raise BadRequest(f"{raw[:80]!r} is an object of cluster {oid.cluster!r}, not of {cluster.name!r}",
                         field=field)
    if type_name is not None and oid.type != type_name:
        raise BadRequest(f"{raw[:80]!r} is the id of a {oid.type}, not of a {type_name}", field=field)
    return oid.namespace or namespace, oid.name


def as_json(value: object) -> JsonValue:
    """A value read out of a parsed JSON document, typed as the JSON it is."""
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def strip_managed_fields(obj: Mapping[str, object]) -> None:
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)


def is_secret(obj: Mapping[str, object]) -> bool:
    return obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"


def redact_secret(obj: Mapping[str, object]) -> dict[str, object]:
    """A Secret with its values gone: key names and decoded sizes stay, under `dataSummary`.

    The last-applied annotation goes too: `kubectl apply` copies the values into it.
    """
    out = copy.deepcopy(dict(obj))
    data, string_data = out.pop("data", None), out.pop("stringData", None)
    summary: list[JsonObject] = []
    for key, value in sorted(data.items()) if isinstance(data, dict) else ():
        try:
            size: int | None = len(base64.b64decode(value or ""))
        except ValueError:
            size = None
        summary.append({"key": key, "size": size})
    if isinstance(string_data, dict):
        summary.extend({"key": k, "size": len(str(v).encode())} for k, v in sorted(string_data.items()))
    out[SECRET_SUMMARY] = summary
    meta = out.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if isinstance(annotations, dict):
        annotations.pop(LAST_APPLIED, None)
    return out


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _cond(obj: KubeObject, ctype: str) -> str | None:
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") == ctype:
            return str(c.get("status"))
    return None


def _workload(obj: KubeObject, want: int) -> str:
    status = obj.get("status") or {}
    ready = int(status.get("readyReplicas") or status.get("numberReady") or 0)
    if want == 0:
        return "scaled_down"
    return "running" if ready >= want else ("progressing" if ready > 0 or not status else "degraded")


def _pod_status(obj: KubeObject) -> tuple[str, JsonObject]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    containers = status.get("containerStatuses") or []
    waiting = [c["state"]["waiting"].get("reason", "") for c in containers if (c.get("state") or {}).get("waiting")]
    phase = str(status.get("phase") or "Unknown")
    word = next((w for w in waiting if w in ("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull")), phase)
    return word.lower(), {
        "phase": phase, "pod_ip": status.get("podIP"), "node_name": spec.get("nodeName"),
        "ready_containers": f"{sum(1 for c in containers if c.get('ready'))}/{len(spec.get('containers') or [])}",
        "restart_count": sum(int(c.get("restartCount") or 0) for c in containers)}


def _workload_status(obj: KubeObject) -> tuple[str, JsonObject]:
    kind, spec, status = obj.get("kind", ""), obj.get("spec") or {}, obj.get("status") or {}
    if kind == "DaemonSet":
        want = int(status.get("desiredNumberScheduled") or 0)
        return ("running" if int(status.get("numberReady") or 0) >= want else "progressing"), {
            "desired_number_scheduled": want, "number_ready": int(status.get("numberReady") or 0),
            "number_available": int(status.get("numberAvailable") or 0)}
    if kind == "Job":
        word = ("succeeded" if _cond(obj, "Complete") == "True" else "failed" if _cond(obj, "Failed") == "True"
                else "running")
        counts: JsonObject = {k: int(status.get(k) or 0) and int(status.get(k) or 0)
                              for k in ("active", "succeeded", "failed")}
        return word, counts | {"completion_time": status.get("completionTime")}
    if kind == "CronJob":
        return ("suspended" if spec.get("suspend") else "active"), {
            "schedule": spec.get("schedule"), "active": len(status.get("active") or []),
            "last_schedule_time": status.get("lastScheduleTime")}
    want = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
    return _workload(obj, want), {
        "replicas": int(status.get("replicas") or 0), "ready_replicas": int(status.get("readyReplicas") or 0),
        "available_replicas": int(status.get("availableReplicas") or 0),
        "updated_replicas": int(status.get("updatedReplicas") or 0), "desired_replicas": want}


def _other_status(obj: KubeObject) -> tuple[str, JsonObject]:
    kind, spec, status = obj.get("kind", ""), obj.get("spec") or {}, obj.get("status") or {}
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
        return str(obj.get("type") or "Normal").lower(), {"reason": as_json(obj.get("reason")),
                                                      "count": as_json(obj.get("count"))}
    info: JsonObject = {snake(k): v for k, v in status.items() if not isinstance(v, dict | list)}
    ready = _cond(obj, "Ready")
    return ("ready" if ready == "True" else "not_ready" if ready == "False" else "active"), info


def status_of(obj: Mapping[str, object]) -> tuple[str, JsonObject]:
    """A one-word status and the reference's snake_case `status_info` for an object of any kind."""
    o = as_object(obj)
    kind = o.get("kind", "")
    if kind == "Pod":
        return _pod_status(o)
    if kind in ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job", "CronJob"):
        return _workload_status(o)
    return _other_status(o)


class ItemView(TypedDict):
    """The reference's unified item (2.1), as cloudops.services.common.MemberObject declares it."""

    id: str
    cluster_id: int | None
    cluster_name: str
    type: str
    kind: str
    api_version: str
    namespace: str
    name: str
    status: str
    creation_time: str | None
    labels: dict[str, str]
    spec: JsonObject
    status_info: JsonObject


def item_view(cluster_id: int | None, cluster_name: str, type_name: str, obj: Mapping[str, object]) -> ItemView:
    """The reference's unified item (2.1): where, what, status, spec and the id that round-trips."""
    o = as_object(obj)
    meta = o.get("metadata") or {}
    namespace = meta.get("namespace") or ""
    status, info = status_of(o)
    spec: JsonObject
    if "spec" in o:
        spec = o["spec"]
    elif o.get("kind") == "Secret":
        spec = {"type": o.get("type"), "keys": as_json(obj.get(SECRET_SUMMARY, []))}
    elif o.get("kind") == "ConfigMap":
        spec = {"keys": sorted([*(o.get("data") or {}), *(o.get("binaryData") or {})])}
    else:
        spec = {}
    ref = str(cluster_id) if cluster_id is not None else cluster_name
    return {"id": str(ObjectId(ref, type_name, namespace, meta.get("name", ""))),
            "cluster_id": cluster_id, "cluster_name": cluster_name, "type": type_name,
            "kind": o.get("kind", ""), "api_version": o.get("apiVersion", ""), "namespace": namespace,
            "name": meta.get("name", ""), "status": status, "creation_time": meta.get("creationTimestamp"),
            "labels": meta.get("labels") or {}, "spec": spec, "status_info": info}


# A kube-apiserver spends minutes of CPU parsing a quantity with a huge decimal exponent (".6E-57970540073"):
# such a value in any object written through the layer is refused before it reaches a member. Free-form
# text (ConfigMap and Secret data, labels, annotations) and names (a container named "1e100" is a valid DNS
# label, never parsed as a number) are not quantities and are not looked at.
_HUGE_EXPONENT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]{3,}")
_NOT_QUANTITIES = frozenset({"data", "stringData", "binaryData", "labels", "annotations", "matchLabels",
                        "name", "generateName", "namespace", "container", "kind", "apiVersion", "image", "uid"})


def huge_exponent(body: object, path: str = "") -> str | None:
    """The path of the first string that is a number with an exponent of 3 or more digits, else None."""
    if isinstance(body, dict):
        for key, value in body.items():
            if key in _NOT_QUANTITIES:
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
