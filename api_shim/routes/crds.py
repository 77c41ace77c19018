"""CRD 资源 API: a member's CustomResourceDefinitions (1.1–1.3) and their custom resources (2.1–2.4)."""

from __future__ import annotations

import re
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, ok
from api_shim.state import ACCESS
from cloudops.labels import field_selector_error, selector_error
from cloudops.members.crds import crd_detail, crd_summary, get_crd, list_crds, resource_type_of, schema_of
from cloudops.members.discovery import ResourceType
from cloudops.members.objects import ObjectId, item_view, valid_name
from cloudops.members.session import MemberSession
from cloudops.members.unified import prepare_object, update_object
from cloudops.paging import page
from cloudops.services.common import (
    ClusterRefItem,
    LabelSelector,
    MemberObjectDetail,
    ObjectManifest,
    PageInfo,
    PageQuery,
)

__all__ = ["section"]

section = Section(tag="crds", resource="managedclusters")

CRD_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$"
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")
Namespace = Field(None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63, description="命名空间")


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
    field_selector: str | None = Field(None, max_length=1024, description="字段选择器")


class WriteQuery(ClusterQuery):
    namespace: str | None = Namespace


class DeleteQuery(WriteQuery):
    propagation_policy: Literal["Background", "Foreground", "Orphan"] = "Background"


class CrdSummary(BaseModel):
    name: str
    group: str
    version: str
    kind: str
    plural: str
    singular: str
    scope: str
    short_names: list[str]
    served_versions: list[str]
    schema_: dict[str, Any] = Field(alias="schema")
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
    name: str | None
    served: bool
    storage: bool
    deprecated: bool
    deprecation_warning: str | None
    subresources: list[str]
    printer_columns: list[PrinterColumn]
    schema_: dict[str, Any] = Field(alias="schema")


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
    name: str
    version: str
    kind: str
    schema_: dict[str, Any] = Field(alias="schema")


class CustomResourceList(PageInfo):
    crd: str
    resources: list[MemberObjectDetail]


class Deleted(BaseModel):
    id: str
    deleted: bool


def _crd_name(call: Call) -> str:
    name = call.path("name")
    if len(name) > 253 or not re.fullmatch(CRD_NAME, name):
        raise ApiError(400, f"name: {name[:80]!r} is not a CRD name (<plural>.<group>)")
    return name


async def _crd(call: Call) -> tuple[MemberSession, dict[str, Any]]:
    session = await call.request.app[ACCESS].session(call.cluster)
    return session, await get_crd(session, _crd_name(call))


def _view(call: Call, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
    return {**item_view(call.cluster.id, call.cluster.name, rt.type_name, obj), "resource": obj}


def _target(call: Call, rt: ResourceType, namespace: str | None) -> tuple[str | None, str]:
    """`{resource_name}` is the name, or an object id whose namespace wins over the query's."""
    raw = call.path("resource_name")
    if ObjectId.looks_like(raw):
        try:
            oid = ObjectId.parse(raw)
        except ValueError as e:
            raise ApiError(400, f"resource_name: {e}") from None
        namespace, raw = oid.namespace or namespace, oid.name
    elif not valid_name(raw):
        raise ApiError(400, f"resource_name: {raw[:80]!r} is not an object name")
    return ((namespace or "default") if rt.namespaced else None), raw


@section.route("GET", "/api/k8s/crds", "获取 CRD 列表", verb="list", subresource="crds", query=CrdListQuery,
               data=CrdList, cluster="param")
async def crds(call: Call) -> web.Response:
    q: CrdListQuery = call.query
    session = await call.request.app[ACCESS].session(call.cluster)
    found = [crd_summary(c) for c in await list_crds(session, q.group, q.version, q.scope)]
    listed = page(found, q.limit, q.offset)
    return ok({"crds": listed.pop("items"), **listed, "cluster_id": call.cluster.id})


@section.route("GET", "/api/k8s/crds/{name}", "获取 CRD 详情", verb="get", subresource="crds", query=ClusterQuery,
               data=CrdDetail, cluster="param")
async def crd(call: Call) -> web.Response:
    _, found = await _crd(call)
    return ok(crd_detail(found))


@section.route("GET", "/api/k8s/crds/{name}/schema", "获取 CRD Schema", verb="get", subresource="crds",
               query=SchemaQuery, data=CrdSchema, cluster="param")
async def crd_schema(call: Call) -> web.Response:
    q: SchemaQuery = call.query
    _, found = await _crd(call)
    schema = schema_of(found, q.version)
    if schema is None:
        versions = [v.get("name") for v in (found.get("spec") or {}).get("versions") or []]
        raise ApiError(404, f"version: {q.version!r} is not a version of {found['metadata']['name']} "
                            f"(versions: {versions})", 1002)
    summary = crd_summary(found)
    return ok({"name": summary["name"], "version": q.version or summary["version"], "kind": summary["kind"],
               "schema": schema})


@section.route("GET", "/api/k8s/crds/{name}/resources", "获取 CRD 资源列表", verb="list", subresource="crds",
               query=ResourcesQuery, data=CustomResourceList, cluster="param")
async def custom_resources(call: Call) -> web.Response:
    q: ResourcesQuery = call.query
    if q.label_selector and (err := selector_error(q.label_selector)):
        raise ApiError(400, f"label_selector: {err}")
    if q.field_selector and (err := field_selector_error(q.field_selector)):
        raise ApiError(400, f"field_selector: {err}")
    session, found = await _crd(call)
    rt = resource_type_of(found)
    objs, _ = await session.list_all(rt, q.namespace if rt.namespaced else None, label_selector=q.label_selector,
                                     field_selector=q.field_selector)
    views = sorted((_view(call, rt, o) for o in objs), key=lambda v: (v["namespace"], v["name"]))
    listed = page(views, q.limit, q.offset)
    return ok({"crd": found["metadata"]["name"], "resources": listed.pop("items"), **listed})


@section.route("POST", "/api/k8s/crds/{name}/resources", "创建 CRD 资源", verb="create", subresource="crds",
               query=WriteQuery, body=ObjectManifest, data=MemberObjectDetail, cluster="param")
async def create_custom_resource(call: Call) -> web.Response:
    """Validated by the member against the CRD's live schema: a bad field is 422 naming it."""
    q: WriteQuery = call.query
    session, found = await _crd(call)
    rt = resource_type_of(found)
    try:
        obj, namespace = prepare_object(rt, call.body.model_dump(exclude_none=True), q.namespace)
    except ValueError as e:
        raise ApiError(400, str(e)) from None
    return ok(_view(call, rt, await session.create(rt, namespace, obj)))


@section.route("PUT", "/api/k8s/crds/{name}/resources/{resource_name}", "更新 CRD 资源", verb="update",
               subresource="crds", query=WriteQuery, body=ObjectManifest, data=MemberObjectDetail, cluster="param")
async def update_custom_resource(call: Call) -> web.Response:
    q: WriteQuery = call.query
    session, found = await _crd(call)
    rt = resource_type_of(found)
    namespace, name = _target(call, rt, q.namespace)
    try:
        updated = await update_object(session, rt, namespace, name, call.body.model_dump(exclude_none=True))
    except ValueError as e:
        raise ApiError(400, str(e)) from None
    return ok(_view(call, rt, updated))


@section.route("DELETE", "/api/k8s/crds/{name}/resources/{resource_name}", "删除 CRD 资源", verb="delete",
               subresource="crds", query=DeleteQuery, data=Deleted, cluster="param")
async def delete_custom_resource(call: Call) -> web.Response:
    q: DeleteQuery = call.query
    session, found = await _crd(call)
    rt = resource_type_of(found)
    namespace, name = _target(call, rt, q.namespace)
    await session.delete(rt, namespace, name, propagation=q.propagation_policy)
    return ok({"id": str(ObjectId(call.cluster.ref, rt.type_name, namespace or "", name)), "deleted": True})
