"""MCP tools: one registry (TOOLS) feeding the REST tool routes and the MCP server; no HTTP here."""

from __future__ import annotations

from cloudops.mcp_tools.cost import CostParams, analyze_cost
from cloudops.mcp_tools.registry import BadParameter, Tool, ToolContext, ToolFailed, destructive_enabled, parameter_list
from cloudops.mcp_tools.resources import (
    DeleteParams,
    EventsParams,
    ExecParams,
    GetParams,
    ListParams,
    LogsParams,
    ScaleParams,
    delete_resource,
    exec_in_pod,
    get_resource,
    list_events,
    list_resources,
    pod_logs,
    scale_resource,
)
from cloudops.mcp_tools.scans import (
    MonitorParams,
    PerformanceParams,
    ScanParams,
    ValidateParams,
    analyze_performance,
    monitor_resources,
    scan_cluster,
    validate_config,
)

__all__ = ["TOOLS", "BadParameter", "Tool", "ToolContext", "ToolFailed", "destructive_enabled", "find",
           "parameter_list"]

TOOLS: tuple[Tool, ...] = (
    Tool("cluster_scanner", "Scan a cluster: health (nodes, pods in bad states, Services without ready endpoints, "
         "warning Events), security (security-context checks) or performance (bottlenecks); issues name the "
         "object they come from", ScanParams, scan_cluster),
    Tool("resource_monitor", "Resource usage of a cluster: recorded history over a time range and live usage "
         "of nodes and pods (metrics.k8s.io)", MonitorParams, monitor_resources),
    Tool("config_validator", "Check workloads against the compliance policies (security context, resource "
         "limits, network policy, image, probes, reliability)", ValidateParams, validate_config),
    Tool("performance_analyzer", "Find bottlenecks: usage near limits, pods pending for resources, node "
         "pressure, HPAs pinned at their maximum; with the recorded usage trend", PerformanceParams,
         analyze_performance),
    Tool("cost_analyzer", "Cost of a cluster from recorded usage (the cost engine): breakdown by namespace, "
         "optimization suggestions with savings, and a forecast from the least-squares trend with its coverage",
         CostParams, analyze_cost, grants=(("get", "mcp"), ("get", "cost"))),
    Tool("list_resources", "List objects of one type (pods, deployments, services, any CRD...) in a cluster",
         ListParams, list_resources),
    Tool("get_resource", "Get one object (Secret values are never shown)", GetParams, get_resource),
    Tool("pod_logs", "The last lines of a pod's (container's) log", LogsParams, pod_logs,
         grants=(("get", "mcp"), ("get", "logs"))),
    Tool("list_events", "Events in a cluster, newest first, optionally Warning only or about one object",
         EventsParams, list_events),
    Tool("scale_resource", "Set the replicas of a Deployment, StatefulSet or ReplicaSet", ScaleParams,
         scale_resource, grants=(("update", "mcp"), ("update", "resources")), read_only=False),
    Tool("exec_in_pod", "Run one command (argv, no shell) in a pod's container and return its output and exit "
         "code", ExecParams, exec_in_pod, grants=(("create", "mcp"), ("create", "exec")), read_only=False),
    Tool("delete_resource", "Delete one object", DeleteParams, delete_resource,
         grants=(("delete", "mcp"), ("delete", "resources")), read_only=False),
)
_BY_NAME = {t.name: t for t in TOOLS}


def find(name: str) -> Tool | None:
    return _BY_NAME.get(name)
