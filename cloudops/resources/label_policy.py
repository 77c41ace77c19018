"""LabelPolicy (crds/labelpolicies.yaml): required/forbidden/constrained labels per resource type, and compliance."""

from __future__ import annotations

from typing import ClassVar, Literal

from cloudops.constants import LABEL_POLICY, Kind
from cloudops.resources.base import Condition, CustomResource, ObjectRef, ResourceModel, Timestamp

__all__ = [
    "LabelPolicy",
    "LabelPolicySpec",
    "LabelPolicyStatus",
    "LabelRemediation",
    "LabelRemediationRecord",
    "LabelRule",
    "LabelViolation",
]


class LabelRemediation(ResourceModel):
    """Missing required labels added with these default values (ignored when enforcement is audit)."""

    enabled: bool = True
    default_labels: dict[str, str] | None = None


class LabelRule(ResourceModel):
    """One rule per resource type; at least one of the four checks must be given (CRD validation)."""

    resource_type: str
    required_labels: list[str] | None = None
    forbidden_labels: list[str] | None = None
    label_patterns: dict[str, str] | None = None
    """Label key -> RE2 expression the value must match."""
    allowed_values: dict[str, list[str]] | None = None


class LabelPolicySpec(ResourceModel):
    description: str | None = None
    cluster_ref: ObjectRef | None = None
    """Unset: every ManagedCluster in the namespace."""
    enabled: bool = True
    enforcement: Literal["audit", "warn", "enforce"] = "audit"
    namespaces: list[str] | None = None
    excluded_namespaces: list[str] | None = None
    check_interval_seconds: int = 300
    remediation: LabelRemediation | None = None
    rules: list[LabelRule]


class LabelRemediationRecord(ResourceModel):
    """What one remediation changed on one object."""

    cluster: str | None = None
    resource_type: str
    namespace: str | None = None
    name: str
    labels: dict[str, str]


class LabelViolation(ResourceModel):
    cluster: str | None = None
    resource_type: str
    namespace: str | None = None
    name: str
    label: str | None = None
    message: str


class LabelPolicyStatus(ResourceModel):
    observed_generation: int | None = None
    conditions: list[Condition] | None = None
    last_check_time: Timestamp | None = None
    checked_count: int | None = None
    last_remediation_time: Timestamp | None = None
    remediations: list[LabelRemediationRecord] | None = None
    compliant_count: int | None = None
    violation_count: int | None = None
    violations: list[LabelViolation] | None = None


class LabelPolicy(CustomResource):
    KIND: ClassVar[Kind] = LABEL_POLICY

    kind: Literal["LabelPolicy"] = "LabelPolicy"
    spec: LabelPolicySpec
    status: LabelPolicyStatus | None = None
