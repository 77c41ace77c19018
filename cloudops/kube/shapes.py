"""The parts of core Kubernetes objects that code reads field by field, declared once for every section.

Only the fields some caller reads are declared (every one optional, as the API server may leave any out), so a
shape is the union of what the cluster probe and usage sampling, the network code, scheduling and self-healing
read. Where a caller validates JSON into a shape (pydantic: cloudops.clusters.shapes' list adapters,
cloudops.network.kinds.parse) fields not declared are dropped, so a parsed object is for reading. A quantity is
a string such as `250m` or `1Gi` (cloudops.clusters.health.parse_quantity).
"""

from __future__ import annotations

from typing_extensions import TypedDict

from cloudops.kube.types import Many, ObjectMeta, StrMap

__all__ = ["Affinity", "Condition", "Container", "ContainerPort", "EnvFrom", "EnvVar", "LabelSelector",
           "NodeAffinity", "NodeSelector", "NodeSelectorTerm", "Pod", "PodAffinity", "PodAffinityTerm", "PodSpec",
           "PodStatus", "PodVolume", "Quantity", "Requirement", "ResourceRequirements", "Toleration"]

Quantity = str | int | float


class Condition(TypedDict, total=False):
    """A condition in an object's status (a pod's, node's, deployment's, CustomResourceDefinition's)."""

    type: str
    status: str
    reason: str
    message: str
    lastTransitionTime: str
    lastUpdateTime: str


# -- selectors ------------------------------------------------------------------------------------------------


class Requirement(TypedDict, total=False):
    """A NodeSelectorRequirement or LabelSelectorRequirement."""

    key: str
    operator: str
    values: Many[str]


class LabelSelector(TypedDict, total=False):
    matchLabels: StrMap
    matchExpressions: Many[Requirement]


class NodeSelectorTerm(TypedDict, total=False):
    matchExpressions: Many[Requirement]
    matchFields: Many[Requirement]


class NodeSelector(TypedDict, total=False):
    nodeSelectorTerms: Many[NodeSelectorTerm]


# -- affinity and tolerations ---------------------------------------------------------------------------------


class PreferredTerm(TypedDict, total=False):
    weight: int
    preference: NodeSelectorTerm


class NodeAffinity(TypedDict, total=False):
    requiredDuringSchedulingIgnoredDuringExecution: NodeSelector
    preferredDuringSchedulingIgnoredDuringExecution: Many[PreferredTerm]


class PodAffinityTerm(TypedDict, total=False):
    labelSelector: LabelSelector
    topologyKey: str


class WeightedPodAffinityTerm(TypedDict, total=False):
    weight: int
    podAffinityTerm: PodAffinityTerm


class PodAffinity(TypedDict, total=False):
    requiredDuringSchedulingIgnoredDuringExecution: Many[PodAffinityTerm]
    preferredDuringSchedulingIgnoredDuringExecution: Many[WeightedPodAffinityTerm]


class Affinity(TypedDict, total=False):
    nodeAffinity: NodeAffinity
    podAffinity: PodAffinity
    podAntiAffinity: PodAffinity


class Toleration(TypedDict, total=False):
    key: str
    operator: str
    value: str
    effect: str
    tolerationSeconds: int


# -- v1 Pod ---------------------------------------------------------------------------------------------------


class ResourceRequirements(TypedDict, total=False):
    requests: dict[str, Quantity]
    limits: dict[str, Quantity]


class KeyRef(TypedDict, total=False):
    name: str
    key: str


class EnvSource(TypedDict, total=False):
    configMapKeyRef: KeyRef


class EnvVar(TypedDict, total=False):
    name: str
    value: str
    valueFrom: EnvSource


class EnvFrom(TypedDict, total=False):
    prefix: str
    configMapRef: KeyRef


class ContainerPort(TypedDict, total=False):
    name: str
    containerPort: int
    protocol: str


class Container(TypedDict, total=False):
    name: str
    image: str
    resources: ResourceRequirements
    env: Many[EnvVar]
    envFrom: Many[EnvFrom]
    ports: Many[ContainerPort]


class ClaimSource(TypedDict, total=False):
    claimName: str


class PodVolume(TypedDict, total=False):
    name: str
    persistentVolumeClaim: ClaimSource


class PodSpec(TypedDict, total=False):
    """The parts of a PodSpec read here (the object holds more)."""

    nodeName: str
    containers: Many[Container]
    initContainers: Many[Container]
    volumes: Many[PodVolume]
    hostNetwork: bool
    affinity: Affinity
    nodeSelector: StrMap
    tolerations: Many[Toleration]
    overhead: dict[str, Quantity]


class PodStatus(TypedDict, total=False):
    phase: str
    podIP: str


class Pod(TypedDict, total=False):
    metadata: ObjectMeta
    spec: PodSpec
    status: PodStatus
