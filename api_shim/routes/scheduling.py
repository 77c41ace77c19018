"""标签与亲和性管理 API, 2.–5.: node and pod affinity (2.1–2.3, 3.1–3.3), tolerations and node taints
(4.1–4.5) and the affinity graph (5.1), on real objects of a member. Capability `scheduling`.

Writes go to the pod template (workloads) or the node, conditional on the read resourceVersion, after a
server-side dry run: the member validates them (422 naming the field) and its scheduler and taint manager
react to what was written. The rules are evaluated by cloudops.scheduling.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, BusinessCode, ok
from api_shim.state import ACCESS
from cloudops.diff import merge_patch
from cloudops.labels import key_error, value_error
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.objects import ObjectId
from cloudops.members.session import MemberSession
from cloudops.scheduling import (
    WORKLOAD_KINDS,
    add_taints,
    affinity_graph,
    effect_summary,
    mermaid,
    node_suggestions,
    parse_requirements,
    pod_spec,
    remove_taints,
    topology_domains,
    topology_key,
)
from cloudops.services.common import NAMESPACE_PATTERN as NAMESPACE
from cloudops.services.common import ClusterRefItem, LabelKey, LabelValue

__all__ = ["section"]

section = Section(tag="scheduling", resource="managedclusters")

NODE_NAME = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
WORKLOAD = r"^[A-Za-z]+(\.[A-Za-z0-9-]+)*$"
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")
ResourceTypeParam = Field("deployment", pattern=WORKLOAD, max_length=253,
                          description="deployment, statefulset, daemonset, replicaset, job, cronjob or pod")
Effect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
_QTY = r"([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?"
_REQ = rf"(cpu|memory|gpu|ephemeral-storage|pods|[a-z0-9.-]+/[a-z0-9._-]+)={_QTY}"
REQUIREMENTS = rf"^({_REQ}(,{_REQ})*)?$"
Json = dict[str, Any]
ATTEMPTS = 5  # conditional writes retried after a conflict with a controller's write
WORKLOAD_TYPES = ("deployments", "statefulsets", "daemonsets", "jobs", "cronjobs")


# -- declarations ----------------------------------------------------------------------------------------------


class WorkloadQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    resource_type: str = ResourceTypeParam
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63, description="命名空间 (default: default)")


class NodeAffinityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nodeAffinity: dict[str, Any] | None = Field(None, description="null or {} removes it")


class PodAffinityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    podAffinity: dict[str, Any] | None = Field(None, description="null or {} removes it")
    podAntiAffinity: dict[str, Any] | None = Field(None, description="null or {} removes it")


class SetNodeAffinity(WorkloadQuery):
    affinity: NodeAffinityIn


class SetPodAffinity(WorkloadQuery):
    affinity: PodAffinityIn


class Toleration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: LabelKey | None = None
    operator: Literal["Equal", "Exists"] | None = None
    value: LabelValue | None = None
    effect: Effect | None = None
    tolerationSeconds: int | None = None


class SetTolerations(WorkloadQuery):
    tolerations: list[Toleration] = Field(max_length=64, description="replaces the pod template's tolerations")


class NodeQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam


class Taint(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: LabelKey
    value: LabelValue | None = None
    effect: Effect


class TaintMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: LabelKey
    value: LabelValue | None = Field(None, description="absent: any value")
    effect: Effect | None = Field(None, description="absent: every effect")


class AddTaints(NodeQuery):
    taints: list[Taint] = Field(min_length=1, max_length=64)


class RemoveTaints(NodeQuery):
    taints: list[TaintMatch] = Field(min_length=1, max_length=64)


class SuggestionQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    resource_type: str | None = Field(None, pattern=WORKLOAD, max_length=253, description="资源类型 (echoed)")
    requirements: str = Field("", pattern=REQUIREMENTS, max_length=512,
                              description="资源需求: cpu=2,memory=4Gi,gpu=1 (comma-separated name=quantity)")


class TopologyQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    topology_key: LabelKey = Field("kubernetes.io/hostname",
                                   description="拓扑键: a node label key, or hostname, zone, region")
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63, description="pods of one namespace")


class GraphQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str = Field("default", pattern=NAMESPACE, max_length=63)
    resource_type: str | None = Field(None, pattern=WORKLOAD, max_length=253,
                                      description="one workload type; absent: deployments, statefulsets, "
                                                  "daemonsets, jobs, cronjobs")
    include_nodes: bool = True
    format: Literal["json", "mermaid"] = Field("json", description="mermaid: data.mermaid holds the diagram text")


class WorkloadView(BaseModel):
    id: str = Field(description="<cluster id>:<type>:<namespace>:<name>")
    resource_id: str
    resource_type: str
    namespace: str
    cluster_id: int | None
    cluster_name: str


class NodeAffinityView(WorkloadView):
    affinity: dict[str, Any]
    node_selector: dict[str, str]


class PodAffinityView(WorkloadView):
    affinity: dict[str, Any]


class TolerationsView(WorkloadView):
    tolerations: list[dict[str, Any]]


class TaintsView(BaseModel):
    node_name: str
    cluster_id: int | None
    cluster_name: str
    taints: list[dict[str, Any]]
    effect_summary: dict[str, int]
    changed: list[dict[str, Any]] = Field(default_factory=list, description="taints added or removed by this call")


class Suggestion(BaseModel):
    node_selector: dict[str, str]
    matching_nodes: int
    total_nodes: int
    nodes: list[str]
    available_resources: dict[str, str]
    score: float


class Suggestions(BaseModel):
    resource_type: str | None
    requirements: dict[str, float]
    suggestions: list[Suggestion]
    truncated: bool


class DomainResource(BaseModel):
    type: str
    name: str
    namespace: str
    node: str


class Domain(BaseModel):
    name: str
    nodes: list[str]
    resources: list[DomainResource]


class Topology(BaseModel):
    topology_key: str
    domains: list[Domain]
    unlabeled_nodes: list[str]


class GraphNode(BaseModel):
    id: str
    name: str
    type: str
    labels: dict[str, str]
    node: str | None = None


class GraphEdge(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: str = Field(alias="from")
    to: str
    type: str
    weight: int


class GraphGroup(BaseModel):
    name: str
    resources: list[str]
    affinity_type: str
    topology_key: str


class Graph(BaseModel):
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    groups: list[GraphGroup]
    mermaid: str | None


# -- workloads -----------------------------------------------------------------------------------------------------


async def _workload(call: Call) -> tuple[MemberSession, ResourceType, Json]:
    oid = call.target.object_id
    assert oid is not None
    session = await call.request.app[ACCESS].session(call.cluster)
    rt = await session.resolve(oid.type)
    if rt.kind not in WORKLOAD_KINDS or not rt.namespaced:
        raise ApiError(422, f"resource_type: {rt.kind} has no pod template (use one of "
                            "deployment, statefulset, daemonset, replicaset, job, cronjob, pod)")
    return session, rt, await session.get(rt, oid.namespace or "default", oid.name)


def _view(call: Call, rt: ResourceType, obj: Json) -> Json:
    meta = obj["metadata"]
    return {"id": str(ObjectId(call.cluster.ref, rt.type_name, meta["namespace"], meta["name"])),
            "resource_id": meta["name"], "resource_type": rt.type_name, "namespace": meta["namespace"],
            "cluster_id": call.cluster.id, "cluster_name": call.cluster.name}


def _pick(affinity: Json, keys: tuple[str, ...]) -> Json:
    return {k: affinity[k] for k in keys if affinity.get(k)}


async def _conditional(session: MemberSession, rt: ResourceType, obj: Json,
                       change: Callable[[Json], Json | None]) -> Json:
    """A merge patch computed from the object as read, carrying its resourceVersion: when a
    controller wrote in between (409), read again and recompute, a few times. Each write is dry-run first,
    so the member's validation answers (422 naming the field) before anything is written."""
    meta = obj["metadata"]
    namespace = meta.get("namespace") if rt.namespaced else None
    for attempt in range(ATTEMPTS):
        patch = change(obj)
        if patch is None:
            return obj
        patch = {**patch, "metadata": {"resourceVersion": obj["metadata"]["resourceVersion"]}}
        try:
            await session.patch(rt, namespace, meta["name"], patch, dry_run=True)
            return await session.patch(rt, namespace, meta["name"], patch)
        except MemberError as e:
            if e.status != 409 or attempt == ATTEMPTS - 1:
                raise
        obj = await session.get(rt, namespace, meta["name"])
    return obj


def _pod_spec_patch(rt: ResourceType, current: Json, field: str, value: Any) -> Json:
    """`{spec: {template: {spec: {field: ...}}}}` for the kind: the merge patch that makes the field exactly
    `value` (nulls for what goes), or removes it when `value` is empty."""
    patch: Json = {field: merge_patch(pod_spec(current).get(field), value) if value else None}
    for part in reversed(WORKLOAD_KINDS[rt.kind]):
        patch = {part: patch}
    return patch


def _no_pod_affinity_change(rt: ResourceType, obj: Json) -> None:
    if rt.kind == "Pod":
        owner = next(iter(obj["metadata"].get("ownerReferences") or []), None)
        where = (f"; change its owner {owner.get('kind')}/{owner.get('name')} instead" if owner
                 else "; recreate it with the new affinity")
        raise ApiError(422, f"affinity: a pod's affinity cannot change after it was created{where}")


async def _set_affinity(call: Call, keys: tuple[str, ...], given: Json) -> tuple[ResourceType, Json]:
    session, rt, obj = await _workload(call)
    _no_pod_affinity_change(rt, obj)

    def change(current: Json) -> Json:
        affinity = {k: v for k, v in (pod_spec(current).get("affinity") or {}).items() if k not in keys}
        affinity.update({k: v for k, v in given.items() if v})
        return _pod_spec_patch(rt, current, "affinity", affinity)
    return rt, await _conditional(session, rt, obj, change)


NODE_KEYS, POD_KEYS = ("nodeAffinity",), ("podAffinity", "podAntiAffinity")


@section.route("GET", "/api/k8s/affinity/node/{resource_id}", "获取节点亲和性配置", verb="get",
               subresource="scheduling", query=WorkloadQuery, data=NodeAffinityView, cluster="object")
async def get_node_affinity(call: Call) -> web.Response:
    _, rt, obj = await _workload(call)
    spec = pod_spec(obj)
    return ok({**_view(call, rt, obj), "affinity": _pick(spec.get("affinity") or {}, NODE_KEYS),
               "node_selector": spec.get("nodeSelector") or {}})


@section.route("POST", "/api/k8s/affinity/node/{resource_id}/set", "设置节点亲和性", verb="update",
               subresource="scheduling", body=SetNodeAffinity, data=NodeAffinityView, cluster="object")
async def set_node_affinity(call: Call) -> web.Response:
    """Replaces nodeAffinity in the pod template (pod affinity stays); workloads roll out new pods."""
    b: SetNodeAffinity = call.body
    rt, obj = await _set_affinity(call, NODE_KEYS, b.affinity.model_dump(exclude_none=True))
    spec = pod_spec(obj)
    return ok({**_view(call, rt, obj), "affinity": _pick(spec.get("affinity") or {}, NODE_KEYS),
               "node_selector": spec.get("nodeSelector") or {}})


@section.route("GET", "/api/k8s/affinity/pod/{resource_id}", "获取 Pod 亲和性配置", verb="get",
               subresource="scheduling", query=WorkloadQuery, data=PodAffinityView, cluster="object")
async def get_pod_affinity(call: Call) -> web.Response:
    _, rt, obj = await _workload(call)
    return ok({**_view(call, rt, obj), "affinity": _pick(pod_spec(obj).get("affinity") or {}, POD_KEYS)})


@section.route("POST", "/api/k8s/affinity/pod/{resource_id}/set", "设置 Pod 亲和性", verb="update",
               subresource="scheduling", body=SetPodAffinity, data=PodAffinityView, cluster="object")
async def set_pod_affinity(call: Call) -> web.Response:
    """Replaces podAffinity and podAntiAffinity together (an absent one is removed); nodeAffinity stays."""
    b: SetPodAffinity = call.body
    rt, obj = await _set_affinity(call, POD_KEYS, b.affinity.model_dump(exclude_none=True))
    return ok({**_view(call, rt, obj), "affinity": _pick(pod_spec(obj).get("affinity") or {}, POD_KEYS)})


@section.route("GET", "/api/k8s/taints/tolerations/{resource_id}", "获取污点容忍配置", verb="get",
               subresource="scheduling", query=WorkloadQuery, data=TolerationsView, cluster="object")
async def get_tolerations(call: Call) -> web.Response:
    _, rt, obj = await _workload(call)
    return ok({**_view(call, rt, obj), "tolerations": pod_spec(obj).get("tolerations") or []})


@section.route("POST", "/api/k8s/taints/tolerations/{resource_id}/set", "设置污点容忍", verb="update",
               subresource="scheduling", body=SetTolerations, data=TolerationsView, cluster="object")
async def set_tolerations(call: Call) -> web.Response:
    """Replaces the tolerations; on a bare pod the member allows additions only (else 422 from it)."""
    b: SetTolerations = call.body
    for i, t in enumerate(b.tolerations):
        if t.key and (err := key_error(t.key)):
            raise ApiError(400, f"tolerations[{i}].key: {err}")
    session, rt, obj = await _workload(call)
    value = [t.model_dump(exclude_none=True) for t in b.tolerations]
    obj = await _conditional(session, rt, obj, lambda current: _pod_spec_patch(rt, current, "tolerations", value))
    return ok({**_view(call, rt, obj), "tolerations": pod_spec(obj).get("tolerations") or []})


# -- suggestions and topology ----------------------------------------------------------------------------------------


async def _nodes_and_pods(call: Call, namespace: str | None = None) -> tuple[list[Json], list[Json], bool]:
    session = await call.request.app[ACCESS].session(call.cluster)
    nodes, cut_nodes = await session.list_all(await session.resolve("nodes"))
    pods, cut_pods = await session.list_all(await session.resolve("pods"), namespace,
                                            field_selector="status.phase!=Succeeded,status.phase!=Failed")
    return nodes, pods, cut_nodes or cut_pods


@section.route("GET", "/api/k8s/affinity/node/suggestions", "获取节点选择器建议", verb="list",
               subresource="scheduling", query=SuggestionQuery, data=Suggestions, cluster="param")
async def suggestions(call: Call) -> web.Response:
    """Node groups that fit `requirements` now; the score is documented in cloudops.scheduling."""
    q: SuggestionQuery = call.query
    try:
        wanted = parse_requirements(q.requirements)
    except ValueError as e:
        raise ApiError(400, f"requirements: {e}") from None
    nodes, pods, truncated = await _nodes_and_pods(call)
    return ok({"resource_type": q.resource_type, "requirements": wanted,
               "suggestions": node_suggestions(nodes, pods, wanted), "truncated": truncated})


@section.route("GET", "/api/k8s/affinity/pod/topology", "获取拓扑域信息", verb="list", subresource="scheduling",
               query=TopologyQuery, data=Topology, cluster="param")
async def topology(call: Call) -> web.Response:
    q: TopologyQuery = call.query
    key = topology_key(q.topology_key)
    if err := key_error(key):
        raise ApiError(400, f"topology_key: {err}")
    nodes, pods, _ = await _nodes_and_pods(call, q.namespace)
    domains, unlabeled = topology_domains(nodes, pods, key)
    return ok({"topology_key": key, "domains": domains, "unlabeled_nodes": unlabeled})


# -- node taints -----------------------------------------------------------------------------------------------------


def _taints_view(call: Call, node: Json, changed: list[Json]) -> Json:
    taints = (node.get("spec") or {}).get("taints") or []
    return {"node_name": node["metadata"]["name"], "cluster_id": call.cluster.id, "cluster_name": call.cluster.name,
            "taints": taints, "effect_summary": effect_summary(taints), "changed": changed}


async def _node(call: Call) -> tuple[MemberSession, ResourceType, Json]:
    session = await call.request.app[ACCESS].session(call.cluster)
    rt = await session.resolve("nodes")
    name = call.path("node_name")
    if len(name) > 253 or not re.fullmatch(NODE_NAME, name):
        raise ApiError(400, f"node_name: {name[:80]!r} is not a node name")
    return session, rt, await session.get(rt, None, name)


async def _write_taints(session: MemberSession, rt: ResourceType, node: Json,
                        change: Callable[[list[Json]], list[Json]]) -> Json:
    return await _conditional(session, rt, node, lambda current: {
        "spec": {"taints": change((current.get("spec") or {}).get("taints") or []) or None}})


@section.route("GET", "/api/k8s/taints/nodes/{node_name}", "获取节点污点信息", verb="get", subresource="scheduling",
               query=NodeQuery, data=TaintsView, cluster="param")
async def get_taints(call: Call) -> web.Response:
    _, _, node = await _node(call)
    return ok(_taints_view(call, node, []))


@section.route("POST", "/api/k8s/taints/nodes/{node_name}/add", "添加节点污点", verb="update",
               subresource="scheduling", body=AddTaints, data=TaintsView, cluster="param")
async def add_node_taints(call: Call) -> web.Response:
    """A taint with the key and effect of an existing one replaces it (its value); NoExecute evicts pods
    that do not tolerate it (the member's taint manager does)."""
    b: AddTaints = call.body
    for i, t in enumerate(b.taints):
        if err := key_error(t.key):
            raise ApiError(400, f"taints[{i}].key: {err}")
        if t.value and (err := value_error(t.value)):
            raise ApiError(400, f"taints[{i}].value: {err}")
    session, rt, node = await _node(call)
    new = [t.model_dump(exclude_none=True) for t in b.taints]
    updated = await _write_taints(session, rt, node, lambda taints: add_taints(taints, new))
    return ok(_taints_view(call, updated, new))


@section.route("DELETE", "/api/k8s/taints/nodes/{node_name}/remove", "移除节点污点", verb="update",
               subresource="scheduling", body=RemoveTaints, data=TaintsView, cluster="param")
async def remove_node_taints(call: Call) -> web.Response:
    """By key, optionally narrowed by value and effect; a spec that matches no taint is 404 naming it."""
    b: RemoveTaints = call.body
    session, rt, node = await _node(call)
    existing = (node.get("spec") or {}).get("taints") or []
    specs = [t.model_dump(exclude_none=True) for t in b.taints]
    for i, s in enumerate(specs):
        if not remove_taints(existing, [s])[1]:
            raise ApiError(404, f"taints[{i}]: node {node['metadata']['name']!r} has no taint matching "
                                f"{s['key']}" + (f"={s['value']}" if "value" in s else "")
                           + (f":{s['effect']}" if "effect" in s else ""), BusinessCode.RESOURCE_NOT_FOUND)
    removed = remove_taints(existing, specs)[1]
    updated = await _write_taints(session, rt, node, lambda taints: remove_taints(taints, specs)[0])
    return ok(_taints_view(call, updated, removed))


# -- graph -------------------------------------------------------------------------------------------------------------


@section.route("GET", "/api/k8s/affinity/visualization", "获取亲和性关系图", verb="list", subresource="scheduling",
               query=GraphQuery, data=Graph, cluster="param")
async def visualization(call: Call) -> web.Response:
    q: GraphQuery = call.query
    session = await call.request.app[ACCESS].session(call.cluster)
    workloads: list[Json] = []
    types = [q.resource_type] if q.resource_type else list(WORKLOAD_TYPES)
    for name in types:
        rt = await session.resolve(name)
        if rt.kind not in WORKLOAD_KINDS or rt.kind == "Pod":
            raise ApiError(422, f"resource_type: {rt.kind} is not a workload with a pod template")
        workloads += (await session.list_all(rt, q.namespace))[0]
    replica_sets, _ = await session.list_all(await session.resolve("replicasets"), q.namespace)
    aliases = {rs["metadata"]["uid"]: o["uid"] for rs in replica_sets
               for o in rs["metadata"].get("ownerReferences") or [] if o.get("controller")}
    pods, _ = await session.list_all(await session.resolve("pods"), q.namespace)
    nodes = (await session.list_all(await session.resolve("nodes")))[0] if q.include_nodes else []
    graph = affinity_graph(workloads, pods, nodes, q.include_nodes, aliases)
    return ok({**graph, "mermaid": mermaid(graph) if q.format == "mermaid" else None})
