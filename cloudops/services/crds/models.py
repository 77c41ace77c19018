"""Requests and answers of CRD 资源 API: a member's CustomResourceDefinitions (1.1–1.3) and their custom
resources (2.1–2.4)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cloudops.resources.base import FreeForm
from cloudops.services.common import (
    ClusterRefItem,
    FieldSelector,
    LabelSelector,
    MemberObjectDetail,
    PageInfo,
    PageQuery,
)

__all__ = ["CRD_NAME", "ClusterQuery", "CrdCondition", "CrdDetail", "CrdList", "CrdListQuery", "CrdSchema",
           "CrdSummary", "CrdVersion", "CustomResourceList", "DeleteQuery", "Deleted", "PrinterColumn",
           "ResourcesQuery", "SchemaQuery", "WriteQuery"]

CRD_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$"
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")
Namespace = Field(None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63, description="命名空间")


# -- requests ------------------------------------------------------------------------------------------------------


class ClusterQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam


class CrdListQuery(ClusterQuery, PageQuery):
    group: str | None = Field(None, max_length=253, description="API 组")
    version: str | None = Field(None, max_length=63, description="API 版本")
    scope: Literal["Namespaced", "Cluster"] | None = Field(None, description="作用域")


class SchemaQuery(ClusterQuery):
    version: str | None = Field(None, max_length=63, description="default: the storage version")


class ResourcesQuery(ClusterQuery, PageQuery):
    namespace: str | None = Namespace
    label_selector: LabelSelector | None = None
    field_selector: FieldSelector | None = Field(None, description="字段选择器")


class WriteQuery(ClusterQuery):
    namespace: str | None = Namespace


class DeleteQuery(WriteQuery):
    propagation_policy: Literal["Background", "Foreground", "Orphan"] = "Background"


# -- answers -------------------------------------------------------------------------------------------------------


class CrdSummary(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)
    name: str
    group: str
    version: str
    kind: str
    plural: str
    singular: str
    scope: str
    short_names: list[str]
    served_versions: list[str]
    schema_: FreeForm = Field(alias="schema")
    status: Literal["established", "not_established", "terminating"]
    created_at: str | None


class CrdList(PageInfo):
    crds: list[CrdSummary]
    cluster_id: int | None


class PrinterColumn(BaseModel):
    name: str | None
    type: str | None
    json_path: str | None
    description: str | None
    priority: int


class CrdVersion(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)
    name: str | None
    served: bool
    storage: bool
    deprecated: bool
    deprecation_warning: str | None
    subresources: list[str]
    printer_columns: list[PrinterColumn]
    schema_: FreeForm = Field(alias="schema")


class CrdCondition(BaseModel):
    type: str | None
    status: str | None
    reason: str | None
    message: str | None
    last_transition_time: str | None


class CrdDetail(CrdSummary):
    categories: list[str]
    conversion: str
    stored_versions: list[str]
    versions: list[CrdVersion]
    conditions: list[CrdCondition]


class CrdSchema(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True)
    name: str
    version: str
    kind: str
    schema_: FreeForm = Field(alias="schema")


class CustomResourceList(PageInfo):
    crd: str
    resources: list[MemberObjectDetail]


class Deleted(BaseModel):
    id: str
    deleted: bool
