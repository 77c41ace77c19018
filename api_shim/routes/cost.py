"""智能运维 API 1. 资源成本分析: cost report (1.1) and optimization suggestions (1.2), OpenCost's allocation
model over the usage the operator records (cloudops.cost). Capability `cost` (read: get/list)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, ok
from api_shim.state import ACCESS, HUB, SETTINGS
from cloudops.cost import service
from cloudops.members.objects import ObjectId
from cloudops.services.common import LABEL_KEY_PATTERN, NAMESPACE_PATTERN, ClusterRefItem

__all__ = ["section"]

section = Section(tag="cost", resource="managedclusters")

ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")
GROUP_BY = r"^(namespace|pod|node|controller|label:" + LABEL_KEY_PATTERN[1:-1] + r")$"


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    time_range: Literal["1h", "24h", "7d", "30d"] = Field("24h", description="时间范围 (ending now)")
    group_by: str = Field("namespace", pattern=GROUP_BY, max_length=330,
                          description="分组方式: namespace, pod, node, controller or label:<key>")
    namespace: str | None = Field(None, pattern=NAMESPACE_PATTERN, max_length=63,
                                  description="only this namespace (no idle line)")


class OptimizationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    optimization_type: Literal["resource", "instance", "storage"] | None = Field(
        None, description="优化类型; absent: all three")
    namespace: str | None = Field(None, pattern=NAMESPACE_PATTERN, max_length=63,
                                  description="only workloads and claims of this namespace")


class Parts(BaseModel):
    cpu: float
    memory: float
    storage: float
    gpu: float


class Line(BaseModel):
    name: str = Field(description="the group; __idle__, __unattributed__ and __unallocated__ are OpenCost's")
    kind: Literal["allocation", "idle", "unattributed"]
    namespace: str | None
    cost: float
    percentage: float
    resources: Parts


class Trend(BaseModel):
    daily_average: float = Field(description="cost per day of recorded time")
    growth_rate: float = Field(description="percent per day (least-squares slope of the hourly cost rate)")


class Coverage(BaseModel):
    range_hours: float
    covered_hours: float = Field(description="hours of the range with recorded usage")
    ratio: float
    extrapolated: bool = Field(description="always false: costs are what was recorded")


class PricingSource(BaseModel):
    source: Literal["opencost-defaults", "costpricing"]
    objects: list[str] = Field(description="CostPricing objects applied, least specific first")
    currency: str
    cpu_per_core_hour: float
    memory_per_gib_hour: float
    storage_per_gib_hour: float
    gpu_per_hour: float
    defaults: str


class CostReport(BaseModel):
    cluster_id: int | None
    cluster_name: str
    total_cost: float
    currency: str
    period: str
    time_range: str
    group_by: str
    namespace: str | None
    breakdown: list[Line]
    resources: Parts
    trend: Trend
    coverage: Coverage
    pricing_source: PricingSource


class Target(BaseModel):
    kind: str
    namespace: str
    name: str


class Suggestion(BaseModel):
    id: str = Field(description="object id of the target")
    type: Literal["resource", "instance", "storage"]
    action: Literal["patch", "cordon-and-drain", "delete"]
    target: Target
    reason: str
    current: dict[str, Any]
    recommended: dict[str, Any]
    patch: dict[str, Any] | None = Field(description="apply to the target; null when the action is delete")
    patch_type: Literal["strategic", "merge"] | None
    estimated_monthly_saving: float = Field(description="730 h at the allocation model's prices; negative: a raise")
    details: dict[str, Any]


class Skipped(BaseModel):
    kind: str
    namespace: str
    name: str
    reason: str


class Optimization(BaseModel):
    cluster_id: int | None
    cluster_name: str
    optimization_type: str | None
    currency: str
    suggestions: list[Suggestion]
    skipped: list[Skipped]
    total_estimated_monthly_saving: float
    pricing_source: PricingSource


@section.route("GET", "/api/k8s/cost/report", "获取成本报告", verb="get", subresource="cost",
               query=ReportQuery, data=CostReport, cluster="param")
async def cost_report(call: Call) -> web.Response:
    q: ReportQuery = call.query
    app = call.request.app
    if q.group_by.startswith("label:") and not q.group_by[6:]:
        raise ApiError(400, "group_by: label: needs a label key")
    data = await service.report(app[HUB], app[SETTINGS].namespace, call.cluster.cr, time_range=q.time_range,
                                group_by=q.group_by, now=datetime.now(UTC), only_namespace=q.namespace)
    return ok({"cluster_id": call.cluster.id, "cluster_name": call.cluster.name, **data})


@section.route("GET", "/api/k8s/cost/optimization", "获取成本优化建议", verb="get", subresource="cost",
               query=OptimizationQuery, data=Optimization, cluster="param")
async def cost_optimization(call: Call) -> web.Response:
    q: OptimizationQuery = call.query
    app = call.request.app
    settings = app[SETTINGS]
    session = await app[ACCESS].session(call.cluster)
    types = (q.optimization_type,) if q.optimization_type else service.OPTIMIZATION_TYPES
    data = await service.optimize(app[HUB], settings.namespace, call.cluster.cr, session, types=types,
                                  min_hours=settings.rightsizing_min_hours,
                                  underused_percent=settings.underused_node_percent, only_namespace=q.namespace)
    for s in data["suggestions"]:
        t = s["target"]
        s["id"] = str(ObjectId(call.cluster.ref, t["kind"].lower(), t["namespace"], t["name"]))
    return ok({"cluster_id": call.cluster.id, "cluster_name": call.cluster.name,
               "optimization_type": q.optimization_type, **data})
