"""The status the self-healing engine writes on SelfHealingRules: observedGeneration and Ready when they change,
and the trigger counters under the object's resourceVersion (two replicas never lose each other's increments).
"""

from __future__ import annotations

from datetime import datetime

from cloudops.conditions import now_iso
from cloudops.constants import FIELD_MANAGER, GROUP, SELF_HEALING_RULE, VERSION
from cloudops.kube.client import ApiClient
from cloudops.kube.errors import Conflict, KubeError, NotFound, Unavailable
from cloudops.kube.raw import request
from cloudops.kube.stores import HubStore
from cloudops.kube.types import JsonObject
from cloudops.resources import SelfHealingRule, dump_patch
from cloudops.resources.self_healing_rule import SelfHealingRuleStatus
from cloudops.selfheal.rules import Rule
from cloudops_operator.model_status import condition, merge_condition, ready_conditions

__all__ = ["Ready", "write_counters", "write_ready"]

Ready = tuple[bool, str, str]  # ok, reason, message


async def _patch_status(hub: ApiClient, namespace: str, name: str, status: SelfHealingRuleStatus,
                        resource_version: str | None) -> SelfHealingRule:
    """A merge patch of the status subresource; with `resource_version`, Conflict when the object changed."""
    body: JsonObject = {"status": dump_patch(status)}
    if resource_version:
        body["metadata"] = {"resourceVersion": resource_version}
    path = f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{SELF_HEALING_RULE.plural}/{name}/status"
    resp = await request(hub, "PATCH", path, body=body, content_type="application/merge-patch+json",
                         query=[("fieldManager", FIELD_MANAGER)], seconds=30)
    if resp.status == 404:
        raise NotFound(f"selfhealingrule {name} not found")
    if resp.status == 409:
        raise Conflict(f"selfhealingrule {name} changed meanwhile")
    if not 200 <= resp.status <= 299:
        raise Unavailable(f"status of selfhealingrule {name}: HTTP {resp.status}")
    return SelfHealingRule.model_validate(resp.json())


async def write_ready(hub: ApiClient, obj: SelfHealingRule, ready: Ready) -> None:
    """observedGeneration and Ready, written only when they change (our own write comes back as an event)."""
    meta, current = obj.metadata, obj.status or SelfHealingRuleStatus()
    ok, reason, message = ready
    old = next((c for c in current.conditions or [] if c.type == "Ready"), None)
    unchanged = old is not None and (old.status, old.reason, old.message, old.observed_generation) == (
        "True" if ok else "False", reason, message, meta.generation)
    if current.observed_generation == meta.generation and unchanged:
        return
    status = SelfHealingRuleStatus(observed_generation=meta.generation,
                                   conditions=ready_conditions(current.conditions, ok, reason, message,
                                                               meta.generation))
    try:
        await _patch_status(hub, meta.namespace or "", meta.name or "", status, None)
    except NotFound:
        pass


def _counters(obj: SelfHealingRule, rule: Rule, triggered: datetime | None, last_hour: int,
              capped: bool) -> SelfHealingRuleStatus:
    current = obj.status or SelfHealingRuleStatus()
    status = SelfHealingRuleStatus(actions_last_hour=last_hour)
    if triggered is not None:
        status.trigger_count = (current.trigger_count or 0) + 1
        status.last_triggered_time = triggered.strftime("%Y-%m-%dT%H:%M:%SZ")
    throttled = condition("Throttled", capped, "HourlyCapReached" if capped else "BelowCap",
                          f"{last_hour} of {rule.max_per_hour} actions in the last hour", obj.metadata.generation,
                          now_iso())
    status.conditions = merge_condition(current.conditions, throttled)
    return status


async def write_counters(hub: ApiClient, rule: Rule, triggered: datetime | None, last_hour: int,
                         capped: bool = False) -> SelfHealingRule | None:
    """Counters after a trigger (or the hourly count alone), under the object's resourceVersion; the rule as
    written, or None when it is gone (or another rule of that name replaced it)."""
    store = HubStore(hub, SelfHealingRule, rule.namespace)
    for _ in range(3):
        try:
            obj = await store.get(rule.name)
        except NotFound:
            return None
        if obj.metadata.uid != rule.uid:
            return None
        try:
            return await _patch_status(hub, rule.namespace, rule.name,
                                       _counters(obj, rule, triggered, last_hour, capped),
                                       obj.metadata.resource_version)
        except KubeError as e:
            if e.status != 409:
                raise
    return None
