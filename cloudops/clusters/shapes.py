"""The parts of core Kubernetes objects that the cluster probe and usage sampling read.

Only the fields read are declared (every one optional, as the API server may leave any out); a quantity is
a string such as `250m` or `1Gi` (cloudops.clusters.health.parse_quantity). The `*_list` adapters validate
list items into these shapes, dropping what is not declared (typing_extensions.TypedDict: pydantic
validates it on Python 3.11).
"""

from __future__ import annotations

from pydantic import TypeAdapter
from typing_extensions import TypedDict

__all__ = ["Container", "ContainerMetrics", "Lease", "Meta", "Node", "NodeCondition", "NodeMetrics",
           "PersistentVolumeClaim", "Pod", "PodMetrics", "PodSpec", "PodVolume", "Quantity", "node_list", "pod_list",
           "pod_metrics_list", "pvc_list"]

Quantity = str | int | float


class OwnerRef(TypedDict, total=False):
    kind: str
    name: str
    controller: bool


class Meta(TypedDict, total=False):
    name: str
    namespace: str
    labels: dict[str, str]
    ownerReferences: list[OwnerRef]


class Resources(TypedDict, total=False):
    requests: dict[str, Quantity]
    limits: dict[str, Quantity]


class Container(TypedDict, total=False):
    name: str
    resources: Resources


class ClaimSource(TypedDict, total=False):
    claimName: str


class PodVolume(TypedDict, total=False):
    name: str
    persistentVolumeClaim: ClaimSource


class PodSpec(TypedDict, total=False):
    nodeName: str
    containers: list[Container]
    volumes: list[PodVolume]


class PodStatus(TypedDict, total=False):
    phase: str


class Pod(TypedDict, total=False):
    metadata: Meta
    spec: PodSpec
    status: PodStatus


class ContainerMetrics(TypedDict, total=False):
    name: str
    usage: dict[str, Quantity]


class PodMetrics(TypedDict, total=False):
    metadata: Meta
    containers: list[ContainerMetrics]


class NodeCondition(TypedDict, total=False):
    type: str
    status: str


class NodeStatus(TypedDict, total=False):
    allocatable: dict[str, Quantity]
    conditions: list[NodeCondition]


class Node(TypedDict, total=False):
    metadata: Meta
    status: NodeStatus


class NodeMetrics(TypedDict, total=False):
    metadata: Meta
    usage: dict[str, Quantity]


class ClaimResources(TypedDict, total=False):
    requests: dict[str, Quantity]


class ClaimSpec(TypedDict, total=False):
    resources: ClaimResources


class PersistentVolumeClaim(TypedDict, total=False):
    metadata: Meta
    spec: ClaimSpec


class LeaseSpec(TypedDict, total=False):
    renewTime: str
    leaseDurationSeconds: int


class Lease(TypedDict, total=False):
    spec: LeaseSpec


pod_list = TypeAdapter(list[Pod])
node_list = TypeAdapter(list[Node])
pvc_list = TypeAdapter(list[PersistentVolumeClaim])
pod_metrics_list = TypeAdapter(list[PodMetrics])
