"""Unified resources across members (多云集群 API 2.1–2.7): query, CRUD, batch operations and compare.

Transport-free: the shim resolves and authorizes clusters, then calls these with sessions from
MemberAccess. Writes are dry-run on the member first, so a bad object is refused with the member's own
field errors before anything changes.
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from cloudops.diff import diff, normalize
from cloudops.labels import key_error, value_error
from cloudops.members.access import ClusterRef, FanOutError, MemberAccess
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.objects import SECRET_SUMMARY, is_secret, item_view
from cloudops.members.session import MemberSession

__all__ = ["BatchItem", "Operation", "compare", "compare_objects", "prepare_object", "query", "run_batch",
           "update_object"]

Json = dict[str, Any]
Operation = Literal["scale", "restart", "delete", "label", "set_image"]
RESTARTABLE = {"Deployment", "StatefulSet", "DaemonSet"}
POD_TEMPLATE = {"Deployment": ("spec", "template"), "StatefulSet": ("spec", "template"),
                "DaemonSet": ("spec", "template"), "ReplicaSet": ("spec", "template"), "Job": ("spec", "template"),
                "CronJob": ("spec", "jobTemplate", "spec", "template")}


def _sort_key(item: Json) -> tuple[int, str, str, str]:
    cid = item.get("cluster_id")
    return (cid if isinstance(cid, int) else 1 << 62, item["cluster_name"], item["namespace"], item["name"])


async def query(access: MemberAccess, clusters: list[ClusterRef], type_name: str, namespace: str | None,
                label_selector: str | None, field_selector: str | None = None,
                max_items: int = 5000) -> tuple[list[Json], list[FanOutError], list[str]]:
    """Items of one type from every cluster, sorted by cluster, namespace and name; failures per cluster."""

    async def one(c: ClusterRef, s: MemberSession) -> tuple[list[Json], bool]:
        rt = await s.resolve(type_name)
        objs, truncated = await s.list_all(rt, namespace if rt.namespaced else None, label_selector=label_selector,
                                           field_selector=field_selector, max_items=max_items)
        return [item_view(c.id, c.name, rt.type_name, o) for o in objs], truncated

    done, errors = await access.fan_out(clusters, one)
    items: list[Json] = []
    notes: list[str] = []
    for c, (views, truncated) in done:
        items.extend(views)
        if truncated:
            notes.append(f"cluster {c.name!r}: more than {max_items} items; only the first {max_items} were read")
    items.sort(key=_sort_key)
    return items, errors, notes


def prepare_object(rt: ResourceType, resource: Json, namespace: str | None) -> tuple[Json, str | None]:
    """The object to send: apiVersion and kind filled or checked, namespace placed. ValueError says what is off."""
    obj = copy.deepcopy(resource)
    if obj.get("kind") not in (None, rt.kind):
        raise ValueError(f"resource.kind: {obj.get('kind')!r} does not match resource_type {rt.type_name!r} "
                         f"({rt.kind})")
    if obj.get("apiVersion") not in (None, rt.api_version) and str(obj.get("apiVersion")).split("/")[0] != \
            (rt.group or obj.get("apiVersion")):
        raise ValueError(f"resource.apiVersion: {obj.get('apiVersion')!r} is not in the group of {rt.kind}")
    obj.setdefault("apiVersion", rt.api_version)
    obj["kind"] = rt.kind
    meta = obj.setdefault("metadata", {})
    if not isinstance(meta, dict) or not meta.get("name"):
        raise ValueError("resource.metadata.name: required")
    ns = meta.get("namespace")
    if rt.namespaced:
        if namespace and ns and ns != namespace:
            raise ValueError(f"resource.metadata.namespace: {ns!r} differs from namespace {namespace!r}")
        ns = ns or namespace or "default"
        meta["namespace"] = ns
    else:
        if ns:
            raise ValueError(f"resource.metadata.namespace: {rt.kind} is cluster-scoped")
        ns = None
    obj.pop(SECRET_SUMMARY, None)
    return obj, ns


async def update_object(session: MemberSession, rt: ResourceType, namespace: str | None, name: str,
                        resource: Json) -> Json:
    """Replace with the member's dry run first. A Secret sent back without values keeps its values:
    views never carry them, so a read-modify-write through this API must not wipe them."""
    obj, _ = prepare_object(rt, resource, namespace)
    if obj["metadata"]["name"] != name:
        raise ValueError(f"resource.metadata.name: {obj['metadata']['name']!r} differs from the id's name {name!r}")
    if is_secret(obj) and "data" not in obj and "stringData" not in obj:
        current = await session.get(rt, namespace, name, reveal=True)
        if current.get("data"):
            obj["data"] = current["data"]
    await session.replace(rt, namespace, name, obj, dry_run=True)
    return await session.replace(rt, namespace, name, obj)


# -- batch ---------------------------------------------------------------------------------------------------


@dataclass
class BatchItem:
    type: str
    namespace: str
    name: str
    parameters: Json = field(default_factory=dict)


def _template(obj: Json) -> Json | None:
    path = POD_TEMPLATE.get(obj.get("kind", ""))
    if path is None:
        return None
    node: Any = obj
    for p in path:
        node = node.get(p) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _require(params: Json, key: str, kind: type) -> Any:
    value = params.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ValueError(f"parameters.{key}: required, {kind.__name__}")
    return value


def _image_patch(obj: Json, params: Json) -> Json:
    kind = obj.get("kind", "")
    spec = (obj.get("spec") or {}) if kind == "Pod" else ((_template(obj) or {}).get("spec") or {})
    names = [c.get("name") for c in spec.get("containers") or []]
    raw_images = params.get("images")
    images: Json = raw_images if isinstance(raw_images, dict) else {}
    if not images:
        image = _require(params, "image", str)
        container = params.get("container") or (names[0] if len(names) == 1 else None)
        if container is None:
            raise ValueError(f"parameters.container: required, the pod template has containers {names}")
        images = {container: image}
    unknown = [c for c in images if c not in names]
    if unknown:
        raise ValueError(f"parameters.container: {unknown} not in the pod template (containers: {names})")
    containers = [{"name": n, "image": i} for n, i in images.items()]
    if kind == "Pod":
        return {"spec": {"containers": containers}}
    patch: Json = {"spec": {"containers": containers}}
    for p in reversed(POD_TEMPLATE[kind]):
        patch = {p: patch}
    return patch


async def _operate(session: MemberSession, op: Operation, item: BatchItem) -> Json:
    rt = await session.resolve(item.type)
    ns = item.namespace if rt.namespaced else None
    if op == "delete":
        await session.delete(rt, ns, item.name, propagation=item.parameters.get("propagation_policy", "Background"))
        return {"deleted": True}
    if op == "scale":
        replicas = _require(item.parameters, "replicas", int)
        if replicas < 0:
            raise ValueError("parameters.replicas: must be >= 0")
        if "scale" not in rt.subresources:
            raise ValueError(f"type: {rt.kind} has no scale subresource")
        scaled = await session.patch(rt, ns, item.name, {"spec": {"replicas": replicas}}, subresource="scale")
        return {"replicas": (scaled.get("spec") or {}).get("replicas")}
    if op == "label":
        labels = _require(item.parameters, "labels", dict)
        for k, v in labels.items():
            if err := key_error(k) or (value_error(v) if isinstance(v, str) else None if v is None else
                                       f"value of {k!r}: a string, or null to remove"):
                raise ValueError(f"parameters.labels: {err}")
        patched = await session.patch(rt, ns, item.name, {"metadata": {"labels": labels}})
        return {"labels": (patched.get("metadata") or {}).get("labels") or {}}
    obj = await session.get(rt, ns, item.name)
    if op == "restart":
        if obj.get("kind") not in RESTARTABLE:
            raise ValueError(f"type: restart applies to {sorted(RESTARTABLE)}, not {obj.get('kind')}")
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        patch = {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": at}}}}}
        await session.patch(rt, ns, item.name, patch)
        return {"restarted_at": at}
    # set_image: a strategic merge patch matches containers by name and leaves the others alone.
    if obj.get("kind") != "Pod" and _template(obj) is None:
        raise ValueError(f"type: {obj.get('kind')} has no pod template")
    patch = _image_patch(obj, item.parameters)
    patch.setdefault("metadata", {})["resourceVersion"] = obj["metadata"]["resourceVersion"]
    await session.patch(rt, ns, item.name, patch, patch_type="strategic")
    return {"images": {c["name"]: c["image"] for c in _containers_of(patch)}}


def _containers_of(patch: Json) -> list[Json]:
    node: Any = patch
    while isinstance(node, dict) and "containers" not in node:
        node = node.get("spec") or node.get("template") or node.get("jobTemplate")
    return list(node.get("containers") or []) if isinstance(node, dict) else []


async def run_batch(access: MemberAccess, clusters: list[ClusterRef], op: Operation,
                    items: list[BatchItem]) -> list[Json]:
    """One result per cluster and resource: ok with what changed, or the error with its code."""

    async def per_cluster(c: ClusterRef, s: MemberSession) -> list[Json]:
        outcomes = await asyncio.gather(*(_operate(s, op, it) for it in items), return_exceptions=True)
        rows = []
        for it, out in zip(items, outcomes, strict=True):
            row: Json = {"cluster_id": c.id, "cluster_name": c.name, "type": it.type, "namespace": it.namespace,
                   "name": it.name, "id": f"{c.ref}:{it.type}:{it.namespace}:{it.name}"}
            if isinstance(out, MemberError):
                row.update(success=False, status=out.status, code=out.code, error=out.detail)
            elif isinstance(out, ValueError):
                row.update(success=False, status=400, code=400, error=str(out))
            elif isinstance(out, BaseException):
                raise out
            else:
                row.update(success=True, status=200, code=200, result=out)
            rows.append(row)
        return rows

    done, errors = await access.fan_out(clusters, per_cluster)
    results = [row for _, rows in done for row in rows]
    for e in errors:
        results.extend({"cluster_id": e.cluster_id, "cluster_name": e.cluster_name, "type": it.type,
                        "namespace": it.namespace, "name": it.name,
                        "id": f"{e.cluster_id if e.cluster_id is not None else e.cluster_name}:{it.type}:"
                              f"{it.namespace}:{it.name}",
                        "success": False, "status": e.status, "code": e.code, "error": e.error} for it in items)
    order = {c.name: i for i, c in enumerate(clusters)}
    results.sort(key=lambda r: order.get(r["cluster_name"], 0))
    return results


# -- compare ---------------------------------------------------------------------------------------------------


def _compare_normal(obj: Json, include_metadata: bool) -> Json:
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


def _summary_fields(obj: Json) -> Json:
    spec = obj.get("spec") or {}
    pod_spec = spec if obj.get("kind") == "Pod" else ((_template(obj) or {}).get("spec") or {})
    containers = pod_spec.get("containers") or []
    return {"replicas": spec.get("replicas"), "image": containers[0].get("image") if containers else None,
            "images": [c.get("image") for c in containers]}


def _value_at(changes_paths: set[str], path: str, fallback: Any) -> Any:
    """Cluster j's value at `path` when j's diff against the base says nothing there: the base's value,
    unless j differs at an enclosing or enclosed path (then it is not known from the diff: None)."""
    for p in changes_paths:
        if _encloses(p, path) or _encloses(path, p):
            return None
    return fallback


def _encloses(outer: str, inner: str) -> bool:
    return inner == outer or inner.startswith(outer + ".") or inner.startswith(outer + "[")


def compare_objects(objects: list[tuple[ClusterRef, Json | None]], include_metadata: bool = True) -> Json:
    """One row of 2.7: the same-named object in each cluster (None where absent) and field differences,
    each cluster against the first that has the object."""
    if not any(o is not None for _, o in objects):
        raise ValueError("compare_objects needs the object in at least one cluster")
    meta = next((o.get("metadata") or {} for _, o in objects if o is not None), {})
    row: Json = {"resource_name": meta.get("name", ""), "namespace": meta.get("namespace", "")}
    present = [(c, o) for c, o in objects if o is not None]
    for i, (c, o) in enumerate(objects, start=1):
        row[f"cluster_{i}"] = {"cluster_id": c.id, "cluster_name": c.name, "present": o is not None,
                               **(_summary_fields(o) if o is not None else {})}
    row["missing_in"] = [c.id if c.id is not None else c.name for c, o in objects if o is None]
    base_index = next(i for i, (_, o) in enumerate(objects) if o is not None)
    base = _compare_normal(present[0][1], include_metadata)
    per_cluster: dict[int, dict[str, Any]] = {}
    base_values: dict[str, Any] = {}
    for i, (_, o) in enumerate(objects):
        if o is None or i == base_index:
            continue
        changes = diff(base, _compare_normal(o, include_metadata), index_from="old")
        per_cluster[i] = {ch.path: ch.new_value for ch in changes}
        for ch in changes:
            base_values.setdefault(ch.path, ch.old_value)
    differences = []
    for path in sorted(base_values):
        entry: Json = {"field": path}
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
    row["differences"] = differences
    row["identical"] = not differences and not row["missing_in"]
    return row


def _key(obj: Json, qualified: bool) -> str:
    meta = obj.get("metadata") or {}
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}" if qualified else str(meta.get("name", ""))


async def compare(access: MemberAccess, clusters: list[ClusterRef], type_name: str, namespace: str | None,
                  name: str | None, label_selector: str | None,
                  include_metadata: bool) -> tuple[list[Json], list[FanOutError]]:
    async def one(c: ClusterRef, s: MemberSession) -> dict[str, Json]:
        rt = await s.resolve(type_name)
        ns = namespace if rt.namespaced else None
        if name:
            try:
                return {_key(o, rt.namespaced and ns is None): o for o in [await s.get(rt, ns or "default", name)]}
            except MemberError as e:
                if e.status == 404:
                    return {}
                raise
        objs, _ = await s.list_all(rt, ns, label_selector=label_selector, max_items=2000)
        # Across namespaces, `namespace/name` is what must match.
        return {_key(o, rt.namespaced and ns is None): o for o in objs}

    done, errors = await access.fan_out(clusters, one)
    names = sorted({n for _, objs in done for n in objs})
    rows = [compare_objects([(c, objs.get(n)) for c, objs in done], include_metadata) for n in names]
    return rows, errors
