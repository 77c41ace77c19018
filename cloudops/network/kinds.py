"""The Kubernetes shapes the network code reads and writes, as TypedDicts holding only the fields it uses
(pods, containers, label selectors and object metadata are cloudops.kube's, shared with the other sections).

A member session answers plain JSON; `parse()` validates one object into its shape, once, where it comes in.
Fields the shape does not name are dropped, so a parsed object is for reading: a write that must keep
everything (a PUT of a changed Ingress) starts from the object as the member sent it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from cloudops.kube.shapes import LabelSelector
from cloudops.kube.types import Many, ObjectMeta, StrMap

__all__ = ["ConfigMap", "EndpointSlice", "Ingress", "IngressBackend", "IngressSpec", "IngressTls", "Namespace",
           "NetworkPolicy", "Peer", "PolicyPort", "PolicyRule", "PolicySpec", "Secret", "Service", "ServicePort",
           "SliceEndpoint", "SlicePort", "parse", "parse_all"]

T = TypeVar("T")


class ObjectRef(TypedDict, total=False):
    kind: str
    name: str
    namespace: str


# -- discovery.k8s.io/v1 EndpointSlice ----------------------------------------------------------------


class Conditions(TypedDict, total=False):
    ready: bool | None
    serving: bool | None
    terminating: bool | None


class SliceEndpoint(TypedDict, total=False):
    addresses: Many[str]
    conditions: Conditions
    hostname: str
    nodeName: str
    zone: str
    targetRef: ObjectRef


class SlicePort(TypedDict, total=False):
    name: str
    port: int
    protocol: str


class EndpointSlice(TypedDict, total=False):
    apiVersion: str
    kind: str
    metadata: ObjectMeta
    addressType: str
    endpoints: Many[SliceEndpoint]
    ports: Many[SlicePort]


# -- v1 Service, ConfigMap, Secret, Namespace ----------------------------------------------------------


class ServicePort(TypedDict, total=False):
    name: str
    port: int
    targetPort: int | str
    protocol: str


class ServiceSpec(TypedDict, total=False):
    type: str
    clusterIP: str
    externalIPs: Many[str]
    ports: Many[ServicePort]
    selector: StrMap


class Service(TypedDict, total=False):
    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: ServiceSpec


class ConfigMap(TypedDict, total=False):
    metadata: ObjectMeta
    data: StrMap


class Secret(TypedDict, total=False):
    apiVersion: str
    kind: str
    metadata: ObjectMeta
    type: str
    data: StrMap


class Namespace(TypedDict, total=False):
    metadata: ObjectMeta


# -- networking.k8s.io/v1 NetworkPolicy, Ingress --------------------------------------------------------


IpBlock = TypedDict("IpBlock", {"cidr": str, "except": Many[str]}, total=False)


class Peer(TypedDict, total=False):
    podSelector: LabelSelector
    namespaceSelector: LabelSelector
    ipBlock: IpBlock


class PolicyPort(TypedDict, total=False):
    protocol: str
    port: int | str
    endPort: int


PolicyRule = TypedDict("PolicyRule", {"from": Many[Peer], "to": Many[Peer], "ports": Many[PolicyPort]},
                       total=False)


class PolicySpec(TypedDict, total=False):
    podSelector: LabelSelector
    policyTypes: Many[str]
    ingress: Many[PolicyRule]
    egress: Many[PolicyRule]


class NetworkPolicy(TypedDict, total=False):
    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: PolicySpec


class BackendPort(TypedDict, total=False):
    number: int
    name: str


class ServiceBackend(TypedDict, total=False):
    name: str
    port: BackendPort


class ResourceBackend(TypedDict, total=False):
    apiGroup: str | None
    kind: str
    name: str


class IngressBackend(TypedDict, total=False):
    service: ServiceBackend
    resource: ResourceBackend


class IngressPath(TypedDict, total=False):
    path: str
    pathType: str
    backend: IngressBackend


class HttpRule(TypedDict, total=False):
    paths: Many[IngressPath]


class IngressRule(TypedDict, total=False):
    host: str
    http: HttpRule


class IngressTls(TypedDict, total=False):
    hosts: Many[str]
    secretName: str


class IngressSpec(TypedDict, total=False):
    ingressClassName: str
    defaultBackend: IngressBackend
    rules: Many[IngressRule]
    tls: Many[IngressTls]


class LbIngress(TypedDict, total=False):
    ip: str
    hostname: str


class LoadBalancer(TypedDict, total=False):
    ingress: Many[LbIngress]


class IngressStatus(TypedDict, total=False):
    loadBalancer: LoadBalancer


class Ingress(TypedDict, total=False):
    apiVersion: str
    kind: str
    metadata: ObjectMeta
    spec: IngressSpec
    status: IngressStatus


_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def parse(shape: type[T], raw: object) -> T:
    """`raw` (JSON as a member sent it) as `shape`; pydantic's ValidationError when it does not fit."""
    adapter = _ADAPTERS.get(shape)
    if adapter is None:
        adapter = _ADAPTERS[shape] = TypeAdapter(shape)
    return adapter.validate_python(raw)


def parse_all(shape: type[T], raws: Iterable[object]) -> list[T]:
    return [parse(shape, raw) for raw in raws]
