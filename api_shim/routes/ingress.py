"""网络管理 API 2. Ingress 管理 (2.1–2.6): snake_case Ingresses, their live status, TLS Secrets checked first."""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from api_shim.network_params import target
from cloudops.services.network import Ingresses
from cloudops.services.network.models.ingress import (
    IngressCreate,
    IngressHealth,
    IngressList,
    IngressUpdate,
    IngressView,
    SslBody,
    SslResult,
)
from cloudops.services.network.models.network_params import Deleted, ListQuery, NamespaceQuery
from cloudops.services.network.names import INGRESS

__all__ = ["section"]

section = Section(tag="network", resource="managedclusters")


@section.route("GET", "/api/k8s/ingress", "获取 Ingress 列表", verb="list", subresource="network",
               query=ListQuery, data=IngressList, cluster="param")
async def list_ingresses(call: Call) -> web.Response:
    return ok(await call.service(Ingresses).list_ingresses(call.cluster, call.query))


@section.route("POST", "/api/k8s/ingress/create", "创建 Ingress", verb="create", subresource="network",
               body=IngressCreate, data=IngressView, cluster="param")
async def create_ingress(call: Call) -> web.Response:
    return ok(await call.service(Ingresses).create(call.cluster, call.body))


@section.route("PUT", "/api/k8s/ingress/{name}", "更新 Ingress", verb="update", subresource="network",
               query=NamespaceQuery, body=IngressUpdate, data=IngressView, cluster="param")
async def update_ingress(call: Call) -> web.Response:
    return ok(await call.service(Ingresses).update(call.cluster, target(call, INGRESS), call.body))


@section.route("DELETE", "/api/k8s/ingress/{name}", "删除 Ingress", verb="delete", subresource="network",
               query=NamespaceQuery, data=Deleted, cluster="param")
async def delete_ingress(call: Call) -> web.Response:
    """The TLS Secrets stay: other Ingresses may use them; the SSL route's `delete` removes one."""
    return ok(await call.service(Ingresses).delete(call.cluster, target(call, INGRESS)))


@section.route("GET", "/api/k8s/ingress/{name}/status", "获取 Ingress 状态", verb="get", subresource="network",
               query=NamespaceQuery, data=IngressHealth, cluster="param")
async def ingress_status(call: Call) -> web.Response:
    return ok(await call.service(Ingresses).status(call.cluster, target(call, INGRESS)))


@section.route("POST", "/api/k8s/ingress/{name}/ssl", "SSL 证书管理", verb="update", subresource="network",
               query=NamespaceQuery, body=SslBody, data=SslResult, cluster="param")
async def ingress_ssl(call: Call) -> web.Response:
    """create/update: check the pair with `cryptography`, write a kubernetes.io/tls Secret, reference it from
    the Ingress's `tls`. delete: drop the reference and the Secret. The private key is never echoed or logged."""
    b: SslBody = call.body
    if b.action != "update":  # declared `update`: creating and deleting a Secret need their own verbs
        await call.authorize(b.action, "network", call.cluster.name)
    return ok(await call.service(Ingresses).ssl(call.cluster, target(call, INGRESS), b))
