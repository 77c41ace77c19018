"""Node and pod affinity (2.1–2.3, 3.1–3.3), tolerations and node taints (4.1–4.5) and the affinity graph (5.1)
on real objects of a member (标签与亲和性管理 2.–5.).

Writes go to the pod template (workloads) or the node, conditional on the read resourceVersion, after a
server-side dry run: the member validates them (422 naming the field) and its scheduler and taint manager
react to what was written. The rules are evaluated by cloudops.scheduling.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from cloudops import scheduling as rules
from cloudops.diff import merge_patch
from cloudops.errors import BadRequest, Missing, Unprocessable
from cloudops.kube.types import KubeObject
from cloudops.labels.selectors import key_error, value_error
from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.objects import ObjectId, as_object
from cloudops.members.session import MemberSession
from cloudops.resources.base import FreeForm
from cloudops.scheduling import WORKLOAD_KINDS, pod_spec
from cloudops.services.base import Service
from cloudops.services.scheduling.models import (
    NODE_NAME,
    Graph,
    GraphQuery,
    NodeAffinityIn,
    NodeAffinityView,
    PodAffinityIn,
    PodAffinityView,
    Suggestion,
    SuggestionQuery,
    Suggestions,
    Taint,
    TaintMatch,
    TaintsView,
    Toleration,
    TolerationsView,
    Topology,
    TopologyQuery,
    WorkloadView,
)

__all__ = ["SchedulingService"]

ATTEMPTS = 5  # conditional writes retried after a conflict with a controller's write
WORKLOAD_TYPES = ("deployments", "statefulsets", "daemonsets", "jobs", "cronjobs")
AffinityKey = Literal["nodeAffinity", "podAffinity", "podAntiAffinity"]
NODE_KEYS: tuple[AffinityKey, ...] = ("nodeAffinity",)
POD_KEYS: tuple[AffinityKey, ...] = ("podAffinity", "podAntiAffinity")
Change = Callable[[KubeObject], FreeForm]


def _where(cluster: ClusterRef, rt: ResourceType, obj: KubeObject) -> WorkloadView:
    meta = obj["metadata"]
    return WorkloadView(id=str(ObjectId(cluster.ref, rt.type_name, meta["namespace"], meta["name"])),
                        resource_id=meta["name"], resource_type=rt.type_name, namespace=meta["namespace"],
                        cluster_id=cluster.id, cluster_name=cluster.name)


def _pick(obj: KubeObject, keys: tuple[AffinityKey, ...]) -> FreeForm:
    affinity = pod_spec(obj).get("affinity") or {}
    return {k: affinity[k] for k in keys if affinity.get(k)}


def _node_affinity(cluster: ClusterRef, rt: ResourceType, obj: KubeObject) -> NodeAffinityView:
    return NodeAffinityView(**_where(cluster, rt, obj).model_dump(), affinity=_pick(obj, NODE_KEYS),
                            node_selector=pod_spec(obj).get("nodeSelector") or {})


def _pod_affinity(cluster: ClusterRef, rt: ResourceType, obj: KubeObject) -> PodAffinityView:
    return PodAffinityView(**_where(cluster, rt, obj).model_dump(), affinity=_pick(obj, POD_KEYS))


def _tolerations(cluster: ClusterRef, rt: ResourceType, obj: KubeObject) -> TolerationsView:
    return TolerationsView(**_where(cluster, rt, obj).model_dump(),
                           tolerations=[dict(t) for t in pod_spec(obj).get("tolerations") or []])


def _pod_spec_patch(rt: ResourceType, current: KubeObject, field: Literal["affinity", "tolerations"],
                    value: object) -> FreeForm:
    """`{spec: {template: {spec: {field: ...}}}}` for the kind: the merge patch that makes the field exactly
    `value` (nulls for what goes), or removes it when `value` is empty."""
    patch: FreeForm = {field: merge_patch(pod_spec(current).get(field), value) if value else None}
    for part in reversed(WORKLOAD_KINDS[rt.kind]):
        patch = {part: patch}
    return patch


def _no_pod_affinity_change(rt: ResourceType, obj: KubeObject) -> None:
    if rt.kind == "Pod":
        owner = next(iter(obj["metadata"].get("ownerReferences") or []), None)
        where = (f"; change its owner {owner.get('kind')}/{owner.get('name')} instead" if owner
                 else "; recreate it with the new affinity")
        raise Unprocessable(f"a pod's affinity cannot change after it was created{where}", field="affinity")


def _taint(t: Taint | TaintMatch) -> rules.Taint:
    out: rules.Taint = {"key": t.key}
    if t.value is not None:
        out["value"] = t.value
    if t.effect is not None:
        out["effect"] = t.effect
    return out


def _taints_of(node: KubeObject) -> list[rules.Taint]:
    taints: list[rules.Taint] = (node.get("spec") or {}).get("taints") or []
    return taints


def _taints_view(cluster: ClusterRef, node: KubeObject, changed: list[rules.Taint]) -> TaintsView:
    taints = _taints_of(node)
    return TaintsView(node_name=node["metadata"]["name"], cluster_id=cluster.id, cluster_name=cluster.name,
                      taints=[dict(t) for t in taints], effect_summary=rules.effect_summary(taints),
                      changed=[dict(t) for t in changed])


def _no_match(node: KubeObject, spec: rules.Taint) -> str:
    return (f"node {node['metadata']['name']!r} has no taint matching {spec['key']}"
            + (f"={spec['value']}" if "value" in spec else "") + (f":{spec['effect']}" if "effect" in spec else ""))


async def _conditional(session: MemberSession, rt: ResourceType, obj: KubeObject, change: Change) -> KubeObject:
    """A merge patch computed from the object as read, carrying its resourceVersion: when a
    controller wrote in between (409), read again and recompute, a few times. Each write is dry-run first,
    so the member's validation answers (422 naming the field) before anything is written."""
    meta = obj["metadata"]
    namespace = meta.get("namespace") if rt.namespaced else None
    for attempt in range(ATTEMPTS):
        patch = {**change(obj), "metadata": {"resourceVersion": obj["metadata"]["resourceVersion"]}}
        try:
            await session.patch(rt, namespace, meta["name"], patch, dry_run=True)
            return as_object(await session.patch(rt, namespace, meta["name"], patch))
        except MemberError as e:
            if e.status != 409 or attempt == ATTEMPTS - 1:
                raise
        obj = as_object(await session.get(rt, namespace, meta["name"]))
    return obj


async def _objects(session: MemberSession, type_name: str, namespace: str | None = None,
                   field_selector: str | None = None) -> tuple[list[KubeObject], bool]:
    objs, truncated = await session.list_all(await session.resolve(type_name), namespace,
                                             field_selector=field_selector)
    return [as_object(o) for o in objs], truncated


class SchedulingService(Service):
    # -- workloads ---------------------------------------------------------------------------------------------

    async def _workload(self, cluster: ClusterRef, oid: ObjectId) -> tuple[MemberSession, ResourceType, KubeObject]:
        session = await self.deps.member(cluster)
        rt = await session.resolve(oid.type)
        if rt.kind not in WORKLOAD_KINDS or not rt.namespaced:
            raise Unprocessable(f"{rt.kind} has no pod template (use one of deployment, statefulset, daemonset, "
                                "replicaset, job, cronjob, pod)", field="resource_type")
        return session, rt, as_object(await session.get(rt, oid.namespace or "default", oid.name))

    async def _set_affinity(self, cluster: ClusterRef, oid: ObjectId, keys: tuple[AffinityKey, ...],
                            given: FreeForm) -> tuple[ResourceType, KubeObject]:
        session, rt, obj = await self._workload(cluster, oid)
        _no_pod_affinity_change(rt, obj)

        def change(current: KubeObject) -> FreeForm:
            affinity = {k: v for k, v in (pod_spec(current).get("affinity") or {}).items() if k not in keys}
            affinity.update({k: v for k, v in given.items() if v})
            return _pod_spec_patch(rt, current, "affinity", affinity)
        return rt, await _conditional(session, rt, obj, change)

    async def node_affinity(self, cluster: ClusterRef, oid: ObjectId) -> NodeAffinityView:
        _, rt, obj = await self._workload(cluster, oid)
        return _node_affinity(cluster, rt, obj)

    async def set_node_affinity(self, cluster: ClusterRef, oid: ObjectId, affinity: NodeAffinityIn) -> NodeAffinityView:
        """Replaces nodeAffinity in the pod template (pod affinity stays); workloads roll out new pods."""
        rt, obj = await self._set_affinity(cluster, oid, NODE_KEYS, affinity.model_dump(exclude_none=True))
        return _node_affinity(cluster, rt, obj)

    async def pod_affinity(self, cluster: ClusterRef, oid: ObjectId) -> PodAffinityView:
        _, rt, obj = await self._workload(cluster, oid)
        return _pod_affinity(cluster, rt, obj)

    async def set_pod_affinity(self, cluster: ClusterRef, oid: ObjectId, affinity: PodAffinityIn) -> PodAffinityView:
        """Replaces podAffinity and podAntiAffinity together (an absent one is removed); nodeAffinity stays."""
        rt, obj = await self._set_affinity(cluster, oid, POD_KEYS, affinity.model_dump(exclude_none=True))
        return _pod_affinity(cluster, rt, obj)

    async def tolerations(self, cluster: ClusterRef, oid: ObjectId) -> TolerationsView:
        _, rt, obj = await self._workload(cluster, oid)
        return _tolerations(cluster, rt, obj)

    async def set_tolerations(self, cluster: ClusterRef, oid: ObjectId,
                              tolerations: list[Toleration]) -> TolerationsView:
        """Replaces the tolerations; on a bare pod the member allows additions only (else 422 from it)."""
        for i, t in enumerate(tolerations):
            if t.key and (err := key_error(t.key)):
                raise BadRequest(err, field=f"tolerations[{i}].key")
        session, rt, obj = await self._workload(cluster, oid)
        value = [t.model_dump(exclude_none=True) for t in tolerations]
        obj = await _conditional(session, rt, obj, lambda current: _pod_spec_patch(rt, current, "tolerations", value))
        return _tolerations(cluster, rt, obj)

    # -- suggestions and topology ------------------------------------------------------------------------------

    async def _nodes_and_pods(self, cluster: ClusterRef,
                              namespace: str | None = None) -> tuple[list[KubeObject], list[KubeObject], bool]:
        session = await self.deps.member(cluster)
        nodes, cut_nodes = await _objects(session, "nodes")
        pods, cut_pods = await _objects(session, "pods", namespace,
                                        field_selector="status.phase!=Succeeded,status.phase!=Failed")
        return nodes, pods, cut_nodes or cut_pods

    async def suggestions(self, cluster: ClusterRef, q: SuggestionQuery) -> Suggestions:
        """Node groups that fit `requirements` now; the score is documented in cloudops.scheduling."""
        wanted = rules.parse_requirements(q.requirements)
        kind = q.resource_type.removesuffix("s") if q.resource_type else None
        nodes, pods, truncated = await self._nodes_and_pods(cluster)
        groups = rules.node_suggestions(nodes, pods, wanted, rules.workload_tolerations(kind))
        return Suggestions(resource_type=kind, requirements=wanted, truncated=truncated,
                           suggestions=[Suggestion(**s) for s in groups])

    async def topology(self, cluster: ClusterRef, q: TopologyQuery) -> Topology:
        key = rules.topology_key(q.topology_key)
        if err := key_error(key):
            raise BadRequest(err, field="topology_key")
        nodes, pods, _ = await self._nodes_and_pods(cluster, q.namespace)
        domains, unlabeled = rules.topology_domains(nodes, pods, key)
        return Topology.model_validate({"topology_key": key, "domains": domains, "unlabeled_nodes": unlabeled})

    # -- node taints -------------------------------------------------------------------------------------------

    async def _node(self, cluster: ClusterRef, name: str) -> tuple[MemberSession, ResourceType, KubeObject]:
        session = await self.deps.member(cluster)
        rt = await session.resolve("nodes")
        if len(name) > 253 or not re.fullmatch(NODE_NAME, name):
            raise BadRequest(f"{name[:80]!r} is not a node name", field="node_name")
        return session, rt, as_object(await session.get(rt, None, name))

    @staticmethod
    async def _write_taints(session: MemberSession, rt: ResourceType, node: KubeObject,
                            change: Callable[[list[rules.Taint]], list[rules.Taint]]) -> KubeObject:
        return await _conditional(session, rt, node, lambda current: {
            "spec": {"taints": change(_taints_of(current)) or None}})

    async def taints(self, cluster: ClusterRef, node_name: str) -> TaintsView:
        _, _, node = await self._node(cluster, node_name)
        return _taints_view(cluster, node, [])

    async def add_taints(self, cluster: ClusterRef, node_name: str, taints: list[Taint]) -> TaintsView:
        """A taint with the key and effect of an existing one replaces it (its value); NoExecute evicts pods
        that do not tolerate it (the member's taint manager does)."""
        for i, t in enumerate(taints):
            if err := key_error(t.key):
                raise BadRequest(err, field=f"taints[{i}].key")
            if t.value and (err := value_error(t.value)):
                raise BadRequest(err, field=f"taints[{i}].value")
        session, rt, node = await self._node(cluster, node_name)
        new = [_taint(t) for t in taints]
        updated = await self._write_taints(session, rt, node, lambda current: rules.add_taints(current, new))
        return _taints_view(cluster, updated, new)

    async def remove_taints(self, cluster: ClusterRef, node_name: str, taints: list[TaintMatch]) -> TaintsView:
        """By key, optionally narrowed by value and effect; a spec that matches no taint is 404 naming it."""
        session, rt, node = await self._node(cluster, node_name)
        existing, specs = _taints_of(node), [_taint(t) for t in taints]
        for i, spec in enumerate(specs):
            if not rules.remove_taints(existing, [spec])[1]:
                raise Missing(_no_match(node, spec), field=f"taints[{i}]")
        removed = rules.remove_taints(existing, specs)[1]
        updated = await self._write_taints(session, rt, node, lambda current: rules.remove_taints(current, specs)[0])
        return _taints_view(cluster, updated, removed)

    # -- graph -------------------------------------------------------------------------------------------------

    async def graph(self, cluster: ClusterRef, q: GraphQuery) -> Graph:
        session = await self.deps.member(cluster)
        workloads: list[KubeObject] = []
        for name in [q.resource_type] if q.resource_type else WORKLOAD_TYPES:
            rt = await session.resolve(name)
            if rt.kind not in WORKLOAD_KINDS or rt.kind == "Pod":
                raise Unprocessable(f"{rt.kind} is not a workload with a pod template", field="resource_type")
            workloads += map(as_object, (await session.list_all(rt, q.namespace))[0])
        replica_sets, _ = await _objects(session, "replicasets", q.namespace)
        aliases = {rs["metadata"]["uid"]: o["uid"] for rs in replica_sets
                   for o in rs["metadata"].get("ownerReferences") or [] if o.get("controller")}
        pods, _ = await _objects(session, "pods", q.namespace)
        nodes = (await _objects(session, "nodes"))[0] if q.include_nodes else []
        graph = rules.affinity_graph(workloads, pods, nodes, q.include_nodes, aliases)
        return Graph.model_validate({**graph, "mermaid": rules.mermaid(graph) if q.format == "mermaid" else None})
