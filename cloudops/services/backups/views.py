"""The reference's backup item (2.2) and schedule answer (2.5) from the hub's objects; pure."""

from __future__ import annotations

from cloudops.backups.ids import canonical
from cloudops.backups.store import SCHEDULE_LABEL, backup_id
from cloudops.backups.views import human_size
from cloudops.members.access import ClusterRef
from cloudops.members.objects import ObjectId
from cloudops.resources import YamlBackup, YamlBackupSchedule
from cloudops.resources.yaml_backup import YamlBackupStatus
from cloudops.resources.yaml_backup_schedule import YamlBackupScheduleStatus
from cloudops.services.backups.models import BackupView, ScheduleItem, ScheduleView

__all__ = ["backup_view", "schedule_item", "schedule_view", "scheduled_object"]


def _resource_id(cr: YamlBackup, cluster_id: int | None) -> str:
    """What was backed up, with the cluster's integer id: as resolved when it was taken (status), else the spec's
    id in that form when the cluster's id is known (a spec may name the cluster by its name)."""
    if cr.status is not None and cr.status.resource_id:
        return cr.status.resource_id
    raw = cr.spec.resource_id
    if cluster_id is None:
        return raw
    try:
        return str(canonical(raw, ClusterRef(cluster_id, cr.spec.cluster_ref.name, {})))
    except ValueError:
        return raw


def _what(cr: YamlBackup) -> tuple[str, str, str]:
    """(resource_type, namespace, name): as resolved when the backup was taken, else as the spec wrote them."""
    spec, resolved = cr.spec, cr.status.resource_id if cr.status else None
    if resolved:
        try:
            oid = ObjectId.parse(resolved)
        except ValueError:
            pass
        else:
            return oid.type, oid.name if oid.type == "namespace" else oid.namespace, oid.name
    return spec.resource_type, spec.namespace or "", spec.name or ""


def backup_view(cr: YamlBackup) -> BackupView:
    meta, spec, status = cr.metadata, cr.spec, cr.status or YamlBackupStatus()
    size = status.size_bytes or 0
    cluster_id = spec.cluster_id if spec.cluster_id is not None else status.cluster_id
    resource_type, namespace, name = _what(cr)
    return BackupView(
        id=backup_id(cr), backup_name=meta.name or "", resource_id=_resource_id(cr, cluster_id),
        resource_type=resource_type, cluster_id=cluster_id, cluster_name=spec.cluster_ref.name,
        namespace=namespace, name=name, description=spec.description or "",
        created_at=meta.creation_timestamp, created_by=spec.created_by or "", file_size=human_size(size),
        size_bytes=size, encrypted=bool(status.encrypted),
        status="completed" if status.phase == "Completed" else "failed" if status.phase == "Failed" else "in_progress",
        sha256=status.sha256, object_count=status.object_count or 0,
        schedule=(meta.labels or {}).get(SCHEDULE_LABEL), error=status.error)


def schedule_view(cr: YamlBackupSchedule, cluster: ClusterRef, resource_id: str, created: bool) -> ScheduleView:
    return ScheduleView(**schedule_item(cr, cluster, resource_id).model_dump(), created=created)


def scheduled_object(cr: YamlBackupSchedule, cluster: ClusterRef) -> str:
    """The object id a stored schedule backs up, or "" when it selects more than one object (a schedule applied
    with kubectl may select whole types or namespaces)."""
    spec = cr.spec
    types, namespaces, names = spec.resource_types, spec.namespaces or [], spec.resource_names or []
    if types == ["namespace"] and len(namespaces) == 1 and not names:
        return str(ObjectId(cluster.ref, "namespace", "", namespaces[0]))
    if len(types) == 1 and len(names) == 1 and len(namespaces) <= 1:
        return str(ObjectId(cluster.ref, types[0].split(".")[0], (namespaces or [""])[0], names[0]))
    return ""


def schedule_item(cr: YamlBackupSchedule, cluster: ClusterRef, resource_id: str) -> ScheduleItem:
    spec, status = cr.spec, cr.status or YamlBackupScheduleStatus()
    return ScheduleItem(
        name=cr.metadata.name or "", cluster_id=cluster.id, cluster_name=cluster.name,
        resource_id=resource_id, resource_type=(spec.resource_types or [""])[0], schedule=spec.schedule,
        time_zone=spec.time_zone, retention_days=spec.retention_days or 30, retention_count=spec.retention_count,
        encrypt=spec.encrypt, enabled=spec.enabled, next_run=status.next_backup_time,
        last_backup=status.last_backup_time, last_backup_name=status.last_backup_name,
        last_result=status.last_result, last_successful_backup=status.last_successful_backup,
        last_error=status.last_error, backup_count=status.backup_count or 0,
        description=spec.description or "")
