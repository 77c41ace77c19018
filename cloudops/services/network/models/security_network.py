"""智能运维 API network 2.1–2.2: request and response models of analyze and generate-policy."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cloudops.services.common import ClusterRefItem
from cloudops.services.network.models.network_params import DNS_LABEL

__all__ = ["Analysis", "AnalyzeBody", "FlowSourceView", "GenerateBody", "Generated", "ObservedEdge", "TimeRange"]

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
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)  # answers say `from`
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
    used: str | None = Field(default=None, description="the range the observed flows cover (requested, default 1h)")
    since: str | None = Field(default=None, description="start of the observed range (UTC), when observed")
    until: str | None = Field(default=None, description="its end: when the flow source was read or queried")


class ObservedEdge(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
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
    queries: list[str] = Field(default=[], description="the PromQL asked of the Prometheus source (Hubble's flow "
                                                       "metric of the analysed cluster over the range); empty for "
                                                       "the others")


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
