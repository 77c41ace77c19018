"""ComplianceCheck: runs on create, on every spec change and on its cron `schedule`; records each run.

One loop per ComplianceCheck (cloudops_operator.loops; per check, not per cluster: the cluster jobs are for
periodic work of every cluster), in the replica owning its cluster's shard, looping decide -> run -> record ->
sleep until the next slot, woken at once by a spec change.
Runs of one check never overlap. Due decisions come from the hub's state only:
- spec: status.runGeneration != metadata.generation (set when the run is recorded, so a run cut off by a
  restart is redone), unless the shim claimed that generation for its REST run (annotation REST_CLAIM_ANNOTATION);
- schedule: cloudops.backups.schedule.due over status.lastRunTime (or the creation time): missed slots collapse
  into one run, the next slot is counted from now; a scheduled run is claimed (lastRunTime) before it starts.
A run that cannot reach its cluster is retried after RETRY_SECONDS while its generation is still unrun.
An ad-hoc check (a REST run's, cloudops.compliance.adhoc) not run for its TTL is deleted by its daemon. A deleted
check's PolicyReports in its member are deleted (forget_check): a member object cannot be owned by a hub object.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import kopf

from cloudops.backups.cron import CronError, next_after, parse_cron, zone
from cloudops.backups.schedule import due
from cloudops.compliance.adhoc import TTL as ADHOC_TTL
from cloudops.compliance.adhoc import expires_at
from cloudops.compliance.policyreport import delete_policy_reports
from cloudops.compliance.runs import (
    REST_CLAIM_ANNOTATION,
    CheckSpec,
    Recording,
    execute,
    failed_status,
    ready_conditions,
    record,
)
from cloudops.constants import COMPLIANCE_CHECK, GROUP, MANAGED_CLUSTER, VERSION
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import KubeError, NotFound
from cloudops.kube.events import emit_event
from cloudops.kube.stores import HubStore
from cloudops.members.access import ClusterRef
from cloudops.members.errors import MemberError
from cloudops.resources.compliance_check import CheckTrigger, ComplianceCheck, ComplianceCheckStatus
from cloudops_operator.loops import object_loop
from cloudops_operator.memo import Memo
from cloudops_operator.wake_loop import Stopped, wake_loop

__all__ = ["forget_check", "reconcile", "run_check"]

PLURAL = COMPLIANCE_CHECK.plural
IDLE_SECONDS = 300.0
RETRY_SECONDS = 30.0


def _iso(t: datetime | None) -> str | None:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if t is not None else None


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _invalid(check: ComplianceCheck, reason: str, message: str) -> ComplianceCheckStatus:
    return ComplianceCheckStatus(observed_generation=check.metadata.generation, next_run_time=None,
                                 conditions=ready_conditions(check, False, reason, message))


async def _run(memo: Memo, body: kopf.Body, check: ComplianceCheck, spec: CheckSpec, trigger: CheckTrigger,
               logger: kopf.Logger) -> tuple[ComplianceCheckStatus, bool]:
    """One run; (status fields, whether it reached the cluster)."""
    namespace, name = body.metadata.namespace or "", check.metadata.name or ""
    cluster_name = check.spec.cluster_ref.name
    run_id = f"check-{uuid.uuid4().hex[:12]}"
    try:
        cluster = ClusterRef.of(await CustomObjects(memo.hub, MANAGED_CLUSTER, namespace).get(cluster_name))
    except NotFound:
        return failed_status(check, "ClusterNotFound", f"cluster {cluster_name!r} is not registered"), False
    try:
        session = await memo.access.session(cluster, memo.settings.sync_timeout_seconds, namespace)
        outcome = await execute(session, spec)
    except MemberError as e:
        return failed_status(check, "ClusterUnavailable", e.detail), False
    await memo.shards.fence(cluster_name)  # no report from a replica that lost the cluster during the run
    status = await record(Recording.of(memo.hub, namespace, memo.settings), check, cluster, session, spec, outcome,
                          run_id, trigger, f"operator/compliancecheck/{name}")
    for fix in outcome.fixes:  # the operator's audit trail of member writes (the shim audits its own)
        w = fix.workload
        logger.info("compliance auto-fix %s by compliancecheck/%s on cluster %s: %s %s/%s checks=%s status=%s",
                    run_id, name, cluster.name, w.kind, w.namespace, w.name, ",".join(fix.checks), fix.status)
    totals = outcome.summary()
    if totals["failed"]:
        await emit_event(memo.hub, body, "NonCompliant", f"{totals['failed']} of {totals['total']} results failed "
                         f"(score {status.score}); report {status.report_name}", "Warning", "cloudops-operator")
    elif not totals["total"]:
        await emit_event(memo.hub, body, "NothingChecked",
                         f"no score: {totals['score_reason']}; report {status.report_name}", "Warning",
                         "cloudops-operator")
    return status, True


async def reconcile(memo: Memo, body: kopf.Body, logger: kopf.Logger) -> float:
    """One pass; returns how long to sleep before the next."""
    store = HubStore(memo.hub, ComplianceCheck, body.metadata.namespace or "")
    name = body.metadata.name or ""
    check = await store.get(name)
    status = check.status or ComplianceCheckStatus()
    expiry = expires_at(check)
    if expiry is not None:  # an ad-hoc check: the shim runs it; here it only expires
        left = (expiry - datetime.now(UTC)).total_seconds()
        if left <= 0:
            logger.info("ad-hoc compliance check %s not run since %s: deleted", name, _iso(expiry - ADHOC_TTL))
            # Its member reports first: the deletion handler only runs once kopf's finalizer is on the check,
            # and a daemon spawned at first sight can get here before it is.
            await _delete_member_reports(memo, check, logger)
            await store.delete(name)
            return IDLE_SECONDS
        return min(IDLE_SECONDS, left)
    try:
        spec = CheckSpec.from_cr(check.spec)
    except ValueError as e:
        await store.patch_status(name, _invalid(check, "InvalidSpec", str(e)))
        return IDLE_SECONDS
    cron = tz = None
    if check.spec.schedule:
        try:
            cron, tz = parse_cron(check.spec.schedule), zone(check.spec.time_zone)
        except CronError as e:
            await store.patch_status(name, _invalid(check, "InvalidSchedule", str(e)))
            return IDLE_SECONDS
    generation = check.metadata.generation
    claimed = (check.metadata.annotations or {}).get(REST_CLAIM_ANNOTATION) == str(generation)
    spec_due = status.run_generation != generation and not claimed
    now = datetime.now(UTC)
    created = _parse(check.metadata.creation_timestamp) or now
    decision = due(cron, tz, now, _parse(status.last_run_time), created) if cron and tz else None
    if not spec_due and not (decision and decision.run):
        next_run = decision.next_run if decision else None
        if status.observed_generation != generation or status.next_run_time != _iso(next_run):
            await store.patch_status(name, ComplianceCheckStatus(observed_generation=generation,
                                                                 next_run_time=_iso(next_run)))
        return _sleep(next_run)
    trigger: CheckTrigger = ("create" if status.run_generation is None else "spec-change") if spec_due else "schedule"
    await memo.shards.fence(check.spec.cluster_ref.name)  # only the shard's owner runs it
    # Claimed before it runs: a restart mid-run does not take a scheduled slot twice.
    await store.patch_status(name, ComplianceCheckStatus(phase="running", last_run_time=_iso(now),
                                                         last_trigger=trigger))
    update, reached = await _run(memo, body, check, spec, trigger, logger)
    next_run = next_after(cron, datetime.now(UTC), tz) if cron and tz else None
    if reached:
        update.run_generation = generation
    update.next_run_time = _iso(next_run)
    await memo.shards.fence(check.spec.cluster_ref.name)  # lost during the run: its new owner runs it again
    await store.patch_status(name, update)
    if not reached and spec_due:
        logger.warning("compliance check %s: %s; retrying in %ss", name, update.last_error, RETRY_SECONDS)
        return min(RETRY_SECONDS, _sleep(next_run))
    return _sleep(next_run)


def _sleep(next_run: datetime | None) -> float:
    if next_run is None:
        return IDLE_SECONDS
    return min(IDLE_SECONDS, max(0.2, (next_run - datetime.now(UTC)).total_seconds()))


@kopf.on.delete(GROUP, VERSION, PLURAL)
async def forget_check(body: kopf.Body, memo: Memo, logger: kopf.Logger, **_: Any) -> None:
    """The check's PolicyReports in its member go with it (its ComplianceReports are owned: the hub's garbage
    collector takes them). Best effort: a member that cannot be reached does not keep the check from going."""
    try:
        check = ComplianceCheck.model_validate(dict(body))
    except ValueError as e:
        logger.warning("compliance check %s deleted; its PolicyReports were not: %s", body.metadata.name, e)
        return
    await _delete_member_reports(memo, check, logger)


async def _delete_member_reports(memo: Memo, check: ComplianceCheck, logger: kopf.Logger) -> None:
    """Deletes the check's PolicyReports in its member; idempotent, and best effort (see forget_check)."""
    namespace, name = check.metadata.namespace or "", check.metadata.name or ""
    cluster_name = check.spec.cluster_ref.name
    try:
        cluster = ClusterRef.of(await CustomObjects(memo.hub, MANAGED_CLUSTER, namespace).get(cluster_name))
        session = await memo.access.session(cluster, memo.settings.sync_timeout_seconds, namespace)
        gone = await delete_policy_reports(session, name, namespace)
    except NotFound:
        return  # its cluster is gone, and its reports with it as far as this hub can tell
    except (MemberError, KubeError, ValueError) as e:
        logger.warning("compliance check %s deleted; its PolicyReports in %s were not: %s", name, cluster_name, e)
        return
    if gone:
        logger.info("compliance check %s deleted with its PolicyReports in %s (%s)", name, cluster_name,
                    ", ".join(gone))


@object_loop(COMPLIANCE_CHECK)
async def run_check(body: kopf.Body, stopped: Stopped, memo: Memo, logger: kopf.Logger, **_: Any) -> None:
    """Runs the check when due, in the replica owning its cluster's shard; a spec change wakes it."""
    name = body.metadata.name

    async def step() -> float | None:
        try:
            return await reconcile(memo, body, logger)
        except NotFound:
            return None  # the check is gone
        except KubeError as e:
            logger.warning("compliance check %s: hub error %s; retrying", name, e.message)
            return 10.0

    await wake_loop(stopped, memo.wakeup(), step)
