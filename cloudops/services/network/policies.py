"""网络管理 API 3. NetworkPolicy 管理 (3.1–3.5): snake_case policies on `networking.k8s.io/v1`, computed status."""

from __future__ import annotations

from cloudops.kube import shapes
from cloudops.members.access import ClusterRef
from cloudops.network import kinds
from cloudops.network.policy_eval import Namespace, Pod, Policy
from cloudops.services.network.checks import metadata_changes
from cloudops.services.network.models.network_params import ListQuery
from cloudops.services.network.models.networkpolicies import (
    PolicyCreate,
    PolicyList,
    PolicyStatus,
    PolicyUpdate,
    PolicyView,
)
from cloudops.services.network.names import Named
from cloudops.services.network.objects import NetworkObjects
from cloudops.services.network.policy_views import needs_all_namespaces, policy_status, policy_view, to_k8s_spec

__all__ = ["NetworkPolicies"]

API_VERSION = "networking.k8s.io/v1"
POLICIES = "networkpolicies"


class NetworkPolicies(NetworkObjects):
    resource = POLICIES

    async def list_policies(self, cluster: ClusterRef, q: ListQuery) -> PolicyList:
        views, total = await self._page(cluster, q, kinds.NetworkPolicy, policy_view)
        return PolicyList(networkpolicies=views, total=total, limit=q.limit, offset=q.offset)

    async def create(self, cluster: ClusterRef, b: PolicyCreate) -> PolicyView:
        """Validated by the member (fieldValidation=Strict): a bad cidr or port is 422 naming the field."""
        namespace = b.namespace or "default"
        obj: kinds.NetworkPolicy = {"apiVersion": API_VERSION, "kind": "NetworkPolicy",
                                    "metadata": {"name": b.name, "namespace": namespace,
                                                 **metadata_changes(b.labels, b.annotations)},
                                    "spec": to_k8s_spec(b)}
        member = await self.deps.member(cluster)
        created = await member.create(await member.resolve(POLICIES), namespace, dict(obj))
        return policy_view(cluster, kinds.parse(kinds.NetworkPolicy, created))

    async def update(self, cluster: ClusterRef, ref: Named, b: PolicyUpdate) -> PolicyView:
        """Fields left out keep their current value; `ingress: []` means no ingress rule (deny)."""
        member = await self.deps.member(cluster)
        rt = await member.resolve(POLICIES)
        current = await member.get(rt, ref.namespace, ref.name)
        changes = to_k8s_spec(b)
        if b.pod_selector is None:
            del changes["podSelector"]
        if b.egress and b.policy_types is None:
            types = (kinds.parse(kinds.NetworkPolicy, current).get("spec") or {}).get("policyTypes", [])
            if "Egress" not in types:
                changes["policyTypes"] = [*types, "Egress"]  # else the new egress rules do nothing
        spec = {**(current.get("spec") or {}), **changes}
        updated = await self._replace(member, rt, ref, current, spec, b.labels, b.annotations)
        return policy_view(cluster, kinds.parse(kinds.NetworkPolicy, updated))

    async def status(self, cluster: ClusterRef, ref: Named) -> PolicyStatus:
        """Kubernetes keeps no status for a NetworkPolicy: this one is computed from the pods that exist now."""
        member = await self.deps.member(cluster)
        rt = await member.resolve(POLICIES)
        obj = kinds.parse(kinds.NetworkPolicy, await member.get(rt, ref.namespace, ref.name))
        pods_rt, ns_rt = await member.resolve("pods"), await member.resolve("namespaces")
        everywhere = needs_all_namespaces(obj)
        raw_pods, truncated = await member.list_all(pods_rt, None if everywhere else ref.namespace)
        raw_ns, _ = await member.list_all(ns_rt, None, metadata_only=True) if everywhere else ([], False)
        namespaces = {n.name: n for n in map(Namespace.of, kinds.parse_all(kinds.Namespace, raw_ns))}
        policies, _ = await member.list_all(rt, ref.namespace)
        pods = [Pod.of(p) for p in kinds.parse_all(shapes.Pod, raw_pods)
                if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
        return policy_status(Policy.of(obj), pods, namespaces,
                             [Policy.of(p) for p in kinds.parse_all(kinds.NetworkPolicy, policies)], ref.id,
                             cluster.id, truncated)
