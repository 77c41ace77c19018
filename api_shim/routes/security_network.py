"""智能运维 API network 2.1–2.2: analyze a namespace's connectivity, generate NetworkPolicies for its pods.

Both only read (verb get on capability `network`); 2.2 with `apply: true` writes, so it is authorized again
as `create` on `network`: a viewer may analyze and generate but never apply.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import yaml
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, ok
from api_shim.state import ACCESS, SETTINGS
from cloudops.netpol import Namespace
from cloudops.network.analyze import analyze
from cloudops.network.flows import SourceError, parse_source, read_flows
from cloudops.network.generate import Exception_, generate
from cloudops.services.common import ClusterRefItem

__all__ = ["section"]

section = Section(tag="security", resource="managedclusters")
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
PodName = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253)]
Port = Annotated[int, Field(ge=1, le=65535)]


class PolicyException(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: PodName = Field(alias="from", description="source pod (one of `pods`)")
    to: PodName = Field(description="destination pod (one of `pods`)")
    ports: list[Port] = Field(min_length=1, max_length=50, description="TCP ports")


class GenerateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    namespace: str = Field("default", pattern=DNS_LABEL, max_length=63)
    pods: list[PodName] = Field(min_length=1, max_length=200)
    policy_type: Literal["deny-all", "allow-same-namespace", "allow-list"] = "deny-all"
    exceptions: list[PolicyException] = Field(default_factory=list, max_length=200)
    allow_dns: bool = Field(True, description="keep egress to the cluster DNS (port 53) open")
    apply: bool = Field(False, description="create the policies (server-side apply after a dry run)")


class Generated(BaseModel):
    cluster_id: int | None
    namespace: str
    policy_type: str
    policies: list[dict[str, Any]]
    yaml: str
    applied: bool
    applied_policies: list[str]


class AnalyzeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    namespace: str = Field("default", pattern=DNS_LABEL, max_length=63)
    time_range: str | None = Field(None, pattern=r"^[1-9][0-9]{0,3}[mhd]$", description="e.g. 24h; needs a flow source")
    include_recommendations: bool = True


class ServicePort(BaseModel):
    port: int | None
    target_port: int | str | None
    protocol: str


class ServiceView(BaseModel):
    name: str
    selector: dict[str, str]
    pods: list[str]
    source: Literal["declared"]
    ports: list[ServicePort]


class EdgeDecision(BaseModel):
    pod: str
    port: int
    protocol: str
    allowed: bool
    reason: str


class Edge(BaseModel):
    from_: str = Field(alias="from")
    to_service: str
    to_pods: list[str]
    ports: list[int]
    source: Literal["inferred"]
    evidence: list[dict[str, Any]]
    decisions: list[EdgeDecision]


class PolicyView(BaseModel):
    name: str
    policy_types: list[str]
    selected_pods: list[str]


class Unisolated(BaseModel):
    ingress: list[str]
    egress: list[str]


class TimeRange(BaseModel):
    requested: str | None
    applicable: bool
    note: str


class ObservedEdge(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: str = Field(alias="from", description="namespace/pod (Hubble) or namespace/workload (Prometheus)")
    to: str
    protocol: str
    port: int | None
    flows: int
    verdicts: dict[str, int]
    first_seen: str | None
    last_seen: str | None
    source: Literal["observed"]


class FlowSourceView(BaseModel):
    kind: Literal["hubble", "prometheus"] | None = Field(description="the configured CLOUDOPS_NETWORK_FLOWS source")
    used: bool
    flows_read: int
    truncated: bool
    error: str | None


class Recommendation(BaseModel):
    policy_type: str
    pods: list[str]
    exceptions: list[dict[str, Any]]
    reason: str


class Analysis(BaseModel):
    cluster_id: int | None
    namespace: str
    data_sources: list[str]
    time_range: TimeRange
    pod_count: int
    services: list[ServiceView]
    edges: list[Edge]
    policies: list[PolicyView]
    unisolated_pods: Unisolated
    isolation: dict[str, list[str]]
    recommendations: list[Recommendation]
    observed_edges: list[ObservedEdge]
    flow_source: FlowSourceView
    truncated: bool


@section.route("POST", "/api/k8s/security/network/analyze", "分析流量模式", verb="get", subresource="network",
               body=AnalyzeBody, data=Analysis, cluster="param")
async def analyze_traffic(call: Call) -> web.Response:
    """Declared and inferred connectivity, plus observed flows over `time_range` (default 1h) when a flow
    source is configured (CLOUDOPS_NETWORK_FLOWS); without one `time_range` is reported as not applicable."""
    b: AnalyzeBody = call.body
    session = await call.request.app[ACCESS].session(call.cluster)
    truncated = False
    found: dict[str, list[dict[str, Any]]] = {}
    for plural in ("pods", "services", "configmaps", "networkpolicies"):
        items, cut = await session.list_all(await session.resolve(plural), b.namespace)
        found[plural], truncated = items, truncated or cut
    ns_objs, _ = await session.list_all(await session.resolve("namespaces"), None, metadata_only=True)
    namespaces = {n.name: n for n in map(Namespace.from_k8s, ns_objs)}
    pods = [p for p in found["pods"] if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    result = analyze(b.namespace, pods, found["services"], found["configmaps"], found["networkpolicies"],
                     namespaces, b.include_recommendations)
    flows = await _observed(call, b)
    return ok({"cluster_id": call.cluster.id, "namespace": b.namespace, "pod_count": len(pods), **result, **flows,
               "truncated": truncated})


async def _observed(call: Call, b: AnalyzeBody) -> dict[str, Any]:
    """data_sources, time_range, observed_edges and flow_source: observed only from a configured source."""
    declared = ["declared", "inferred"]
    none = {"kind": None, "used": False, "flows_read": 0, "truncated": False, "error": None}
    try:
        source = parse_source(call.request.app[SETTINGS].network_flows)
    except SourceError as e:
        note = f"the configured flow source is refused: {e}; connectivity is declared and inferred, not observed"
        return {"data_sources": declared, "observed_edges": [], "flow_source": {**none, "error": str(e)},
                "time_range": {"requested": b.time_range, "applicable": False, "note": note}}
    if source is None:
        note = ("no flow source (Hubble flow export, Prometheus connection metrics) is configured: connectivity "
                "is declared (Services, NetworkPolicies) and inferred (environment, ConfigMaps), not observed")
        return {"data_sources": declared, "observed_edges": [], "flow_source": none,
                "time_range": {"requested": b.time_range, "applicable": False, "note": note}}
    window = b.time_range or "1h"
    view = {**none, "kind": source.kind}
    try:
        seen = await read_flows(source, b.namespace, window, call.request.app[SETTINGS].member_timeout_seconds)
    except SourceError as e:
        note = f"the {source.kind} flow source failed: {e}; connectivity is declared and inferred, not observed"
        return {"data_sources": declared, "observed_edges": [], "flow_source": {**view, "error": str(e)},
                "time_range": {"requested": b.time_range, "applicable": False, "note": note}}
    what = "Hubble flow export" if source.kind == "hubble" else "Hubble flow metrics in Prometheus"
    note = (f"observed: {seen.flows_read} flows from the {what} between {seen.since:%Y-%m-%dT%H:%M:%SZ} and "
            f"{seen.until:%Y-%m-%dT%H:%M:%SZ} ({window}), besides declared and inferred connectivity")
    return {"data_sources": [*declared, "observed"],
            "observed_edges": [{**e, "source": "observed"} for e in seen.edges],
            "flow_source": {**view, "used": True, "flows_read": seen.flows_read, "truncated": seen.truncated},
            "time_range": {"requested": b.time_range, "applicable": True, "note": note}}


@section.route("POST", "/api/k8s/security/network/generate-policy", "生成网络策略", verb="get",
               subresource="network", body=GenerateBody, data=Generated, cluster="param")
async def generate_policy(call: Call) -> web.Response:
    b: GenerateBody = call.body
    if b.apply:
        await call.authorize("create", "network", call.cluster.name)
    session = await call.request.app[ACCESS].session(call.cluster)
    pods_rt = await session.resolve("pods")
    names = list(dict.fromkeys(b.pods))
    pods = [await session.get(pods_rt, b.namespace, name) for name in names]
    exceptions = [Exception_(e.from_, e.to, tuple(e.ports)) for e in b.exceptions]
    try:
        policies = generate(b.namespace, pods, b.policy_type, exceptions, b.allow_dns)
    except ValueError as e:
        raise ApiError(400, str(e)) from None
    applied: list[str] = []
    if b.apply:
        rt = await session.resolve("networkpolicies")
        for dry_run in (True, False):  # every policy must pass the server's dry run before any is written
            for policy in policies:
                name = policy["metadata"]["name"]
                await session.patch(rt, b.namespace, name, policy, patch_type="apply", force=True, dry_run=dry_run)
                if not dry_run:
                    applied.append(name)
    text = yaml.safe_dump_all(policies, sort_keys=False)
    return ok({"cluster_id": call.cluster.id, "namespace": b.namespace, "policy_type": b.policy_type,
               "policies": policies, "yaml": text, "applied": bool(applied), "applied_policies": applied})
