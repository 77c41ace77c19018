"""多云集群 API, 2. 统一资源管理: objects of any type across member clusters (2.1–2.7). The work is
cloudops.services.unified."""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.common import MemberObjectDetail
from cloudops.services.unified import UnifiedService
from cloudops.services.unified.models import (
    BatchBody,
    BatchResult,
    CompareQuery,
    CompareResult,
    CreateBody,
    Deleted,
    DeleteQuery,
    DetailQuery,
    ListQuery,
    ObjectQuery,
    UnifiedList,
    UpdateBody,
)

__all__ = ["section"]

section = Section(tag="unified-resources", resource="managedclusters")


@section.route("GET", "/api/k8s/unified/resources", "跨集群资源查询", verb="list", subresource="resources",
               query=ListQuery, data=UnifiedList, cluster="many")
async def list_resources(call: Call) -> web.Response:
    return ok(await call.service(UnifiedService).list(call.clusters, call.target.missing, call.query))


@section.route("GET", "/api/k8s/unified/resources/{id}", "获取资源详情", verb="get", subresource="resources",
               query=DetailQuery, data=MemberObjectDetail, cluster="object")
async def get_resource(call: Call) -> web.Response:
    q: DetailQuery = call.query
    return ok(await call.service(UnifiedService).get(call.cluster, call.object_id, q.show_secret_values, call))


@section.route("POST", "/api/k8s/unified/resources", "创建资源", verb="create", subresource="resources",
               body=CreateBody, data=MemberObjectDetail, cluster="param")
async def create_resource(call: Call) -> web.Response:
    """The member's server-side dry run first: a bad object is 422 naming the field, and nothing is written."""
    return ok(await call.service(UnifiedService).create(call.cluster, call.body))


@section.route("PUT", "/api/k8s/unified/resources/{id}", "更新资源", verb="update", subresource="resources",
               query=ObjectQuery, body=UpdateBody, data=MemberObjectDetail, cluster="object")
async def update_resource(call: Call) -> web.Response:
    """Replaces the object; a stale metadata.resourceVersion is 409/1006 and changes nothing. The create call's body
    shape works: cluster_id, resource_type and namespace must agree with `{id}` (400 naming the one that does not)."""
    return ok(await call.service(UnifiedService).update(call.cluster, call.object_id, call.body))


@section.route("DELETE", "/api/k8s/unified/resources/{id}", "删除资源", verb="delete", subresource="resources",
               query=DeleteQuery, data=Deleted, cluster="object")
async def delete_resource(call: Call) -> web.Response:
    q: DeleteQuery = call.query
    return ok(await call.service(UnifiedService).delete(call.cluster, call.object_id, q.propagation_policy))


@section.route("POST", "/api/k8s/unified/batch", "批量操作", verb="update", subresource="resources",
               body=BatchBody, data=BatchResult, cluster="many")
async def batch(call: Call) -> web.Response:
    """A result per cluster and resource; partial success is `status: partial`, never a whole-request error."""
    return ok(await call.service(UnifiedService).batch(call.clusters, call.target.missing, call.body, call))


@section.route("GET", "/api/k8s/unified/compare", "集群间资源对比", verb="list", subresource="resources",
               query=CompareQuery, data=CompareResult, cluster="many")
async def compare_resources(call: Call) -> web.Response:
    return ok(await call.service(UnifiedService).compare(call.clusters, call.target.missing, call.query))
