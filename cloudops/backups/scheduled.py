"""One run of a YamlBackupSchedule, its retention, and recovery from runs a stopped operator left behind.

Kept apart from kopf so the operator handler stays a loop: decide (schedule.due), run, expire, report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kubernetes_asyncio.client import ApiClient

from cloudops.backups.content import NAMESPACE_NAMES, collect_selection
from cloudops.backups.schedule import Kept, expired
from cloudops.backups.store import SCHEDULE_LABEL, NewBackup, delete_backup, list_backups, mark_failed, write_backup
from cloudops.members.access import ClusterRef, MemberAccess
from cloudops.members.objects import ObjectId

__all__ = ["INTERRUPTED", "backup_name", "describe_selection", "expire", "fail_interrupted", "take_backup"]

Json = dict[str, Any]
INTERRUPTED = "interrupted: the operator stopped while this backup was being written"


def backup_name(schedule: Json, at: datetime) -> str:
    spec = schedule.get("spec") or {}
    prefix = spec.get("backupNamePrefix") or schedule["metadata"]["name"]
    return f"{prefix[:48].rstrip('-.')}-{at.strftime('%Y%m%d%H%M%S')}"  # 63 at most: it labels the parts


def describe_selection(cluster: ClusterRef, spec: Json, objects: list[Json]) -> tuple[str, str, str, str]:
    """(resource_type, resource_id, namespace, name) a backup of this selection is listed under."""
    types = [str(t) for t in spec.get("resourceTypes") or []]
    namespaces = [str(n) for n in spec.get("namespaces") or []]
    names = [str(n) for n in spec.get("resourceNames") or []]
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


async def take_backup(hub: ApiClient, namespace: str, access: MemberAccess, schedule: Json, cluster: ClusterRef,
                      at: datetime) -> Json:
    """Collects the selection from the member and stores it as a backup owned by the schedule."""
    spec = schedule.get("spec") or {}
    session = await access.session(cluster)
    objects = await collect_selection(session, [str(t) for t in spec.get("resourceTypes") or []],
                                      [str(n) for n in spec.get("namespaces") or []],
                                      [str(n) for n in spec.get("resourceNames") or []])
    rtype, rid, ns, name = describe_selection(cluster, spec, objects)
    meta = schedule["metadata"]
    return await write_backup(hub, namespace, NewBackup(
        name=backup_name(schedule, at), cluster_name=cluster.name, cluster_id=cluster.id, resource_type=rtype,
        resource_id=rid, namespace=ns, object_name=name, objects=objects, description=spec.get("description", ""),
        encrypt=bool(spec.get("encrypt", True)), created_by=f"schedule/{meta['name']}", schedule=meta["name"],
        owner=schedule))


def _created(backup: Json) -> datetime:
    return datetime.fromisoformat(str(backup["metadata"]["creationTimestamp"]).replace("Z", "+00:00"))


async def expire(hub: ApiClient, namespace: str, schedule: Json, now: datetime) -> tuple[list[str], list[Json]]:
    """Deletes the schedule's expired backups (never the newest completed one); returns (deleted, kept)."""
    spec = schedule.get("spec") or {}
    mine = await list_backups(hub, namespace, f"{SCHEDULE_LABEL}={schedule['metadata']['name']}")
    kept = [Kept(b["metadata"]["name"], _created(b), (b.get("status") or {}).get("phase") == "Completed")
            for b in mine if (b.get("status") or {}).get("phase") != "InProgress"]
    count = spec.get("retentionCount")
    gone = set(expired(kept, now, int(spec.get("retentionDays") or 30), int(count) if count else None))
    for b in mine:
        if b["metadata"]["name"] in gone:
            await delete_backup(hub, namespace, b)
    return sorted(gone), [b for b in mine if b["metadata"]["name"] not in gone]


async def fail_interrupted(hub: ApiClient, namespace: str, schedule_name: str) -> list[str]:
    """Backups of this schedule still InProgress when its loop starts were cut off: Failed, parts removed."""
    failed = []
    for b in await list_backups(hub, namespace, f"{SCHEDULE_LABEL}={schedule_name}"):
        if (b.get("status") or {}).get("phase") in (None, "InProgress"):
            await mark_failed(hub, namespace, b, INTERRUPTED)
            failed.append(b["metadata"]["name"])
    return failed
