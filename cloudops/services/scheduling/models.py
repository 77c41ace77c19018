"""Requests and answers of 标签与亲和性管理 2.–5.: node and pod affinity, tolerations, node taints, node
suggestions, topology domains and the affinity graph."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from cloudops.resources.base import FreeForm
from cloudops.services.common import NAMESPACE_PATTERN as NAMESPACE
from cloudops.services.common import ClusterRefItem, LabelKey, LabelValue

__all__ = ["NODE_NAME", "AddTaints", "Domain", "DomainResource", "Graph", "GraphEdge", "GraphGroup", "GraphNode",
           "GraphQuery", "NodeAffinityIn", "NodeAffinityView", "NodeQuery", "PodAffinityIn", "PodAffinityView",
           "RemoveTaints", "SetNodeAffinity", "SetPodAffinity", "SetTolerations", "Suggestion", "SuggestionQuery",
           "Suggestions", "Taint", "TaintMatch", "TaintsView", "Toleration", "TolerationsView", "Topology",
           "TopologyQuery", "WorkloadQuery", "WorkloadView"]

NODE_NAME = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
WORKLOAD = r"^[A-Za-z]+(\.[A-Za-z0-9-]+)*$"
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")
ResourceTypeParam = Field("deployment", pattern=WORKLOAD, max_length=253,
                          description="deployment, statefulset, daemonset, replicaset, job, cronjob or pod")
Effect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
_QTY = r"([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]{1,2})?"  # cloudops.clusters.health.QUANTITY
_REQ = rf"(cpu|memory|gpu|ephemeral-storage|pods|[a-z0-9.-]+/[a-z0-9._-]+)(={_QTY})?"
REQUIREMENTS = rf"^({_REQ}(,{_REQ})*)?$"


# -- requests ------------------------------------------------------------------------------------------------------


class WorkloadQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    resource_type: str = ResourceTypeParam
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63, description="命名空间 (default: default)")


class NodeAffinityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nodeAffinity: FreeForm | None = Field(None, description="null or {} removes it")


class PodAffinityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    podAffinity: FreeForm | None = Field(None, description="null or {} removes it")
    podAntiAffinity: FreeForm | None = Field(None, description="null or {} removes it")


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


# The workload types whose pods a suggestion is for (singular or plural).
SuggestionWorkload = Literal["deployment", "deployments", "statefulset", "statefulsets", "daemonset", "daemonsets",
                             "replicaset", "replicasets", "job", "jobs", "cronjob", "cronjobs", "pod", "pods"]


class SuggestionQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    resource_type: SuggestionWorkload | None = Field(
        None, description="资源类型: the workload whose pods are to be placed. `daemonset` counts the nodes its pods "
                          "tolerate beyond others (cordoned, under disk/memory/pid pressure), as the DaemonSet "
                          "controller adds those tolerations; the others are placed as plain pods")
    requirements: str = Field("", pattern=REQUIREMENTS, max_length=512,
                              description="资源需求 (cpu, memory, gpu): comma-separated names, each alone (some of it "
                                          "free: `cpu,memory,gpu`) or with an amount (`cpu=2,memory=4Gi,gpu=1`); "
                                          "gpu means nvidia.com/gpu")


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


# -- answers -------------------------------------------------------------------------------------------------------


class WorkloadView(BaseModel):
    id: str = Field(description="<cluster id>:<type>:<namespace>:<name>")
    resource_id: str
    resource_type: str
    namespace: str
    cluster_id: int | None
    cluster_name: str


class NodeAffinityView(WorkloadView):
    affinity: FreeForm
    node_selector: dict[str, str]


class PodAffinityView(WorkloadView):
    affinity: FreeForm


class TolerationsView(WorkloadView):
    tolerations: list[FreeForm]


class TaintsView(BaseModel):
    node_name: str
    cluster_id: int | None
    cluster_name: str
    taints: list[FreeForm]
    effect_summary: dict[str, int]
    changed: list[FreeForm] = Field(default_factory=list, description="taints added or removed by this call")


class Suggestion(BaseModel):
    node_selector: dict[str, str]
    matching_nodes: int
    total_nodes: int
    nodes: list[str]
    available_resources: dict[str, str]
    score: float


class Suggestions(BaseModel):
    resource_type: str | None = Field(description="the workload type, singular (`daemonset`); null: a plain pod")
    requirements: dict[str, float | None] = Field(
        description="per resource, the amount in base units (cores, bytes, count); null: named without an amount, "
                    "some of it must be free")
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

    @model_serializer(mode="wrap")
    def _node_of_pods_only(self, handler: SerializerFunctionWrapHandler) -> object:
        """Pods carry `node` (null while unscheduled); workloads and cluster nodes leave it out."""
        out = handler(self)
        if isinstance(out, dict) and "node" not in self.model_fields_set:
            out.pop("node", None)
        return out


class GraphEdge(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
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
