"""网络管理 API 3. NetworkPolicy 管理 (3.1–3.5): snake_case policies on `networking.k8s.io/v1`, computed status."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
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
from cloudops.netpol import Namespace, Pod, Policy
from cloudops.network.policies import API_VERSION, needs_all_namespaces, policy_status, policy_view, to_k8s_spec
from cloudops.services.common import ClusterRefItem, PageInfo

__all__ = ["section"]

section = Section(tag="network", resource="managedclusters")
TYPE = "networkpolicy"
Json = dict[str, Any]


class SelectorRequirement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(max_length=317)
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"]
    values: list[str] | None = None


class Selector(BaseModel):
    """A Kubernetes LabelSelector, written as the reference writes it (`matchLabels`, `matchExpressions`)."""

    model_config = ConfigDict(extra="forbid")
    matchLabels: dict[str, str] | None = None
    matchExpressions: list[SelectorRequirement] | None = None


class IpBlock(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    cidr: str = Field(max_length=64)
    except_: list[str] | None = Field(None, alias="except")


class Peer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pod_selector: Selector | None = None
    namespace_selector: Selector | None = None
    ip_block: IpBlock | None = None


class PolicyPort(BaseModel):
    model_config = ConfigDict(extra="forbid")
    protocol: Literal["TCP", "UDP", "SCTP"] = "TCP"
    port: int | str | None = Field(None, description="number or named container port")
    end_port: int | None = None


class IngressRule(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: list[Peer] | None = Field(None, alias="from")
    ports: list[PolicyPort] | None = None


class EgressRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: list[Peer] | None = None
    ports: list[PolicyPort] | None = None


class PolicyFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    namespace: str | None = Field(None, pattern=DNS_LABEL, max_length=63)
    pod_selector: Selector | None = None
    policy_types: list[Literal["Ingress", "Egress"]] | None = None
    ingress: list[IngressRule] | None = None
    egress: list[EgressRule] | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None


class PolicyCreate(PolicyFields):
    name: str = Field(pattern=DNS_LABEL, max_length=253)


class PolicyUpdate(PolicyFields):
    """Fields left out keep their current value; `ingress: []` means no ingress rule (deny)."""


class IpBlockView(BaseModel):
    cidr: str
    except_: list[str] = Field(alias="except")


class PeerView(BaseModel):
    pod_selector: dict[str, Any] | None
    namespace_selector: dict[str, Any] | None
    ip_block: IpBlockView | None


class PortView(BaseModel):
    protocol: str
    port: int | str | None
    end_port: int | None


class IngressRuleView(BaseModel):
    from_: list[PeerView] = Field(alias="from")
    ports: list[PortView]


class EgressRuleView(BaseModel):
    to: list[PeerView]
    ports: list[PortView]


class PolicyView(BaseModel):
    id: str
    name: str
    namespace: str
    cluster_id: int | None
    cluster_name: str
    pod_selector: dict[str, Any]
    policy_types: list[str]
    ingress: list[IngressRuleView]
    egress: list[EgressRuleView]
    labels: dict[str, str]
    annotations: dict[str, str]
    created_at: str | None


class PolicyList(PageInfo):
    networkpolicies: list[PolicyView]


class PodRef(BaseModel):
    name: str
    namespace: str
    ip: str | None
    labels: dict[str, str]


class ResolvedPeerView(BaseModel):
    type: Literal["all", "pods", "ip_block"]
    namespaces: list[str]
    pods: list[PodRef]
    cidr: str | None
    except_: list[str] = Field(alias="except")


class RuleStatus(BaseModel):
    index: int
    peers: list[ResolvedPeerView]
    ports: list[PortView]


class Directions(BaseModel):
    ingress: bool
    egress: bool


class UnisolatedPods(BaseModel):
    ingress: list[str]
    egress: list[str]


class PolicyStatus(BaseModel):
    id: str
    cluster_id: int | None
    name: str
    namespace: str
    policy_types: list[str]
    isolated_directions: list[str]
    selected_pods: list[PodRef]
    selected_pod_count: int
    ingress_rules: list[RuleStatus]
    egress_rules: list[RuleStatus]
    default_deny: Directions
    namespace_pod_count: int
    unisolated_pods: UnisolatedPods
    truncated: bool


def _view(call: Call, obj: Json) -> Json:
    return policy_view(call.cluster.id, call.cluster.name, object_id(call, TYPE, obj), obj)


@section.route("GET", "/api/k8s/networkpolicies", "获取 NetworkPolicy 列表", verb="list", subresource="network",
               query=ListQuery, data=PolicyList, cluster="param")
async def list_policies(call: Call) -> web.Response:
    listed = await list_views(call, "networkpolicies", _view)
    return ok({"networkpolicies": listed.pop("items"), **listed})


@section.route("POST", "/api/k8s/networkpolicies/create", "创建 NetworkPolicy", verb="create",
               subresource="network", body=PolicyCreate, data=PolicyView, cluster="param")
async def create_policy(call: Call) -> web.Response:
    """Validated by the member (fieldValidation=Strict): a bad cidr or port is 422 naming the field."""
    b: PolicyCreate = call.body
    namespace = b.namespace or "default"
    obj = {"apiVersion": API_VERSION, "kind": "NetworkPolicy",
           "metadata": with_metadata({"name": b.name, "namespace": namespace}, b.labels, b.annotations),
           "spec": to_k8s_spec(b.model_dump(by_alias=True, exclude_none=True))}
    session = await session_of(call)
    rt = await session.resolve("networkpolicies")
    return ok(_view(call, await session.create(rt, namespace, obj)))


@section.route("PUT", "/api/k8s/networkpolicies/{name}", "更新 NetworkPolicy", verb="update",
               subresource="network", query=NamespaceQuery, body=PolicyUpdate, data=PolicyView, cluster="param")
async def update_policy(call: Call) -> web.Response:
    b: PolicyUpdate = call.body
    namespace, name, _ = target(call, TYPE)
    session = await session_of(call)
    rt = await session.resolve("networkpolicies")
    current = await session.get(rt, namespace, name)
    given = b.model_dump(by_alias=True, exclude_none=True)
    changes = to_k8s_spec(given)
    if "pod_selector" not in given:
        changes.pop("podSelector")
    spec = {**(current.get("spec") or {}), **changes}
    if given.get("egress") and "policy_types" not in given and "Egress" not in spec.get("policyTypes", []):
        spec["policyTypes"] = [*spec.get("policyTypes", []), "Egress"]  # else the new egress rules do nothing
    body = {**current, "metadata": with_metadata(dict(current["metadata"]), b.labels, b.annotations), "spec": spec}
    return ok(_view(call, await session.replace(rt, namespace, name, body)))


@section.route("DELETE", "/api/k8s/networkpolicies/{name}", "删除 NetworkPolicy", verb="delete",
               subresource="network", query=NamespaceQuery, data=Deleted, cluster="param")
async def delete_policy(call: Call) -> web.Response:
    return ok(await delete_named(call, "networkpolicies", TYPE))


@section.route("GET", "/api/k8s/networkpolicies/{name}/status", "获取 NetworkPolicy 状态", verb="get",
               subresource="network", query=NamespaceQuery, data=PolicyStatus, cluster="param")
async def policy_status_route(call: Call) -> web.Response:
    """Kubernetes keeps no status for a NetworkPolicy: this one is computed from the pods that exist now."""
    namespace, name, oid = target(call, TYPE)
    session = await session_of(call)
    rt = await session.resolve("networkpolicies")
    obj = await session.get(rt, namespace, name)
    pods_rt, ns_rt = await session.resolve("pods"), await session.resolve("namespaces")
    everywhere = needs_all_namespaces(obj)
    raw_pods, truncated = await session.list_all(pods_rt, None if everywhere else namespace)
    raw_ns, _ = await session.list_all(ns_rt, None, metadata_only=True) if everywhere else ([], False)
    namespaces = {n.name: n for n in map(Namespace.from_k8s, raw_ns)}
    policies, _ = await session.list_all(rt, namespace)
    pods = [Pod.from_k8s(p) for p in raw_pods if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    status = policy_status(obj, pods, namespaces, [Policy.from_k8s(p) for p in policies])
    return ok({"id": oid, "cluster_id": call.cluster.id, **status, "truncated": truncated})
