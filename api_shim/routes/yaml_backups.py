"""YAML 版本管理 API, 2. YAML 备份管理: backups of member objects kept in the hub (2.1–2.5).

A backup's cluster comes from its resource id or the backup itself, so each handler resolves and
authorizes it (capability `backups`) itself; the declaration's check is the capability in general.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, BusinessCode, ok
from api_shim.security.middleware import USER
from api_shim.state import ACCESS, HUB, REGISTRY, SETTINGS
from cloudops.backups.content import (
    NAMESPACE_NAMES,
    RestoreConflict,
    collect_namespace,
    collect_object,
    prepare_restore,
    restore,
)
from cloudops.backups.cron import CronError, parse_cron, zone
from cloudops.backups.packing import IntegrityError, TooLarge
from cloudops.backups.store import NewBackup, delete_backup, find_backup, list_backups, read_content, write_backup
from cloudops.backups.views import backup_view
from cloudops.constants import API_VERSION, YAML_BACKUP_SCHEDULE
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import NotFound
from cloudops.members.access import ClusterRef
from cloudops.members.objects import ObjectId, valid_name
from cloudops.paging import page
from cloudops.services.common import NAMESPACE_PATTERN as NAMESPACE
from cloudops.services.common import RESOURCE_TYPE_PATTERN as RESOURCE_TYPE
from cloudops.services.common import ClusterRefItem, PageInfo, PageQuery

__all__ = ["section"]

section = Section(tag="yaml-backups", resource="managedclusters")

BACKUP_NAME = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
NAMESPACE_TYPES = set(NAMESPACE_NAMES)
ResourceId = Field(min_length=1, max_length=600,
                   description="object id <cluster id>:<type>:<namespace>:<name>, or a bare name with cluster_id, "
                               "resource_type and namespace")
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")


class CreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resource_id: str = ResourceId
    resource_type: str = Field(pattern=RESOURCE_TYPE, max_length=253,
                               description="deployment, service, configmap, ... or namespace (workloads, services, "
                                           "configmaps and secrets of the namespace)")
    backup_name: str | None = Field(None, pattern=BACKUP_NAME, max_length=63,
                                    description="unique, at most 63 characters (it labels the backup's parts); "
                                                "default <name>-<YYYYMMDDhhmmss>-<5 random [a-z0-9]>")
    description: str = Field("", max_length=1024)
    encrypt: bool = Field(False, description="AES-256-GCM; backups holding Secrets are always encrypted")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63)


class ListQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    resource_id: str | None = Field(None, max_length=600, description="object id (or the object's name)")
    resource_type: str | None = Field(None, pattern=RESOURCE_TYPE, max_length=253)
    cluster_id: ClusterRefItem | None = Field(None, description="only this cluster's backups")
    status: Literal["completed", "in_progress", "failed"] | None = None


class RestoreBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    backup_id: int | str = Field(description="backup id, or its backup_name")
    restore_name: str | None = Field(None, pattern=BACKUP_NAME, max_length=253,
                                     description="one object: its new name; a namespace backup: the target "
                                                 "namespace")
    overwrite: bool = Field(False, description="false: 409 when a target exists and nothing is written")
    cluster_id: ClusterRefItem | None = Field(None, description="restore into this cluster (default: the source)")
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63,
                                  description="restore into this namespace (default: the source's)")


class BackupView(BaseModel):
    id: int
    backup_name: str
    resource_id: str
    resource_type: str
    cluster_id: int | None
    cluster_name: str
    namespace: str
    name: str
    description: str
    created_at: str | None
    created_by: str
    file_size: str = Field(description="human-readable stored size, e.g. 2.5MB")
    size_bytes: int
    encrypted: bool
    status: Literal["completed", "in_progress", "failed"]
    sha256: str | None
    object_count: int
    schedule: str | None
    error: str | None


class BackupList(PageInfo):
    backups: list[BackupView]


class RestoredItem(BaseModel):
    id: str
    type: str
    namespace: str
    name: str
    action: Literal["created", "replaced"]


class RestoreResult(BaseModel):
    backup_id: int
    backup_name: str
    cluster_id: int | None
    cluster_name: str
    restored: list[RestoredItem]


class Deleted(BaseModel):
    id: int
    backup_name: str
    deleted: bool


class ScheduleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resource_id: str = ResourceId
    resource_type: str = Field(pattern=RESOURCE_TYPE, max_length=253)
    schedule: str = Field(min_length=1, max_length=128,
                          description="Cron 表达式: 5 fields (minute hour day-of-month month day-of-week) or @daily...")
    retention_days: int = Field(30, ge=1, le=3650, description="backups older than this are deleted (never the "
                                                                "newest completed one)")
    retention_count: int | None = Field(None, ge=1, le=1000, description="also keep at most this many")
    encrypt: bool = True
    time_zone: str | None = Field(None, max_length=64, description="IANA time zone of the schedule; default UTC")
    enabled: bool = Field(True, description="false pauses the schedule")
    paused: bool | None = Field(None, description="true pauses the schedule (the opposite of enabled)")
    description: str = Field("", max_length=1024)
    schedule_name: str | None = Field(None, pattern=NAMESPACE, max_length=63,
                                      description="default: derived from the resource, so a second call updates")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63)


class ScheduleView(BaseModel):
    name: str
    created: bool = Field(description="false: an existing schedule was updated")
    cluster_id: int | None
    cluster_name: str
    resource_id: str
    resource_type: str
    schedule: str
    time_zone: str | None
    retention_days: int
    retention_count: int | None
    encrypt: bool
    enabled: bool
    next_run: str | None
    last_backup: str | None
    last_backup_name: str | None
    last_result: str | None
    last_successful_backup: str | None
    last_error: str | None
    backup_count: int


# -- helpers -----------------------------------------------------------------------------------------------------


def _dns(text: str, limit: int) -> str:
    """`text` as a DNS label part: lower case, other characters as `-`, at most `limit` long."""
    out = re.sub(r"[^a-z0-9-]+", "-", text.lower())[:limit].strip("-")
    return out or "object"


def default_backup_name(name: str) -> str:
    """`<name>-<YYYYMMDDhhmmss>-<5 random [a-z0-9]>`: concurrent backups of one object get distinct names (36^5
    suffixes per second), and at most 63 characters, so it is also a valid label value (the content Secrets are
    labelled with it)."""
    suffix = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(5))
    return f"{_dns(name, 63 - 21)}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S')}-{suffix}"


async def _cluster(call: Call, ref: str | int | None, verb: str, where: str) -> ClusterRef:
    return await call.resolve(ref, verb, "backups", where)


async def _target(call: Call, resource_id: str, resource_type: str, cluster_id: str | int | None,
                  namespace: str | None) -> tuple[ClusterRef, str, str, str]:
    """(cluster, type, namespace, name) of a resource_id (full id, or bare name with its context)."""
    if ObjectId.looks_like(resource_id):
        try:
            oid = ObjectId.parse(resource_id)
        except ValueError as e:
            raise ApiError(400, f"resource_id: {e}") from None
        cluster = await _cluster(call, oid.cluster, "create", "resource_id")
        type_name, ns, name = oid.type, oid.namespace, oid.name
    else:
        if not valid_name(resource_id):
            raise ApiError(400, "resource_id: neither <cluster id>:<type>:<namespace>:<name> nor an object name")
        cluster = await _cluster(call, cluster_id, "create", "cluster_id")
        type_name, ns, name = resource_type, namespace or "", resource_id
    if resource_type.lower() in NAMESPACE_TYPES or type_name in NAMESPACE_TYPES:
        type_name = "namespace"
    return cluster, type_name, ns, name


async def _backup(call: Call, ref: int | str, verb: str) -> tuple[dict[str, Any], ClusterRef | None]:
    """The backup `ref` names and its source cluster (None once unregistered), authorized for `verb`."""
    if isinstance(ref, str) and not (ref.isascii() and ref.isdigit()) and not valid_name(ref):
        raise ApiError(400, "backup_id: neither an id nor a backup name")
    app = call.request.app
    try:
        cr = await find_backup(app[HUB], app[SETTINGS].namespace, ref)
    except NotFound as e:
        await call.authorize(verb, "backups", "")
        raise ApiError(404, f"backup_id: {e.message}", BusinessCode.RESOURCE_NOT_FOUND) from None
    name = ((cr.get("spec") or {}).get("clusterRef") or {}).get("name", "")
    await call.authorize(verb, "backups", name)
    try:
        return cr, ClusterRef.of(await app[REGISTRY].find(name))
    except NotFound:
        return cr, None


# -- handlers ----------------------------------------------------------------------------------------------------


@section.route("POST", "/api/k8s/yaml/backup/create", "创建备份", verb="create", subresource="backups",
               body=CreateBody, data=BackupView)
async def create_backup(call: Call) -> web.Response:
    b: CreateBody = call.body
    cluster, type_name, namespace, name = await _target(call, b.resource_id, b.resource_type, b.cluster_id,
                                                        b.namespace)
    session = await call.request.app[ACCESS].session(cluster)
    if type_name in NAMESPACE_TYPES:
        namespace = name
        try:
            objects = await collect_namespace(session, name)
        except ValueError as e:
            raise ApiError(422, f"resource_id: {e}", BusinessCode.BACKUP_FAILED) from None
        type_name = "namespace"
        resource_id = str(ObjectId(cluster.ref, "namespace", "", name))
    else:
        rt = await session.resolve(type_name)
        if rt.namespaced and not namespace:
            raise ApiError(400, f"namespace: {rt.kind} is namespaced; give the namespace (or a full resource_id)")
        objects = await collect_object(session, rt, namespace if rt.namespaced else None, name)
        type_name = rt.type_name
        namespace = namespace if rt.namespaced else ""
        resource_id = str(ObjectId(cluster.ref, type_name, namespace, name))
    backup_name = b.backup_name or default_backup_name(name)
    new = NewBackup(name=backup_name, cluster_name=cluster.name, cluster_id=cluster.id, resource_type=type_name,
                    resource_id=resource_id, namespace=namespace, object_name=name, objects=objects,
                    description=b.description, encrypt=b.encrypt, created_by=call.request[USER].name)
    app = call.request.app
    try:
        # A taken name is a hub Conflict: 409/1006 (error middleware), with no id used up.
        cr = await write_backup(app[HUB], app[SETTINGS].namespace, new)
    except TooLarge as e:
        raise ApiError(422, f"resource_id: {e}", BusinessCode.BACKUP_FAILED) from None
    return ok(backup_view(cr))


@section.route("GET", "/api/k8s/yaml/backup/list", "获取备份列表", verb="list", subresource="backups",
               query=ListQuery, data=BackupList)
async def list_all_backups(call: Call) -> web.Response:
    """Backups of the clusters the caller may list backups of, newest first."""
    q: ListQuery = call.query
    app = call.request.app
    selector = None
    if q.cluster_id is not None:
        selector = f"cloudops.io/cluster={(await _cluster(call, q.cluster_id, 'list', 'cluster_id')).name}"
    views = [backup_view(cr) for cr in await list_backups(app[HUB], app[SETTINGS].namespace, selector)]
    allowed: dict[str, bool] = {}
    out = []
    for v in views:
        if q.resource_id and q.resource_id not in (v["resource_id"], v["name"]):
            continue
        if q.resource_type and q.resource_type.lower() not in (v["resource_type"], v["resource_type"] + "s"):
            continue
        if q.status and v["status"] != q.status:
            continue
        if v["cluster_name"] not in allowed:
            try:
                await call.authorize("list", "backups", v["cluster_name"])
                allowed[v["cluster_name"]] = True
            except ApiError:
                allowed[v["cluster_name"]] = False
        if allowed[v["cluster_name"]]:
            out.append(v)
    out.sort(key=lambda v: -v["id"])
    listed = page(out, q.limit, q.offset)
    return ok({"backups": listed.pop("items"), **listed})


@section.route("POST", "/api/k8s/yaml/backup/restore", "恢复备份", verb="create", subresource="backups",
               body=RestoreBody, data=RestoreResult)
async def restore_backup(call: Call) -> web.Response:
    """Verifies size, checksum and encryption tag before any write; a bad backup is 1008 and nothing changes."""
    b: RestoreBody = call.body
    app = call.request.app
    cr, source = await _backup(call, b.backup_id, "get")
    spec = cr.get("spec") or {}
    if b.cluster_id is not None:
        target = await _cluster(call, b.cluster_id, "create", "cluster_id")
    elif source is not None:
        target = source
        await call.authorize("create", "backups", target.name)
    else:
        raise ApiError(400, "cluster_id: the backup's cluster is no longer registered; name a target cluster")
    try:
        entries = await read_content(app[HUB], app[SETTINGS].namespace, cr)
    except IntegrityError as e:
        raise ApiError(422, f"backup_id: {e}", BusinessCode.RESTORE_FAILED) from None
    is_namespace = spec.get("resourceType") == "namespace"
    if is_namespace and b.restore_name and b.namespace and b.restore_name != b.namespace:
        raise ApiError(400, "restore_name: for a namespace backup it is the target namespace; it differs from "
                            "namespace")
    target_ns = (b.restore_name or b.namespace) if is_namespace else b.namespace
    try:
        plan = prepare_restore(entries, target_ns, None if is_namespace else b.restore_name)
    except ValueError as e:
        raise ApiError(400, str(e)) from None
    session = await app[ACCESS].session(target)
    try:
        done = await restore(session, plan, b.overwrite)
    except RestoreConflict as e:
        raise ApiError(409, f"overwrite: {e}", BusinessCode.VERSION_CONFLICT) from None
    view = backup_view(cr)
    return ok({"backup_id": view["id"], "backup_name": view["backup_name"], "cluster_id": target.id,
               "cluster_name": target.name,
               "restored": [{"id": str(ObjectId(target.ref, r.type, r.namespace, r.name)), "type": r.type,
                             "namespace": r.namespace, "name": r.name, "action": r.action} for r in done]})


@section.route("DELETE", "/api/k8s/yaml/backup/delete/{backup_id}", "删除备份", verb="delete",
               subresource="backups", data=Deleted)
async def delete_one_backup(call: Call) -> web.Response:
    app = call.request.app
    cr, _ = await _backup(call, call.path("backup_id"), "delete")
    await delete_backup(app[HUB], app[SETTINGS].namespace, cr)
    view = backup_view(cr)
    return ok({"id": view["id"], "backup_name": view["backup_name"], "deleted": True})


def _schedule_view(cr: dict[str, Any], cluster: ClusterRef, resource_id: str, created: bool) -> dict[str, Any]:
    spec, status = cr.get("spec") or {}, cr.get("status") or {}
    return {"name": cr["metadata"]["name"], "created": created, "cluster_id": cluster.id,
            "cluster_name": cluster.name, "resource_id": resource_id,
            "resource_type": (spec.get("resourceTypes") or [""])[0], "schedule": spec.get("schedule", ""),
            "time_zone": spec.get("timeZone"), "retention_days": int(spec.get("retentionDays") or 30),
            "retention_count": spec.get("retentionCount"), "encrypt": bool(spec.get("encrypt", True)),
            "enabled": spec.get("enabled", True) is not False, "next_run": status.get("nextBackupTime"),
            "last_backup": status.get("lastBackupTime"), "last_backup_name": status.get("lastBackupName"),
            "last_result": status.get("lastResult"), "last_successful_backup": status.get("lastSuccessfulBackup"),
            "last_error": status.get("lastError"), "backup_count": int(status.get("backupCount") or 0)}


@section.route("POST", "/api/k8s/yaml/backup/schedule", "配置备份策略", verb="create", subresource="backups",
               body=ScheduleBody, data=ScheduleView)
async def schedule_backups(call: Call) -> web.Response:
    """Creates, or updates, the resource's YamlBackupSchedule; the operator runs it."""
    b: ScheduleBody = call.body
    try:
        parse_cron(b.schedule)
        zone(b.time_zone)
    except CronError as e:
        raise ApiError(400, str(e) if str(e).startswith("time_zone") else f"schedule: {e}".replace(
            "schedule: schedule: ", "schedule: ")) from None
    cluster, type_name, namespace, name = await _target(call, b.resource_id, b.resource_type, b.cluster_id,
                                                        b.namespace)
    session = await call.request.app[ACCESS].session(cluster)
    if type_name == "namespace":
        await session.get(await session.resolve("namespaces"), None, name)
        types, namespaces, names = ["namespace"], [name], []
        resource_id = str(ObjectId(cluster.ref, "namespace", "", name))
    else:
        rt = await session.resolve(type_name)
        if rt.namespaced and not namespace:
            raise ApiError(400, f"namespace: {rt.kind} is namespaced; give the namespace (or a full resource_id)")
        await session.get(rt, namespace if rt.namespaced else None, name)
        types = [f"{rt.plural}.{rt.group}" if rt.group else rt.plural]
        namespaces, names = ([namespace] if rt.namespaced else []), [name]
        resource_id = str(ObjectId(cluster.ref, rt.type_name, namespace if rt.namespaced else "", name))
        type_name = rt.type_name
    digest = hashlib.sha256(f"{cluster.name}/{resource_id}".encode()).hexdigest()[:8]
    schedule_name = b.schedule_name or f"{_dns(f'{type_name}-{name}', 50)}-{digest}"
    enabled = b.enabled if b.paused is None else not b.paused
    spec: dict[str, Any] = {
        "clusterRef": {"name": cluster.name}, "schedule": b.schedule, "timeZone": b.time_zone,
        "enabled": enabled, "resourceTypes": types, "namespaces": namespaces, "resourceNames": names,
        "encrypt": b.encrypt, "retentionDays": b.retention_days, "retentionCount": b.retention_count,
        "description": b.description}
    app = call.request.app
    store = CustomObjects(app[HUB], YAML_BACKUP_SCHEDULE, app[SETTINGS].namespace)
    try:
        existing = await store.get(schedule_name)
    except NotFound:
        existing = None
    if existing is None:
        body = {"apiVersion": API_VERSION, "kind": YAML_BACKUP_SCHEDULE.kind,
                "metadata": {"name": schedule_name, "namespace": app[SETTINGS].namespace},
                "spec": {k: v for k, v in spec.items() if v is not None}}
        return ok(_schedule_view(await store.create(body), cluster, resource_id, True))
    if ((existing.get("spec") or {}).get("clusterRef") or {}).get("name") != cluster.name:
        raise ApiError(409, f"schedule_name: {schedule_name!r} belongs to another cluster's schedule",
                       BusinessCode.VERSION_CONFLICT)
    await call.authorize("update", "backups", cluster.name)
    return ok(_schedule_view(await store.patch(schedule_name, {"spec": spec}), cluster, resource_id, False))
