"""ComplianceCheck: runs on create, on every spec change and on its cron `schedule`; records each run.

One kopf daemon per ComplianceCheck (per check, not per cluster: the cluster jobs are for periodic work of
every cluster), looping decide -> run -> record -> sleep until the next slot, woken at once by a spec change.
Runs of one check never overlap. Due decisions come from the hub's state only:
- spec: status.runGeneration != metadata.generation (set when the run is recorded, so a run cut off by a
  restart is redone), unless the shim claimed that generation for its REST run (annotation REST_CLAIM_ANNOTATION);
- schedule: cloudops.backups.schedule.due over status.lastRunTime (or the creation time): missed slots collapse
  into one run, the next slot is counted from now; a scheduled run is claimed (lastRunTime) before it starts.
A run that cannot reach its cluster is retried after RETRY_SECONDS while its generation is still unrun.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, cast

import kopf

from cloudops.backups.cron import CronError, next_after, parse_cron, zone
from cloudops.backups.schedule import due
from cloudops.compliance.policyreport import policy_report_mode
from cloudops.compliance.runs import REST_CLAIM_ANNOTATION, CheckSpec, Recording, execute, failed_status, record
from cloudops.conditions import ready_condition, set_condition
from cloudops.constants import COMPLIANCE_CHECK, GROUP, MANAGED_CLUSTER, VERSION
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import KubeError, NotFound
from cloudops.members.access import ClusterRef, MemberAccess
from cloudops.members.errors import MemberError
from cloudops_operator.memo import Memo
from cloudops_operator.wake_loop import wake_loop

__all__ = ["reconcile", "run_check", "wake_check"]

PLURAL = COMPLIANCE_CHECK.plural
IDLE_SECONDS = 300.0
RETRY_SECONDS = 30.0


def _iso(t: datetime | None) -> str | None:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if t is not None else None


def _parse(text: Any) -> datetime | None:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None


def _invalid(check: dict[str, Any], reason: str, message: str) -> dict[str, Any]:
    generation = check["metadata"].get("generation")
    conds = set_condition(list((check.get("status") or {}).get("conditions") or []),
                          ready_condition(False, reason, message[:4000], generation))
    return {"observedGeneration": generation, "nextRunTime": None, "conditions": conds}


def recording(memo: Memo, namespace: str) -> Recording:
    return Recording(memo.hub, namespace, memo.settings.compliance_report_retention,
                     policy_report_mode(memo.settings.compliance_policy_reports))


async def _run(memo: Memo, namespace: str, check: dict[str, Any], spec: CheckSpec, trigger: str,
               logger: kopf.Logger) -> tuple[dict[str, Any], bool]:
    """One run; (status fields, whether it reached the cluster)."""
    name = check["metadata"]["name"]
    cluster_name = check["spec"]["clusterRef"]["name"]
    run_id = f"check-{uuid.uuid4().hex[:12]}"
    try:
        cluster_cr = await CustomObjects(memo.hub, MANAGED_CLUSTER, namespace).get(cluster_name)
    except NotFound:
        return failed_status(check, "ClusterNotFound", f"cluster {cluster_name!r} is not registered"), False
    cluster = ClusterRef.of(cluster_cr)
    access = MemberAccess(memo.hub, namespace, memo.members, memo.settings.member_timeout_seconds,
                          discovery=memo.discovery)
    try:
        session = await access.session(cluster, memo.settings.sync_timeout_seconds)
        outcome = await execute(session, spec)
    except MemberError as e:
        return failed_status(check, "ClusterUnavailable", e.detail), False
    status = await record(recording(memo, namespace), check, cluster, session, spec, outcome, run_id, trigger,
                          f"operator/compliancecheck/{name}")
    for fix in outcome.fixes:  # the operator's audit trail of member writes (the shim audits its own)
        w = fix.workload
        logger.info("compliance auto-fix %s by compliancecheck/%s on cluster %s: %s %s/%s checks=%s status=%s",
                    run_id, name, cluster.name, w.kind, w.namespace, w.name, ",".join(fix.checks), fix.status)
    if status["summary"]["failed"]:
        kopf.event(cast(Any, check), type="Warning", reason="NonCompliant",
                   message=f"{status['summary']['failed']} of {status['summary']['total']} results failed "
                           f"(score {status['score']}); report {status['reportName']}")
    return status, True


async def reconcile(memo: Memo, namespace: str, name: str, logger: kopf.Logger) -> float:
    """One pass; returns how long to sleep before the next."""
    store = CustomObjects(memo.hub, COMPLIANCE_CHECK, namespace)
    check = await store.get(name)
    meta, status = check["metadata"], check.get("status") or {}
    raw = check.get("spec") or {}
    try:
        spec = CheckSpec.from_cr(raw)
    except ValueError as e:
        await store.patch_status(name, _invalid(check, "InvalidSpec", str(e)))
        return IDLE_SECONDS
    cron = tz = None
    if raw.get("schedule"):
        try:
            cron, tz = parse_cron(str(raw["schedule"])), zone(raw.get("timeZone"))
        except CronError as e:
            await store.patch_status(name, _invalid(check, "InvalidSchedule", str(e)))
            return IDLE_SECONDS
    generation = meta.get("generation")
    claimed = (meta.get("annotations") or {}).get(REST_CLAIM_ANNOTATION) == str(generation)
    spec_due = status.get("runGeneration") != generation and not claimed
    now = datetime.now(UTC)
    created = _parse(meta.get("creationTimestamp")) or now
    decision = due(cron, tz, now, _parse(status.get("lastRunTime")), created) if cron and tz else None
    if not spec_due and not (decision and decision.run):
        next_run = decision.next_run if decision else None
        if status.get("observedGeneration") != generation or status.get("nextRunTime") != _iso(next_run):
            await store.patch_status(name, {"observedGeneration": generation, "nextRunTime": _iso(next_run)})
        return _sleep(next_run)
    trigger = ("create" if status.get("runGeneration") is None else "spec-change") if spec_due else "schedule"
    # Claimed before it runs: a restart mid-run does not take a scheduled slot twice.
    await store.patch_status(name, {"phase": "running", "lastRunTime": _iso(now), "lastTrigger": trigger})
    update, reached = await _run(memo, namespace, check, spec, trigger, logger)
    next_run = next_after(cron, datetime.now(UTC), tz) if cron and tz else None
    if reached:
        update["runGeneration"] = generation
    update["nextRunTime"] = _iso(next_run)
    await store.patch_status(name, update)
    if not reached and spec_due:
        logger.warning("compliance check %s: %s; retrying in %ss", name, update.get("lastError"), RETRY_SECONDS)
        return min(RETRY_SECONDS, _sleep(next_run))
    return _sleep(next_run)


def _sleep(next_run: datetime | None) -> float:
    if next_run is None:
        return IDLE_SECONDS
    return min(IDLE_SECONDS, max(0.2, (next_run - datetime.now(UTC)).total_seconds()))


@kopf.on.update(GROUP, VERSION, PLURAL, field="spec")
def wake_check(memo: Memo, **_: Any) -> None:
    """A spec change runs now, not after the current sleep."""
    memo.wakeup().set()


@kopf.daemon(GROUP, VERSION, PLURAL, cancellation_timeout=30)
async def run_check(body: kopf.Body, stopped: kopf.DaemonStopped, memo: Memo, logger: kopf.Logger,
                    **_: Any) -> None:
    namespace, name = body["metadata"]["namespace"], body["metadata"]["name"]

    async def step() -> float | None:
        try:
            return await reconcile(memo, namespace, name, logger)
        except NotFound:
            return None  # the check is gone
        except KubeError as e:
            logger.warning("compliance check %s: hub error %s; retrying", name, e.message)
            return 10.0

    await wake_loop(stopped, memo.wakeup(), step)
