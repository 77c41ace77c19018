"""资源配额管理 API: ResourceQuota (1.1–1.6) and LimitRange (2.1–2.5) objects in member clusters. The work is
cloudops.services.quotas.

Ids are object ids (`<cluster>:resourcequota:<ns>:<name>`); a bare name works with namespace (and cluster_id
when more than one cluster is registered).
"""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.quotas import LimitRangeService, QuotaService
from cloudops.services.quotas.models import (
    CreateLimitRange,
    CreateQuota,
    Deleted,
    LimitRangeList,
    LimitRangeRef,
    LimitRangeView,
    ListQuery,
    QuotaDetail,
    QuotaList,
    QuotaRef,
    QuotaUsage,
    UpdateLimitRange,
    UpdateQuota,
    UsageQuery,
)

__all__ = ["section"]

section = Section(tag="quotas", resource="managedclusters")


# -- ResourceQuota -------------------------------------------------------------------------------------------------


@section.route("POST", "/api/k8s/resourcequota/create", "创建 ResourceQuota", verb="create", subresource="quotas",
               body=CreateQuota, data=QuotaDetail, cluster="param")
async def create_quota(call: Call) -> web.Response:
    """Conflicting scopes (BestEffort with NotBestEffort) are the member's 422 naming spec.scopes."""
    return ok(await call.service(QuotaService).create(call.cluster, call.body))


@section.route("GET", "/api/k8s/resourcequota/list", "获取 ResourceQuota 列表", verb="list", subresource="quotas",
               query=ListQuery, data=QuotaList, cluster="param")
async def list_quotas(call: Call) -> web.Response:
    return ok(await call.service(QuotaService).list(call.cluster, call.query))


@section.route("GET", "/api/k8s/resourcequota/{id}", "获取 ResourceQuota 详情", verb="get", subresource="quotas",
               query=QuotaRef, data=QuotaDetail, cluster="object")
async def get_quota(call: Call) -> web.Response:
    return ok(await call.service(QuotaService).get(call.cluster, call.object_id))


@section.route("PUT", "/api/k8s/resourcequota/{id}", "更新 ResourceQuota", verb="update", subresource="quotas",
               query=QuotaRef, body=UpdateQuota, data=QuotaDetail, cluster="object")
async def update_quota(call: Call) -> web.Response:
    return ok(await call.service(QuotaService).update(call.cluster, call.object_id, call.body))


@section.route("DELETE", "/api/k8s/resourcequota/{id}", "删除 ResourceQuota", verb="delete", subresource="quotas",
               query=QuotaRef, data=Deleted, cluster="object")
async def delete_quota(call: Call) -> web.Response:
    return ok(await call.service(QuotaService).delete(call.cluster, call.object_id))


@section.route("GET", "/api/k8s/resourcequota/{id}/usage", "获取配额使用统计", verb="get", subresource="quotas",
               query=UsageQuery, data=QuotaUsage, cluster="object")
async def quota_usage(call: Call) -> web.Response:
    """The operator's samples of status.used in the reference's form ("5Gi", 2.5 cores, 6 pods) and as numbers in
    base units (`values`), with a trend per resource."""
    return ok(await call.service(QuotaService).usage(call.cluster, call.object_id, call.query))


# -- LimitRange ------------------------------------------------------------------------------------------------------


@section.route("POST", "/api/k8s/limitrange/create", "创建 LimitRange", verb="create", subresource="quotas",
               body=CreateLimitRange, data=LimitRangeView, cluster="param")
async def create_limit_range(call: Call) -> web.Response:
    """A default outside min/max is the member's 422 naming the field (spec.limits[i].default[...])."""
    return ok(await call.service(LimitRangeService).create(call.cluster, call.body))


@section.route("GET", "/api/k8s/limitrange/list", "获取 LimitRange 列表", verb="list", subresource="quotas",
               query=ListQuery, data=LimitRangeList, cluster="param")
async def list_limit_ranges(call: Call) -> web.Response:
    return ok(await call.service(LimitRangeService).list(call.cluster, call.query))


@section.route("GET", "/api/k8s/limitrange/{id}", "获取 LimitRange 详情", verb="get", subresource="quotas",
               query=LimitRangeRef, data=LimitRangeView, cluster="object")
async def get_limit_range(call: Call) -> web.Response:
    return ok(await call.service(LimitRangeService).get(call.cluster, call.object_id))


@section.route("PUT", "/api/k8s/limitrange/{id}", "更新 LimitRange", verb="update", subresource="quotas",
               query=LimitRangeRef, body=UpdateLimitRange, data=LimitRangeView, cluster="object")
async def update_limit_range(call: Call) -> web.Response:
    return ok(await call.service(LimitRangeService).update(call.cluster, call.object_id, call.body))


@section.route("DELETE", "/api/k8s/limitrange/{id}", "删除 LimitRange", verb="delete", subresource="quotas",
               query=LimitRangeRef, data=Deleted, cluster="object")
async def delete_limit_range(call: Call) -> web.Response:
    return ok(await call.service(LimitRangeService).delete(call.cluster, call.object_id))
