"""Objects of any type inside a member (多云集群 API 2.1–2.7): preparing and replacing whole objects, the batch
operations on one object, and the compare row of one object across clusters.

Writes are dry-run on the member first, so a bad object is refused with the member's own field errors
before anything changes. The fan-out over clusters is cloudops.services.unified's.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, TypeVar, get_args

from cloudops.diff import diff, normalize
from cloudops.errors import BadRequest
from cloudops.kube.types import JsonObject, JsonValue, KubeObject
from cloudops.labels.selectors import field_selector_error, key_error, selector_error, value_error
from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.objects import SECRET_SUMMARY, as_object, is_secret
from cloudops.members.session import MemberSession
from cloudops.scheduling import WORKLOAD_KINDS, pod_spec

__all__ = ["BatchItem", "Operation", "ResourceError", "check_selectors", "compare_objects", "operate",
           "prepare_object", "update_object"]

Operation = Literal["scale", "restart", "delete", "label", "set_image"]
Propagation = Literal["Background", "Foreground", "Orphan"]
RESTARTABLE = {"Deployment", "StatefulSet", "DaemonSet"}
T = TypeVar("T")


class ResourceError(BadRequest, ValueError):
    """An object or a batch parameter that cannot be sent: 400 naming the field."""


def check_selectors(label_selector: str | None, field_selector: str | None = None) -> None:
    """A list's selectors as Kubernetes parses them: 400 naming the one that is malformed, before any member
    is asked (each would refuse it in its own words)."""
    if label_selector and (err := selector_error(label_selector)):
        raise BadRequest(err, field="label_selector")
    if field_selector and (err := field_selector_error(field_selector)):
        raise BadRequest(err, field="field_selector")


def prepare_object(rt: ResourceType, resource: Mapping[str, object],
                   namespace: str | None) -> tuple[KubeObject, str | None]:
    """The object to send: apiVersion and kind filled or checked, namespace placed. ResourceError (a
    ValueError) says what is off."""
    kind, api_version = resource.get("kind"), resource.get("apiVersion")
    if kind not in (None, rt.kind):
        raise ResourceError(f"{kind!r} does not match resource_type {rt.type_name!r} ({rt.kind})",
                            field="resource.kind")
    if api_version not in (None, rt.api_version) and str(api_version).split("/")[0] != (rt.group or api_version):
        raise ResourceError(f"{api_version!r} is not in the group of {rt.kind}", field="resource.apiVersion")
    meta = resource.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        raise ResourceError("required", field="resource.metadata.name")
    ns = meta.get("namespace")
    if rt.namespaced and namespace and ns and ns != namespace:
        raise ResourceError(f"{ns!r} differs from namespace {namespace!r}", field="resource.metadata.namespace")
    if not rt.namespaced and ns:
        raise ResourceError(f"{rt.kind} is cluster-scoped", field="resource.metadata.namespace")
    raw = copy.deepcopy(dict(resource))
    raw.pop(SECRET_SUMMARY, None)
    obj = as_object(raw)
    obj.setdefault("apiVersion", rt.api_version)
    obj["kind"] = rt.kind
    if rt.namespaced:
        ns = ns or namespace or "default"
        obj["metadata"]["namespace"] = ns
    return obj, ns if rt.namespaced else None


async def update_object(session: MemberSession, rt: ResourceType, namespace: str | None, name: str,
                        resource: Mapping[str, object]) -> KubeObject:
    """Replace with the member's dry run first. A Secret sent back without values keeps its values:
    views never carry them, so a read-modify-write through this API must not wipe them."""
    obj, _ = prepare_object(rt, resource, namespace)
    if obj["metadata"]["name"] != name:
        raise ResourceError(f"{obj['metadata']['name']!r} differs from the id's name {name!r}",
                            field="resource.metadata.name")
    if is_secret(obj) and "data" not in obj and "stringData" not in obj:
        current = await session.get(rt, namespace, name, reveal=True)
        if current.get("data"):
            obj["data"] = current["data"]
    await session.replace(rt, namespace, name, dict(obj), dry_run=True)
    return as_object(await session.replace(rt, namespace, name, dict(obj)))


# -- batch ---------------------------------------------------------------------------------------------------


@dataclass
class BatchItem:
    type: str
    namespace: str
    name: str
    parameters: Mapping[str, object] = field(default_factory=dict)


def _require(params: Mapping[str, object], key: str, kind: type[T]) -> T:
    value = params.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ResourceError(f"required, {kind.__name__}", field=f"parameters.{key}")
    return value


def _images(obj: KubeObject, params: Mapping[str, object]) -> JsonObject:
    """The images `set_image` sets, by container: `images`, or `image` for `container` (or the only one)."""
    names = [c.get("name") for c in pod_spec(obj).get("containers") or []]
    raw_images = params.get("images")
    images: JsonObject = dict(raw_images) if isinstance(raw_images, dict) else {}
    if not images:
        image = _require(params, "image", str)
        container = params.get("container") or (names[0] if len(names) == 1 else None)
        if container is None:
            raise ResourceError(f"required, the pod template has containers {names}", field="parameters.container")
        images = {str(container): image}
    unknown = [c for c in images if c not in names]
    if unknown:
        raise ResourceError(f"{unknown} not in the pod template (containers: {names})", field="parameters.container")
    return images


def _image_patch(obj: KubeObject, params: Mapping[str, object]) -> JsonObject:
    """A strategic merge patch of the pod template's containers: matched by name, the others left alone."""
    patch: JsonObject = {"containers": [{"name": n, "image": i} for n, i in _images(obj, params).items()]}
    for part in reversed(WORKLOAD_KINDS[obj.get("kind", "")]):
        patch = {part: patch}
    return patch


def _labels(params: Mapping[str, object]) -> JsonObject:
    labels = _require(params, "labels", dict)
    for k, v in labels.items():
        if err := key_error(k) or (value_error(v) if isinstance(v, str) else None if v is None else
                                   f"value of {k!r}: a string, or null to remove"):
            raise ResourceError(err, field="parameters.labels")
    return labels


async def _scale(session: MemberSession, rt: ResourceType, ns: str | None, item: BatchItem) -> JsonObject:
    replicas = _require(item.parameters, "replicas", int)
    if replicas < 0:
        raise ResourceError("must be >= 0", field="parameters.replicas")
    if "scale" not in rt.subresources:
        raise ResourceError(f"{rt.kind} has no scale subresource", field="type")
    scaled = await session.patch(rt, ns, item.name, {"spec": {"replicas": replicas}}, subresource="scale")
    return {"replicas": (scaled.get("spec") or {}).get("replicas")}


async def _delete(session: MemberSession, rt: ResourceType, ns: str | None, item: BatchItem) -> JsonObject:
    propagation = item.parameters.get("propagation_policy", "Background")
    policies: tuple[Propagation, ...] = get_args(Propagation)
    chosen = next((p for p in policies if p == propagation), None)
    if chosen is None:
        raise ResourceError(f"one of {', '.join(policies)}", field="parameters.propagation_policy")
    await session.delete(rt, ns, item.name, propagation=chosen)
    return {"deleted": True}


async def _rewrite(session: MemberSession, rt: ResourceType, ns: str | None, op: Operation,
                   item: BatchItem) -> JsonObject:
    """restart and set_image: read first, they depend on the kind and the pod template."""
    obj = as_object(await session.get(rt, ns, item.name))
    kind = obj.get("kind", "")
    if op == "restart":
        if kind not in RESTARTABLE:
            raise ResourceError(f"restart applies to {sorted(RESTARTABLE)}, not {kind}", field="type")
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        restart = {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": at}}}}}
        await session.patch(rt, ns, item.name, restart)
        return {"restarted_at": at}
    if kind not in WORKLOAD_KINDS:
        raise ResourceError(f"{kind} has no pod template", field="type")
    patch = _image_patch(obj, item.parameters)
    patch.setdefault("metadata", {"resourceVersion": obj["metadata"]["resourceVersion"]})
    await session.patch(rt, ns, item.name, patch, patch_type="strategic")
    return {"images": _images(obj, item.parameters)}


async def operate(session: MemberSession, op: Operation, item: BatchItem) -> JsonObject:
    """One batch operation on one object; what changed, for the result row."""
    rt = await session.resolve(item.type)
    ns = item.namespace if rt.namespaced else None
    if op == "delete":
        return await _delete(session, rt, ns, item)
    if op == "scale":
        return await _scale(session, rt, ns, item)
    if op == "label":
        labels = _labels(item.parameters)
        patched = await session.patch(rt, ns, item.name, {"metadata": {"labels": labels}})
        return {"labels": (patched.get("metadata") or {}).get("labels") or {}}
    return await _rewrite(session, rt, ns, op, item)


# -- compare ---------------------------------------------------------------------------------------------------


def _compare_normal(obj: KubeObject, include_metadata: bool) -> JsonObject:
    out = normalize(obj, include_metadata=include_metadata)
    meta = out.get("metadata") or {}
    for noise in ("ownerReferences", "namespace", "finalizers"):
        meta.pop(noise, None)
    spec = out.get("spec") or {}
    if out.get("kind") == "Pod":
        spec.pop("nodeName", None)
    if out.get("kind") == "Service":
        for k in ("clusterIP", "clusterIPs"):
            spec.pop(k, None)
    return out


def _summary_fields(obj: KubeObject) -> JsonObject:
    containers = pod_spec(obj).get("containers") or []
    return {"replicas": (obj.get("spec") or {}).get("replicas"),
            "image": containers[0].get("image") if containers else None,
            "images": [c.get("image") for c in containers]}


def _value_at(changes_paths: set[str], path: str, fallback: JsonValue) -> JsonValue:
    """Cluster j's value at `path` when j's diff against the base says nothing there: the base's value,
    unless j differs at an enclosing or enclosed path (then it is not known from the diff: None)."""
    for p in changes_paths:
        if _encloses(p, path) or _encloses(path, p):
            return None
    return fallback


def _encloses(outer: str, inner: str) -> bool:
    return inner == outer or inner.startswith(outer + ".") or inner.startswith(outer + "[")


def _differences(objects: list[tuple[ClusterRef, KubeObject | None]], base_index: int,
                 include_metadata: bool) -> list[JsonValue]:
    """Each field where a cluster differs from the base, with every cluster's value (`cluster_<i>_value`)."""
    base = _compare_normal(objects[base_index][1] or {}, include_metadata)
    per_cluster: dict[int, dict[str, JsonValue]] = {}
    base_values: dict[str, JsonValue] = {}
    for i, (_, o) in enumerate(objects):
        if o is None or i == base_index:
            continue
        changes = diff(base, _compare_normal(o, include_metadata), index_from="old")
        per_cluster[i] = {ch.path: ch.new_value for ch in changes}
        for ch in changes:
            base_values.setdefault(ch.path, ch.old_value)
    differences: list[JsonValue] = []
    for path in sorted(base_values):
        entry: JsonObject = {"field": path}
        for i, (_, o) in enumerate(objects):
            key = f"cluster_{i + 1}_value"
            if o is None:
                entry[key] = None
            elif i == base_index:
                entry[key] = base_values[path]
            elif path in per_cluster[i]:
                entry[key] = per_cluster[i][path]
            else:
                entry[key] = _value_at(set(per_cluster[i]), path, base_values[path])
        differences.append(entry)
    return differences


def compare_objects(objects: list[tuple[ClusterRef, KubeObject | None]], include_metadata: bool = True) -> JsonObject:
    """One row of 2.7: the same-named object in each cluster (None where absent) and field differences,
    each cluster against the first that has the object."""
    base_index = next((i for i, (_, o) in enumerate(objects) if o is not None), None)
    if base_index is None:
        raise ValueError("compare_objects needs the object in at least one cluster")
    meta = (objects[base_index][1] or {}).get("metadata") or {}
    row: JsonObject = {"resource_name": meta.get("name", ""), "namespace": meta.get("namespace", "")}
    for i, (c, o) in enumerate(objects, start=1):
        where: JsonObject = {"cluster_id": c.id, "cluster_name": c.name, "present": o is not None}
        row[f"cluster_{i}"] = where | (_summary_fields(o) if o is not None else {})
    missing: list[JsonValue] = [c.id if c.id is not None else c.name for c, o in objects if o is None]
    row["missing_in"] = missing
    row["differences"] = differences = _differences(objects, base_index, include_metadata)
    row["identical"] = not differences and not missing
    return row
