"""LabelPolicy: a daemon per policy checks its target clusters on every interval and on every spec change,
writes status (counts, a bounded sample of violations, what remediation changed, conditions) and emits
Events on the policy. `enforcement: audit` only reports; otherwise an enabled `remediation` block adds
missing required labels that have a declared default value to the violating objects."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import kopf

from cloudops.conditions import now_iso, set_condition
from cloudops.constants import GROUP, LABEL_POLICY, MANAGED_CLUSTER, VERSION
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import KubeError, NotFound
from cloudops.label_compliance import Report, check_cluster, remediate
from cloudops.label_policy import rule_from_spec
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops_operator.memo import Memo
from cloudops_operator.status import ready_status

__all__ = ["check_policy", "check_policy_once", "wake_policy"]

PLURAL = LABEL_POLICY.plural
MAX_LISTED = 100  # the CRD's maxItems for violations and remediations
DEFAULT_INTERVAL = 300.0


@kopf.on.update(GROUP, VERSION, PLURAL)
def wake_policy(memo: Memo, **_: Any) -> None:
    """A spec change is checked at once, not at the next interval."""
    memo.wakeup().set()


async def _targets(body: kopf.Body, memo: Memo) -> list[dict[str, Any]]:
    namespace = body["metadata"]["namespace"]
    clusters = CustomObjects(memo.hub, MANAGED_CLUSTER, namespace)
    ref = ((body.get("spec") or {}).get("clusterRef") or {}).get("name")
    if ref:
        return [await clusters.get(ref)]
    return sorted(await clusters.list(), key=lambda c: c["metadata"]["name"])


async def _check_cluster(body: kopf.Body, memo: Memo, cluster: dict[str, Any]) -> tuple[Report, list[dict[str, Any]]]:
    spec = body.get("spec") or {}
    timeout = memo.settings.member_timeout_seconds
    api, server = await asyncio.wait_for(
        memo.members.get(memo.hub, body["metadata"]["namespace"], dict(cluster.get("spec") or {})), timeout=timeout)
    session = MemberSession(api, cluster["metadata"]["name"], server, timeout)
    rules = [rule_from_spec(r) for r in spec.get("rules") or []]
    report = await check_cluster(session, rules, namespaces=spec.get("namespaces") or None,
                                 excluded=spec.get("excludedNamespaces"))
    remedy = spec.get("remediation") or {}
    changed: list[dict[str, Any]] = []
    if spec.get("enforcement", "audit") != "audit" and remedy.get("enabled", True) and remedy.get("defaultLabels"):
        changed = await remediate(session, report, dict(remedy["defaultLabels"]))
    return report, changed


def _violation(cluster: str, c: Any) -> dict[str, Any]:
    f = c.finding
    label = (f.missing or f.forbidden or [m["label"] for m in f.mismatched] or [""])[0]
    return {"cluster": cluster, "resourceType": c.rt.type_name, "namespace": c.namespace, "name": c.name,
            "label": label, "message": f.message()[:1024]}


async def check_policy_once(body: kopf.Body, memo: Memo, logger: logging.Logger | kopf.Logger) -> dict[str, Any]:
    """One check of every target cluster; a cluster that fails is named in the Ready condition."""
    checked, violations, remediations, failures, notes = 0, [], [], [], []
    try:
        targets = await _targets(body, memo)
    except NotFound:
        targets, failures = [], [f"cluster {body['spec']['clusterRef']['name']!r} is not registered"]
    for cluster in targets:
        name = cluster["metadata"]["name"]
        try:
            report, changed = await _check_cluster(body, memo, cluster)
        except (MemberError, KubeError, TimeoutError, OSError) as e:
            failures.append(f"{name}: {getattr(e, 'detail', None) or e.__class__.__name__}")
            continue
        checked += report.checked
        violations += [_violation(name, c) for c in report.violations]
        remediations += [{"cluster": name, **r} for r in changed]
        notes += [f"{name}: {n}" for n in report.notes]
    status: dict[str, Any] = {
        "lastCheckTime": now_iso(), "compliantCount": checked - len(violations), "violationCount": len(violations),
        "violations": violations[:MAX_LISTED], "checkedCount": checked}
    if remediations:
        status["remediations"] = remediations[:MAX_LISTED]
        status["lastRemediationTime"] = status["lastCheckTime"]
    ok = not failures
    message = ("; ".join(failures) if failures else f"checked {checked} objects in {len(targets)} cluster(s)"
               + (f"; {'; '.join(notes)}" if notes else ""))[:4000]
    status.update(ready_status(body, ok, "Checked" if ok else "ClusterUnavailable", message))
    compliant = {"type": "Compliant", "status": "True" if not violations else "False",
                 "reason": "NoViolations" if not violations else "Violations",
                 "message": f"{len(violations)} of {checked} objects violate the policy",
                 "observedGeneration": body["metadata"].get("generation")}
    status["conditions"] = set_condition(status["conditions"], compliant)
    previous = (body.get("status") or {}).get("violationCount")
    if violations and previous != len(violations):
        kopf.event(body, type="Warning", reason="LabelViolations", message=compliant["message"])
    elif not violations and previous:
        kopf.event(body, type="Normal", reason="Compliant", message=compliant["message"])
    if remediations:
        what = ", ".join(f"{r['cluster']}/{r['resourceType']}/{r['namespace']}/{r['name']} +{sorted(r['labels'])}"
                         for r in remediations[:10])
        kopf.event(body, type="Normal", reason="Remediated", message=f"added missing labels: {what}"[:1000])
        logger.info("label policy %s remediated %d object(s): %s", body["metadata"]["name"], len(remediations), what)
    await CustomObjects(memo.hub, LABEL_POLICY, body["metadata"]["namespace"]).patch_status(
        body["metadata"]["name"], status)
    return status


@kopf.daemon(GROUP, VERSION, PLURAL, id="check", cancellation_timeout=10)
async def check_policy(body: kopf.Body, stopped: kopf.DaemonStopped, memo: Memo, logger: kopf.Logger,
                       **_: Any) -> None:
    """Checks while enabled; a disabled policy keeps its last status and says so in Ready."""
    event = memo.wakeup()
    while not stopped:
        event.clear()
        spec = body.get("spec") or {}
        try:
            if spec.get("enabled", True):
                await check_policy_once(body, memo, logger)
            else:
                await CustomObjects(memo.hub, LABEL_POLICY, body["metadata"]["namespace"]).patch_status(
                    body["metadata"]["name"], ready_status(body, False, "Disabled", "the policy is disabled"))
        except NotFound:
            return  # deleted
        except asyncio.CancelledError:
            raise
        except Exception as e:  # the loop must outlive any one failed check
            logger.warning("label policy %s not checked: %s", body["metadata"]["name"], e.__class__.__name__)
        interval = float(spec.get("checkIntervalSeconds") or DEFAULT_INTERVAL)
        waiters = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(stopped.wait(interval))]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()
