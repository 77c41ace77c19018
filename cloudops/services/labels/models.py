"""Requests and answers of 标签管理 (labels, annotations, label policies, compliance checks)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from cloudops.services.common import NAMESPACE_PATTERN as NAMESPACE
from cloudops.services.common import RESOURCE_TYPE_PATTERN as RESOURCE_TYPE
from cloudops.services.common import (
    AnnotationMap,
    BatchSummary,
    ClusterRefItem,
    LabelKey,
    LabelMap,
    LabelSelector,
    LabelValue,
    PageInfo,
    PageQuery,
)

__all__ = ["AddBody", "BatchBody", "BatchResult", "BatchRow", "BatchTarget", "ChangedView", "ComplianceBody",
           "ComplianceResult", "LabelView", "Mismatch", "ObjectQuery", "PolicyBody", "PolicyList", "PolicyListQuery",
           "PolicyRule", "PolicyRuleView", "PolicyStatusView", "PolicyView", "RemediationSpec", "RemoveBody",
           "SelectQuery", "SelectResult", "Selected", "ViolationView"]

ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")
Namespace = Field(None, pattern=NAMESPACE, max_length=63, description="命名空间 (namespaced types; default: default)")
MAX_KEYS = 64


class _Sparse(BaseModel):
    """An answer whose optional fields are left out, not sent as null, when they do not apply."""

    @model_serializer(mode="wrap")
    def _without_nulls(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        return {k: v for k, v in handler(self).items() if v is not None}


# -- labels and annotations (1.1–1.5) ------------------------------------------------------------------------------


class ObjectQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Namespace


class AddBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Namespace
    labels: LabelMap = Field(default_factory=dict, max_length=MAX_KEYS)
    annotations: AnnotationMap = Field(default_factory=dict, max_length=MAX_KEYS)
    overwrite: bool = Field(True, description="false: keys that already hold another value are a 409 naming them")


class RemoveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Namespace
    labels: list[LabelKey] = Field(default_factory=list, max_length=MAX_KEYS)
    annotations: list[LabelKey] = Field(default_factory=list, max_length=MAX_KEYS)


class BatchTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(pattern=RESOURCE_TYPE, max_length=253, description="deployment, service, pods, ...")
    name: str = Field(pattern=r"^[A-Za-z0-9]([A-Za-z0-9._:@-]*[A-Za-z0-9])?$", max_length=253)
    namespace: str | None = Namespace


class BatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    operation: Literal["add", "remove", "replace"]
    resources: list[BatchTarget] = Field(min_length=1, max_length=100)
    labels: LabelMap | list[LabelKey] = Field(
        description="add/replace: key -> value; remove: keys (or a map whose keys are removed)")


class SelectQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    resource_type: str = Field("pods", pattern=RESOURCE_TYPE, max_length=253, description="资源类型")
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63, description="命名空间; absent: all")
    label_selector: LabelSelector = Field("", description="app=nginx,environment in (production,staging)")


class LabelView(BaseModel):
    id: str = Field(description="<cluster id>:<type>:<namespace>:<name>")
    resource_type: str
    resource_id: str = Field(description="the object's name")
    namespace: str
    cluster_id: int | None
    cluster_name: str
    labels: dict[str, str]
    annotations: dict[str, str]


class ChangedView(LabelView):
    changed: list[str] = Field(description="label and annotation keys this call set or removed")


class BatchRow(_Sparse):
    id: str
    type: str
    name: str
    namespace: str
    success: bool
    status: int
    code: int
    error: str | None = None
    labels: dict[str, str] | None = None


class BatchResult(BaseModel):
    operation: str
    status: Literal["success", "partial", "failed"]
    summary: BatchSummary
    results: list[BatchRow]


class Selected(BaseModel):
    id: str
    type: str
    name: str
    namespace: str
    labels: dict[str, str]
    created_at: str | None


class SelectResult(PageInfo):
    resources: list[Selected]


# -- 1.6 label policies, 1.7 compliance checks --------------------------------------------------------------------

DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
Regex = Annotated[str, Field(min_length=1, max_length=1024, json_schema_extra={"format": "regex"})]
NamespaceName = Annotated[str, Field(pattern=NAMESPACE, max_length=63)]
ResourceTypeName = Annotated[str, Field(pattern=RESOURCE_TYPE, max_length=253)]


class PolicyRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resource_type: str = Field(pattern=r"^(\*|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?)$", max_length=253,
                               description='deployment, services, ... or "*" for every type checked')
    required_labels: list[LabelKey] = Field(default_factory=list, max_length=64)
    forbidden_labels: list[LabelKey] = Field(default_factory=list, max_length=64)
    label_patterns: dict[LabelKey, Regex] = Field(default_factory=dict, max_length=64,
                                                  json_schema_extra={"additionalProperties": False},
                                                  description="label -> regular expression its value must match")
    allowed_values: dict[LabelKey, list[LabelValue]] = Field(default_factory=dict, max_length=64,
                                                             json_schema_extra={"additionalProperties": False})


class RemediationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    default_labels: LabelMap = Field(default_factory=dict, max_length=64,
                                           description="missing required labels are added with these values")


class PolicyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=DNS_SUBDOMAIN, max_length=253)
    description: str | None = Field(None, max_length=1024)
    rules: list[PolicyRule] = Field(min_length=1, max_length=32)
    enabled: bool = True
    enforcement: Literal["audit", "warn", "enforce"] = Field(
        "audit", description="audit: report only; warn/enforce: report, emit Warning events, remediate")
    cluster_id: ClusterRefItem | None = Field(None, description="the cluster the operator checks; absent: every one")
    namespaces: list[NamespaceName] | None = Field(None, max_length=256, description="absent: all namespaces")
    excluded_namespaces: list[NamespaceName] = Field(default_factory=list, max_length=256)
    check_interval_seconds: int = Field(300, ge=60, le=86400)
    remediation: RemediationSpec | None = None


class PolicyRuleView(BaseModel):
    resource_type: str
    required_labels: list[str]
    forbidden_labels: list[str]
    label_patterns: dict[str, str]
    allowed_values: dict[str, list[str]]


class PolicyStatusView(BaseModel):
    ready: bool | None
    reason: str | None
    compliant_count: int | None
    violation_count: int | None
    last_check_time: str | None


class PolicyView(BaseModel):
    id: int | None
    name: str
    description: str | None
    rules: list[PolicyRuleView]
    enabled: bool
    enforcement: str
    cluster_name: str | None
    namespaces: list[str]
    excluded_namespaces: list[str]
    check_interval_seconds: int
    remediation: RemediationSpec | None
    created_at: str | None
    status: PolicyStatusView


class PolicyListQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")


class PolicyList(PageInfo):
    policies: list[PolicyView] = Field(description="by name, with what the operator last found")


class ComplianceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63,
                                  description="absent: the policy's namespaces (all when it names none)")
    resource_types: list[ResourceTypeName] | None = Field(None, max_length=32,
                                                          description="absent: the types of the rules")
    policy_id: int | Annotated[str, Field(pattern=DNS_SUBDOMAIN, max_length=253)] = Field(
        description="policy id or name")


class Mismatch(_Sparse):
    label: str
    value: str
    pattern: str | None = None
    allowed: list[str] | None = None


class ViolationView(BaseModel):
    id: str
    resource_type: str
    namespace: str
    name: str
    labels: dict[str, str]
    missing_labels: list[str]
    forbidden_labels: list[str]
    invalid_labels: list[Mismatch]
    message: str


class ComplianceResult(BaseModel):
    policy_id: int | None
    policy_name: str
    cluster_id: int | None
    cluster_name: str
    namespace: str | None
    checked: int
    compliant_count: int
    violation_count: int
    score: float | None = Field(description="percent of checked objects that comply; null when nothing was checked")
    score_reason: str | None = Field(None, description="why there is no score (nothing was checked), else null")
    compliant: bool | None = Field(description="no violations among the checked objects; null when nothing was "
                                               "checked")
    violations: list[ViolationView]
    notes: list[str]
