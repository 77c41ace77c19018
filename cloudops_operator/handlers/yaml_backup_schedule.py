"""YamlBackupSchedule: takes backups when due (Velero's semantics), expires old ones, reports status.

One loop per schedule, so two runs of one schedule never overlap. The due decision is
cloudops.backups.schedule.due over the hub's state (status.lastBackupTime, creation time): a restart
or downtime yields one catch-up backup, not one per missed slot. The run is claimed in status before
it starts, and backups a stopped operator left InProgress are marked Failed when the loop starts.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import kopf

from cloudops.backups.cron import CronError, parse_cron, zone
from cloudops.backups.packing import TooLarge
from cloudops.backups.schedule import due
from cloudops.backups.scheduled import backup_name, expire, fail_interrupted, take_backup
from cloudops.conditions import ready_condition, set_condition
from cloudops.constants import GROUP, MANAGED_CLUSTER, VERSION, YAML_BACKUP_SCHEDULE
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import KubeError, NotFound
from cloudops.members.access import ClusterRef, MemberAccess
from cloudops.members.errors import MemberError
from cloudops_operator.memo import Memo

__all__ = ["run_schedule", "wake"]

PLURAL = YAML_BACKUP_SCHEDULE.plural
IDLE_SECONDS = 300.0


def _iso(t: datetime | None) -> str | None:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if t is not None else None


def _parse(text: Any) -> datetime | None:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None


def ready_status(schedule: dict[str, Any], ok: bool, reason: str, message: str) -> dict[str, Any]:
    """observedGeneration and Ready for a schedule read from the hub (not kopf's body: it was re-read)."""
    generation = schedule["metadata"].get("generation")
    existing = list((schedule.get("status") or {}).get("conditions") or [])
    return {"observedGeneration": generation,
            "conditions": set_condition(existing, ready_condition(ok, reason, message, generation))}


def _safe(exc: BaseException) -> str:
    """A failure as a user may read it: domain errors carry safe messages, anything else only its class."""
    if isinstance(exc, MemberError):
        return exc.detail
    if isinstance(exc, KubeError):
        return f"hub: {exc.message}"
    if isinstance(exc, TooLarge | ValueError):
        return str(exc)
    return exc.__class__.__name__


async def _run(memo: Memo, namespace: str, schedule: dict[str, Any], now: datetime) -> dict[str, Any]:
    """One backup; the status fields describing its outcome."""
    spec = schedule.get("spec") or {}
    name = backup_name(schedule, now)
    try:
        cluster_cr = await CustomObjects(memo.hub, MANAGED_CLUSTER, namespace).get(spec["clusterRef"]["name"])
        access = MemberAccess(memo.hub, namespace, memo.members, memo.settings.member_timeout_seconds)
        await take_backup(memo.hub, namespace, access, schedule, ClusterRef.of(cluster_cr), now)
    except asyncio.CancelledError:
        raise
    except Exception as e:
        return {"lastResult": "failed", "lastError": f"backup {name}: {_safe(e)}"[:4000]}
    return {"lastResult": "completed", "lastError": None, "lastSuccessfulBackup": name,
            "lastSuccessfulBackupTime": _iso(now)}


async def reconcile(memo: Memo, namespace: str, name: str, logger: kopf.Logger) -> float:
    """One pass; returns how long to sleep before the next."""
    store = CustomObjects(memo.hub, YAML_BACKUP_SCHEDULE, namespace)
    schedule = await store.get(name)
    spec, status = schedule.get("spec") or {}, schedule.get("status") or {}
    try:
        cron, tz = parse_cron(str(spec.get("schedule", ""))), zone(spec.get("timeZone"))
    except CronError as e:
        await store.patch_status(name, {"nextBackupTime": None, **ready_status(schedule, False, "InvalidSchedule",
                                                                                str(e))})
        return IDLE_SECONDS
    enabled = spec.get("enabled", True) is not False
    now = datetime.now(UTC)
    created = _parse(schedule["metadata"]["creationTimestamp"]) or now
    decision = due(cron, tz, now, _parse(status.get("lastBackupTime")), created, enabled)
    update: dict[str, Any] = {}
    if decision.run:
        # Claimed before it runs: a restart mid-run counts this slot as taken (its backup is marked Failed).
        await store.patch_status(name, {"lastBackupTime": _iso(now), "lastBackupName": backup_name(schedule, now)})
        update.update(await _run(memo, namespace, schedule, now))
        if update["lastResult"] == "failed":
            logger.warning("schedule %s: %s", name, update["lastError"])
    deleted, kept = await expire(memo.hub, namespace, schedule, now)
    if deleted:
        logger.info("schedule %s: expired %s", name, ", ".join(deleted))
    reason, message = ("Scheduled", f"next backup at {_iso(decision.next_run)}") if decision.next_run else \
        (("Paused", "enabled is false: no backups are taken") if not enabled else
         ("NeverDue", "the schedule never fires"))
    update.update({"nextBackupTime": _iso(decision.next_run), "backupCount": len(kept),
                   **ready_status(schedule, True, reason, message)})
    await store.patch_status(name, update)
    if decision.next_run is None:
        return IDLE_SECONDS
    return min(IDLE_SECONDS, max(0.2, (decision.next_run - datetime.now(UTC)).total_seconds()))


@kopf.on.update(GROUP, VERSION, PLURAL)
def wake(memo: Memo, **_: Any) -> None:
    """A spec change (schedule, paused, retention) applies now, not after the current sleep."""
    memo.wakeup().set()


@kopf.daemon(GROUP, VERSION, PLURAL, cancellation_timeout=30)
async def run_schedule(body: kopf.Body, stopped: kopf.DaemonStopped, memo: Memo, logger: kopf.Logger,
                       **_: Any) -> None:
    namespace, name = body["metadata"]["namespace"], body["metadata"]["name"]
    failed = await fail_interrupted(memo.hub, namespace, name)
    if failed:
        logger.warning("schedule %s: %d interrupted backup(s) marked Failed", name, len(failed))
    event = memo.wakeup()
    while not stopped:
        event.clear()
        try:
            wait = await reconcile(memo, namespace, name, logger)
        except NotFound:
            return  # the schedule is gone
        except KubeError as e:
            logger.warning("schedule %s: hub error %s; retrying", name, e.message)
            wait = 10.0
        waiters = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(stopped.wait(wait))]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()
