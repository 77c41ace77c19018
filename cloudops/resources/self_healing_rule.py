"""SelfHealingRule (crds/selfhealingrules.yaml): remediation actions for member objects matching all conditions."""

from __future__ import annotations

from typing import ClassVar, Literal, TypeAlias

from cloudops.constants import SELF_HEALING_RULE, Kind
from cloudops.resources.base import Condition, CustomResource, ResourceModel, Timestamp

__all__ = [
    "ActionType",
    "ConditionType",
    "HealingAction",
    "HealingCondition",
    "LabelSelector",
    "LabelSelectorRequirement",
    "SelfHealingRule",
    "SelfHealingRuleSpec",
    "SelfHealingRuleStatus",
]

ConditionType: TypeAlias = Literal["pod_status", "restart_count", "node_status", "deployment_unavailable_replicas"]
ActionType: TypeAlias = Literal["restart_pod", "rollback_deployment", "scale", "cordon_node", "annotate", "event"]


class LabelSelectorRequirement(ResourceModel):
    key: str
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"]
    values: list[str] | None = None


class LabelSelector(ResourceModel):
    """metav1.LabelSelector."""

    match_labels: dict[str, str] | None = None
    match_expressions: list[LabelSelectorRequirement] | None = None


class HealingCondition(ResourceModel):
    """One trigger condition (REST conditions[]); `value` is a string even for numbers."""

    type: ConditionType
    operator: Literal["equals", "greater_than", "greater_than_or_equal"] = "equals"
    value: str
    duration_seconds: int = 0


class HealingAction(ResourceModel):
    """One remediation action (REST actions[]); parameters are strings, e.g. delay: "30s"."""

    type: ActionType
    parameters: dict[str, str] | None = None


class SelfHealingRuleSpec(ResourceModel):
    clusters: list[str]
    description: str | None = None
    enabled: bool = True
    dry_run: bool = False
    namespaces: list[str] | None = None
    label_selector: LabelSelector | None = None
    conditions: list[HealingCondition]
    actions: list[HealingAction]
    delay_seconds: int = 0
    cooldown_seconds: int = 300
    max_actions_per_hour: int = 10


class SelfHealingRuleStatus(ResourceModel):
    observed_generation: int | None = None
    conditions: list[Condition] | None = None
    last_triggered_time: Timestamp | None = None
    trigger_count: int | None = None
    actions_last_hour: int | None = None


class SelfHealingRule(CustomResource):
    KIND: ClassVar[Kind] = SELF_HEALING_RULE

    kind: Literal["SelfHealingRule"] = "SelfHealingRule"
    spec: SelfHealingRuleSpec
    status: SelfHealingRuleStatus | None = None
