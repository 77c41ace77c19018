"""Requests and answers of 智能运维 2. 故障自愈 (2.1–2.3)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from cloudops.selfheal.rules import ACTIONS, CONDITIONS
from cloudops.services.common import (
    CLUSTER_IDS_PATTERN,
    NAMESPACE_PATTERN,
    ClusterRefItem,
    LabelMap,
    PageInfo,
    PageQuery,
)

__all__ = ["ActionIn", "ActionView", "ClusterTag", "ConditionIn", "ConditionView", "CreateRule", "HistoryList",
           "HistoryQuery", "HistoryView", "ListQuery", "ResourceView", "RuleList", "RuleStatus", "RuleView",
           "StatusCondition"]

NamespaceName = Annotated[str, Field(pattern=NAMESPACE_PATTERN, max_length=63)]
RULE_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
ISO_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?$"
Duration = Annotated[int, Field(ge=0, le=86400, strict=True)] | Annotated[str, Field(max_length=16)]


class ConditionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(max_length=64, json_schema_extra={"enum": list(CONDITIONS)})
    operator: str = Field("equals", max_length=40,
                          json_schema_extra={"enum": ["equals", "greater_than", "greater_than_or_equal"]})
    value: Annotated[str, Field(min_length=1, max_length=64)] | Annotated[int, Field(ge=0, le=1_000_000)]
    duration: Duration | None = Field(None, description="how long it must have held: 30s, 5m, 1h or seconds")


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(max_length=64, json_schema_extra={"enum": list(ACTIONS)})
    parameters: dict[Annotated[str, Field(max_length=64)],
                     Annotated[str, Field(max_length=1024)] | Annotated[int, Field(ge=0, le=1_000_000)]] | None = \
        Field(None, max_length=16, description="e.g. delay: 30s; replicas for scale; key/value for annotate")


class CreateRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=RULE_NAME, max_length=63)
    description: str | None = Field(None, max_length=1024)
    cluster_ids: list[ClusterRefItem] | None = Field(None, min_length=1, max_length=100, description=(
        "clusters the rule watches; default: every cluster you may create policies on now"))
    namespaces: list[NamespaceName] | None = Field(None, max_length=256, description="default: every namespace")
    label_selector: LabelMap | None = Field(None, description="matchLabels the objects must carry")
    conditions: list[ConditionIn] = Field(min_length=1, max_length=16)
    actions: list[ActionIn] = Field(min_length=1, max_length=8)
    enabled: bool = True
    dry_run: bool = False
    delay: Duration | None = Field(None, description="how long a match must last before acting")
    cooldown: Duration = Field(300, description="per resource, at least 30s")
    max_actions_per_hour: int = Field(10, ge=1, le=1000)


class ClusterTag(BaseModel):
    cluster_id: int | None
    cluster_name: str


class ConditionView(BaseModel):
    type: str
    operator: str
    value: str
    duration_seconds: int


class ActionView(BaseModel):
    type: str
    parameters: dict[str, str]


class StatusCondition(BaseModel):
    type: str
    status: str
    reason: str
    message: str
    last_transition_time: str | None


class RuleStatus(BaseModel):
    ready: bool | None = Field(description="null until the operator has seen the rule")
    reason: str
    message: str
    triggers: int
    last_triggered: str | None
    actions_last_hour: int
    observed_generation: int | None
    conditions: list[StatusCondition]


class RuleView(BaseModel):
    name: str
    description: str
    enabled: bool
    dry_run: bool
    clusters: list[ClusterTag]
    namespaces: list[str]
    label_selector: dict[str, object]
    conditions: list[ConditionView]
    actions: list[ActionView]
    delay_seconds: int
    cooldown_seconds: int
    max_actions_per_hour: int
    generation: int
    created_at: str | None
    status: RuleStatus


class ListQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    cluster_ids: str | None = Field(None, pattern=CLUSTER_IDS_PATTERN, max_length=4096,
                                    description="only rules watching one of these clusters")
    enabled: bool | None = None


class RuleList(PageInfo):
    rules: list[RuleView]


class HistoryQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    cluster_ids: str | None = Field(None, pattern=CLUSTER_IDS_PATTERN, max_length=4096)
    rule: str | None = Field(None, pattern=RULE_NAME, max_length=63)
    namespace: str | None = Field(None, pattern=NAMESPACE_PATTERN, max_length=63)
    start_time: str | None = Field(None, pattern=ISO_TIME, max_length=40, json_schema_extra={"format": "date-time"},
                                   description="ISO 8601; entries that finished at or after it")
    end_time: str | None = Field(None, pattern=ISO_TIME, max_length=40, json_schema_extra={"format": "date-time"},
                                 description="ISO 8601; entries that finished at or before it")


class ResourceView(BaseModel):
    kind: str
    namespace: str
    name: str


class HistoryView(BaseModel):
    id: str
    rule: str
    cluster_id: int | None
    cluster_name: str
    resource: ResourceView
    cooldown_key: str = Field(description="what the cooldown is per: a pod's workload, a node, a deployment")
    condition: str
    action: str
    result: str = Field(description="succeeded, failed or dry_run")
    dry_run: bool
    started_at: str
    finished_at: str
    message: str
    error: str | None


class HistoryList(PageInfo):
    history: list[HistoryView]
