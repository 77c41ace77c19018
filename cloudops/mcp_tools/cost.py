"""The reference's MCP tool 1.5, cost analysis: the cost engine's report and optimization for one cluster,
and a forecast from the engine's least-squares trend, with how much recorded time the fit stands on."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cloudops.conditions import now_iso
from cloudops.cost import service
from cloudops.mcp_tools.registry import ToolContext

__all__ = ["CostParams", "analyze_cost", "forecast"]

Json = dict[str, Any]
FORECAST_DAYS = 30


class CostParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    time_range: Literal["1h", "24h", "7d", "30d"] = "30d"
    include_optimization: bool = True
    include_forecast: bool = True
    namespace: str | None = Field(None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63,
                                  description="only this namespace (default: the whole cluster)")


def forecast(report: Json, days: int = FORECAST_DAYS) -> Json:
    """Cost of the next `days` days from the report's trend: the daily average moved along the least-squares
    slope of the hourly cost rate (growth_rate, % of the mean per day), never below zero. The coverage says
    how much recorded time the fit had; with none there is no forecast."""
    trend, coverage = report.get("trend") or {}, report.get("coverage") or {}
    daily, growth = float(trend.get("daily_average") or 0.0), float(trend.get("growth_rate") or 0.0) / 100.0
    covered = float(coverage.get("covered_hours") or 0.0)
    half = covered / 48.0  # the fit's mean sits mid-history: days from there to now
    if covered <= 0:
        return {"available": False, "reason": "no recorded usage in the time range", "coverage": coverage}
    total = sum(max(0.0, daily * (1.0 + growth * (half + d - 0.5))) for d in range(1, days + 1))
    return {"available": True, "days": days, "projected_cost": round(total, 4), "currency": report.get("currency"),
            "daily_average": daily, "growth_rate_percent_per_day": round(growth * 100.0, 2),
            "method": "least-squares linear fit of the hourly cost rate over the recorded buckets",
            "coverage": coverage, "reliable": float(coverage.get("ratio") or 0.0) >= 0.5 and covered >= 24}


async def analyze_cost(ctx: ToolContext, p: CostParams) -> Json:
    cr = ctx.cluster.cr
    report = await service.report(ctx.hub, ctx.namespace, cr, time_range=p.time_range, group_by="namespace",
                                  now=datetime.now(UTC), only_namespace=p.namespace)
    optimization = None
    if p.include_optimization:
        optimization = await service.optimize(ctx.hub, ctx.namespace, cr, ctx.session,
                                              types=service.OPTIMIZATION_TYPES, min_hours=24.0,
                                              underused_percent=30.0, only_namespace=p.namespace)
    return {"analysis_id": f"cost-{uuid.uuid4().hex[:12]}", "cluster_id": ctx.cluster.id,
            "cluster_name": ctx.cluster.name, "time_range": p.time_range, "report": report,
            "optimization": optimization, "forecast": forecast(report) if p.include_forecast else None,
            "analyzed_at": now_iso()}
