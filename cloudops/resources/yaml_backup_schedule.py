"""YamlBackupSchedule (crds/yamlbackupschedules.yaml): periodic YAML backups of a ManagedCluster's objects."""

from __future__ import annotations

from typing import ClassVar, Literal

from cloudops.constants import YAML_BACKUP_SCHEDULE, Kind
from cloudops.resources.base import Condition, CustomResource, ObjectRef, ResourceModel, Timestamp

__all__ = ["YamlBackupSchedule", "YamlBackupScheduleSpec", "YamlBackupScheduleStatus"]


class YamlBackupScheduleSpec(ResourceModel):
    cluster_ref: ObjectRef
    description: str | None = None
    schedule: str
    """5-field cron expression or an @daily-style macro."""
    time_zone: str | None = None
    enabled: bool = True
    resource_types: list[str]
    namespaces: list[str] | None = None
    resource_names: list[str] | None = None
    backup_name_prefix: str | None = None
    encrypt: bool = True
    retention_days: int = 30
    retention_count: int | None = None


class YamlBackupScheduleStatus(ResourceModel):
    observed_generation: int | None = None
    conditions: list[Condition] | None = None
    last_backup_time: Timestamp | None = None
    next_backup_time: Timestamp | None = None
    last_backup_name: str | None = None
    last_result: Literal["completed", "failed"] | None = None
    last_successful_backup: str | None = None
    last_successful_backup_time: Timestamp | None = None
    last_error: str | None = None
    backup_count: int | None = None


class YamlBackupSchedule(CustomResource):
    KIND: ClassVar[Kind] = YAML_BACKUP_SCHEDULE

    kind: Literal["YamlBackupSchedule"] = "YamlBackupSchedule"
    spec: YamlBackupScheduleSpec
    status: YamlBackupScheduleStatus | None = None
