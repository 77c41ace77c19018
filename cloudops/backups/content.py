"""What goes into a backup and how it comes back out: collection from a member, and restore.

A backup entry is `{group, version, plural, kind, type, namespace, name, object}`, the object
normalized (cloudops.diff.normalize: no status, uid, resourceVersion, managedFields...). Secret values
are read here with reveal=True and only ever leave this module sealed inside a backup.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from cloudops.diff import normalize
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession

__all__ = [
    "NAMESPACE_NAMES",
    "NAMESPACE_TYPES",
    "RestoreConflict",
    "Restored",
    "collect_namespace",
    "collect_object",
    "collect_selection",
    "prepare_restore",
    "restore",
]

Json = dict[str, Any]
# What a namespace backup holds: its workloads, services, configmaps and secrets.
NAMESPACE_TYPES = ("deployments.apps", "statefulsets.apps", "daemonsets.apps", "cronjobs.batch", "services",
                   "configmaps", "secrets")
MAX_OBJECTS = 2000
# Written by Kubernetes itself in every namespace; restoring them would collide with the originals.
_SKIP_CONFIGMAPS = ("kube-root-ca.crt",)
_SKIP_SECRET_TYPES = ("kubernetes.io/service-account-token",)


class RestoreConflict(Exception):
    """Targets that exist while overwrite is false; the message names them."""


def _entry(rt: ResourceType, obj: Json) -> Json:
    meta = obj.get("metadata") or {}
    clean = normalize(obj)
    clean.setdefault("apiVersion", rt.api_version)
    clean.setdefault("kind", rt.kind)
    return {"group": rt.group, "version": rt.version, "plural": rt.plural, "kind": rt.kind, "type": rt.type_name,
            "namespace": meta.get("namespace") or "", "name": meta.get("name", ""), "object": clean}


def _skipped(obj: Json) -> bool:
    meta = obj.get("metadata") or {}
    if any(ref.get("controller") for ref in meta.get("ownerReferences") or []):
        return True  # made by a controller, which recreates it from its owner
    if obj.get("kind") == "ConfigMap" and meta.get("name") in _SKIP_CONFIGMAPS:
        return True
    return obj.get("kind") == "Secret" and obj.get("type") in _SKIP_SECRET_TYPES


async def collect_object(session: MemberSession, rt: ResourceType, namespace: str | None, name: str) -> list[Json]:
    return [_entry(rt, await session.get(rt, namespace, name, reveal=True))]


async def _all(session: MemberSession, rt: ResourceType, namespace: str | None) -> list[Json]:
    items: list[Json] = []
    token: str | None = None
    while True:
        page = await session.list_page(rt, namespace, limit=500, continue_token=token, reveal=True)
        items.extend(page.items)
        token = page.continue_token
        if not token or len(items) > MAX_OBJECTS:
            return items


async def collect_namespace(session: MemberSession, namespace: str) -> list[Json]:
    """The namespace's workloads, services, configmaps and secrets; ValueError past MAX_OBJECTS."""
    await session.get(await session.resolve("namespaces"), None, namespace)  # 404 names it when absent
    out: list[Json] = []
    for type_name in NAMESPACE_TYPES:
        try:
            rt = await session.resolve(type_name)
        except MemberError as e:
            if e.status == 404:
                continue  # a type this member does not serve
            raise
        out.extend(_entry(rt, o) for o in await _all(session, rt, namespace) if not _skipped(o))
        if len(out) > MAX_OBJECTS:
            raise ValueError(f"namespace {namespace!r} holds more than {MAX_OBJECTS} objects to back up")
    return out


NAMESPACE_NAMES = ("namespace", "namespaces", "ns")


async def collect_selection(session: MemberSession, types: list[str], namespaces: list[str],
                            names: list[str]) -> list[Json]:
    """A schedule's selection: each type in each namespace (all when none are named), only `names` if
    given; `namespace` as a type backs up whole namespaces. ValueError when nothing or too much matches."""
    out: list[Json] = []
    for type_name in types:
        if type_name in NAMESPACE_NAMES:
            for whole in namespaces:
                out.extend(await collect_namespace(session, whole))
            continue
        rt = await session.resolve(type_name)
        scopes: list[str | None] = list(namespaces) if rt.namespaced and namespaces else [None]
        for ns in scopes:
            if names:
                for name in names:
                    try:
                        out.extend(await collect_object(session, rt, ns, name))
                    except MemberError as e:
                        if e.status != 404:
                            raise
            else:
                out.extend(_entry(rt, o) for o in await _all(session, rt, ns) if not _skipped(o))
        if len(out) > MAX_OBJECTS:
            raise ValueError(f"the selection holds more than {MAX_OBJECTS} objects")
    if not out:
        raise ValueError("nothing matched the schedule's selection")
    return out


def _for_target(obj: Json, namespace: str | None, name: str | None) -> Json:
    out = normalize(obj)
    out.pop("status", None)
    meta = out.setdefault("metadata", {})
    for key in ("ownerReferences", "uid", "resourceVersion", "generateName"):
        meta.pop(key, None)
    if namespace is not None:
        meta["namespace"] = namespace
    if name is not None:
        meta["name"] = name
    if out.get("kind") == "Service" and out.get("apiVersion") == "v1":
        spec = out.get("spec") or {}
        for key in ("clusterIP", "clusterIPs", "healthCheckNodePort"):
            spec.pop(key, None)
        for port in spec.get("ports") or []:
            port.pop("nodePort", None)  # allocated per cluster; kept they would collide
    return out


def prepare_restore(entries: list[Json], namespace: str | None, name: str | None) -> list[Json]:
    """Entries rewritten for their target: another namespace and/or (one object only) another name, with
    identity fields (uid, resourceVersion, ownerReferences, status) and per-cluster allocations removed."""
    if name is not None and len(entries) != 1:
        raise ValueError("restore_name: renames one object; a namespace backup takes the target namespace instead")
    out = []
    for e in entries:
        target_ns = namespace if (namespace is not None and e.get("namespace")) else None
        out.append({**e, "namespace": target_ns if target_ns is not None else e.get("namespace", ""),
                    "name": name or e.get("name", ""),
                    "object": _for_target(copy.deepcopy(e["object"]), target_ns, name)})
    return out


@dataclass(frozen=True)
class Restored:
    type: str
    namespace: str
    name: str
    action: str  # created | replaced


def _type_ref(e: Json) -> str:
    return f"{e['plural']}.{e['group']}" if e.get("group") else str(e["plural"])


async def _exists(session: MemberSession, rt: ResourceType, namespace: str | None, name: str) -> bool:
    try:
        await session.get(rt, namespace, name)
    except MemberError as e:
        if e.status == 404:
            return False
        raise
    return True


async def restore(session: MemberSession, entries: list[Json], overwrite: bool) -> list[Restored]:
    """Checks every target, creates a missing namespace, dry-runs every write, then writes.

    RestoreConflict (nothing written) when a target exists and overwrite is false; a member refusal in the
    dry run is its MemberError, and a namespace created for it is removed again.
    """
    typed = [(await session.resolve(_type_ref(e)), e) for e in entries]
    existing = []
    for rt, e in typed:
        ns = e["namespace"] if rt.namespaced else None
        if await _exists(session, rt, ns, e["name"]):
            existing.append((rt, e))
    if existing and not overwrite:
        names = ", ".join(f"{rt.type_name} {e['namespace'] + '/' if e['namespace'] else ''}{e['name']}"
                          for rt, e in existing[:10])
        raise RestoreConflict(f"overwrite is false and {len(existing)} target(s) exist: {names}")
    created_ns = await _ensure_namespaces(session, {e["namespace"] for rt, e in typed if rt.namespaced})
    present = {(rt.plural, e["namespace"], e["name"]) for rt, e in existing}
    try:
        await _write_all(session, typed, present, dry_run=True)
    except BaseException:
        await _drop_namespaces(session, created_ns)
        raise
    await _write_all(session, typed, present, dry_run=False)
    return [Restored(rt.type_name, e["namespace"], e["name"],
                     "replaced" if (rt.plural, e["namespace"], e["name"]) in present else "created")
            for rt, e in typed]


async def _write_all(session: MemberSession, typed: list[tuple[ResourceType, Json]],
                     present: set[tuple[str, str, str]], dry_run: bool) -> None:
    for rt, e in typed:
        ns = e["namespace"] if rt.namespaced else None
        if (rt.plural, e["namespace"], e["name"]) in present:
            await session.patch(rt, ns, e["name"], e["object"], patch_type="apply", force=True, dry_run=dry_run)
        else:
            await session.create(rt, ns, e["object"], dry_run=dry_run)


async def _ensure_namespaces(session: MemberSession, names: set[str]) -> list[str]:
    rt = await session.resolve("namespaces")
    made = []
    for ns in sorted(n for n in names if n):
        if not await _exists(session, rt, None, ns):
            await session.create(rt, None, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            made.append(ns)
    return made


async def _drop_namespaces(session: MemberSession, names: list[str]) -> None:
    rt = await session.resolve("namespaces")
    for ns in names:
        try:
            await session.delete(rt, None, ns)
        except MemberError:
            pass
