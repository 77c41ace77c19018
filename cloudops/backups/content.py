"""What goes into a backup and how it comes back out: collection from a member, and restore.

A backup entry (`Entry`) is one object with where it came from, the object normalized (cloudops.diff.normalize:
no status, uid, resourceVersion, managedFields...). Secret values are read here with reveal=True and only ever
leave this module sealed inside a backup.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from cloudops.backups.packing import IntegrityError
from cloudops.diff import normalize
from cloudops.errors import BadRequest, BusinessCode, StateConflict, Unprocessable
from cloudops.kube.types import JsonObject
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession

__all__ = [
    "NAMESPACE_NAMES",
    "NAMESPACE_TYPES",
    "BackupFailed",
    "Entry",
    "RestoreConflict",
    "RestoreRefused",
    "Restored",
    "collect_namespace",
    "collect_object",
    "collect_selection",
    "entries_of",
    "prepare_restore",
    "restore",
]

# What a namespace backup holds: its workloads, services, configmaps and secrets.
NAMESPACE_TYPES = ("deployments.apps", "statefulsets.apps", "daemonsets.apps", "cronjobs.batch", "services",
                   "configmaps", "secrets")
NAMESPACE_NAMES = ("namespace", "namespaces", "ns")
MAX_OBJECTS = 2000
# Written by Kubernetes itself in every namespace; restoring them would collide with the originals.
_SKIP_CONFIGMAPS = ("kube-root-ca.crt",)
_SKIP_SECRET_TYPES = ("kubernetes.io/service-account-token",)


class Entry(TypedDict):
    """One object of a backup, as stored (JSON) and restored."""

    group: str
    version: str
    plural: str
    kind: str
    type: str
    namespace: str
    name: str
    object: JsonObject


class BackupFailed(Unprocessable, ValueError):
    """The selection cannot be backed up (too many objects, nothing matched): 422/1007 about the resource_id."""

    code = BusinessCode.BACKUP_FAILED

    def __init__(self, message: str, *, field: str = "resource_id") -> None:
        super().__init__(message, field=field)


class RestoreConflict(StateConflict):
    """Targets that exist while overwrite is false (409/1006); the message names them."""

    def __init__(self, message: str, *, field: str = "overwrite") -> None:
        super().__init__(message, field=field)


class RestoreRefused(BadRequest, ValueError):
    """A restore request that cannot be carried out as asked (400)."""


def _entry(rt: ResourceType, obj: Mapping[str, Any]) -> Entry:
    meta = obj.get("metadata") or {}
    clean: JsonObject = normalize(obj)
    clean.setdefault("apiVersion", rt.api_version)
    clean.setdefault("kind", rt.kind)
    return Entry(group=rt.group, version=rt.version, plural=rt.plural, kind=rt.kind, type=rt.type_name,
                 namespace=meta.get("namespace") or "", name=meta.get("name", ""), object=clean)


def entries_of(objects: Sequence[object]) -> list[Entry]:
    """Decoded backup content as entries (its checksum and tag were verified before it was decoded)."""
    out: list[Entry] = []
    for item in objects:
        if not isinstance(item, dict) or not isinstance(item.get("object"), dict):
            raise IntegrityError("content is not a backup of a known format")
        out.append(Entry(group=str(item.get("group") or ""), version=str(item.get("version") or ""),
                         plural=str(item.get("plural") or ""), kind=str(item.get("kind") or ""),
                         type=str(item.get("type") or ""), namespace=str(item.get("namespace") or ""),
                         name=str(item.get("name") or ""), object=item["object"]))
    return out


def _skipped(obj: Mapping[str, Any]) -> bool:
    meta = obj.get("metadata") or {}
    if any(ref.get("controller") for ref in meta.get("ownerReferences") or []):
        return True  # made by a controller, which recreates it from its owner
    if obj.get("kind") == "ConfigMap" and meta.get("name") in _SKIP_CONFIGMAPS:
        return True
    return obj.get("kind") == "Secret" and obj.get("type") in _SKIP_SECRET_TYPES


async def collect_object(session: MemberSession, rt: ResourceType, namespace: str | None, name: str) -> list[Entry]:
    return [_entry(rt, await session.get(rt, namespace, name, reveal=True))]


async def _all(session: MemberSession, rt: ResourceType, namespace: str | None) -> list[Entry]:
    items: list[Entry] = []
    token: str | None = None
    while True:
        page = await session.list_page(rt, namespace, limit=500, continue_token=token, reveal=True)
        items.extend(_entry(rt, o) for o in page.items if not _skipped(o))
        token = page.continue_token
        if not token or len(items) > MAX_OBJECTS:
            return items


async def collect_namespace(session: MemberSession, namespace: str) -> list[Entry]:
    """The namespace's workloads, services, configmaps and secrets; BackupFailed past MAX_OBJECTS."""
    await session.get(await session.resolve("namespaces"), None, namespace)  # 404 names it when absent
    out: list[Entry] = []
    for type_name in NAMESPACE_TYPES:
        try:
            rt = await session.resolve(type_name)
        except MemberError as e:
            if e.status == 404:
                continue  # a type this member does not serve
            raise
        out.extend(await _all(session, rt, namespace))
        if len(out) > MAX_OBJECTS:
            raise BackupFailed(f"namespace {namespace!r} holds more than {MAX_OBJECTS} objects to back up")
    return out


async def _named(session: MemberSession, rt: ResourceType, namespace: str | None, names: list[str]) -> list[Entry]:
    out: list[Entry] = []
    for name in names:
        try:
            out.extend(await collect_object(session, rt, namespace, name))
        except MemberError as e:
            if e.status != 404:
                raise
    return out


async def collect_selection(session: MemberSession, types: list[str], namespaces: list[str],
                            names: list[str]) -> list[Entry]:
    """A schedule's selection: each type in each namespace (all when none are named), only `names` if
    given; `namespace` as a type backs up whole namespaces. BackupFailed when nothing or too much matches."""
    out: list[Entry] = []
    for type_name in types:
        if type_name in NAMESPACE_NAMES:
            for whole in namespaces:
                out.extend(await collect_namespace(session, whole))
            continue
        rt = await session.resolve(type_name)
        scopes: list[str | None] = list(namespaces) if rt.namespaced and namespaces else [None]
        for ns in scopes:
            out.extend(await _named(session, rt, ns, names) if names else await _all(session, rt, ns))
        if len(out) > MAX_OBJECTS:
            raise BackupFailed(f"the selection holds more than {MAX_OBJECTS} objects")
    if not out:
        raise BackupFailed("nothing matched the schedule's selection")
    return out


def _for_target(obj: JsonObject, namespace: str | None, name: str | None) -> JsonObject:
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


def prepare_restore(entries: list[Entry], namespace: str | None, name: str | None) -> list[Entry]:
    """Entries rewritten for their target: another namespace and/or (one object only) another name, with
    identity fields (uid, resourceVersion, ownerReferences, status) and per-cluster allocations removed."""
    if name is not None and len(entries) != 1:
        raise RestoreRefused("renames one object; a namespace backup takes the target namespace instead",
                             field="restore_name")
    out: list[Entry] = []
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
    action: Literal["created", "replaced"]


def _type_ref(e: Entry) -> str:
    return f"{e['plural']}.{e['group']}" if e.get("group") else str(e["plural"])


async def _exists(session: MemberSession, rt: ResourceType, namespace: str | None, name: str) -> bool:
    try:
        await session.get(rt, namespace, name)
    except MemberError as e:
        if e.status == 404:
            return False
        raise
    return True


Typed = list[tuple[ResourceType, Entry]]


async def _existing(session: MemberSession, typed: Typed, overwrite: bool) -> Typed:
    """The targets that exist; RestoreConflict (nothing written) when there are any and overwrite is false."""
    existing = [(rt, e) for rt, e in typed
                if await _exists(session, rt, e["namespace"] if rt.namespaced else None, e["name"])]
    if existing and not overwrite:
        names = ", ".join(f"{rt.type_name} {e['namespace'] + '/' if e['namespace'] else ''}{e['name']}"
                          for rt, e in existing[:10])
        raise RestoreConflict(f"overwrite is false and {len(existing)} target(s) exist: {names}")
    return existing


async def restore(session: MemberSession, entries: list[Entry], overwrite: bool) -> list[Restored]:
    """Checks every target, creates a missing namespace, dry-runs every write, then writes.

    RestoreConflict (nothing written) when a target exists and overwrite is false; a member refusal in the
    dry run is its MemberError, and a namespace created for it is removed again.
    """
    typed = [(await session.resolve(_type_ref(e)), e) for e in entries]
    existing = await _existing(session, typed, overwrite)
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


async def _write_all(session: MemberSession, typed: Typed, present: set[tuple[str, str, str]], dry_run: bool) -> None:
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
