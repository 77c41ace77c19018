"""Requests and answers of 智能运维 2. 故障自愈 (2.1–2.3)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from cloudops.kube.types import JsonObject, JsonValue
from cloudops.selfheal.rules import ACTION_KINDS, ACTIONS, CONDITIONS, NODE_STATES, POD_STATES, duration_pattern
from cloudops.services.common import (
    CLUSTER_IDS_PATTERN,
    LABEL_KEY_SCHEMA_PATTERN,
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
Duration = Annotated[int, Field(ge=0, le=86400, strict=True)] | Annotated[str, Field(
    max_length=16, json_schema_extra={"pattern": duration_pattern()})]
Cooldown = Annotated[int, Field(ge=0, le=86400, strict=True, json_schema_extra={"minimum": 30})] | Annotated[
    str, Field(max_length=16, json_schema_extra={"pattern": duration_pattern(30)})]


# What cloudops.selfheal.rules checks in a rule, as the document says it: each condition's operators and values by
# its type, each action's parameters by its type, and one kind of object (pods, nodes, deployments) that all the
# conditions are about and every action can act on. The rules check them, in messages naming the field.
def _whole(top: int) -> JsonObject:
    """0..top (a power of ten), as a number or as digits."""
    return {"anyOf": [{"type": "integer", "minimum": 0, "maximum": top},
                      {"type": "string", "pattern": f"^0*([0-9]{{1,{len(str(top)) - 1}}}|{top})$"}]}


_VALUES: dict[str, JsonObject] = {
    "pod_status": {"type": "string", "enum": list(POD_STATES)},
    "node_status": {"type": "string", "enum": list(NODE_STATES)},
    "restart_count": _whole(10 ** 6), "deployment_unavailable_replicas": _whole(10 ** 6)}
_PARAMETERS: dict[str, JsonObject] = {
    "delay": {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 86400},
                        {"type": "string", "pattern": duration_pattern()}]},
    "replicas": _whole(1000), "to_revision": _whole(10 ** 6), "value": {}, "message": {},
    "key": {"anyOf": [{"type": "string", "pattern": LABEL_KEY_SCHEMA_PATTERN}, {"type": "integer"}]},
    "reason": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9]{0,127}$"}}


def _action(atype: str) -> JsonObject:
    required: list[JsonValue] = [p[:-1] for p in ACTIONS[atype] if p.endswith("!")]
    params: JsonObject = {"type": "object", "additionalProperties": False, "properties": {
        name: _PARAMETERS[name] for name in ["delay", *(p.rstrip("!") for p in ACTIONS[atype])]}}
    if required:
        return {"required": ["parameters"], "properties": {"type": {"const": atype}, "parameters": {
            **params, "required": required}}}
    return {"properties": {"type": {"const": atype}, "parameters": {"anyOf": [params, {"type": "null"}]}}}


_CONDITION_RULES: JsonObject = {"anyOf": [
    {"properties": {"type": {"const": t}, "operator": {"enum": [*ops]}, "value": _VALUES.get(t, {})}}
    for t, (_, ops) in CONDITIONS.items()]}
_ACTION_RULES: JsonObject = {"anyOf": [_action(atype) for atype in ACTIONS]}


def _types(names: list[JsonValue]) -> JsonObject:
    return {"items": {"properties": {"type": {"enum": names}}}}


_ONE_KIND: JsonObject = {"anyOf": [{"properties": {
    "conditions": _types([t for t, (k, _) in CONDITIONS.items() if k == kind]),
    "actions": _types([a for a, kinds in ACTION_KINDS.items() if kind in kinds])}}
    for kind in dict.fromkeys(k for k, _ in CONDITIONS.values())]}


class ConditionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_CONDITION_RULES)
    type: str = Field(max_length=64, json_schema_extra={"enum": list(CONDITIONS)})
    operator: str = Field("equals", max_length=40,
                          json_schema_extra={"enum": ["equals", "greater_than", "greater_than_or_equal"]})
    value: Annotated[str, Field(min_length=1, max_length=64)] | Annotated[int, Field(ge=0, le=1_000_000)]
    duration: Duration | None = Field(None, description="how long it must have held: 30s, 5m, 1h or seconds")


class ActionIn(BaseModel):
    # Under allOf, which generated clients read as a constraint, not as a union of action types.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"allOf": [_ACTION_RULES]})
    type: str = Field(max_length=64, json_schema_extra={"enum": list(ACTIONS)})
    parameters: dict[Annotated[str, Field(max_length=64)],
                     Annotated[str, Field(max_length=1024)] | Annotated[int, Field(ge=0, le=1_000_000)]] | None = \
        Field(None, max_length=16, description="e.g. delay: 30s; replicas for scale; key/value for annotate")


class CreateRule(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_ONE_KIND)
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
    cooldown: Cooldown = Field(300, description="per resource, at least 30s")
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
