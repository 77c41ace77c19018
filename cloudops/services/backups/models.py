"""Requests and answers of YAML 版本管理 2. YAML 备份管理 (2.1–2.5)."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field

from cloudops.backups.cron import CRON_PATTERN
from cloudops.id_forms import string_id
from cloudops.services.common import NAMESPACE_PATTERN as NAMESPACE
from cloudops.services.common import OBJECT_NAME_PATTERN, OBJECT_REF_SCHEMA, ClusterRefItem, PageInfo, PageQuery
from cloudops.services.common import RESOURCE_TYPE_PATTERN as RESOURCE_TYPE

__all__ = ["BACKUP_NAME", "BackupList", "BackupView", "CreateBody", "Deleted", "ListQuery", "RestoreBody",
           "RestoreResult", "RestoredItem", "ScheduleBody", "ScheduleItem", "ScheduleList", "ScheduleListQuery",
           "ScheduleView"]

BACKUP_NAME = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
ResourceId = Field(min_length=1, max_length=600, json_schema_extra=OBJECT_REF_SCHEMA,
                   description="object id <cluster id>:<type>:<namespace>:<name>, or a bare name with cluster_id, "
                               "resource_type and namespace")
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")


def _zones() -> list[str]:
    """The zones the shim's time zone database holds (any other is refused: cloudops.backups.cron.zone), less
    the aliases that differ only in punctuation (GMT+0, GMT-0 of GMT0): generated clients name enum members
    by the value without it, and two members of one name break them."""
    seen: set[str] = set()
    zones = []
    for zone in sorted(available_timezones()):
        key = "".join(c for c in zone.upper() if c.isalnum())
        if key not in seen:
            seen.add(key)
            zones.append(zone)
    return zones


TimeZone = Annotated[str, Field(max_length=64, json_schema_extra={"enum": _zones()})]


class CreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resource_id: Annotated[str, string_id()] = ResourceId
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
    backup_id: int | str = Field(description="backup id, or its backup_name",
                                 json_schema_extra={"pattern": OBJECT_NAME_PATTERN})
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
    resource_id: Annotated[str, string_id()] = ResourceId
    resource_type: str = Field(pattern=RESOURCE_TYPE, max_length=253)
    schedule: str = Field(min_length=1, max_length=128, json_schema_extra={"pattern": CRON_PATTERN},
                          description="Cron 表达式: 5 fields (minute hour day-of-month month day-of-week) or @daily...")
    retention_days: int = Field(30, ge=1, le=3650, description="backups older than this are deleted (never the "
                                                                "newest completed one)")
    retention_count: int | None = Field(None, ge=1, le=1000, description="also keep at most this many")
    encrypt: bool = True
    time_zone: TimeZone | None = Field(None, description="IANA time zone of the schedule; default UTC")
    enabled: bool = Field(True, description="false pauses the schedule")
    paused: bool | None = Field(None, description="true pauses the schedule (the opposite of enabled)")
    description: str = Field("", max_length=1024)
    schedule_name: str | None = Field(None, pattern=NAMESPACE, max_length=63,
                                      description="default: derived from the resource, so a second call updates")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63)


class ScheduleListQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = Field(None, description="only this cluster's schedules")


class ScheduleItem(BaseModel):
    name: str
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
    description: str = Field("", description="the schedule's description")


class ScheduleView(ScheduleItem):
    created: bool = Field(description="false: an existing schedule was updated")


class ScheduleList(PageInfo):
    schedules: list[ScheduleItem] = Field(description=(
        "by name; `resource_id` names the object with its type as the schedule stores it (`1:deployments:shop:web`, "
        "which resolves like any id), empty for a schedule (applied with kubectl) that selects more than one "
        "object"))
