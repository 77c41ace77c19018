"""网络管理 API 3. NetworkPolicy 管理 (3.1–3.5): snake_case policies on `networking.k8s.io/v1`, computed status."""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from api_shim.network_params import target
from cloudops.services.network import NetworkPolicies
from cloudops.services.network.models.network_params import Deleted, ListQuery, NamespaceQuery
from cloudops.services.network.models.networkpolicies import (
    PolicyCreate,
    PolicyList,
    PolicyStatus,
    PolicyUpdate,
    PolicyView,
)
from cloudops.services.network.names import NETWORKPOLICY

__all__ = ["section"]

section = Section(tag="network", resource="managedclusters")


@section.route("GET", "/api/k8s/networkpolicies", "获取 NetworkPolicy 列表", verb="list", subresource="network",
               query=ListQuery, data=PolicyList, cluster="param")
async def list_policies(call: Call) -> web.Response:
    return ok(await call.service(NetworkPolicies).list_policies(call.cluster, call.query))


@section.route("POST", "/api/k8s/networkpolicies/create", "创建 NetworkPolicy", verb="create",
               subresource="network", body=PolicyCreate, data=PolicyView, cluster="param")
async def create_policy(call: Call) -> web.Response:
    """Validated by the member (fieldValidation=Strict): a bad cidr or port is 422 naming the field."""
    return ok(await call.service(NetworkPolicies).create(call.cluster, call.body))


@section.route("PUT", "/api/k8s/networkpolicies/{name}", "更新 NetworkPolicy", verb="update",
               subresource="network", query=NamespaceQuery, body=PolicyUpdate, data=PolicyView, cluster="param")
async def update_policy(call: Call) -> web.Response:
    return ok(await call.service(NetworkPolicies).update(call.cluster, target(call, NETWORKPOLICY), call.body))


@section.route("DELETE", "/api/k8s/networkpolicies/{name}", "删除 NetworkPolicy", verb="delete",
               subresource="network", query=NamespaceQuery, data=Deleted, cluster="param")
async def delete_policy(call: Call) -> web.Response:
    return ok(await call.service(NetworkPolicies).delete(call.cluster, target(call, NETWORKPOLICY)))


@section.route("GET", "/api/k8s/networkpolicies/{name}/status", "获取 NetworkPolicy 状态", verb="get",
               subresource="network", query=NamespaceQuery, data=PolicyStatus, cluster="param")
async def policy_status_route(call: Call) -> web.Response:
    """Kubernetes keeps no status for a NetworkPolicy: this one is computed from the pods that exist now."""
    return ok(await call.service(NetworkPolicies).status(call.cluster, target(call, NETWORKPOLICY)))
