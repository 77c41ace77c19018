"""智能运维 API network 2.1–2.2: analyze a namespace's connectivity, generate NetworkPolicies for its pods."""

from __future__ import annotations

from typing import NamedTuple, TypeVar

import yaml

from cloudops.kube import shapes
from cloudops.members.access import ClusterRef
from cloudops.members.session import MemberSession
from cloudops.network import kinds
from cloudops.network.analyze import analyze
from cloudops.network.flows import SourceError, parse_source, read_flows
from cloudops.network.generate import Exception_, generate
from cloudops.network.policy_eval import Namespace
from cloudops.prometheus import cluster_value
from cloudops.services.base import Service
from cloudops.services.network.models.security_network import (
    Analysis,
    AnalyzeBody,
    FlowSourceView,
    GenerateBody,
    Generated,
    ObservedEdge,
    TimeRange,
)

__all__ = ["NetworkSecurity"]

T = TypeVar("T")
DECLARED = ["declared", "inferred"]


class Observation(NamedTuple):
    """The observed part of an analysis: from a configured flow source only."""

    data_sources: list[str]
    observed_edges: list[ObservedEdge]
    flow_source: FlowSourceView
    time_range: TimeRange


def _unobserved(b: AnalyzeBody, source: FlowSourceView, note: str) -> Observation:
    return Observation(DECLARED, [], source, TimeRange(requested=b.time_range, applicable=False, note=note))


async def _listed(member: MemberSession, plural: str, namespace: str, shape: type[T]) -> tuple[list[T], bool]:
    items, truncated = await member.list_all(await member.resolve(plural), namespace)
    return kinds.parse_all(shape, items), truncated


class NetworkSecurity(Service):
    async def analyze(self, cluster: ClusterRef, b: AnalyzeBody) -> Analysis:
        """Declared and inferred connectivity, plus observed flows over `time_range` (default 1h) when a flow
        source is configured (CLOUDOPS_NETWORK_FLOWS); without one `time_range` is reported as not applicable."""
        member = await self.deps.member(cluster)
        pods, cut_pods = await _listed(member, "pods", b.namespace, shapes.Pod)
        services, cut_services = await _listed(member, "services", b.namespace, kinds.Service)
        configmaps, cut_configmaps = await _listed(member, "configmaps", b.namespace, kinds.ConfigMap)
        policies, cut_policies = await _listed(member, "networkpolicies", b.namespace, kinds.NetworkPolicy)
        ns_objs, _ = await member.list_all(await member.resolve("namespaces"), None, metadata_only=True)
        namespaces = {n.name: n for n in map(Namespace.of, kinds.parse_all(kinds.Namespace, ns_objs))}
        running = [p for p in pods if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
        result = analyze(b.namespace, running, services, configmaps, policies, namespaces, b.include_recommendations)
        observed = await self._observed(cluster, b)
        return Analysis.model_validate({
            **result, **observed._asdict(), "cluster_id": cluster.id, "namespace": b.namespace,
            "pod_count": len(running), "truncated": cut_pods or cut_services or cut_configmaps or cut_policies})

    async def _observed(self, cluster: ClusterRef, b: AnalyzeBody) -> Observation:
        """data_sources, time_range, observed_edges and flow_source: observed only from a configured source."""
        none = FlowSourceView(kind=None, used=False, flows_read=0, truncated=False, error=None)
        try:
            source = parse_source(self.deps.settings.network_flows)
        except SourceError as e:
            return _unobserved(b, none.model_copy(update={"error": str(e)}), f"the configured flow source is "
                               f"refused: {e}; connectivity is declared and inferred, not observed")
        if source is None:
            return _unobserved(b, none, "no flow source (Hubble flow export, Prometheus connection metrics) is "
                                        "configured: connectivity is declared (Services, NetworkPolicies) and "
                                        "inferred (environment, ConfigMaps), not observed")
        window = b.time_range or "1h"
        view = none.model_copy(update={"kind": source.kind})
        try:
            seen = await read_flows(source, b.namespace, window, self.deps.settings.member_timeout_seconds,
                                    cluster_value(cluster.name, cluster.cr),
                                    self.deps.settings.prometheus_cluster_label.strip())
        except SourceError as e:
            return _unobserved(b, view.model_copy(update={"error": str(e)}), f"the {source.kind} flow source "
                               f"failed: {e}; connectivity is declared and inferred, not observed")
        what = "Hubble flow export" if source.kind == "hubble" else "Hubble flow metrics in Prometheus"
        since, until = f"{seen.since:%Y-%m-%dT%H:%M:%SZ}", f"{seen.until:%Y-%m-%dT%H:%M:%SZ}"
        note = (f"observed: {seen.flows_read} flows from the {what} between {since} and {until} ({window}), "
                "besides declared and inferred connectivity")
        return Observation([*DECLARED, "observed"],
                           [ObservedEdge.model_validate({**e, "source": "observed"}) for e in seen.edges],
                           view.model_copy(update={"used": True, "flows_read": seen.flows_read,
                                                   "truncated": seen.truncated, "queries": seen.queries}),
                           TimeRange(requested=b.time_range, applicable=True, note=note, used=window, since=since,
                                     until=until))

    async def generate(self, cluster: ClusterRef, b: GenerateBody) -> Generated:
        """One policy per pod; with `apply`, every policy passes the member's dry run before any is written."""
        member = await self.deps.member(cluster)
        pods_rt = await member.resolve("pods")
        pods = [kinds.parse(shapes.Pod, await member.get(pods_rt, b.namespace, name))
                for name in dict.fromkeys(b.pods)]
        exceptions = [Exception_(e.from_, e.to, tuple(e.ports)) for e in b.exceptions]
        policies = generate(b.namespace, pods, b.policy_type, exceptions, b.allow_dns)
        applied: list[str] = []
        if b.apply:
            rt = await member.resolve("networkpolicies")
            for dry_run in (True, False):  # every policy must pass the server's dry run before any is written
                for policy in policies:
                    name = (policy.get("metadata") or {}).get("name", "")
                    await member.patch(rt, b.namespace, name, policy, patch_type="apply", force=True,
                                       dry_run=dry_run)
                    if not dry_run:
                        applied.append(name)
        return Generated(cluster_id=cluster.id, namespace=b.namespace, policy_type=b.policy_type,
                         policies=[dict(p) for p in policies], yaml=yaml.safe_dump_all(policies, sort_keys=False),
                         applied=bool(applied), applied_policies=applied)
