"""多云集群 API, 2. 统一资源管理: objects of any type across member clusters (2.1–2.7)."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, BusinessCode, ok
from api_shim.state import ACCESS
from cloudops.labels import field_selector_error, selector_error
from cloudops.members.access import ClusterRef, FanOutError
from cloudops.members.objects import ObjectId, item_view
from cloudops.members.session import MemberSession
from cloudops.members.unified import BatchItem, compare, prepare_object, query, run_batch, update_object
from cloudops.paging import page
from cloudops.services.common import (
    CLUSTER_IDS_PATTERN,
    BatchSummary,
    ClusterError,
    ClusterRefItem,
    LabelSelector,
    MemberObject,
    MemberObjectDetail,
    ObjectManifest,
    PageQuery,
)
from cloudops.services.common import NAMESPACE_PATTERN as NAMESPACE
from cloudops.services.common import RESOURCE_TYPE_PATTERN as RESOURCE_TYPE

__all__ = ["section"]

section = Section(tag="unified-resources", resource="managedclusters")

Namespace = Field(None, pattern=NAMESPACE, max_length=63, description="命名空间")
ResourceType = Field(pattern=RESOURCE_TYPE, max_length=253,
                     description="资源类型: plural, singular, kind or short name (pods, deployment, svc, ...)")
ClusterIds = Field(None, max_length=2000, pattern=CLUSTER_IDS_PATTERN,
                   description="集群ID列表，逗号分隔 (ids or names); absent: every readable")
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")
Propagation = Literal["Background", "Foreground", "Orphan"]


# -- declarations ----------------------------------------------------------------------------------------------


class ListQuery(PageQuery):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    cluster_ids: str | None = ClusterIds
    resource_type: str = ResourceType
    namespace: str | None = Namespace
    label_selector: LabelSelector | None = None
    field_selector: str | None = Field(None, max_length=1024, description="字段选择器 (passed to the members)")
    continue_: str | None = Field(None, alias="continue", max_length=4096,
                                  description="the member's paging token (one cluster only; empty: first page)")


class ObjectQuery(BaseModel):
    """For a bare-name `{id}`: where the object is. An id of the full form needs none of these."""

    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    resource_type: str | None = Field(None, pattern=RESOURCE_TYPE, max_length=253)
    namespace: str | None = Namespace


class DetailQuery(ObjectQuery):
    show_secret_values: bool = Field(False, description="Secret values too; needs the `secrets` capability")


class DeleteQuery(ObjectQuery):
    propagation_policy: Propagation = "Background"


class CreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    resource_type: str | None = Field(None, pattern=RESOURCE_TYPE, max_length=253,
                                      description="defaults to resource.kind")
    namespace: str | None = Namespace
    resource: ObjectManifest


class UpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resource: ObjectManifest = Field(description="the whole object; metadata.resourceVersion makes it conditional")


class BatchResource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = ResourceType
    namespace: str = Field("", pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$", max_length=63)
    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253)
    parameters: dict[str, Any] = Field(default_factory=dict, description="replicas (scale), labels (label), "
                                       "image/container or images (set_image), propagation_policy (delete)")


class BatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_ids: list[ClusterRefItem] = Field(min_length=1, max_length=200)
    operation: Literal["scale", "restart", "delete", "label", "set_image"]
    resources: list[BatchResource] = Field(min_length=1, max_length=100)


class CompareQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_ids: str | None = ClusterIds
    resource_type: str = ResourceType
    namespace: str | None = Namespace
    name: str | None = Field(None, pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253)
    label_selector: LabelSelector | None = None
    include_metadata: bool = Field(True, description="labels and annotations count as differences")


class UnifiedList(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    resources: list[MemberObject]
    total: int | None = Field(description="null only when a member pages and does not say how many remain")
    limit: int
    offset: int
    continue_: str | None = Field(None, alias="continue")
    errors: list[ClusterError]
    notes: list[str]


class Deleted(BaseModel):
    id: str
    deleted: bool
    propagation_policy: str


class BatchRow(BaseModel):
    id: str
    cluster_id: int | None
    cluster_name: str
    type: str
    namespace: str
    name: str
    success: bool
    status: int
    code: int
    error: str | None = None
    result: dict[str, Any] | None = None


class BatchResult(BaseModel):
    operation: str
    status: Literal["success", "partial", "failed"]
    summary: BatchSummary
    results: list[BatchRow]


class Difference(BaseModel):
    model_config = ConfigDict(extra="allow")
    field: str = Field(description="path such as spec.template.spec.containers[0].image; cluster_N_value follow")


class ComparisonRow(BaseModel):
    model_config = ConfigDict(extra="allow")
    resource_name: str
    missing_in: list[int | str]
    differences: list[Difference]
    identical: bool


class ComparedCluster(BaseModel):
    key: str
    cluster_id: int | None
    cluster_name: str


class CompareSummary(BaseModel):
    resources: int
    identical: int
    different: int


class CompareResult(BaseModel):
    comparison: list[ComparisonRow]
    clusters: list[ComparedCluster]
    summary: CompareSummary
    errors: list[ClusterError]


# -- handlers ----------------------------------------------------------------------------------------------------


def _missing(call: Call) -> list[FanOutError]:
    return [FanOutError(None, ref, 404, BusinessCode.RESOURCE_NOT_FOUND, f"cluster {ref!r} not found")
            for ref in call.target.missing]


def _check_selector(selector: str | None) -> None:
    if selector and (err := selector_error(selector)):
        raise ApiError(400, f"label_selector: {err}")


def _check_field_selector(selector: str | None) -> None:
    if selector and (err := field_selector_error(selector)):
        raise ApiError(400, f"field_selector: {err}")


@section.route("GET", "/api/k8s/unified/resources", "跨集群资源查询", verb="list", subresource="resources",
               query=ListQuery, data=UnifiedList, cluster="many")
async def list_resources(call: Call) -> web.Response:
    q: ListQuery = call.query
    _check_selector(q.label_selector)
    _check_field_selector(q.field_selector)
    clusters = list(call.target.clusters)
    if q.continue_ is not None:
        return ok(await _member_page(call, q, clusters))
    items, errors, notes = await query(call.request.app[ACCESS], clusters, q.resource_type, q.namespace,
                                       q.label_selector, q.field_selector)
    listed = page(items, q.limit, q.offset)
    return ok({"resources": listed.pop("items"), **listed, "continue": None,
               "errors": [e.as_dict() for e in [*_missing(call), *errors]], "notes": notes})


async def _member_page(call: Call, q: ListQuery, clusters: list[ClusterRef]) -> dict[str, Any]:
    """Paging by the member's own token: one cluster, `limit` items a page, `offset` must stay 0."""
    if len(clusters) != 1 or q.offset:
        raise ApiError(400, "continue: pages by the member's token for exactly one cluster (cluster_ids) "
                            "and offset 0")
    cluster = clusters[0]
    session = await call.request.app[ACCESS].session(cluster)
    rt = await session.resolve(q.resource_type)
    got = await session.list_page(rt, q.namespace if rt.namespaced else None, label_selector=q.label_selector,
                                  field_selector=q.field_selector, limit=q.limit, continue_token=q.continue_ or None)
    views = [item_view(cluster.id, cluster.name, rt.type_name, o) for o in got.items]
    total = len(views) + got.remaining if got.remaining is not None else (len(views) if not got.continue_token
                                                                           else None)
    return {"resources": views, "total": total, "limit": q.limit, "offset": 0, "continue": got.continue_token,
            "errors": [], "notes": []}


async def _located(call: Call) -> tuple[MemberSession, Any, str | None, str]:
    oid: ObjectId | None = call.target.object_id
    assert oid is not None
    session = await call.request.app[ACCESS].session(call.cluster)
    rt = await session.resolve(oid.type)
    namespace = (oid.namespace or "default") if rt.namespaced else None
    if not rt.namespaced and oid.namespace:
        raise ApiError(400, f"id: {rt.kind} is cluster-scoped; leave the namespace part empty")
    return session, rt, namespace, oid.name


def _detail(cluster: ClusterRef, type_name: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {**item_view(cluster.id, cluster.name, type_name, obj), "resource": obj}


@section.route("GET", "/api/k8s/unified/resources/{id}", "获取资源详情", verb="get", subresource="resources",
               query=DetailQuery, data=MemberObjectDetail, cluster="object")
async def get_resource(call: Call) -> web.Response:
    q: DetailQuery = call.query
    session, rt, namespace, name = await _located(call)
    if q.show_secret_values:
        await call.authorize("get", "secrets", call.cluster.name)
    obj = await session.get(rt, namespace, name, reveal=q.show_secret_values)
    return ok(_detail(call.cluster, rt.type_name, obj))


@section.route("POST", "/api/k8s/unified/resources", "创建资源", verb="create", subresource="resources",
               body=CreateBody, data=MemberObjectDetail, cluster="param")
async def create_resource(call: Call) -> web.Response:
    """The member's server-side dry run first: a bad object is 422 naming the field, and nothing is written."""
    b: CreateBody = call.body
    resource = b.resource.model_dump(exclude_none=True)
    type_name = b.resource_type or resource.get("kind")
    if not type_name:
        raise ApiError(400, "resource_type: required when resource.kind is absent")
    session = await call.request.app[ACCESS].session(call.cluster)
    rt = await session.resolve(str(type_name))
    try:
        obj, namespace = prepare_object(rt, resource, b.namespace)
    except ValueError as e:
        raise ApiError(400, str(e)) from None
    await session.create(rt, namespace, obj, dry_run=True)
    created = await session.create(rt, namespace, obj)  # versioned by the request's write observer
    return ok(_detail(call.cluster, rt.type_name, created))


@section.route("PUT", "/api/k8s/unified/resources/{id}", "更新资源", verb="update", subresource="resources",
               query=ObjectQuery, body=UpdateBody, data=MemberObjectDetail, cluster="object")
async def update_resource(call: Call) -> web.Response:
    """Replaces the object; a stale metadata.resourceVersion is 409/1006 and changes nothing."""
    b: UpdateBody = call.body
    session, rt, namespace, name = await _located(call)
    try:
        updated = await update_object(session, rt, namespace, name, b.resource.model_dump(exclude_none=True))
    except ValueError as e:
        raise ApiError(400, str(e)) from None
    return ok(_detail(call.cluster, rt.type_name, updated))


@section.route("DELETE", "/api/k8s/unified/resources/{id}", "删除资源", verb="delete", subresource="resources",
               query=DeleteQuery, data=Deleted, cluster="object")
async def delete_resource(call: Call) -> web.Response:
    q: DeleteQuery = call.query
    session, rt, namespace, name = await _located(call)
    await session.delete(rt, namespace, name, propagation=q.propagation_policy)
    oid = ObjectId(call.cluster.ref, rt.type_name, namespace or "", name)
    return ok({"id": str(oid), "deleted": True, "propagation_policy": q.propagation_policy})


@section.route("POST", "/api/k8s/unified/batch", "批量操作", verb="update", subresource="resources",
               body=BatchBody, data=BatchResult, cluster="many")
async def batch(call: Call) -> web.Response:
    """A result per cluster and resource; partial success is `status: partial`, never a whole-request error."""
    b: BatchBody = call.body
    if b.operation == "delete":
        for c in call.target.clusters:
            await call.authorize("delete", "resources", c.name)
    items = [BatchItem(r.type, r.namespace, r.name, r.parameters) for r in b.resources]
    rows = await run_batch(call.request.app[ACCESS], list(call.target.clusters), b.operation, items)
    for e in _missing(call):
        rows.extend({"id": f"{e.cluster_name}:{it.type}:{it.namespace}:{it.name}", "cluster_id": None,
                     "cluster_name": e.cluster_name, "type": it.type, "namespace": it.namespace, "name": it.name,
                     "success": False, "status": e.status, "code": e.code, "error": e.error} for it in items)
    ok_count = sum(1 for r in rows if r["success"])
    status = "success" if ok_count == len(rows) else "failed" if ok_count == 0 else "partial"
    return ok({"operation": b.operation, "status": status,
               "summary": {"total": len(rows), "succeeded": ok_count, "failed": len(rows) - ok_count},
               "results": rows})


@section.route("GET", "/api/k8s/unified/compare", "集群间资源对比", verb="list", subresource="resources",
               query=CompareQuery, data=CompareResult, cluster="many")
async def compare_resources(call: Call) -> web.Response:
    q: CompareQuery = call.query
    _check_selector(q.label_selector)
    clusters = list(call.target.clusters)
    if len(clusters) < 2:
        raise ApiError(400, f"cluster_ids: comparing needs at least two clusters you may read ({len(clusters)} "
                            "found)")
    rows, errors = await compare(call.request.app[ACCESS], clusters, q.resource_type, q.namespace, q.name,
                                 q.label_selector, q.include_metadata)
    failed = {e.cluster_name for e in errors}
    compared = [c for c in clusters if c.name not in failed]
    identical = sum(1 for r in rows if r["identical"])
    return ok({"comparison": rows,
               "clusters": [{"key": f"cluster_{i}", "cluster_id": c.id, "cluster_name": c.name}
                            for i, c in enumerate(compared, start=1)],
               "summary": {"resources": len(rows), "identical": identical, "different": len(rows) - identical},
               "errors": [e.as_dict() for e in [*_missing(call), *errors]]})
