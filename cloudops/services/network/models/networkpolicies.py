"""网络管理 API 3. NetworkPolicy 管理 (3.1–3.5): request and response models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cloudops.services.common import CheckedLabels, ClusterRefItem, PageInfo
from cloudops.services.network.models.network_params import DNS_LABEL

__all__ = ["PolicyCreate", "PolicyFields", "PolicyList", "PolicyStatus", "PolicyUpdate", "PolicyView"]


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
    labels: CheckedLabels | None = None
    annotations: dict[str, str] | None = None


class PolicyCreate(PolicyFields):
    name: str = Field(pattern=DNS_LABEL, max_length=253)


class PolicyUpdate(PolicyFields):
    """Fields left out keep their current value; `ingress: []` means no ingress rule (deny)."""


class IpBlockView(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)  # answers say `except`
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
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)  # answers say `from`
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
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
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
