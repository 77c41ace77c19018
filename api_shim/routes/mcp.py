"""MCP 集成 API: the reference's tools 1.1–1.5 as routes, and the tool registry over REST (2.1 list, 2.2 execute).

Every route runs a registry tool (cloudops/mcp_tools) through cloudops.services.mcp, the same way the MCP
server does, so the REST and MCP answers are one. Reading needs `get` on the `mcp` capability; a tool declaring
more (pod logs: `logs`; scale: `update` on `resources`) is authorized for each. Scans that fail are 1009, other
tools 1010.
"""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.mcp import McpService
from cloudops.services.mcp.models import (
    CostBody,
    CostResult,
    ExecuteBody,
    ExecuteResult,
    MonitorBody,
    MonitorResult,
    PerformanceBody,
    PerformanceResult,
    ScanBody,
    ScanResult,
    ToolList,
    ValidateBody,
    ValidateResult,
)

__all__ = ["section"]

section = Section(tag="mcp", resource="managedclusters")


async def _reference_tool(call: Call, name: str) -> web.Response:
    return ok(await call.service(McpService).reference(name, call.body, call.cluster, call.authorize))


@section.route("POST", "/api/k8s/mcp/cluster/scan", "集群健康扫描", verb="get", subresource="mcp", body=ScanBody,
               data=ScanResult, cluster="param")
async def cluster_scan(call: Call) -> web.Response:
    return await _reference_tool(call, "cluster_scanner")


@section.route("POST", "/api/k8s/mcp/resources/monitor", "资源使用监控", verb="get", subresource="mcp",
               body=MonitorBody, data=MonitorResult, cluster="param")
async def resources_monitor(call: Call) -> web.Response:
    return await _reference_tool(call, "resource_monitor")


@section.route("POST", "/api/k8s/mcp/config/validate", "配置合规性检查", verb="get", subresource="mcp",
               body=ValidateBody, data=ValidateResult, cluster="param")
async def config_validate(call: Call) -> web.Response:
    return await _reference_tool(call, "config_validator")


@section.route("POST", "/api/k8s/mcp/performance/analyze", "性能分析", verb="get", subresource="mcp",
               body=PerformanceBody, data=PerformanceResult, cluster="param")
async def performance_analyze(call: Call) -> web.Response:
    return await _reference_tool(call, "performance_analyzer")


@section.route("POST", "/api/k8s/mcp/cost/analyze", "成本分析", verb="get", subresource="mcp", body=CostBody,
               data=CostResult, cluster="param")
async def cost_analyze(call: Call) -> web.Response:
    return await _reference_tool(call, "cost_analyzer")


@section.route("GET", "/api/k8s/mcp/tools", "获取可用工具列表", verb="list", subresource="mcp", data=ToolList)
async def list_tools(call: Call) -> web.Response:
    return ok(call.service(McpService).catalog())


@section.route("POST", "/api/k8s/mcp/tools/{tool_name}/execute", "执行 MCP 工具", verb="get", subresource="mcp",
               body=ExecuteBody, data=ExecuteResult, cluster="param")
async def execute_tool(call: Call) -> web.Response:
    b: ExecuteBody = call.body
    return ok(await call.service(McpService).execute(call.path("tool_name"), b.parameters, call.cluster,
                                                     call.authorize))
