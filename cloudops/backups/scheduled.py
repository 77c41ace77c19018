"""One run of a YamlBackupSchedule, its retention, and recovery from runs a stopped operator left behind.

Kept apart from kopf so the operator handler stays a loop: decide (schedule.due), run, expire, report.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from cloudops.backups.content import NAMESPACE_NAMES, Entry, collect_selection
from cloudops.backups.schedule import Kept, expired
from cloudops.backups.store import SCHEDULE_LABEL, NewBackup, delete_backup, list_backups, mark_failed, write_backup
from cloudops.kube.client import ApiClient
from cloudops.members.access import ClusterRef
from cloudops.members.objects import ObjectId
from cloudops.members.session import MemberSession
from cloudops.resources import YamlBackup, YamlBackupSchedule
from cloudops.resources.base import ObjectMeta
from cloudops.resources.yaml_backup_schedule import YamlBackupScheduleSpec, YamlBackupScheduleStatus

__all__ = ["INTERRUPTED", "backup_name", "describe_selection", "expire", "fail_interrupted", "take_backup",
           "unfinished_slot"]

INTERRUPTED = "interrupted: the operator stopped while this backup was being written"
Schedule = YamlBackupSchedule | Mapping[str, object]


def _spec_and_name(schedule: Schedule) -> tuple[YamlBackupScheduleSpec, str]:
    """The spec and name of a schedule model, or of the parts of one a caller holds as a plain object."""
    if isinstance(schedule, YamlBackupSchedule):
        return schedule.spec, schedule.metadata.name or ""
    spec, meta = schedule.get("spec"), schedule.get("metadata")
    return (YamlBackupScheduleSpec.model_construct(**(spec if isinstance(spec, dict) else {})),
            ObjectMeta.model_validate(meta if isinstance(meta, dict) else {}).name or "")


def backup_name(schedule: Schedule, at: datetime) -> str:
    spec, name = _spec_and_name(schedule)
    prefix = spec.backup_name_prefix or name
    return f"{prefix[:48].rstrip('-.')}-{at.strftime('%Y%m%d%H%M%S')}"  # 63 at most: it labels the parts


def describe_selection(cluster: ClusterRef, spec: YamlBackupScheduleSpec,
                       objects: list[Entry]) -> tuple[str, str, str, str]:
    """(resource_type, resource_id, namespace, name) a backup of this selection is listed under."""
    types, namespaces, names = spec.resource_types, spec.namespaces or [], spec.resource_names or []
    if types and all(t in NAMESPACE_NAMES for t in types) and len(namespaces) == 1:
        ns = namespaces[0]
        return "namespace", str(ObjectId(cluster.ref, "namespace", "", ns)), ns, ns
    kinds = {o.get("type", "") for o in objects}
    if len(types) == 1 and len(names) == 1 and len(objects) == 1:
        o = objects[0]
        return o["type"], str(ObjectId(cluster.ref, o["type"], o["namespace"], o["name"])), o["namespace"], o["name"]
    kind = kinds.pop() if len(kinds) == 1 else "+".join(types)
    where = "+".join(namespaces)
    return kind, f"{cluster.ref}:{kind}:{where}:{'+'.join(names) or '*'}", where, "+".join(names)


async def take_backup(hub: ApiClient, namespace: str, session: MemberSession, schedule: YamlBackupSchedule,
                      cluster: ClusterRef, at: datetime) -> YamlBackup:
    """Collects the selection from the member and stores it as a backup owned by the schedule."""
    spec, name = schedule.spec, schedule.metadata.name or ""
    objects = await collect_selection(session, spec.resource_types, spec.namespaces or [], spec.resource_names or [])
    rtype, rid, ns, object_name = describe_selection(cluster, spec, objects)
    return await write_backup(hub, namespace, NewBackup(
        name=backup_name(schedule, at), cluster_name=cluster.name, cluster_id=cluster.id, resource_type=rtype,
        resource_id=rid, namespace=ns, object_name=object_name, objects=objects, description=spec.description or "",
        encrypt=spec.encrypt, created_by=f"schedule/{name}", schedule=name, owner=schedule))


def _created(backup: YamlBackup) -> datetime:
    return datetime.fromisoformat(str(backup.metadata.creation_timestamp).replace("Z", "+00:00"))


def _phase(backup: YamlBackup) -> str | None:
    return backup.status.phase if backup.status else None


async def expire(hub: ApiClient, namespace: str, schedule: YamlBackupSchedule,
                 now: datetime) -> tuple[list[str], list[YamlBackup]]:
    """Deletes the schedule's expired backups (never the newest completed one); returns (deleted, kept)."""
    spec = schedule.spec
    mine = await list_backups(hub, namespace, f"{SCHEDULE_LABEL}={schedule.metadata.name}")
    kept = [Kept(b.metadata.name or "", _created(b), _phase(b) == "Completed")
            for b in mine if _phase(b) != "InProgress"]
    gone = set(expired(kept, now, spec.retention_days or 30, spec.retention_count or None))
    for b in mine:
        if b.metadata.name in gone:
            await delete_backup(hub, namespace, b)
    return sorted(gone), [b for b in mine if b.metadata.name not in gone]


def unfinished_slot(status: YamlBackupScheduleStatus | None) -> tuple[str, datetime] | None:
    """The slot a run claimed (lastBackupName, lastBackupTime) without its outcome being recorded: the replica
    running it stopped or died. None when the last claimed slot ended, completed or failed."""
    if status is None or not status.last_backup_name or not status.last_backup_time:
        return None
    name = status.last_backup_name
    if status.last_successful_backup == name:
        return None
    if status.last_result == "failed" and (status.last_error or "").startswith(f"backup {name}:"):
        return None
    at = datetime.fromisoformat(str(status.last_backup_time).replace("Z", "+00:00"))
    return name, at


async def fail_interrupted(hub: ApiClient, namespace: str, schedule_name: str) -> list[str]:
    """Backups of this schedule still InProgress when its loop starts were cut off: Failed, parts removed."""
    failed = []
    for b in await list_backups(hub, namespace, f"{SCHEDULE_LABEL}={schedule_name}"):
        if _phase(b) in (None, "InProgress"):
            await mark_failed(hub, namespace, b, INTERRUPTED, reason="Interrupted")
            failed.append(b.metadata.name or "")
    return failed
