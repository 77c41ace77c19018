"""合规性管理 API 1.1–1.2: the check run's body and answer, the report's query and answer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from cloudops.compliance.collect import DEFAULT_RESOURCES, NO_CHECK_RESOURCES, SYSTEM_NAMESPACES, WORKLOAD_RESOURCES
from cloudops.compliance.views import FixSuggestion, FixView, ResultView, Summary, ViolationView
from cloudops.resources.compliance_check import CompliancePolicy
from cloudops.services.common import ClusterRefItem

__all__ = ["CheckBody", "CheckRun", "FixSuggestion", "FixView", "HistoryPoint", "NamespaceName", "PolicyCount",
           "PolicyName", "ReportQuery", "ReportSummary", "ReportView", "ResultView", "Summary", "TimeRange",
           "ViolationView"]

PolicyName = CompliancePolicy
NamespaceName = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63)]
TimeRange = Literal["1h", "24h", "7d", "30d"]
# The run refuses any other in words of its own (cloudops.compliance.runs): the document shows the list.
ResourceName = Annotated[str, Field(json_schema_extra={"enum": [*WORKLOAD_RESOURCES, *NO_CHECK_RESOURCES]})]


class CheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    policies: list[PolicyName] | None = Field(None, description="default: every policy of the library")
    resources: list[ResourceName] | None = Field(None, max_length=20, description=(
        f"workload types (default: all of them, {', '.join(DEFAULT_RESOURCES)}; an object a checked object "
        "controls, such as a Deployment's ReplicaSets and pods, is checked through it); "
        f"{', '.join(NO_CHECK_RESOURCES)} have no checks and are reported as skipped"))
    namespaces: list[NamespaceName] | None = Field(None, max_length=200, description="default: every namespace")
    excluded_namespaces: list[NamespaceName] | None = Field(None, max_length=200, description=(
        f"default: {', '.join(SYSTEM_NAMESPACES)}; never checked, never fixed"))
    network_directions: list[Literal["Ingress", "Egress"]] | None = Field(
        None, description="directions a NetworkPolicy must isolate (default both)")
    auto_fix: bool = False


class CheckRun(BaseModel):
    check_id: str
    check_name: str = Field(description="the caller's ad-hoc ComplianceCheck for these parameters (created on "
                                        "first use, re-run after; expires when not run for a day)")
    report_name: str = Field(description="the ComplianceReport holding this run's results")
    cluster_id: int | None
    cluster_name: str
    status: Literal["completed", "nothing_checked"] = Field(description=(
        "completed: the run checked workloads; nothing_checked: it found no workload in its scope, so there is "
        "no score (summary.compliance_score is null, summary.score_reason says why)"))
    policies: list[str]
    resources: list[str]
    excluded_namespaces: list[str]
    results: list[ResultView]
    summary: Summary
    fixes: list[FixView]
    notes: list[str]
    truncated: bool
    policy_reports: dict[str, object] = Field(description="PolicyReports written to the member: written, "
                                                           "namespaces, error")


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    time_range: TimeRange = Field("7d", description="时间范围: runs completed within it")
    format: Literal["json", "csv", "pdf"] = Field("json", description="报告格式")
    check_name: str | None = Field(None, pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253,
                                   description="the ComplianceCheck; default: the newest run of the caller's "
                                               "checks (of standing checks when the caller has none in the "
                                               "range), never another caller's")


class ReportSummary(Summary):
    fixed: int


class PolicyCount(TypedDict):
    policy: str
    total: int
    passed: int
    failed: int


class HistoryPoint(TypedDict):
    time: str
    check_id: str
    report_name: str
    trigger: str
    score: float | None
    score_reason: str | None
    total: int
    passed: int
    failed: int


class ReportView(BaseModel):
    cluster_id: int | None
    cluster_name: str
    time_range: str
    since: str
    generated_at: str
    check_name: str
    report_name: str
    check_id: str
    trigger: str
    run_at: str
    summary: ReportSummary
    policies: list[PolicyCount]
    results: list[ResultView]
    results_truncated: bool
    truncation_note: str | None
    fixes: list[dict[str, object]]
    notes: list[str]
    history: list[HistoryPoint]
    reports_in_range: int
