"""CRD 资源 API: a member's CustomResourceDefinitions (1.1–1.3) and their custom resources (2.1–2.4). The work is
cloudops.services.crds."""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.common import MemberObjectDetail, ObjectManifest
from cloudops.services.crds import CrdService
from cloudops.services.crds.models import (
    ClusterQuery,
    CrdDetail,
    CrdList,
    CrdListQuery,
    CrdSchema,
    CustomResourceList,
    Deleted,
    DeleteQuery,
    ResourcesQuery,
    SchemaQuery,
    WriteQuery,
)

__all__ = ["section"]

section = Section(tag="crds", resource="managedclusters")


@section.route("GET", "/api/k8s/crds", "获取 CRD 列表", verb="list", subresource="crds", query=CrdListQuery,
               data=CrdList, cluster="param")
async def crds(call: Call) -> web.Response:
    return ok(await call.service(CrdService).list(call.cluster, call.query))


@section.route("GET", "/api/k8s/crds/{name}", "获取 CRD 详情", verb="get", subresource="crds", query=ClusterQuery,
               data=CrdDetail, cluster="param")
async def crd(call: Call) -> web.Response:
    return ok(await call.service(CrdService).detail(call.cluster, call.path("name")))


@section.route("GET", "/api/k8s/crds/{name}/schema", "获取 CRD Schema", verb="get", subresource="crds",
               query=SchemaQuery, data=CrdSchema, cluster="param")
async def crd_schema(call: Call) -> web.Response:
    q: SchemaQuery = call.query
    return ok(await call.service(CrdService).schema(call.cluster, call.path("name"), q.version))


@section.route("GET", "/api/k8s/crds/{name}/resources", "获取 CRD 资源列表", verb="list", subresource="crds",
               query=ResourcesQuery, data=CustomResourceList, cluster="param")
async def custom_resources(call: Call) -> web.Response:
    return ok(await call.service(CrdService).resources(call.cluster, call.path("name"), call.query))


@section.route("POST", "/api/k8s/crds/{name}/resources", "创建 CRD 资源", verb="create", subresource="crds",
               query=WriteQuery, body=ObjectManifest, data=MemberObjectDetail, cluster="param")
async def create_custom_resource(call: Call) -> web.Response:
    """Validated by the member against the CRD's live schema: a bad field is 422 naming it."""
    q: WriteQuery = call.query
    return ok(await call.service(CrdService).create(call.cluster, call.path("name"), q.namespace, call.body))


@section.route("PUT", "/api/k8s/crds/{name}/resources/{resource_name}", "更新 CRD 资源", verb="update",
               subresource="crds", query=WriteQuery, body=ObjectManifest, data=MemberObjectDetail, cluster="param")
async def update_custom_resource(call: Call) -> web.Response:
    q: WriteQuery = call.query
    return ok(await call.service(CrdService).update(call.cluster, call.path("name"), call.path("resource_name"),
                                                    q.namespace, call.body))


@section.route("DELETE", "/api/k8s/crds/{name}/resources/{resource_name}", "删除 CRD 资源", verb="delete",
               subresource="crds", query=DeleteQuery, data=Deleted, cluster="param")
async def delete_custom_resource(call: Call) -> web.Response:
    return ok(await call.service(CrdService).delete(call.cluster, call.path("name"), call.path("resource_name"),
                                                    call.query))
