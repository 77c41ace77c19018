"""智能运维 API 1. 自动扩缩容: autoscaling/v2 HorizontalPodAutoscalers in member clusters (1.1–1.3).

The member is the truth: its API server validates what we send (a bad metric or min above max is its
422 naming the field) and its controller-manager scales; the list shows what that controller reports
(current and desired replicas, current metric values, AbleToScale / ScalingActive / ScalingLimited).
Requests use the reference's snake_case; they are sent as autoscaling/v2 camelCase and shown back in
snake_case. Capability `resources` (HPAs are workload objects in the member).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, ok
from api_shim.network_params import target
from api_shim.state import ACCESS
from cloudops.clusters.health import parse_quantity
from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.objects import ObjectId
from cloudops.members.session import MemberSession
from cloudops.services.common import NAMESPACE_PATTERN, ClusterRefItem, LabelMap, PageInfo, PageQuery, Quantity

__all__ = ["section"]

section = Section(tag="autoscaling", resource="managedclusters")

NAME = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
Int32 = Annotated[int, Field(ge=-(2 ** 31), le=2 ** 31 - 1)]
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")
Json = dict[str, Any]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TargetRef(Strict):
    api_version: str = Field("apps/v1", max_length=253)
    kind: str = Field(max_length=63, description="Deployment, StatefulSet, ReplicaSet, ...")
    name: str = Field(pattern=NAME, max_length=253)


class MatchExpression(Strict):
    key: str = Field(max_length=317)
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"]
    values: list[str] | None = Field(None, max_length=64)


class Selector(Strict):
    match_labels: LabelMap | None = None
    match_expressions: list[MatchExpression] | None = Field(None, max_length=16)


class MetricTarget(Strict):
    type: Literal["Utilization", "Value", "AverageValue"]
    average_utilization: Int32 | None = Field(None, description="percent of the request (Resource)")
    average_value: Quantity | None = None
    value: Quantity | None = None


class MetricId(Strict):
    name: str = Field(max_length=253)
    selector: Selector | None = None


class ResourceSource(Strict):
    name: str = Field(max_length=253, description="cpu, memory")
    target: MetricTarget


class ContainerResourceSource(ResourceSource):
    container: str = Field(max_length=63)


class PodsSource(Strict):
    metric: MetricId
    target: MetricTarget


class ObjectSource(Strict):
    described_object: TargetRef
    metric: MetricId
    target: MetricTarget


class MetricSpec(Strict):
    type: Literal["Resource", "Pods", "Object", "External", "ContainerResource"]
    resource: ResourceSource | None = None
    pods: PodsSource | None = None
    object: ObjectSource | None = None
    external: PodsSource | None = None
    container_resource: ContainerResourceSource | None = None


class ScalingPolicy(Strict):
    type: Literal["Pods", "Percent"]
    value: Int32
    period_seconds: Int32


class ScalingRules(Strict):
    stabilization_window_seconds: Int32 | None = None
    select_policy: Literal["Max", "Min", "Disabled"] | None = None
    policies: list[ScalingPolicy] | None = Field(None, max_length=16)


class Behavior(Strict):
    scale_up: ScalingRules | None = None
    scale_down: ScalingRules | None = None


class CreateHpa(Strict):
    cluster_id: ClusterRefItem | None = ClusterIdParam
    name: str = Field(pattern=NAME, max_length=253)
    namespace: str = Field("default", pattern=NAMESPACE_PATTERN, max_length=63)
    target: TargetRef
    metrics: list[MetricSpec] = Field(default_factory=list, max_length=16)
    min_replicas: Int32 | None = 1
    max_replicas: Int32
    behavior: Behavior | None = None
    labels: LabelMap | None = None


class UpdateHpa(Strict):
    """Fields given replace the HPA's; others stay."""

    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE_PATTERN, max_length=63)
    target: TargetRef | None = None
    metrics: list[MetricSpec] | None = Field(None, max_length=16)
    min_replicas: Int32 | None = None
    max_replicas: Int32 | None = None
    behavior: Behavior | None = None


class HpaRef(Strict):
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE_PATTERN, max_length=63, description="default: default")


class ListQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE_PATTERN, max_length=63, description="absent: all")


class Condition(BaseModel):
    type: str
    status: str
    reason: str | None
    message: str | None
    last_transition_time: str | None


class CurrentMetric(BaseModel):
    type: str
    name: str | None = Field(description="the resource or metric name")
    current: dict[str, Any] = Field(description="average_utilization, average_value and/or value, as reported")


class HpaView(BaseModel):
    id: str = Field(description="<cluster id>:horizontalpodautoscaler:<namespace>:<name>")
    name: str
    namespace: str
    cluster_id: int | None
    cluster_name: str
    target: dict[str, Any]
    min_replicas: int | None
    max_replicas: int
    metrics: list[dict[str, Any]]
    behavior: dict[str, Any] | None
    current_replicas: int | None
    desired_replicas: int | None
    current_metrics: list[CurrentMetric]
    conditions: list[Condition]
    able_to_scale: bool | None = Field(description="the AbleToScale condition; None until reported")
    scaling_active: bool | None
    scaling_limited: bool | None
    last_scale_time: str | None
    created_at: str | None


class HpaList(PageInfo):
    hpas: list[HpaView]


# -- conversion --------------------------------------------------------------------------------------------------

# Maps whose keys are data (label keys), never renamed.
_OPAQUE = {"match_labels", "matchLabels"}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def _keys(value: Any, rename: Any) -> Any:
    if isinstance(value, dict):
        return {rename(k): (v if k in _OPAQUE else _keys(v, rename)) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_keys(v, rename) for v in value]
    return value


def to_member(model: BaseModel) -> Json:
    out: Json = _keys(model.model_dump(exclude_none=True), _camel)
    return out


def from_member(value: Any) -> Any:
    return _keys(value, _snake)


def _check_quantities(metrics: list[MetricSpec]) -> None:
    """The schema's pattern holds; a quantity too large for a float is still 400 naming the field."""
    for i, m in enumerate(metrics):
        for source_name in ("resource", "pods", "object", "external", "container_resource"):
            source = getattr(m, source_name)
            if source is None:
                continue
            for key in ("average_value", "value"):
                text = getattr(source.target, key)
                if text is not None:
                    try:
                        parse_quantity(text)
                    except ValueError:
                        raise ApiError(400, f"metrics[{i}].{source_name}.target.{key}: not a finite quantity") \
                            from None


def _condition(c: Json) -> Json:
    return {"type": str(c.get("type", "")), "status": str(c.get("status", "")), "reason": c.get("reason"),
            "message": c.get("message"), "last_transition_time": c.get("lastTransitionTime")}


def _current(m: Json) -> Json:
    kind = str(m.get("type", ""))
    source = m.get(kind[:1].lower() + kind[1:]) or {}
    name = source.get("name") or (source.get("metric") or {}).get("name")
    return {"type": kind, "name": name, "current": from_member(source.get("current") or {})}


def hpa_view(cluster: ClusterRef, obj: Json) -> Json:
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    conditions = [_condition(c) for c in status.get("conditions") or []]

    def flag(kind: str) -> bool | None:
        found = next((c for c in conditions if c["type"] == kind), None)
        return None if found is None else found["status"] == "True"

    return {"id": str(ObjectId(cluster.ref, "horizontalpodautoscaler", meta.get("namespace", ""),
                               meta.get("name", ""))),
            "name": meta.get("name", ""), "namespace": meta.get("namespace", ""), "cluster_id": cluster.id,
            "cluster_name": cluster.name, "target": from_member(spec.get("scaleTargetRef") or {}),
            "min_replicas": spec.get("minReplicas"), "max_replicas": int(spec.get("maxReplicas") or 0),
            "metrics": from_member(spec.get("metrics") or []),
            "behavior": from_member(spec["behavior"]) if spec.get("behavior") else None,
            "current_replicas": status.get("currentReplicas"), "desired_replicas": status.get("desiredReplicas"),
            "current_metrics": [_current(m) for m in status.get("currentMetrics") or []],
            "conditions": conditions, "able_to_scale": flag("AbleToScale"), "scaling_active": flag("ScalingActive"),
            "scaling_limited": flag("ScalingLimited"), "last_scale_time": status.get("lastScaleTime"),
            "created_at": meta.get("creationTimestamp")}


def _spec(target: TargetRef | None, metrics: list[MetricSpec] | None, min_replicas: int | None,
          max_replicas: int | None, behavior: Behavior | None) -> Json:
    spec: Json = {}
    if target is not None:
        spec["scaleTargetRef"] = to_member(target)
    if metrics is not None:
        _check_quantities(metrics)
        spec["metrics"] = [to_member(m) for m in metrics]
    if min_replicas is not None:
        spec["minReplicas"] = min_replicas
    if max_replicas is not None:
        spec["maxReplicas"] = max_replicas
    if behavior is not None:
        spec["behavior"] = to_member(behavior)
    return spec


async def _hpas(call: Call) -> tuple[MemberSession, ResourceType]:
    session = await call.request.app[ACCESS].session(call.cluster)
    return session, await session.resolve("horizontalpodautoscalers.autoscaling")


# -- endpoints ---------------------------------------------------------------------------------------------------


@section.route("POST", "/api/k8s/autoscaling/hpa/create", "创建 HPA", verb="create", subresource="resources",
               body=CreateHpa, data=HpaView, cluster="param")
async def create_hpa(call: Call) -> web.Response:
    b: CreateHpa = call.body
    session, rt = await _hpas(call)
    if rt.api_version != "autoscaling/v2":
        raise ApiError(422, f"cluster {call.cluster.name!r}: serves {rt.api_version}, not autoscaling/v2")
    meta: Json = {"name": b.name, "namespace": b.namespace}
    if b.labels:
        meta["labels"] = dict(b.labels)
    body = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta,
            "spec": _spec(b.target, b.metrics, b.min_replicas, b.max_replicas, b.behavior)}
    return ok(hpa_view(call.cluster, await session.create(rt, b.namespace, body)))


@section.route("GET", "/api/k8s/autoscaling/hpa", "获取 HPA 列表", verb="list", subresource="resources",
               query=ListQuery, data=HpaList, cluster="param")
async def list_hpas(call: Call) -> web.Response:
    q: ListQuery = call.query
    session, rt = await _hpas(call)
    items, _ = await session.list_all(rt, q.namespace)
    items.sort(key=lambda o: ((o.get("metadata") or {}).get("namespace", ""), (o.get("metadata") or {}).get("name")))
    listed = {"items": [hpa_view(call.cluster, o) for o in items[q.offset:q.offset + q.limit]],
              "total": len(items), "limit": q.limit, "offset": q.offset}
    return ok({"hpas": listed.pop("items"), **listed})


@section.route("PUT", "/api/k8s/autoscaling/hpa/{name}", "更新 HPA 配置", verb="update", subresource="resources",
               query=HpaRef, body=UpdateHpa, data=HpaView, cluster="param")
async def update_hpa(call: Call) -> web.Response:
    """`{name}`: the HPA's name (namespace from query or body, else default) or its object id. Read, change,
    replace with the read resourceVersion: a concurrent change is 409/1006, never lost."""
    q: HpaRef = call.query
    b: UpdateHpa = call.body
    if q.namespace and b.namespace and q.namespace != b.namespace:
        raise ApiError(400, "namespace: query and body name different namespaces")
    namespace, name, _ = target(call, "horizontalpodautoscaler")
    session, rt = await _hpas(call)
    current = await session.get(rt, namespace, name)
    current["spec"] = {**(current.get("spec") or {}),
                       **_spec(b.target, b.metrics, b.min_replicas, b.max_replicas, b.behavior)}
    current.pop("status", None)
    return ok(hpa_view(call.cluster, await session.replace(rt, namespace, name, current)))
