"""The reference's MCP tool 1.5, cost analysis: the cost engine's report and optimization for one cluster
(with the API's settings: no suggestion before CLOUDOPS_RIGHTSIZING_MIN_HOURS are recorded), and a forecast
from the engine's least-squares trend, with how much recorded time the fit stands on."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from cloudops.conditions import now_iso
from cloudops.kube.narrow import dig, number
from cloudops.mcp_tools.models import CostResult
from cloudops.mcp_tools.registry import ToolContext
from cloudops.services.cost import OPTIMIZATION_TYPES, CostService

__all__ = ["CostParams", "Forecast", "analyze_cost", "forecast"]

FORECAST_DAYS = 30


class CostParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    time_range: Literal["1h", "24h", "7d", "30d"] = "30d"
    include_optimization: bool = True
    include_forecast: bool = True
    namespace: str | None = Field(None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63,
                                  description="only this namespace (default: the whole cluster)")
    min_nodes: int = Field(1, ge=1, le=10000, description="node advice never leaves fewer Ready, schedulable "
                                                          "nodes than this")


class Forecast(TypedDict, total=False):
    available: bool
    reason: str  # why there is none
    days: int
    projected_cost: float
    currency: str | None
    daily_average: float
    growth_rate_percent_per_day: float
    method: str
    coverage: Mapping[str, object]
    reliable: bool


def forecast(report: Mapping[str, object], days: int = FORECAST_DAYS) -> Forecast:
    """Cost of the next `days` days from the report's trend: the daily average moved along the least-squares
    slope of the hourly cost rate (growth_rate, % of the mean per day), never below zero. The coverage says
    how much recorded time the fit had; with none there is no forecast."""
    trend, coverage = dig(report, "trend"), dig(report, "coverage")
    daily, growth = number(trend.get("daily_average")) or 0.0, (number(trend.get("growth_rate")) or 0.0) / 100.0
    covered = number(coverage.get("covered_hours")) or 0.0
    half = covered / 48.0  # the fit's mean sits mid-history: days from there to now
    if covered <= 0:
        return Forecast(available=False, reason="no recorded usage in the time range", coverage=coverage)
    total = sum(max(0.0, daily * (1.0 + growth * (half + d - 0.5))) for d in range(1, days + 1))
    currency = report.get("currency")
    return Forecast(available=True, days=days, projected_cost=round(total, 4),
                    currency=currency if isinstance(currency, str) else None, daily_average=daily,
                    growth_rate_percent_per_day=round(growth * 100.0, 2),
                    method="least-squares linear fit of the hourly cost rate over the recorded buckets",
                    coverage=coverage,
                    reliable=(number(coverage.get("ratio")) or 0.0) >= 0.5 and covered >= 24)


async def analyze_cost(ctx: ToolContext, p: CostParams) -> CostResult:
    costs = CostService(ctx.deps)
    report = await costs.allocation(ctx.cluster, time_range=p.time_range, group_by="namespace",
                                    only_namespace=p.namespace)
    optimization = None
    if p.include_optimization:
        settings = ctx.deps.settings
        optimization = await costs.plan(ctx.cluster, types=OPTIMIZATION_TYPES, min_hours=settings.rightsizing_min_hours,
                                        underused_percent=settings.underused_node_percent, min_nodes=p.min_nodes,
                                        only_namespace=p.namespace, session=ctx.session)
    return CostResult(analysis_id=f"cost-{uuid.uuid4().hex[:12]}", cluster_id=ctx.cluster.id,
                      cluster_name=ctx.cluster.name, time_range=p.time_range, report=report,
                      optimization=optimization, forecast=forecast(report) if p.include_forecast else None,
                      analyzed_at=now_iso())
