"""智能运维 API 2. 故障自愈: SelfHealingRule objects in the hub (2.1 create, 2.2 list with status) and the history
of what the rules did (2.3, ActivityRecords of stream `self-healing`). The operator runs the rules.

Capability `policies` (rules are automation policies, like label policies and compliance): creating is verb
create, listing rules and history is list, each authorized per target cluster.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, BusinessCode, ok
from api_shim.state import HUB, REGISTRY, SETTINGS
from cloudops.activity import Entry
from cloudops.constants import API_VERSION, SELF_HEALING_RULE
from cloudops.kube.custom_objects import CustomObjects
from cloudops.members.access import ClusterRef
from cloudops.paging import page
from cloudops.selfheal import history
from cloudops.selfheal.rules import ACTIONS, CONDITIONS, action_errors, condition_errors, parse_duration
from cloudops.services.common import (
    CLUSTER_IDS_PATTERN,
    NAMESPACE_PATTERN,
    ClusterRefItem,
    LabelMap,
    PageInfo,
    PageQuery,
)
from cloudops.timestamps import parse_moment

__all__ = ["section"]

section = Section(tag="self-healing", resource="managedclusters")
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
    label_selector: dict[str, Any]
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


def _seconds(value: int | str | None, where: str, minimum: int = 0) -> int:
    if value is None:
        return 0
    try:
        seconds = parse_duration(value)
    except ValueError as e:
        raise ApiError(400, f"{where}: {e}") from None
    if seconds < minimum:
        raise ApiError(400, f"{where}: at least {minimum} seconds")
    return seconds


def _check(b: CreateRule) -> None:
    conditions = [c.model_dump() for c in b.conditions]
    errors = condition_errors(conditions)
    kind = None if errors else CONDITIONS[b.conditions[0].type][0]
    errors += action_errors([a.model_dump() for a in b.actions], kind)
    if errors:
        raise ApiError(400, "; ".join(errors))


def _spec(b: CreateRule, clusters: list[ClusterRef]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "clusters": [c.name for c in clusters], "enabled": b.enabled, "dryRun": b.dry_run,
        "conditions": [{"type": c.type, "operator": c.operator, "value": str(c.value),
                        "durationSeconds": _seconds(c.duration, f"conditions[{i}].duration")}
                       for i, c in enumerate(b.conditions)],
        "actions": [{"type": a.type, **({"parameters": {k: str(v) for k, v in a.parameters.items()}}
                                         if a.parameters else {})} for a in b.actions],
        "delaySeconds": _seconds(b.delay, "delay"), "cooldownSeconds": _seconds(b.cooldown, "cooldown", 30),
        "maxActionsPerHour": b.max_actions_per_hour}
    if b.description:
        spec["description"] = b.description
    if b.namespaces:
        spec["namespaces"] = list(dict.fromkeys(b.namespaces))
    if b.label_selector:
        spec["labelSelector"] = {"matchLabels": dict(b.label_selector)}
    return spec


def _status_view(obj: dict[str, Any]) -> dict[str, Any]:
    status = obj.get("status") or {}
    conds = status.get("conditions") or []
    ready = next((c for c in conds if c.get("type") == "Ready"), None)
    return {"ready": None if ready is None else ready.get("status") == "True",
            "reason": str((ready or {}).get("reason") or "Pending"),
            "message": str((ready or {}).get("message") or "not yet seen by the operator"),
            "triggers": int(status.get("triggerCount") or 0), "last_triggered": status.get("lastTriggeredTime"),
            "actions_last_hour": int(status.get("actionsLastHour") or 0),
            "observed_generation": status.get("observedGeneration"),
            "conditions": [{"type": str(c.get("type", "")), "status": str(c.get("status", "")),
                            "reason": str(c.get("reason") or ""), "message": str(c.get("message") or ""),
                            "last_transition_time": c.get("lastTransitionTime")} for c in conds]}


def _view(obj: dict[str, Any], ids: dict[str, int | None]) -> dict[str, Any]:
    spec, meta = obj.get("spec") or {}, obj["metadata"]
    return {
        "name": meta["name"], "description": str(spec.get("description") or ""),
        "enabled": bool(spec.get("enabled", True)), "dry_run": bool(spec.get("dryRun", False)),
        "clusters": [{"cluster_id": ids.get(c), "cluster_name": c} for c in spec.get("clusters") or []],
        "namespaces": list(spec.get("namespaces") or []), "label_selector": dict(spec.get("labelSelector") or {}),
        "conditions": [{"type": c["type"], "operator": c.get("operator") or "equals", "value": str(c["value"]),
                        "duration_seconds": int(c.get("durationSeconds") or 0)} for c in spec.get("conditions") or []],
        "actions": [{"type": a["type"], "parameters": {str(k): str(v) for k, v in (a.get("parameters") or {}).items()}}
                    for a in spec.get("actions") or []],
        "delay_seconds": int(spec.get("delaySeconds") or 0), "cooldown_seconds": int(spec.get("cooldownSeconds", 300)),
        "max_actions_per_hour": int(spec.get("maxActionsPerHour", 10)), "generation": int(meta.get("generation") or 0),
        "created_at": meta.get("creationTimestamp"), "status": _status_view(obj)}


async def _ids(call: Call) -> dict[str, int | None]:
    return {c.name: c.id for c in (ClusterRef.of(cr) for cr in await call.request.app[REGISTRY].all())}


@section.route("POST", "/api/k8s/self-healing/rules/create", "创建自愈规则", verb="create", subresource="policies",
               body=CreateRule, data=RuleView, cluster="many")
async def create_rule(call: Call) -> web.Response:
    b: CreateRule = call.body
    if call.target.missing:
        raise ApiError(404, f"cluster_ids: no such clusters: {', '.join(call.target.missing)}",
                       BusinessCode.RESOURCE_NOT_FOUND)
    if not call.target.clusters:
        raise ApiError(404, "cluster_ids: no clusters are registered", BusinessCode.RESOURCE_NOT_FOUND)
    _check(b)
    app = call.request.app
    namespace = app[SETTINGS].namespace
    body = {"apiVersion": API_VERSION, "kind": SELF_HEALING_RULE.kind,
            "metadata": {"name": b.name, "namespace": namespace},
            "spec": _spec(b, list(call.target.clusters))}
    created = await CustomObjects(app[HUB], SELF_HEALING_RULE, namespace).create(body)
    return ok(_view(created, {c.name: c.id for c in call.target.clusters}))


@section.route("GET", "/api/k8s/self-healing/rules", "获取自愈规则列表", verb="list", subresource="policies",
               query=ListQuery, data=RuleList, cluster="many")
async def list_rules(call: Call) -> web.Response:
    q: ListQuery = call.query
    app = call.request.app
    visible = {c.name for c in call.target.clusters}
    rules = await CustomObjects(app[HUB], SELF_HEALING_RULE, app[SETTINGS].namespace).list()
    rules = [r for r in rules if visible & set((r.get("spec") or {}).get("clusters") or [])
             and (q.enabled is None or bool((r.get("spec") or {}).get("enabled", True)) == q.enabled)]
    rules.sort(key=lambda r: r["metadata"]["name"])
    ids = await _ids(call)
    listed = page(rules, q.limit, q.offset)
    return ok({"rules": [_view(r, ids) for r in listed.pop("items")], **listed})


def _moment(text: str | None, where: str) -> datetime | None:
    """An ISO 8601 time; without an offset it is UTC. 400 in our own words when no such time exists."""
    if text is None:
        return None
    try:
        return parse_moment(text.upper().replace("Z", "+00:00").replace(" ", "T"), text)
    except ValueError as e:
        raise ApiError(400, f"{where}: {e}") from None


def _history_view(e: Entry, ids: dict[str, int | None]) -> dict[str, Any]:
    d = e.data
    subject = e.subject
    return {"id": e.name, "rule": str(d.get("rule", "")), "cluster_id": ids.get(e.cluster), "cluster_name": e.cluster,
            "resource": {"kind": subject.kind if subject else str(d.get("kind", "")),
                         "namespace": subject.namespace if subject else str(d.get("namespace", "")),
                         "name": subject.name if subject else str(d.get("name", ""))},
            "cooldown_key": str(d.get("resource", "")), "condition": str(d.get("condition", "")),
            "action": str(d.get("action", "")), "result": str(d.get("result", "")),
            "dry_run": bool(d.get("dryRun", False)), "started_at": str(d.get("startedAt", "")),
            "finished_at": str(d.get("finishedAt", "")), "message": str(d.get("message", "")),
            "error": str(d["error"]) if d.get("error") else None}


@section.route("GET", "/api/k8s/self-healing/history", "获取自愈历史", verb="list", subresource="policies",
               query=HistoryQuery, data=HistoryList, cluster="many")
async def list_history(call: Call) -> web.Response:
    q: HistoryQuery = call.query
    start, end = _moment(q.start_time, "start_time"), _moment(q.end_time, "end_time")
    if start is not None and end is not None and start > end:
        raise ApiError(400, "start_time: must not be after end_time")
    app = call.request.app
    clusters = {c.name: c.id for c in call.target.clusters}
    only = next(iter(clusters)) if len(clusters) == 1 else None
    found = await history.read(app[HUB], app[SETTINGS].namespace, rule=q.rule, cluster=only, since=start, until=end)
    found = [e for e in found if e.cluster in clusters
             and (q.namespace is None or (e.subject is not None and e.subject.namespace == q.namespace))]
    listed = page(found, q.limit, q.offset)
    return ok({"history": [_history_view(e, clusters) for e in listed.pop("items")], **listed})
