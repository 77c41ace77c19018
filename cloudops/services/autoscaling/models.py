"""Requests and answers of 智能运维 API 1. 自动扩缩容: autoscaling/v2 HorizontalPodAutoscalers in member clusters
(1.1–1.3), in the reference's snake_case."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from cloudops.resources.base import FreeForm
from cloudops.services.common import NAMESPACE_PATTERN, ClusterRefItem, LabelMap, PageInfo, PageQuery, Quantity

__all__ = ["Behavior", "Condition", "ContainerResourceSource", "CreateHpa", "CurrentMetric", "HpaList", "HpaRef",
           "HpaView", "ListQuery", "MatchExpression", "MetricId", "MetricSpec", "MetricTarget", "ObjectSource",
           "PodsSource", "ResourceSource", "ScalingPolicy", "ScalingRules", "Selector", "Strict", "TargetRef",
           "UpdateHpa"]

NAME = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
Int32 = Annotated[int, Field(ge=-(2 ** 31), le=2 ** 31 - 1)]
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")


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
    current: FreeForm = Field(description="average_utilization, average_value and/or value, as reported")


class HpaView(BaseModel):
    id: str = Field(description="<cluster id>:horizontalpodautoscaler:<namespace>:<name>")
    name: str
    namespace: str
    cluster_id: int | None
    cluster_name: str
    target: FreeForm
    min_replicas: int | None
    max_replicas: int
    metrics: list[FreeForm]
    behavior: FreeForm | None
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
