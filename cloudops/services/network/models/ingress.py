"""网络管理 API 2. Ingress 管理 (2.1–2.6): request and response models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from cloudops.services.common import CheckedLabels, ClusterRefItem, PageInfo
from cloudops.services.network.models.network_params import DNS_LABEL

__all__ = ["Backend", "BackendHealth", "BackendView", "CertificateView", "IngressCreate", "IngressFields",
           "IngressHealth", "IngressList", "IngressUpdate", "IngressView", "LoadBalancer", "SslBody", "SslResult",
           "TlsHealth", "TlsView"]

HOST = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
Host = Annotated[str, Field(pattern=HOST, max_length=253, description="DNS name; a leading '*.' is allowed")]


class ServicePort(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: int | None = Field(None, ge=1, le=65535)
    name: str | None = Field(None, max_length=15)


class ServiceBackend(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=DNS_LABEL, max_length=63)
    port: ServicePort


class ResourceBackend(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api_group: str | None = None
    kind: str
    name: str


class Backend(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service: ServiceBackend | None = None
    resource: ResourceBackend | None = None


class IngressPath(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str | None = Field(None, max_length=1024)
    path_type: Literal["Prefix", "Exact", "ImplementationSpecific"] = "Prefix"
    backend: Backend


class HttpRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    paths: list[IngressPath]


class IngressRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    host: Host | None = None
    http: HttpRule | None = None


class IngressTls(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hosts: list[Host] | None = None
    secret_name: str | None = Field(None, pattern=DNS_LABEL, max_length=253)


class IngressFields(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    cluster_id: ClusterRefItem | None = None
    namespace: str | None = Field(None, pattern=DNS_LABEL, max_length=63)
    class_: str | None = Field(None, alias="class", max_length=253, description="ingressClassName")
    default_backend: Backend | None = None
    rules: list[IngressRule] | None = None
    tls: list[IngressTls] | None = None
    labels: CheckedLabels | None = None
    annotations: dict[str, str] | None = None


class IngressCreate(IngressFields):
    name: str = Field(pattern=DNS_LABEL, max_length=253)


class IngressUpdate(IngressFields):
    """Fields left out keep their current value."""


class TlsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hosts: list[Host] | None = Field(None, description="default: the Ingress's rule hosts")
    secret_name: str = Field(pattern=DNS_LABEL, max_length=253)
    certificate: str | None = Field(None, max_length=256 * 1024, description="PEM, leaf first")
    private_key: str | None = Field(None, max_length=64 * 1024, description="PEM, unencrypted; never returned")


class SslBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    namespace: str | None = Field(None, pattern=DNS_LABEL, max_length=63)
    action: Literal["create", "update", "delete"]
    tls_config: TlsConfig


class _Sparse(BaseModel):
    """Null fields are left out, as networking.k8s.io/v1 leaves them out: a backend is `{service: {name, port:
    {number}}}` (the reference's form) or `{resource: ...}`, a port a number or a name."""

    @model_serializer(mode="wrap")
    def _without_nulls(self, handler: SerializerFunctionWrapHandler) -> object:
        out = handler(self)
        return {k: v for k, v in out.items() if v is not None} if isinstance(out, dict) else out


class PortRef(_Sparse):
    number: int | None = Field(None, description="left out when the port is named")
    name: str | None = Field(None, description="left out when the port is a number")


class ServiceRef(BaseModel):
    name: str
    port: PortRef


class ResourceRef(_Sparse):
    api_group: str | None = None
    kind: str
    name: str


class BackendView(_Sparse):
    service: ServiceRef | None = Field(None, description="left out for a resource backend")
    resource: ResourceRef | None = Field(None, description="left out for a service backend")


class PathView(BaseModel):
    path: str | None
    path_type: str | None
    backend: BackendView


class HttpView(BaseModel):
    paths: list[PathView]


class RuleView(BaseModel):
    host: str | None
    http: HttpView


class TlsView(BaseModel):
    hosts: list[str]
    secret_name: str | None


class LbIngress(_Sparse):
    ip: str | None = None
    hostname: str | None = None


class LoadBalancer(BaseModel):
    ingress: list[LbIngress]


class IngressStatusView(BaseModel):
    load_balancer: LoadBalancer


class IngressView(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)  # answers say `class`
    id: str
    name: str
    namespace: str
    cluster_id: int | None
    cluster_name: str
    class_: str | None = Field(alias="class")
    default_backend: BackendView | None
    rules: list[RuleView]
    tls: list[TlsView]
    status: IngressStatusView
    labels: dict[str, str]
    annotations: dict[str, str]
    created_at: str | None


class IngressList(PageInfo):
    ingresses: list[IngressView]


class BackendHealth(BaseModel):
    host: str | None
    path: str | None
    service: str | None
    port: int | str | None
    service_exists: bool | None
    port_exists: bool | None
    ready_endpoints: int | None
    healthy: bool | None
    message: str


class CertificateView(BaseModel):
    subject: str
    issuer: str
    dns_names: list[str]
    ip_addresses: list[str]
    not_before: str
    not_after: str
    days_remaining: int
    expired: bool
    self_signed: bool
    serial_number: str
    sha256_fingerprint: str
    covered_hosts: list[str]
    uncovered_hosts: list[str]
    warnings: list[str]


class TlsHealth(BaseModel):
    hosts: list[str]
    secret_name: str | None
    secret_exists: bool
    secret_type: str | None
    certificate: CertificateView | None
    message: str


class IngressHealth(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    id: str
    name: str
    namespace: str
    cluster_id: int | None
    class_: str | None = Field(alias="class")
    load_balancer: LoadBalancer
    backends: list[BackendHealth]
    tls: list[TlsHealth]
    healthy: bool


class SslResult(BaseModel):
    ingress: str
    namespace: str
    action: str
    secret_name: str
    hosts: list[str]
    certificate: CertificateView | None
    warnings: list[str]
    tls: list[TlsView]
