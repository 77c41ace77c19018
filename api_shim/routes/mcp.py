"""MCP 集成 API: the reference's tools 1.1–1.5 as routes, and the tool registry over REST (2.1 list, 2.2 execute).

Every route runs a registry tool (cloudops/mcp_tools), the same one the MCP server serves, so the REST and
MCP answers are one. Reading needs `get` on the `mcp` capability; a tool declaring more (pod logs: `logs`;
scale: `update` on `resources`) is authorized for each. Scans that fail are 1009, other tools 1010.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, create_model

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, BusinessCode, ok
from api_shim.security.middleware import USER
from api_shim.tool_calls import check_grants, enabled, parse_params, run_tool
from cloudops.conditions import now_iso
from cloudops.mcp_tools import TOOLS, Tool, find, parameter_list
from cloudops.mcp_tools.cost import CostParams
from cloudops.mcp_tools.scans import MonitorParams, PerformanceParams, ScanParams, ValidateParams
from cloudops.services.common import ClusterRefItem

__all__ = ["section"]

section = Section(tag="mcp", resource="managedclusters")
Json = dict[str, Any]


def _with_cluster(params: type[BaseModel]) -> type[BaseModel]:
    """A reference route's body: the tool's parameters and the cluster (the tool registry knows no clusters)."""
    name = params.__name__.removesuffix("Params") + "Body"
    return create_model(name, __base__=params, cluster_id=(ClusterRefItem | None, None))


ScanBody, MonitorBody, ValidateBody, PerformanceBody, CostBody = (
    _with_cluster(p) for p in (ScanParams, MonitorParams, ValidateParams, PerformanceParams, CostParams))


class FoundIssue(BaseModel):
    type: str = Field(description="error | warning")
    resource: str = Field(description="kind/name of the object it was found on (cluster: the cluster itself)")
    namespace: str
    message: str
    severity: str = Field(description="low | medium | high | critical")
    source: str = Field(description="where the finding comes from (pod.status, EndpointSlices, Events...)")


class Recommendation(BaseModel):
    type: str
    title: str
    description: str
    action: str
    resource: str


class ScanResult(BaseModel):
    scan_id: str
    cluster_id: int | None
    cluster_name: str
    scan_type: str
    health_status: str = Field(description="healthy | warning | error")
    score: float
    issues: list[FoundIssue]
    recommendations: list[Recommendation]
    checked: dict[str, int] = Field(description="how many objects of each kind were looked at")
    scan_time: str
    duration: float = Field(description="seconds")


class MonitorResult(BaseModel):
    cluster_id: int | None
    cluster_name: str
    time_range: str
    metrics: list[str]
    collected_at: str
    resources: dict[str, Any] = Field(description="per resource type: recorded history and live usage")
    notes: list[str]


class ComplianceSummary(BaseModel):
    total: int
    passed: int
    failed: int
    compliance_score: float


class ValidateResult(BaseModel):
    validation_id: str
    cluster_id: int | None
    cluster_name: str
    policies: list[str]
    summary: ComplianceSummary
    results: list[dict[str, Any]] = Field(description="failed results, as the compliance API gives them")
    notes: list[str]
    truncated: bool
    validated_at: str


class TrendStat(BaseModel):
    mean: float
    peak: float
    points: int


class PerformanceResult(BaseModel):
    analysis_id: str
    cluster_id: int | None
    cluster_name: str
    analysis_type: str
    time_range: str
    findings: list[FoundIssue]
    recommendations: list[Recommendation]
    trend: dict[str, TrendStat | None]
    checked: dict[str, int]
    notes: list[str]
    analyzed_at: str


def _params(call: Call, model: type[BaseModel]) -> BaseModel:
    return model.model_validate(call.body.model_dump(exclude={"cluster_id"}))


async def _reference_tool(call: Call, name: str, model: type[BaseModel], code: int) -> web.Response:
    tool = find(name)
    assert tool is not None
    await check_grants(call.request.app, call.request[USER], tool, call.cluster.name)
    return ok(await run_tool(call.request.app, tool, call.cluster, _params(call, model), code))


@section.route("POST", "/api/k8s/mcp/cluster/scan", "集群健康扫描", verb="get", subresource="mcp", body=ScanBody,
               data=ScanResult, cluster="param")
async def cluster_scan(call: Call) -> web.Response:
    return await _reference_tool(call, "cluster_scanner", ScanParams, BusinessCode.SCAN_FAILED)


@section.route("POST", "/api/k8s/mcp/resources/monitor", "资源使用监控", verb="get", subresource="mcp",
               body=MonitorBody, data=MonitorResult, cluster="param")
async def resources_monitor(call: Call) -> web.Response:
    return await _reference_tool(call, "resource_monitor", MonitorParams, BusinessCode.TOOL_FAILED)


@section.route("POST", "/api/k8s/mcp/config/validate", "配置合规性检查", verb="get", subresource="mcp",
               body=ValidateBody, data=ValidateResult, cluster="param")
async def config_validate(call: Call) -> web.Response:
    return await _reference_tool(call, "config_validator", ValidateParams, BusinessCode.SCAN_FAILED)


@section.route("POST", "/api/k8s/mcp/performance/analyze", "性能分析", verb="get", subresource="mcp",
               body=PerformanceBody, data=PerformanceResult, cluster="param")
async def performance_analyze(call: Call) -> web.Response:
    return await _reference_tool(call, "performance_analyzer", PerformanceParams, BusinessCode.SCAN_FAILED)


class CostResult(BaseModel):
    analysis_id: str
    cluster_id: int | None
    cluster_name: str
    time_range: str
    report: dict[str, Any] = Field(description="the cost engine's report (as 智能运维 cost 1.1 gives it)")
    optimization: dict[str, Any] | None = Field(description="the cost engine's suggestions (cost 1.2)")
    forecast: dict[str, Any] | None = Field(description="projected cost from the least-squares trend, with the "
                                                        "recorded coverage it stands on")
    analyzed_at: str


@section.route("POST", "/api/k8s/mcp/cost/analyze", "成本分析", verb="get", subresource="mcp", body=CostBody,
               data=CostResult, cluster="param")
async def cost_analyze(call: Call) -> web.Response:
    return await _reference_tool(call, "cost_analyzer", CostParams, BusinessCode.TOOL_FAILED)


class ToolParameter(BaseModel):
    name: str
    type: str
    required: bool
    options: list[Any] | None
    description: str | None
    default: Any = None


class ToolView(BaseModel):
    name: str
    description: str
    version: str
    enabled: bool
    read_only: bool
    destructive: bool
    parameters: list[ToolParameter]
    input_schema: dict[str, Any] = Field(description="the parameters' JSON Schema")


class ToolList(BaseModel):
    tools: list[ToolView]


def _view(call: Call, tool: Tool) -> Json:
    return {"name": tool.name, "description": tool.description, "version": tool.version,
            "enabled": enabled(call.request.app, tool), "read_only": tool.read_only,
            "destructive": not tool.read_only, "parameters": parameter_list(tool), "input_schema": tool.schema()}


@section.route("GET", "/api/k8s/mcp/tools", "获取可用工具列表", verb="list", subresource="mcp", data=ToolList)
async def list_tools(call: Call) -> web.Response:
    return ok({"tools": [_view(call, t) for t in TOOLS]})


class ExecuteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    parameters: dict[str, Any] = Field(default_factory=dict, description="as the tool's input_schema says")


class ExecuteResult(BaseModel):
    tool: str
    version: str
    cluster_id: int | None
    cluster_name: str
    result: dict[str, Any]
    duration: float = Field(description="seconds")
    executed_at: str


@section.route("POST", "/api/k8s/mcp/tools/{tool_name}/execute", "执行 MCP 工具", verb="get", subresource="mcp",
               body=ExecuteBody, data=ExecuteResult, cluster="param")
async def execute_tool(call: Call) -> web.Response:
    name = call.path("tool_name")
    tool = find(name)
    if tool is None:
        raise ApiError(404, f"tool_name: no tool {name[:80]!r} (GET /api/k8s/mcp/tools lists them)",
                       BusinessCode.RESOURCE_NOT_FOUND)
    params = parse_params(tool, call.body.parameters, "body.parameters")
    await check_grants(call.request.app, call.request[USER], tool, call.cluster.name)
    start = time.monotonic()
    code = BusinessCode.SCAN_FAILED if tool.name == "cluster_scanner" else BusinessCode.TOOL_FAILED
    result = await run_tool(call.request.app, tool, call.cluster, params, code)
    return ok({"tool": tool.name, "version": tool.version, "cluster_id": call.cluster.id,
               "cluster_name": call.cluster.name, "result": result,
               "duration": round(time.monotonic() - start, 3), "executed_at": now_iso()})
