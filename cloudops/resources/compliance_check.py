"""ComplianceCheck (crds/compliancechecks.yaml): compliance policies run against a ManagedCluster."""

from __future__ import annotations

from typing import ClassVar, Literal, TypeAlias

from pydantic import Field

from cloudops.constants import COMPLIANCE_CHECK, Kind
from cloudops.resources.base import Condition, CustomResource, FreeForm, ObjectRef, ResourceModel, Timestamp

__all__ = [
    "ALL_POLICIES",
    "CheckResult",
    "CheckSummary",
    "CheckTrigger",
    "CheckViolation",
    "ComplianceCheck",
    "ComplianceCheckSpec",
    "ComplianceCheckStatus",
    "CompliancePolicy",
    "FixSuggestion",
    "PolicyReportsStatus",
]

CompliancePolicy: TypeAlias = Literal[
    "security-context", "resource-limits", "network-policy", "image", "probes", "reliability"]
CheckTrigger: TypeAlias = Literal["create", "spec-change", "schedule", "rest"]

ALL_POLICIES: tuple[CompliancePolicy, ...] = (
    "security-context", "resource-limits", "network-policy", "image", "probes", "reliability")
"""spec.policies when unset (the CRD default)."""


class ComplianceCheckSpec(ResourceModel):
    cluster_ref: ObjectRef
    description: str | None = None
    policies: list[CompliancePolicy] = Field(default_factory=lambda: list(ALL_POLICIES))
    network_directions: list[Literal["Ingress", "Egress"]] | None = None
    resource_types: list[str] | None = None
    namespaces: list[str] | None = None
    excluded_namespaces: list[str] | None = None
    """Unset: the system namespaces; an empty list excludes none."""
    auto_fix: bool = False
    schedule: str | None = None
    time_zone: str | None = None


class PolicyReportsStatus(ResourceModel):
    """wgpolicyk8s.io PolicyReports written to the member for the last run."""

    written: int | None = None
    namespaces: list[str] | None = None
    error: str | None = None


class CheckSummary(ResourceModel):
    total: int | None = None
    passed: int | None = None
    failed: int | None = None
    fixed: int | None = None
    compliance_score: float | None = None
    """Unset when nothing was checked; score_reason says why."""
    score_reason: str | None = None


class CheckViolation(ResourceModel):
    check_id: str | None = None
    severity: Literal["danger", "warning"] | None = None
    field: str | None = None
    expected: str | None = None
    actual: str | None = None
    message: str


class FixSuggestion(ResourceModel):
    action: str
    patch: FreeForm | None = None
    """Strategic-merge patch for the object (free-form)."""


class CheckResult(ResourceModel):
    resource: str
    """kind/name, e.g. deployment/web."""
    namespace: str | None = None
    policy: CompliancePolicy
    status: Literal["passed", "failed", "fixed", "error"]
    violations: list[CheckViolation] | None = None
    fix_suggestion: FixSuggestion | None = None


class ComplianceCheckStatus(ResourceModel):
    observed_generation: int | None = None
    conditions: list[Condition] | None = None
    run_generation: int | None = None
    last_trigger: CheckTrigger | None = None
    last_error: str | None = None
    report_name: str | None = None
    report_count: int | None = None
    score: float | None = None
    policy_reports: PolicyReportsStatus | None = None
    phase: Literal["pending", "running", "completed", "failed"] | None = None
    check_id: str | None = None
    last_run_time: Timestamp | None = None
    last_completion_time: Timestamp | None = None
    next_run_time: Timestamp | None = None
    summary: CheckSummary | None = None
    results: list[CheckResult] | None = None
    results_truncated: bool | None = None


class ComplianceCheck(CustomResource):
    KIND: ClassVar[Kind] = COMPLIANCE_CHECK

    kind: Literal["ComplianceCheck"] = "ComplianceCheck"
    spec: ComplianceCheckSpec
    status: ComplianceCheckStatus | None = None
