"""网络管理 API 2. Ingress 管理 (2.1–2.6): snake_case Ingresses, their live status, TLS Secrets checked first."""

from __future__ import annotations

import base64
import logging
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, BusinessCode, ok
from api_shim.network_params import (
    DNS_LABEL,
    Deleted,
    ListQuery,
    NamespaceQuery,
    delete_named,
    list_views,
    object_id,
    target,
    with_metadata,
)
from api_shim.network_params import session as session_of
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.network.ingress import API_VERSION, backend_status, ingress_hosts, ingress_view, tls_status, to_k8s_spec
from cloudops.network.slices import SERVICE_LABEL, ready_by_service
from cloudops.network.tls import TlsProblem, check_tls
from cloudops.services.common import ClusterRefItem, PageInfo

__all__ = ["section"]

section = Section(tag="network", resource="managedclusters")
TYPE = "ingress"
Json = dict[str, Any]
log = logging.getLogger("cloudops.network")
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
    labels: dict[str, str] | None = None
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


class PortRef(BaseModel):
    number: int | None
    name: str | None


class ServiceRef(BaseModel):
    name: str
    port: PortRef


class ResourceRef(BaseModel):
    api_group: str | None
    kind: str
    name: str


class BackendView(BaseModel):
    service: ServiceRef | None
    resource: ResourceRef | None


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


class LbIngress(BaseModel):
    ip: str | None
    hostname: str | None


class LoadBalancer(BaseModel):
    ingress: list[LbIngress]


class IngressStatusView(BaseModel):
    load_balancer: LoadBalancer


class IngressView(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
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


def _view(call: Call, obj: Json) -> Json:
    return ingress_view(call.cluster.id, call.cluster.name, object_id(call, TYPE, obj), obj)


@section.route("GET", "/api/k8s/ingress", "获取 Ingress 列表", verb="list", subresource="network",
               query=ListQuery, data=IngressList, cluster="param")
async def list_ingresses(call: Call) -> web.Response:
    listed = await list_views(call, "ingresses.networking.k8s.io", _view)
    return ok({"ingresses": listed.pop("items"), **listed})


@section.route("POST", "/api/k8s/ingress/create", "创建 Ingress", verb="create", subresource="network",
               body=IngressCreate, data=IngressView, cluster="param")
async def create_ingress(call: Call) -> web.Response:
    b: IngressCreate = call.body
    namespace = b.namespace or "default"
    obj = {"apiVersion": API_VERSION, "kind": "Ingress",
           "metadata": with_metadata({"name": b.name, "namespace": namespace}, b.labels, b.annotations),
           "spec": to_k8s_spec(b.model_dump(by_alias=True, exclude_none=True))}
    session = await session_of(call)
    rt = await session.resolve("ingresses.networking.k8s.io")
    return ok(_view(call, await session.create(rt, namespace, obj)))


@section.route("PUT", "/api/k8s/ingress/{name}", "更新 Ingress", verb="update", subresource="network",
               query=NamespaceQuery, body=IngressUpdate, data=IngressView, cluster="param")
async def update_ingress(call: Call) -> web.Response:
    b: IngressUpdate = call.body
    namespace, name, _ = target(call, TYPE)
    session = await session_of(call)
    rt = await session.resolve("ingresses.networking.k8s.io")
    current = await session.get(rt, namespace, name)
    spec = {**(current.get("spec") or {}), **to_k8s_spec(b.model_dump(by_alias=True, exclude_none=True))}
    body = {**current, "metadata": with_metadata(dict(current["metadata"]), b.labels, b.annotations), "spec": spec}
    return ok(_view(call, await session.replace(rt, namespace, name, body)))


@section.route("DELETE", "/api/k8s/ingress/{name}", "删除 Ingress", verb="delete", subresource="network",
               query=NamespaceQuery, data=Deleted, cluster="param")
async def delete_ingress(call: Call) -> web.Response:
    """The TLS Secrets stay: other Ingresses may use them; the SSL route's `delete` removes one."""
    return ok(await delete_named(call, "ingresses.networking.k8s.io", TYPE))


async def _secret(session: MemberSession, namespace: str, name: str) -> Json | None:
    """The Secret with its values, for reading `tls.crt` only; None when it does not exist."""
    try:
        return await session.get(await session.resolve("secrets"), namespace, name, reveal=True)
    except MemberError as e:
        if e.status == 404:
            return None
        raise


@section.route("GET", "/api/k8s/ingress/{name}/status", "获取 Ingress 状态", verb="get", subresource="network",
               query=NamespaceQuery, data=IngressHealth, cluster="param")
async def ingress_status(call: Call) -> web.Response:
    namespace, name, oid = target(call, TYPE)
    session = await session_of(call)
    obj = await session.get(await session.resolve("ingresses.networking.k8s.io"), namespace, name)
    services, _ = await session.list_all(await session.resolve("services"), namespace)
    slices, _ = await session.list_all(await session.resolve("endpointslices.discovery.k8s.io"), namespace,
                                       label_selector=SERVICE_LABEL)
    by_name = {s["metadata"]["name"]: s for s in services}
    backends = backend_status(obj, by_name, ready_by_service(slices))
    names = {t.get("secretName") for t in (obj.get("spec") or {}).get("tls") or [] if t.get("secretName")}
    secrets = {n: await _secret(session, namespace, n) for n in sorted(names)}
    tls = tls_status(obj, secrets, datetime.now(UTC))
    view = _view(call, obj)
    healthy = all(b["healthy"] is not False for b in backends) and all(t["message"] == "ok" for t in tls)
    return ok({"id": oid, "name": name, "namespace": namespace, "cluster_id": call.cluster.id,
               "class": view["class"], "load_balancer": view["status"]["load_balancer"], "backends": backends,
               "tls": tls, "healthy": healthy})


def _tls_secret(namespace: str, name: str, certificate: str, private_key: str) -> Json:
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/managed-by": "cloudops"}},
            "data": {"tls.crt": base64.b64encode(certificate.encode()).decode(),
                     "tls.key": base64.b64encode(private_key.encode()).decode()}}


@section.route("POST", "/api/k8s/ingress/{name}/ssl", "SSL 证书管理", verb="update", subresource="network",
               query=NamespaceQuery, body=SslBody, data=SslResult, cluster="param")
async def ingress_ssl(call: Call) -> web.Response:
    """create/update: check the pair with `cryptography`, write a kubernetes.io/tls Secret, reference it from
    the Ingress's `tls`. delete: drop the reference and the Secret. The private key is never echoed or logged."""
    b: SslBody = call.body
    cfg = b.tls_config
    if b.action != "update":
        await call.authorize(b.action, "network", call.cluster.name)
    namespace, name, _ = target(call, TYPE)
    session = await session_of(call)
    rt = await session.resolve("ingresses.networking.k8s.io")
    secrets_rt = await session.resolve("secrets")
    ingress = await session.get(rt, namespace, name)
    hosts = cfg.hosts if cfg.hosts is not None else ingress_hosts(ingress)
    tls_entries = [t for t in (ingress.get("spec") or {}).get("tls") or [] if t.get("secretName") != cfg.secret_name]
    info: Json | None = None
    if b.action == "delete":
        existing = await _secret(session, namespace, cfg.secret_name)
        if existing is not None and existing.get("type") != "kubernetes.io/tls":
            raise ApiError(409, f"tls_config.secret_name: secret {cfg.secret_name!r} is not a kubernetes.io/tls "
                                "Secret; it is left alone", BusinessCode.VERSION_CONFLICT)
    else:
        if not cfg.certificate or not cfg.private_key:
            missing = "tls_config.certificate" if not cfg.certificate else "tls_config.private_key"
            raise ApiError(422, f"{missing}: required for action {b.action!r}")
        if not hosts:
            raise ApiError(422, "tls_config.hosts: the Ingress has no rule hosts; name the hosts to secure")
        try:
            info = asdict(check_tls(cfg.certificate, cfg.private_key, hosts, datetime.now(UTC)))
        except TlsProblem as e:
            raise ApiError(422, f"tls_config.{e.field.removeprefix('tls_config.')}: {e.message}") from None
        secret = _tls_secret(namespace, cfg.secret_name, cfg.certificate, cfg.private_key)
        existing = await _secret(session, namespace, cfg.secret_name)
        if b.action == "create":
            if existing is not None:
                raise ApiError(409, f"tls_config.secret_name: secret {cfg.secret_name!r} already exists; use "
                                    "action 'update'", BusinessCode.VERSION_CONFLICT)
            await session.create(secrets_rt, namespace, secret)
        else:
            if existing is None:
                raise ApiError(404, f"tls_config.secret_name: secret {cfg.secret_name!r} does not exist; use "
                                    "action 'create'", BusinessCode.RESOURCE_NOT_FOUND)
            if existing.get("type") != "kubernetes.io/tls":
                raise ApiError(409, f"tls_config.secret_name: secret {cfg.secret_name!r} is not a "
                                    "kubernetes.io/tls Secret", BusinessCode.VERSION_CONFLICT)
            secret["metadata"]["resourceVersion"] = existing["metadata"]["resourceVersion"]
            await session.replace(secrets_rt, namespace, cfg.secret_name, secret)
        tls_entries.append({"hosts": hosts, "secretName": cfg.secret_name})
    body = {**ingress, "spec": {**(ingress.get("spec") or {}), "tls": tls_entries}}
    updated = await session.replace(rt, namespace, name, body)
    if b.action == "delete" and existing is not None:
        await session.delete(secrets_rt, namespace, cfg.secret_name)
    log.info("ingress %s/%s: TLS secret %s %sd", namespace, name, cfg.secret_name, b.action.rstrip("e"))
    return ok({"ingress": name, "namespace": namespace, "action": b.action, "secret_name": cfg.secret_name,
               "hosts": hosts, "certificate": info, "warnings": info["warnings"] if info else [],
               "tls": _view(call, updated)["tls"]})
