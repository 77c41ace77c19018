"""YamlBackupSchedule: takes backups when due (Velero's semantics), expires old ones, reports status.

One loop per schedule, so two runs of one schedule never overlap. The due decision is
cloudops.backups.schedule.due over the hub's state (status.lastBackupTime, creation time): a restart
or downtime yields one catch-up backup, not one per missed slot. The run is claimed in status before
it starts; when the loop starts (a restart, or a new owner of the cluster's shard), backups a stopped replica
left InProgress are marked Failed, and a claimed slot whose outcome was never recorded is taken again under its
name after the interrupted backup and its parts are removed (finish_slot): each slot ends with one backup.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import kopf

from cloudops.backups.cron import CronError, parse_cron, zone
from cloudops.backups.schedule import Due, due
from cloudops.backups.scheduled import backup_name, expire, fail_interrupted, take_backup, unfinished_slot
from cloudops.backups.store import delete_backup
from cloudops.constants import MANAGED_CLUSTER, YAML_BACKUP_SCHEDULE
from cloudops.errors import CloudOpsError
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import KubeError, NotFound
from cloudops.kube.stores import HubStore
from cloudops.members.access import ClusterRef
from cloudops.members.errors import MemberError
from cloudops.resources import YamlBackup, YamlBackupSchedule
from cloudops.resources.yaml_backup_schedule import YamlBackupScheduleStatus
from cloudops_operator.loops import object_loop
from cloudops_operator.memo import Memo
from cloudops_operator.model_status import ready_conditions
from cloudops_operator.wake_loop import Stopped, wake_loop

__all__ = ["run_schedule"]

PLURAL = YAML_BACKUP_SCHEDULE.plural
IDLE_SECONDS = 300.0


def _iso(t: datetime | None) -> str | None:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if t is not None else None


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _ready(schedule: YamlBackupSchedule, status: YamlBackupScheduleStatus, ok: bool, reason: str,
           message: str) -> YamlBackupScheduleStatus:
    """`status` with observedGeneration and Ready, for a schedule read from the hub (not kopf's body: it was
    re-read)."""
    generation = schedule.metadata.generation
    current = schedule.status.conditions if schedule.status else None
    status.observed_generation = generation
    status.conditions = ready_conditions(current, ok, reason, message, generation)
    return status


def _safe(exc: BaseException) -> str:
    """A failure as a user may read it: domain errors carry safe messages, anything else only its class."""
    if isinstance(exc, MemberError):
        return exc.detail
    if isinstance(exc, KubeError):
        return f"hub: {exc.message}"
    if isinstance(exc, CloudOpsError):
        return exc.message  # in the backup's own words, without the REST field it would name
    if isinstance(exc, ValueError):
        return str(exc)
    return exc.__class__.__name__


async def _run(memo: Memo, namespace: str, schedule: YamlBackupSchedule, now: datetime) -> YamlBackupScheduleStatus:
    """One backup; the status fields describing its outcome."""
    name = backup_name(schedule, now)
    try:
        cluster = ClusterRef.of(await CustomObjects(memo.hub, MANAGED_CLUSTER, namespace).get(
            schedule.spec.cluster_ref.name))
        session = await memo.access.session(cluster, namespace=namespace)
        await take_backup(memo.hub, namespace, session, schedule, cluster, now)
    except asyncio.CancelledError:
        raise
    except Exception as e:
        return YamlBackupScheduleStatus(last_result="failed", last_error=f"backup {name}: {_safe(e)}"[:4000])
    return YamlBackupScheduleStatus(last_result="completed", last_error=None, last_successful_backup=name,
                                    last_successful_backup_time=_iso(now))


async def finish_slot(memo: Memo, namespace: str, name: str, logger: kopf.Logger) -> None:
    """A slot claimed by a replica that stopped or died before recording its outcome is taken again here, under
    the same name, after the interrupted backup (marked Failed by fail_interrupted) is removed with its parts:
    each slot ends with one backup. One the stopped replica did complete is only recorded."""
    store = HubStore(memo.hub, YamlBackupSchedule, namespace)
    schedule = await store.get(name)
    slot = unfinished_slot(schedule.status)
    if slot is None or backup_name(schedule, slot[1]) != slot[0]:  # a renamed prefix: the slot cannot be redone
        return
    taken, at = slot
    await memo.shards.fence(schedule.spec.cluster_ref.name)
    try:
        existing: YamlBackup | None = await HubStore(memo.hub, YamlBackup, namespace).get(taken)
    except NotFound:
        existing = None
    if existing is not None and existing.status is not None and existing.status.phase == "Completed":
        update = YamlBackupScheduleStatus(last_result="completed", last_error=None, last_successful_backup=taken,
                                          last_successful_backup_time=_iso(at))
    else:
        if existing is not None:
            await delete_backup(memo.hub, namespace, existing)
        logger.warning("schedule %s: backup %s was cut off; taking it again", name, taken)
        update = await _run(memo, namespace, schedule, at)
    await memo.shards.fence(schedule.spec.cluster_ref.name)
    await store.patch_status(name, update)


def _reason(decision: Due, enabled: bool) -> tuple[str, str]:
    if decision.next_run:
        return "Scheduled", f"next backup at {_iso(decision.next_run)}"
    if not enabled:
        return "Paused", "enabled is false: no backups are taken"
    return "NeverDue", "the schedule never fires"


async def reconcile(memo: Memo, namespace: str, name: str, logger: kopf.Logger) -> float:
    """One pass; returns how long to sleep before the next."""
    store = HubStore(memo.hub, YamlBackupSchedule, namespace)
    schedule = await store.get(name)
    spec, status = schedule.spec, schedule.status or YamlBackupScheduleStatus()
    try:
        cron, tz = parse_cron(spec.schedule), zone(spec.time_zone)
    except CronError as e:
        invalid = YamlBackupScheduleStatus(next_backup_time=None)
        await store.patch_status(name, _ready(schedule, invalid, False, "InvalidSchedule", str(e)))
        return IDLE_SECONDS
    now = datetime.now(UTC)
    created = _parse(schedule.metadata.creation_timestamp) or now
    decision = due(cron, tz, now, _parse(status.last_backup_time), created, spec.enabled)
    update = YamlBackupScheduleStatus()
    if decision.run:
        await memo.shards.fence(spec.cluster_ref.name)  # only the shard's owner backs up
        # Claimed before it runs: a restart mid-run counts this slot as taken (its backup is marked Failed).
        await store.patch_status(name, YamlBackupScheduleStatus(last_backup_time=_iso(now),
                                                                last_backup_name=backup_name(schedule, now)))
        update = await _run(memo, namespace, schedule, now)
        if update.last_result == "failed":
            logger.warning("schedule %s: %s", name, update.last_error)
    await memo.shards.fence(spec.cluster_ref.name)  # no expiry or status after losing the shard
    deleted, kept = await expire(memo.hub, namespace, schedule, now)
    if deleted:
        logger.info("schedule %s: expired %s", name, ", ".join(deleted))
    update.next_backup_time = _iso(decision.next_run)
    update.backup_count = len(kept)
    await store.patch_status(name, _ready(schedule, update, True, *_reason(decision, spec.enabled)))
    if decision.next_run is None:
        return IDLE_SECONDS
    return min(IDLE_SECONDS, max(0.2, (decision.next_run - datetime.now(UTC)).total_seconds()))


@object_loop(YAML_BACKUP_SCHEDULE)
async def run_schedule(body: kopf.Body, stopped: Stopped, memo: Memo, logger: kopf.Logger, **_: Any) -> None:
    """Backs up when due, in the replica owning its cluster's shard; a spec change (schedule, paused, retention)
    wakes it."""
    namespace, name = body["metadata"]["namespace"], body["metadata"]["name"]
    failed = await fail_interrupted(memo.hub, namespace, name)
    if failed:
        logger.warning("schedule %s: %d interrupted backup(s) marked Failed", name, len(failed))
    try:
        await finish_slot(memo, namespace, name, logger)
    except NotFound:
        return

    async def step() -> float | None:
        try:
            return await reconcile(memo, namespace, name, logger)
        except NotFound:
            return None  # the schedule is gone
        except KubeError as e:
            logger.warning("schedule %s: hub error %s; retrying", name, e.message)
            return 10.0

    await wake_loop(stopped, memo.wakeup(), step)
