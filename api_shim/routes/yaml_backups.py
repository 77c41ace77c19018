"""YAML 版本管理 API, 2. YAML 备份管理: backups of member objects kept in the hub (2.1–2.5).

A backup's cluster comes from its resource id or the backup itself, so the service resolves and authorizes
it (capability `backups`) through the request context; the declaration's check is the capability in general.
"""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.backups import BackupService
from cloudops.services.backups.models import (
    BackupList,
    BackupView,
    CreateBody,
    Deleted,
    ListQuery,
    RestoreBody,
    RestoreResult,
    ScheduleBody,
    ScheduleList,
    ScheduleListQuery,
    ScheduleView,
)

__all__ = ["section"]

section = Section(tag="yaml-backups", resource="managedclusters")


@section.route("POST", "/api/k8s/yaml/backup/create", "创建备份", verb="create", subresource="backups",
               body=CreateBody, data=BackupView)
async def create_backup(call: Call) -> web.Response:
    return ok(await call.service(BackupService).create(call.body, call))


@section.route("GET", "/api/k8s/yaml/backup/list", "获取备份列表", verb="list", subresource="backups",
               query=ListQuery, data=BackupList)
async def list_all_backups(call: Call) -> web.Response:
    """Backups of the clusters the caller may list backups of, newest first."""
    return ok(await call.service(BackupService).list(call.query, call))


@section.route("POST", "/api/k8s/yaml/backup/restore", "恢复备份", verb="create", subresource="backups",
               body=RestoreBody, data=RestoreResult)
async def restore_backup(call: Call) -> web.Response:
    """Verifies size, checksum and encryption tag before any write; a bad backup is 1008 and nothing changes."""
    return ok(await call.service(BackupService).restore(call.body, call))


@section.route("DELETE", "/api/k8s/yaml/backup/delete/{backup_id}", "删除备份", verb="delete",
               subresource="backups", data=Deleted)
async def delete_one_backup(call: Call) -> web.Response:
    return ok(await call.service(BackupService).delete(call.path("backup_id"), call))


@section.route("POST", "/api/k8s/yaml/backup/schedule", "配置备份策略", verb="create", subresource="backups",
               body=ScheduleBody, data=ScheduleView)
async def schedule_backups(call: Call) -> web.Response:
    """Creates, or updates, the resource's YamlBackupSchedule; the operator runs it."""
    return ok(await call.service(BackupService).schedule(call.body, call))


@section.route("GET", "/api/k8s/yaml/backup/schedule/list", "备份策略列表", verb="list", subresource="backups",
               query=ScheduleListQuery, data=ScheduleList)
async def list_schedules(call: Call) -> web.Response:
    """Beyond the reference: the schedules 2.5 creates (and those applied with kubectl), for the console."""
    return ok(await call.service(BackupService).schedules(call.query, call))
