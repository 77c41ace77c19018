"""智能运维 API 1. 自动扩缩容: autoscaling/v2 HorizontalPodAutoscalers in member clusters (1.1–1.3). The work is
cloudops.services.autoscaling.

Requests use the reference's snake_case, sent to the member as autoscaling/v2 camelCase. Capability
`resources` (HPAs are workload objects in the member).
"""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.autoscaling import AutoscalingService
from cloudops.services.autoscaling.models import CreateHpa, HpaList, HpaRef, HpaView, ListQuery, UpdateHpa

__all__ = ["section"]

section = Section(tag="autoscaling", resource="managedclusters")


@section.route("POST", "/api/k8s/autoscaling/hpa/create", "创建 HPA", verb="create", subresource="resources",
               body=CreateHpa, data=HpaView, cluster="param")
async def create_hpa(call: Call) -> web.Response:
    """Validated by the member: a bad metric or min above max is its 422 naming the field."""
    return ok(await call.service(AutoscalingService).create(call.cluster, call.body))


@section.route("GET", "/api/k8s/autoscaling/hpa", "获取 HPA 列表", verb="list", subresource="resources",
               query=ListQuery, data=HpaList, cluster="param")
async def list_hpas(call: Call) -> web.Response:
    """What the member's controller reports: replicas, current metric values and the scaling conditions."""
    return ok(await call.service(AutoscalingService).list(call.cluster, call.query))


@section.route("PUT", "/api/k8s/autoscaling/hpa/{name}", "更新 HPA 配置", verb="update", subresource="resources",
               query=HpaRef, body=UpdateHpa, data=HpaView, cluster="param")
async def update_hpa(call: Call) -> web.Response:
    """`{name}`: the HPA's name (namespace from query or body, else default) or its object id. Read, change,
    replace with the read resourceVersion: a concurrent change is 409/1006, never lost."""
    return ok(await call.service(AutoscalingService).update(call.cluster, call.path("name"), call.query,
                                                            call.body))
