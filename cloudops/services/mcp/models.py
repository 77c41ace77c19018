"""MCP 集成 API: the reference tools' bodies and answers (1.1–1.5), the tool registry's list (2.1) and a tool
run by name (2.2). The answers of 1.1–1.5 are the tools' own result models (cloudops.mcp_tools.models)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, create_model

from cloudops.mcp_tools.cost import CostParams
from cloudops.mcp_tools.models import (
    ComplianceSummary,
    CostResult,
    FoundIssue,
    MonitorResult,
    PerformanceResult,
    Recommendation,
    ScanResult,
    TrendStat,
    ValidateResult,
)
from cloudops.mcp_tools.scans import MonitorParams, PerformanceParams, ScanParams, ValidateParams
from cloudops.services.aliases import Aliased
from cloudops.services.common import ClusterRefItem

__all__ = ["ComplianceSummary", "CostBody", "CostResult", "ExecuteBody", "ExecuteResult", "FoundIssue",
           "MonitorBody", "MonitorResult", "PerformanceBody", "PerformanceResult", "Recommendation", "ScanBody",
           "ScanResult", "ToolList", "ToolParameter", "ToolView", "TrendStat", "ValidateBody", "ValidateResult"]


def _with_cluster(params: type[BaseModel]) -> type[BaseModel]:
    """A reference route's body: the tool's parameters and the cluster (the tool registry knows no clusters)."""
    name = params.__name__.removesuffix("Params") + "Body"
    return create_model(name, __base__=params, cluster_id=(ClusterRefItem | None, None))


ScanBody, MonitorBody, ValidateBody, PerformanceBody, CostBody = (
    _with_cluster(p) for p in (ScanParams, MonitorParams, ValidateParams, PerformanceParams, CostParams))


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
    input_schema: Mapping[str, object] = Field(description="the parameters' JSON Schema")


class ToolList(BaseModel):
    tools: list[ToolView]


class ExecuteBody(Aliased):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = Field(
        None, validation_alias=AliasChoices("cluster_id", "cluster"),
        description="cluster id or name, optional when one cluster is registered; also accepted as `cluster` "
                    "(the MCP server's name)")
    parameters: dict[str, object] = Field(default_factory=dict, description="as the tool's input_schema says")


class ExecuteResult(BaseModel):
    tool: str
    version: str
    cluster_id: int | None
    cluster_name: str
    result: Mapping[str, object]
    duration: float = Field(description="seconds")
    executed_at: str
