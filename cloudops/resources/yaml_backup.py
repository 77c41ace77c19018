"""YamlBackup (crds/yamlbackups.yaml): one backup; the content is in hub Secrets <backup>-part-<i>."""

from __future__ import annotations

from typing import ClassVar, Literal

from cloudops.constants import YAML_BACKUP, Kind
from cloudops.resources.base import Condition, CustomResource, ObjectRef, ResourceModel, Timestamp

__all__ = ["BackupObject", "YamlBackup", "YamlBackupSpec", "YamlBackupStatus"]


class YamlBackupSpec(ResourceModel):
    """Immutable once created."""

    cluster_ref: ObjectRef
    cluster_id: int | None = None
    resource_type: str
    resource_id: str
    """<cluster id>:<type>:<namespace>:<name> (REST resource_id)."""
    namespace: str | None = None
    name: str | None = None
    description: str | None = None
    encrypt: bool | None = None
    created_by: str | None = None


class BackupObject(ResourceModel):
    """One object the backup holds (without content)."""

    type: str | None = None
    namespace: str | None = None
    name: str | None = None


class YamlBackupStatus(ResourceModel):
    id: int | None = None
    cluster_id: int | None = None
    """The source cluster's integer id, as resolved when the backup was taken."""
    resource_id: str | None = None
    """What was backed up, <cluster id>:<type>:<namespace>:<name> with the numeric cluster id, whichever form
    spec.resourceId used."""
    observed_generation: int | None = None
    conditions: list[Condition] | None = None
    phase: Literal["InProgress", "Completed", "Failed"] | None = None
    size_bytes: int | None = None
    content_bytes: int | None = None
    sha256: str | None = None
    encrypted: bool | None = None
    key_id: str | None = None
    parts: int | None = None
    object_count: int | None = None
    objects: list[BackupObject] | None = None
    started_at: Timestamp | None = None
    completed_at: Timestamp | None = None
    error: str | None = None


class YamlBackup(CustomResource):
    KIND: ClassVar[Kind] = YAML_BACKUP

    kind: Literal["YamlBackup"] = "YamlBackup"
    spec: YamlBackupSpec
    status: YamlBackupStatus | None = None
