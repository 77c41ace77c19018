"""A SelfHealingRule and a history record as the API answers them (2.2, 2.3); pure."""

from __future__ import annotations

from collections.abc import Mapping

from cloudops.activity import Entry
from cloudops.resources import SelfHealingRule
from cloudops.resources.self_healing_rule import SelfHealingRuleStatus
from cloudops.selfheal.history import HealingRecord
from cloudops.services.self_healing.models import (
    ActionView,
    ClusterTag,
    ConditionView,
    HistoryView,
    ResourceView,
    RuleStatus,
    RuleView,
    StatusCondition,
)

__all__ = ["history_view", "rule_view"]


def _status_view(status: SelfHealingRuleStatus) -> RuleStatus:
    conds = status.conditions or []
    ready = next((c for c in conds if c.type == "Ready"), None)
    return RuleStatus(
        ready=None if ready is None else ready.status == "True",
        reason=(ready.reason if ready else None) or "Pending",
        message=(ready.message if ready else None) or "not yet seen by the operator",
        triggers=status.trigger_count or 0, last_triggered=status.last_triggered_time,
        actions_last_hour=status.actions_last_hour or 0, observed_generation=status.observed_generation,
        conditions=[StatusCondition(type=c.type, status=c.status, reason=c.reason or "", message=c.message or "",
                                    last_transition_time=c.last_transition_time) for c in conds])


def rule_view(rule: SelfHealingRule, ids: Mapping[str, int | None]) -> RuleView:
    spec, meta = rule.spec, rule.metadata
    selector = spec.label_selector.model_dump(by_alias=True, exclude_none=True) if spec.label_selector else {}
    return RuleView(
        name=meta.name or "", description=spec.description or "", enabled=spec.enabled, dry_run=spec.dry_run,
        clusters=[ClusterTag(cluster_id=ids.get(c), cluster_name=c) for c in spec.clusters],
        namespaces=list(spec.namespaces or []), label_selector=selector,
        conditions=[ConditionView(type=c.type, operator=c.operator, value=c.value, duration_seconds=c.duration_seconds)
                    for c in spec.conditions],
        actions=[ActionView(type=a.type, parameters=dict(a.parameters or {})) for a in spec.actions],
        delay_seconds=spec.delay_seconds, cooldown_seconds=spec.cooldown_seconds,
        max_actions_per_hour=spec.max_actions_per_hour, generation=meta.generation or 0,
        created_at=meta.creation_timestamp, status=_status_view(rule.status or SelfHealingRuleStatus()))


def history_view(e: Entry, ids: Mapping[str, int | None]) -> HistoryView:
    d, subject = HealingRecord.model_validate(e.data), e.subject
    return HistoryView(
        id=e.name, rule=d.rule, cluster_id=ids.get(e.cluster), cluster_name=e.cluster,
        resource=ResourceView(kind=subject.kind if subject else d.kind,
                              namespace=subject.namespace if subject else d.namespace,
                              name=subject.name if subject else d.name),
        cooldown_key=d.resource, condition=d.condition, action=d.action, result=d.result, dry_run=d.dry_run,
        started_at=d.started_at, finished_at=d.finished_at, message=d.message, error=d.error or None)
