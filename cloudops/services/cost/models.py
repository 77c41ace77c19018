"""智能运维 API 1 (资源成本分析): the cost report's and the optimization suggestions' queries and answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cloudops.cost.views import Coverage, Line, Parts, PricingSource, Skipped, Suggestion, Target, Trend
from cloudops.services.common import LABEL_KEY_PATTERN, NAMESPACE_PATTERN, ClusterRefItem

__all__ = ["GROUP_BY", "ClusterIdParam", "CostReport", "Coverage", "Line", "Optimization", "OptimizationQuery",
           "Parts", "PricingSource", "ReportQuery", "Skipped", "Suggestion", "Target", "Trend"]

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
    min_nodes: int = Field(1, ge=1, le=10000, description=(
        "instance advice never leaves fewer Ready, schedulable nodes than this (counting every node suggested "
        "for removal together)"))


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


class Optimization(BaseModel):
    cluster_id: int | None
    cluster_name: str
    optimization_type: str | None
    currency: str
    suggestions: list[Suggestion]
    skipped: list[Skipped]
    total_estimated_monthly_saving: float | None = Field(
        description="sum of the suggestions' savings; null when suggestions are withheld")
    recorded_hours: float = Field(description="hours of the cluster's usage recorded (last 30 days)")
    required_hours: float = Field(description="recorded hours needed before any suggestion "
                                              "(CLOUDOPS_RIGHTSIZING_MIN_HOURS)")
    withheld_reason: str | None = Field(description="why there are no suggestions yet; null when they were made")
    min_nodes: int = Field(description="the minimum node count the instance advice kept")
    pricing_source: PricingSource
