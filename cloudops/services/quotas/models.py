"""Requests and answers of 资源配额管理: ResourceQuota (1.1–1.6) and LimitRange (2.1–2.5)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cloudops.constants import GROUP
from cloudops.resources.base import FreeForm
from cloudops.services.common import NAMESPACE_PATTERN as NAMESPACE
from cloudops.services.common import ClusterRefItem, PageInfo, PageQuery, Quantity

__all__ = ["DESCRIPTION", "UPDATED_AT", "Alert", "CreateLimitRange", "CreateQuota", "Deleted", "LimitItem",
           "LimitRangeList", "LimitRangeRef", "LimitRangeView", "LimitSpec", "ListQuery", "QuotaDetail", "QuotaItem",
           "QuotaList", "QuotaRef", "QuotaSpec", "QuotaSpecUpdate", "QuotaStatus", "QuotaUsage", "Trend",
           "UpdateLimitRange", "UpdateQuota", "UsageQuery", "UsageRow"]

DESCRIPTION = f"{GROUP}/description"
UPDATED_AT = f"{GROUP}/updated-at"
NAME = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")
Quantities = dict[str, Quantity | int]


# -- requests ------------------------------------------------------------------------------------------------------


class QuotaSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hard: Quantities = Field(description="resource name -> quantity (requests.cpu: '4', requests.memory: '8Gi')")
    scopes: list[str] | None = Field(None, max_length=8, description="Terminating, NotTerminating, BestEffort, ...")
    scopeSelector: FreeForm | None = None


class QuotaSpecUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hard: Quantities | None = Field(None, description="replaces spec.hard as a whole")
    scopes: list[str] | None = Field(None, max_length=8)
    scopeSelector: FreeForm | None = None


class CreateQuota(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    name: str = Field(pattern=NAME, max_length=253)
    namespace: str = Field("default", pattern=NAMESPACE, max_length=63)
    spec: QuotaSpec
    description: str | None = Field(None, max_length=1024, description=f"kept as the {DESCRIPTION} annotation")


class UpdateQuota(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec: QuotaSpecUpdate | None = None
    description: str | None = Field(None, max_length=1024)


class LimitItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["Container", "Pod", "PersistentVolumeClaim"]
    default: Quantities | None = None
    defaultRequest: Quantities | None = None
    min: Quantities | None = None
    max: Quantities | None = None
    maxLimitRequestRatio: Quantities | None = None


class LimitSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limits: list[LimitItem] = Field(min_length=1, max_length=32)


class CreateLimitRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    name: str = Field(pattern=NAME, max_length=253)
    namespace: str = Field("default", pattern=NAMESPACE, max_length=63)
    spec: LimitSpec
    description: str | None = Field(None, max_length=1024)


class UpdateLimitRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec: LimitSpec | None = None
    description: str | None = Field(None, max_length=1024)


class ListQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63, description="命名空间; absent: all")


class QuotaRef(BaseModel):
    """For a bare-name `{id}`: where the quota is. A full id needs none of these."""

    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63)
    resource_type: Literal["resourcequota"] = Field("resourcequota", description="always resourcequota")


class UsageQuery(QuotaRef):
    time_range: Literal["1h", "24h", "7d", "30d"] = Field("24h", description="时间范围")


class LimitRangeRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63)
    resource_type: Literal["limitrange"] = Field("limitrange", description="always limitrange")


# -- answers -------------------------------------------------------------------------------------------------------


class QuotaStatus(BaseModel):
    hard: dict[str, str]
    used: dict[str, str]


class Alert(BaseModel):
    type: Literal["warning", "critical"]
    resource: str
    usage: float
    threshold: float
    message: str


class QuotaItem(BaseModel):
    id: str = Field(description="<cluster id>:resourcequota:<namespace>:<name>")
    name: str
    namespace: str
    cluster_id: int | None
    cluster_name: str
    hard: dict[str, str]
    used: dict[str, str]
    scopes: list[str]
    usage_percentage: dict[str, float]
    status: Literal["active", "exceeded"]
    description: str | None
    created_at: str | None


class QuotaList(PageInfo):
    resourcequotas: list[QuotaItem]


class QuotaDetail(BaseModel):
    id: str
    name: str
    namespace: str
    cluster_id: int | None
    cluster_name: str
    spec: FreeForm
    status: QuotaStatus = Field(description="the member's status.hard and status.used")
    state: Literal["active", "exceeded"] = Field(description="exceeded when a used value reaches its hard limit")
    usage_percentage: dict[str, float]
    alerts: list[Alert]
    description: str | None
    created_at: str | None
    updated_at: str | None


class UsageRow(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={
        "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "number"}]}})
    timestamp: str = Field(description="bucket start; a field per resource follows, in the reference's form: bytes "
                                       "as a Kubernetes quantity (\"requests.memory\": \"5Gi\"), cores and counts "
                                       "as numbers (\"requests.cpu\": 2.5, \"pods\": 6)")
    values: dict[str, float] = Field(description="the same figures as numbers in base units (cores, bytes, counts)")


class Trend(BaseModel):
    trend: Literal["increasing", "decreasing", "stable"]
    growth_rate: float = Field(description="least-squares slope, percent of the mean per period")


class QuotaUsage(BaseModel):
    quota_id: str
    time_range: str
    period_seconds: int = Field(description="the bucket width of this range: one period of growth_rate")
    usage_history: list[UsageRow]
    trends: dict[str, Trend]


class LimitRangeView(BaseModel):
    id: str = Field(description="<cluster id>:limitrange:<namespace>:<name>")
    name: str
    namespace: str
    cluster_id: int | None
    cluster_name: str
    spec: FreeForm
    description: str | None
    created_at: str | None
    updated_at: str | None


class LimitRangeList(PageInfo):
    limitranges: list[LimitRangeView]


class Deleted(BaseModel):
    id: str
    deleted: bool
