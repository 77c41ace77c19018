"""The parts of core Kubernetes objects that the cluster probe and usage sampling read (pods, their
containers and metadata: cloudops.kube.shapes, shared with the other sections).

Only the fields read are declared (every one optional, as the API server may leave any out); a quantity is
a string such as `250m` or `1Gi` (cloudops.clusters.health.parse_quantity). The `*_list` adapters validate
list items into these shapes, dropping what is not declared (typing_extensions.TypedDict: pydantic
validates it on Python 3.11).
"""

from __future__ import annotations

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from cloudops.kube.shapes import Condition, Pod, Quantity
from cloudops.kube.types import ObjectMeta

__all__ = ["ContainerMetrics", "Lease", "Node", "NodeMetrics", "PersistentVolumeClaim", "PodMetrics", "node_list",
           "pod_list", "pod_metrics_list", "pvc_list"]


class ContainerMetrics(TypedDict, total=False):
    name: str
    usage: dict[str, Quantity]


class PodMetrics(TypedDict, total=False):
    metadata: ObjectMeta
    containers: list[ContainerMetrics]


class NodeStatus(TypedDict, total=False):
    allocatable: dict[str, Quantity]
    conditions: list[Condition]


class Node(TypedDict, total=False):
    metadata: ObjectMeta
    status: NodeStatus


class NodeMetrics(TypedDict, total=False):
    metadata: ObjectMeta
    usage: dict[str, Quantity]


class ClaimResources(TypedDict, total=False):
    requests: dict[str, Quantity]


class ClaimSpec(TypedDict, total=False):
    resources: ClaimResources


class PersistentVolumeClaim(TypedDict, total=False):
    metadata: ObjectMeta
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
