"""LabelPolicy: a daemon per policy checks its target clusters on every interval and on every spec change,
writes status (counts, a bounded sample of violations, what remediation changed, conditions) and emits
Events on the policy. `enforcement: audit` only reports; otherwise an enabled `remediation` block adds
missing required labels that have a declared default value to the violating objects."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import kopf

from cloudops.conditions import now_iso
from cloudops.constants import GROUP, LABEL_POLICY, MANAGED_CLUSTER, VERSION
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import KubeError, NotFound
from cloudops.kube.stores import HubStore
from cloudops.labels.compliance import Checked, Report, check_cluster, remediate
from cloudops.labels.policy import Rule, nothing_checked
from cloudops.members.access import ClusterRef
from cloudops.members.errors import MemberError
from cloudops.resources import LabelPolicy
from cloudops.resources.base import Condition
from cloudops.resources.label_policy import LabelPolicySpec, LabelPolicyStatus, LabelRemediationRecord, LabelViolation
from cloudops_operator.memo import Memo
from cloudops_operator.model_status import condition, merge_condition, ready_conditions
from cloudops_operator.wake_loop import wake_loop

__all__ = ["check_policy", "check_policy_once", "wake_policy"]

PLURAL = LABEL_POLICY.plural
MAX_LISTED = 100  # the CRD's maxItems for violations and remediations
DEFAULT_INTERVAL = 300.0
RETRY_SECONDS = 15.0  # after a check some cluster failed (unreachable, not registered yet)


@kopf.on.update(GROUP, VERSION, PLURAL)
def wake_policy(memo: Memo, **_: Any) -> None:
    """A spec change is checked at once, not at the next interval."""
    memo.wakeup().set()


def _store(memo: Memo, policy: LabelPolicy) -> HubStore[LabelPolicy]:
    return HubStore(memo.hub, LabelPolicy, policy.metadata.namespace or "")


async def _targets(policy: LabelPolicy, memo: Memo) -> list[dict[str, Any]]:
    clusters = CustomObjects(memo.hub, MANAGED_CLUSTER, policy.metadata.namespace or "")
    if policy.spec.cluster_ref is not None and policy.spec.cluster_ref.name:
        return [await clusters.get(policy.spec.cluster_ref.name)]
    return sorted(await clusters.list(), key=lambda c: c["metadata"]["name"])


async def _check_cluster(body: kopf.Body, memo: Memo, cluster: dict[str, Any],
                         spec: LabelPolicySpec) -> tuple[Report, list[LabelRemediationRecord]]:
    session = await memo.access.session(ClusterRef.of(cluster), namespace=body["metadata"]["namespace"])
    report = await check_cluster(session, [Rule.of(r) for r in spec.rules], namespaces=spec.namespaces or None,
                                 excluded=spec.excluded_namespaces)
    remedy = spec.remediation
    if spec.enforcement != "audit" and remedy is not None and remedy.enabled and remedy.default_labels:
        return report, await remediate(session, report, remedy.default_labels)
    return report, []


def _violation(cluster: str, c: Checked) -> LabelViolation:
    f = c.finding
    label = (f.missing or f.forbidden or [m["label"] for m in f.mismatched] or [""])[0]
    return LabelViolation(cluster=cluster, resource_type=c.rt.type_name, namespace=c.namespace, name=c.name,
                          label=label, message=f.message()[:1024])


def _events(body: kopf.Body, policy: LabelPolicy, status: LabelPolicyStatus, compliant: Condition,
            logger: logging.Logger | kopf.Logger) -> None:
    violations = status.violation_count or 0
    previous = policy.status.violation_count if policy.status else None
    if violations and previous != violations:
        kopf.event(body, type="Warning", reason="LabelViolations", message=compliant.message or "")
    elif not violations and previous:
        kopf.event(body, type="Normal", reason="Compliant", message=compliant.message or "")
    if status.remediations:
        what = ", ".join(f"{r.cluster}/{r.resource_type}/{r.namespace}/{r.name} +{sorted(r.labels)}"
                         for r in status.remediations[:10])
        kopf.event(body, type="Normal", reason="Remediated", message=f"added missing labels: {what}"[:1000])
        logger.info("label policy %s remediated %d object(s): %s", policy.metadata.name,
                    len(status.remediations), what)


async def check_policy_once(body: kopf.Body, memo: Memo, logger: logging.Logger | kopf.Logger) -> LabelPolicyStatus:
    """One check of every target cluster; a cluster that fails is named in the Ready condition."""
    policy = LabelPolicy.model_validate(body)
    checked, violations, remediations, failures, notes = 0, [], [], [], []
    try:
        targets = await _targets(policy, memo)
    except NotFound:
        ref = policy.spec.cluster_ref.name if policy.spec.cluster_ref else ""
        targets, failures = [], [f"cluster {ref!r} is not registered"]
    for cluster in targets:
        name = cluster["metadata"]["name"]
        try:
            report, changed = await _check_cluster(body, memo, cluster, policy.spec)
        except (MemberError, KubeError, TimeoutError, OSError) as e:
            failures.append(f"{name}: {getattr(e, 'detail', None) or e.__class__.__name__}")
            continue
        checked += report.checked
        violations += [_violation(name, c) for c in report.violations]
        remediations += [r.model_copy(update={"cluster": name}) for r in changed]
        notes += [f"{name}: {n}" for n in report.notes]
    ok = not failures
    message = ("; ".join(failures) if failures else f"checked {checked} objects in {len(targets)} cluster(s)"
               + (f"; {'; '.join(notes)}" if notes else ""))[:4000]
    generation = policy.metadata.generation
    ready = ready_conditions(policy.status.conditions if policy.status else None, ok,
                             "Checked" if ok else "ClusterUnavailable", message, generation)
    compliant = condition("Compliant", not violations, "NoViolations" if not violations else "Violations",
                          f"{len(violations)} of {checked} objects violate the policy", generation)
    if ok and checked == 0:  # compliance over nothing is unknown, not true
        compliant = compliant.model_copy(update={"status": "Unknown", "reason": "NothingChecked",
                                                 "message": nothing_checked(policy.spec.namespaces or None, None)})
    status = LabelPolicyStatus(
        observed_generation=generation, conditions=merge_condition(ready, compliant), last_check_time=now_iso(),
        compliant_count=checked - len(violations), violation_count=len(violations),
        violations=violations[:MAX_LISTED], checked_count=checked)
    if remediations:
        status.remediations = remediations[:MAX_LISTED]
        status.last_remediation_time = status.last_check_time
    _events(body, policy, status, compliant, logger)
    await _store(memo, policy).patch_status(policy.metadata.name or "", status)
    return status


@kopf.daemon(GROUP, VERSION, PLURAL, id="check", cancellation_timeout=10)
async def check_policy(body: kopf.Body, stopped: kopf.DaemonStopped, memo: Memo, logger: kopf.Logger,
                       **_: Any) -> None:
    """Checks while enabled; a disabled policy keeps its last status and says so in Ready."""

    async def step() -> float | None:
        interval = DEFAULT_INTERVAL
        try:
            policy = LabelPolicy.model_validate(body)
            interval = float(policy.spec.check_interval_seconds or DEFAULT_INTERVAL)
            if policy.spec.enabled:
                status = await check_policy_once(body, memo, logger)
                if not any(c.type == "Ready" and c.status == "True" for c in status.conditions or []):
                    interval = min(interval, RETRY_SECONDS)  # a cluster not yet connected: not a whole interval
            else:
                existing = policy.status.conditions if policy.status else None
                generation = policy.metadata.generation
                disabled = ready_conditions(existing, False, "Disabled", "the policy is disabled", generation)
                await _store(memo, policy).patch_status(
                    policy.metadata.name or "", LabelPolicyStatus(observed_generation=generation, conditions=disabled))
        except NotFound:
            return None  # deleted
        except asyncio.CancelledError:
            raise
        except Exception as e:  # the loop must outlive any one failed check
            logger.warning("label policy %s not checked: %s", body["metadata"]["name"], e.__class__.__name__)
        return interval

    await wake_loop(stopped, memo.wakeup(), step)
