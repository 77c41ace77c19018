"""智能运维 API 1. 资源成本分析: cost report (1.1) and optimization suggestions (1.2), OpenCost's allocation
model over the usage the operator records (cloudops.services.cost). Capability `cost` (read: get/list)."""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.cost import CostService
from cloudops.services.cost.models import CostReport, Optimization, OptimizationQuery, ReportQuery

__all__ = ["section"]

section = Section(tag="cost", resource="managedclusters")


@section.route("GET", "/api/k8s/cost/report", "获取成本报告", verb="get", subresource="cost",
               query=ReportQuery, data=CostReport, cluster="param")
async def cost_report(call: Call) -> web.Response:
    return ok(await call.service(CostService).report(call.query, call.cluster))


@section.route("GET", "/api/k8s/cost/optimization", "获取成本优化建议", verb="get", subresource="cost",
               query=OptimizationQuery, data=Optimization, cluster="param")
async def cost_optimization(call: Call) -> web.Response:
    return ok(await call.service(CostService).optimization(call.query, call.cluster))
