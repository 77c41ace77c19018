"""What the tools answer: the reference's MCP tools 1.1–1.5 (the REST routes declare these models) and the
object tools. Every tool returns one of these; the MCP server sends it as the tool's structured content."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated

from pydantic import BaseModel, Field
from typing_extensions import TypedDict

__all__ = ["ComplianceSummary", "CostResult", "DeleteResult", "EventView", "EventsResult", "ExecOutput",
           "FoundIssue", "GetResult", "ListResult", "LogsResult", "MonitorResult", "PerformanceResult",
           "Recommendation", "ScaleResult", "ScanResult", "TrendStat", "ValidateResult"]


class FoundIssue(TypedDict):
    type: Annotated[str, Field(description="error | warning")]
    resource: Annotated[str, Field(description="kind/name of the object it was found on (cluster: the cluster "
                                               "itself)")]
    namespace: str
    message: str
    severity: Annotated[str, Field(description="low | medium | high | critical")]
    source: Annotated[str, Field(description="where the finding comes from (pod.status, EndpointSlices, "
                                             "Events...)")]


class Recommendation(TypedDict):
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
    health_status: str = Field(description="healthy | warning | error; unknown when nothing was checked (a "
                                           "security scan that found no workload): no score then")
    score: float | None = Field(description="0-100; null when nothing was checked (score_reason says why)")
    score_reason: str | None = Field(None, description="why score is null; null when there is a score")
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
    resources: dict[str, object] = Field(description="per resource type: recorded history and live usage")
    notes: list[str]


class ComplianceSummary(TypedDict):
    total: int
    passed: int
    failed: int
    compliance_score: Annotated[float | None, Field(description="null when nothing was checked")]
    score_reason: Annotated[str | None, Field(description="why compliance_score is null")]


class ValidateResult(BaseModel):
    validation_id: str
    cluster_id: int | None
    cluster_name: str
    policies: list[str]
    summary: ComplianceSummary
    results: Sequence[Mapping[str, object]] = Field(
        description="failed results, as the compliance API gives them")
    notes: list[str]
    truncated: bool
    validated_at: str


class TrendStat(TypedDict):
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


class CostResult(BaseModel):
    analysis_id: str
    cluster_id: int | None
    cluster_name: str
    time_range: str
    report: Mapping[str, object] = Field(description="the cost engine's report (as 智能运维 cost 1.1 gives it)")
    optimization: Mapping[str, object] | None = Field(description="the cost engine's suggestions (cost 1.2)")
    forecast: Mapping[str, object] | None = Field(description="projected cost from the least-squares trend, with "
                                                              "the recorded coverage it stands on")
    analyzed_at: str


class ListResult(BaseModel):
    cluster_id: int | None
    cluster_name: str
    type: str
    items: list[Mapping[str, object]]
    more: bool


class GetResult(BaseModel):
    id: str
    object: Mapping[str, object]


class LogsResult(BaseModel):
    cluster_id: int | None
    pod: str
    namespace: str
    container: str | None
    lines: list[str]


class EventView(TypedDict):
    type: str | None
    reason: str | None
    message: str | None
    object: str
    namespace: str
    count: int
    last_seen: str | None


class EventsResult(BaseModel):
    cluster_id: int | None
    cluster_name: str
    total: int
    events: list[EventView]


class ScaleResult(BaseModel):
    id: str
    replicas_before: int | None
    replicas: int | None


class ExecOutput(BaseModel):
    pod: str
    namespace: str
    container: str
    stdout: str
    stderr: str
    exit_code: int | None
    timed_out: bool
    truncated: bool
    duration: float


class DeleteResult(BaseModel):
    id: str
    deleted: bool
