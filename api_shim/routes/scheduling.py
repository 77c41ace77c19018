"""标签与亲和性管理 API, 2.–5.: node and pod affinity (2.1–2.3, 3.1–3.3), tolerations and node taints
(4.1–4.5) and the affinity graph (5.1), on real objects of a member. Capability `scheduling`. The work is
cloudops.services.scheduling.

Writes go to the pod template (workloads) or the node, conditional on the read resourceVersion, after a
server-side dry run: the member validates them (422 naming the field) and its scheduler and taint manager
react to what was written.
"""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.scheduling import SchedulingService
from cloudops.services.scheduling.models import (
    AddTaints,
    Graph,
    GraphQuery,
    NodeAffinityView,
    NodeQuery,
    PodAffinityView,
    RemoveTaints,
    SetNodeAffinity,
    SetPodAffinity,
    SetTolerations,
    SuggestionQuery,
    Suggestions,
    TaintsView,
    TolerationsView,
    Topology,
    TopologyQuery,
    WorkloadQuery,
)

__all__ = ["section"]

section = Section(tag="scheduling", resource="managedclusters")


# -- workloads -----------------------------------------------------------------------------------------------------


@section.route("GET", "/api/k8s/affinity/node/{resource_id}", "获取节点亲和性配置", verb="get",
               subresource="scheduling", query=WorkloadQuery, data=NodeAffinityView, cluster="object")
async def get_node_affinity(call: Call) -> web.Response:
    return ok(await call.service(SchedulingService).node_affinity(call.cluster, call.object_id))


@section.route("POST", "/api/k8s/affinity/node/{resource_id}/set", "设置节点亲和性", verb="update",
               subresource="scheduling", body=SetNodeAffinity, data=NodeAffinityView, cluster="object")
async def set_node_affinity(call: Call) -> web.Response:
    """Replaces nodeAffinity in the pod template (pod affinity stays); workloads roll out new pods."""
    b: SetNodeAffinity = call.body
    return ok(await call.service(SchedulingService).set_node_affinity(call.cluster, call.object_id, b.affinity))


@section.route("GET", "/api/k8s/affinity/pod/{resource_id}", "获取 Pod 亲和性配置", verb="get",
               subresource="scheduling", query=WorkloadQuery, data=PodAffinityView, cluster="object")
async def get_pod_affinity(call: Call) -> web.Response:
    return ok(await call.service(SchedulingService).pod_affinity(call.cluster, call.object_id))


@section.route("POST", "/api/k8s/affinity/pod/{resource_id}/set", "设置 Pod 亲和性", verb="update",
               subresource="scheduling", body=SetPodAffinity, data=PodAffinityView, cluster="object")
async def set_pod_affinity(call: Call) -> web.Response:
    """Replaces podAffinity and podAntiAffinity together (an absent one is removed); nodeAffinity stays."""
    b: SetPodAffinity = call.body
    return ok(await call.service(SchedulingService).set_pod_affinity(call.cluster, call.object_id, b.affinity))


@section.route("GET", "/api/k8s/taints/tolerations/{resource_id}", "获取污点容忍配置", verb="get",
               subresource="scheduling", query=WorkloadQuery, data=TolerationsView, cluster="object")
async def get_tolerations(call: Call) -> web.Response:
    return ok(await call.service(SchedulingService).tolerations(call.cluster, call.object_id))


@section.route("POST", "/api/k8s/taints/tolerations/{resource_id}/set", "设置污点容忍", verb="update",
               subresource="scheduling", body=SetTolerations, data=TolerationsView, cluster="object")
async def set_tolerations(call: Call) -> web.Response:
    """Replaces the tolerations; on a bare pod the member allows additions only (else 422 from it)."""
    b: SetTolerations = call.body
    return ok(await call.service(SchedulingService).set_tolerations(call.cluster, call.object_id, b.tolerations))


# -- suggestions and topology ----------------------------------------------------------------------------------------


@section.route("GET", "/api/k8s/affinity/node/suggestions", "获取节点选择器建议", verb="list",
               subresource="scheduling", query=SuggestionQuery, data=Suggestions, cluster="param")
async def suggestions(call: Call) -> web.Response:
    """Node groups that fit `requirements` now; the score is documented in cloudops.scheduling."""
    return ok(await call.service(SchedulingService).suggestions(call.cluster, call.query))


@section.route("GET", "/api/k8s/affinity/pod/topology", "获取拓扑域信息", verb="list", subresource="scheduling",
               query=TopologyQuery, data=Topology, cluster="param")
async def topology(call: Call) -> web.Response:
    return ok(await call.service(SchedulingService).topology(call.cluster, call.query))


# -- node taints -----------------------------------------------------------------------------------------------------


@section.route("GET", "/api/k8s/taints/nodes/{node_name}", "获取节点污点信息", verb="get", subresource="scheduling",
               query=NodeQuery, data=TaintsView, cluster="param")
async def get_taints(call: Call) -> web.Response:
    return ok(await call.service(SchedulingService).taints(call.cluster, call.path("node_name")))


@section.route("POST", "/api/k8s/taints/nodes/{node_name}/add", "添加节点污点", verb="update",
               subresource="scheduling", body=AddTaints, data=TaintsView, cluster="param")
async def add_node_taints(call: Call) -> web.Response:
    """A taint with the key and effect of an existing one replaces it (its value); NoExecute evicts pods
    that do not tolerate it (the member's taint manager does)."""
    b: AddTaints = call.body
    return ok(await call.service(SchedulingService).add_taints(call.cluster, call.path("node_name"), b.taints))


@section.route("DELETE", "/api/k8s/taints/nodes/{node_name}/remove", "移除节点污点", verb="update",
               subresource="scheduling", body=RemoveTaints, data=TaintsView, cluster="param")
async def remove_node_taints(call: Call) -> web.Response:
    """By key, optionally narrowed by value and effect; a spec that matches no taint is 404 naming it."""
    b: RemoveTaints = call.body
    return ok(await call.service(SchedulingService).remove_taints(call.cluster, call.path("node_name"), b.taints))


# -- graph -------------------------------------------------------------------------------------------------------------


@section.route("GET", "/api/k8s/affinity/visualization", "获取亲和性关系图", verb="list", subresource="scheduling",
               query=GraphQuery, data=Graph, cluster="param")
async def visualization(call: Call) -> web.Response:
    return ok(await call.service(SchedulingService).graph(call.cluster, call.query))
