"""ComplianceReport (crds/compliancereports.yaml): the results of one ComplianceCheck run. Immutable; no status."""

from __future__ import annotations

from typing import ClassVar, Literal

from cloudops.constants import COMPLIANCE_REPORT, Kind
from cloudops.resources.base import CustomResource, FreeForm, ObjectRef, ResourceModel, Timestamp
from cloudops.resources.compliance_check import CheckTrigger

__all__ = ["ComplianceReport", "ComplianceReportSpec", "ReportSummary"]


class ReportSummary(ResourceModel):
    """Counts over every result of the run, stored or not."""

    total: int
    passed: int
    failed: int
    fixed: int | None = None
    compliance_score: float | None = None
    """Unset when nothing was checked (total 0); score_reason says why."""
    score_reason: str | None = None


class ComplianceReportSpec(ResourceModel):
    check_ref: ObjectRef
    cluster_ref: ObjectRef
    cluster_id: int | None = None
    run_id: str
    trigger: CheckTrigger | None = None
    actor: str | None = None
    started_at: Timestamp
    completed_at: Timestamp
    policies: list[str] | None = None
    resource_types: list[str] | None = None
    namespaces: list[str] | None = None
    excluded_namespaces: list[str] | None = None
    auto_fix: bool | None = None
    summary: ReportSummary
    results_encoding: Literal["gzip+base64+json"] | None = None
    results: str
    """The results, gzip-compressed JSON in base64 (cloudops.compliance.reports.unpack)."""
    result_count: int | None = None
    results_truncated: bool | None = None
    truncation_note: str | None = None
    fixes: list[FreeForm] | None = None
    """Changes auto-fix made or tried (free-form objects)."""
    notes: list[str] | None = None


class ComplianceReport(CustomResource):
    KIND: ClassVar[Kind] = COMPLIANCE_REPORT

    kind: Literal["ComplianceReport"] = "ComplianceReport"
    spec: ComplianceReportSpec
