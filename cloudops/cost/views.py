"""What the cost engine answers (智能运维 cost 1.1–1.2, the MCP cost tool): TypedDicts, plain JSON typed.

The API's response models (cloudops.services.cost.models) hold them as they are; the allocation report and the
optimization plan are also what the MCP cost tool shows, without the cluster around them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import Field
from typing_extensions import TypedDict

__all__ = ["Advice", "AllocationReport", "Coverage", "Line", "OptimizationPlan", "OptimizationType", "Parts",
           "PricingSource", "Skipped", "Suggestion", "Target", "Trend"]

OptimizationType = Literal["resource", "instance", "storage"]
Action = Literal["patch", "cordon-and-drain", "delete"]
PatchType = Literal["strategic", "merge"]


class Parts(TypedDict):
    cpu: float
    memory: float
    storage: float
    gpu: float


class Line(TypedDict):
    name: Annotated[str, Field(description="the group; __idle__, __unattributed__ and __unallocated__ are OpenCost's")]
    kind: Literal["allocation", "idle", "unattributed"]
    namespace: str | None
    cost: float
    percentage: float
    resources: Parts


class Trend(TypedDict):
    daily_average: Annotated[float, Field(description="cost per day of recorded time")]
    growth_rate: Annotated[float, Field(description="percent per day (least-squares slope of the hourly cost rate)")]


class Coverage(TypedDict):
    range_hours: float
    covered_hours: Annotated[float, Field(description="hours of the range with recorded usage")]
    ratio: float
    extrapolated: Annotated[bool, Field(description="always false: costs are what was recorded")]


class PricingSource(TypedDict):
    source: Literal["opencost-defaults", "costpricing"]
    objects: Annotated[list[str], Field(description="CostPricing objects applied, least specific first")]
    currency: str
    cpu_per_core_hour: float
    memory_per_gib_hour: float
    storage_per_gib_hour: float
    gpu_per_hour: float
    defaults: str


class AllocationReport(TypedDict):
    """The cost report of one cluster (智能运维 1.1) without the cluster: cloudops.cost.allocation.report."""

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


class Target(TypedDict):
    kind: str
    namespace: str
    name: str


class Advice(TypedDict):
    """One optimization suggestion as the engine makes it (the API adds the target's object id)."""

    type: OptimizationType
    action: Action
    target: Target
    reason: str
    current: Mapping[str, object]
    recommended: Mapping[str, object]
    patch: Mapping[str, object] | None
    patch_type: PatchType | None
    estimated_monthly_saving: float
    details: Mapping[str, object]


class Suggestion(TypedDict):
    id: Annotated[str, Field(description="object id of the target")]
    type: OptimizationType
    action: Action
    target: Target
    reason: str
    current: Mapping[str, object]
    recommended: Mapping[str, object]
    patch: Annotated[Mapping[str, object] | None,
                     Field(description="apply to the target; null when the action is delete")]
    patch_type: PatchType | None
    estimated_monthly_saving: Annotated[float, Field(
        description="730 h at the allocation model's prices; negative: a raise")]
    details: Mapping[str, object]


class Skipped(TypedDict):
    kind: str
    namespace: str
    name: str
    reason: str


class OptimizationPlan(TypedDict):
    """Suggestions of the asked types for one cluster, what was skipped and why (智能运维 1.2 without the
    cluster and the object ids); none at all, with the reason, before enough usage is recorded."""

    currency: str
    suggestions: list[Advice]
    skipped: list[Skipped]
    total_estimated_monthly_saving: Annotated[float | None, Field(
        description="sum of the suggestions' savings; null when suggestions are withheld")]
    recorded_hours: Annotated[float, Field(description="hours of the cluster's usage recorded (last 30 days)")]
    required_hours: Annotated[float, Field(description="hours needed before any suggestion "
                                                       "(CLOUDOPS_RIGHTSIZING_MIN_HOURS)")]
    withheld_reason: Annotated[str | None, Field(
        description="why there are no suggestions yet (too little usage recorded); null when they were made")]
    pricing_source: PricingSource
