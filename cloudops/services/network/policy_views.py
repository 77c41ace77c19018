"""NetworkPolicies in the reference's snake_case shape, and the status Kubernetes does not keep for them.

The status is computed with the evaluator (cloudops.network.policy_eval) from the pods and namespaces that
exist now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cloudops.kube import shapes
from cloudops.members.access import ClusterRef
from cloudops.network import kinds
from cloudops.network.policy_eval import (
    DIRECTIONS,
    Direction,
    Namespace,
    Pod,
    Policy,
    isolated_directions,
    resolve_peers,
    rule_peers,
    selected_pods,
)
from cloudops.services.network.models.networkpolicies import (
    Directions,
    EgressRule,
    EgressRuleView,
    IngressRule,
    IngressRuleView,
    IpBlockView,
    Peer,
    PeerView,
    PodRef,
    PolicyFields,
    PolicyPort,
    PolicyStatus,
    PolicyView,
    PortView,
    ResolvedPeerView,
    RuleStatus,
    Selector,
    UnisolatedPods,
)
from cloudops.services.network.names import NETWORKPOLICY, object_id

__all__ = ["needs_all_namespaces", "policy_status", "policy_view", "to_k8s_spec"]


def _selector(s: Selector) -> shapes.LabelSelector:
    out: shapes.LabelSelector = {}
    if s.matchLabels is not None:
        out["matchLabels"] = s.matchLabels
    if s.matchExpressions is not None:
        out["matchExpressions"] = [{"key": r.key, "operator": r.operator,
                                    **({"values": r.values} if r.values is not None else {})}
                                   for r in s.matchExpressions]
    return out


def _peer_to_k8s(peer: Peer) -> kinds.Peer:
    out: kinds.Peer = {}
    if peer.pod_selector is not None:
        out["podSelector"] = _selector(peer.pod_selector)
    if peer.namespace_selector is not None:
        out["namespaceSelector"] = _selector(peer.namespace_selector)
    if peer.ip_block is not None:
        out["ipBlock"] = {"cidr": peer.ip_block.cidr}
        if peer.ip_block.except_:
            out["ipBlock"]["except"] = peer.ip_block.except_
    return out


def _port_to_k8s(port: PolicyPort) -> kinds.PolicyPort:
    out: kinds.PolicyPort = {"protocol": port.protocol or "TCP"}
    if port.port is not None:
        out["port"] = port.port
    if port.end_port is not None:
        out["endPort"] = port.end_port
    return out


def _rule_to_k8s(rule: IngressRule | EgressRule) -> kinds.PolicyRule:
    out: kinds.PolicyRule = {}
    if isinstance(rule, IngressRule) and rule.from_ is not None:
        out["from"] = [_peer_to_k8s(p) for p in rule.from_]
    if isinstance(rule, EgressRule) and rule.to is not None:
        out["to"] = [_peer_to_k8s(p) for p in rule.to]
    if rule.ports is not None:
        out["ports"] = [_port_to_k8s(p) for p in rule.ports]
    return out


def to_k8s_spec(given: PolicyFields) -> kinds.PolicySpec:
    """`pod_selector`, `policy_types`, `ingress`/`egress` (snake_case, as the reference has them) to a spec."""
    spec: kinds.PolicySpec = {"podSelector": _selector(given.pod_selector) if given.pod_selector else {}}
    if given.policy_types is not None:
        spec["policyTypes"] = list(given.policy_types)
    if given.ingress is not None:
        spec["ingress"] = [_rule_to_k8s(r) for r in given.ingress]
    if given.egress is not None:
        spec["egress"] = [_rule_to_k8s(r) for r in given.egress]
    return spec


def _peer_view(peer: kinds.Peer) -> PeerView:
    block, pods, namespaces = peer.get("ipBlock"), peer.get("podSelector"), peer.get("namespaceSelector")
    return PeerView(pod_selector=dict(pods) if pods is not None else None,
                    namespace_selector=dict(namespaces) if namespaces is not None else None,
                    ip_block=IpBlockView.model_validate({"cidr": block.get("cidr", ""),
                                                         "except": list(block.get("except") or [])})
                    if block else None)


def _ports_view(rule: kinds.PolicyRule) -> list[PortView]:
    return [PortView(protocol=p.get("protocol", "TCP"), port=p.get("port"), end_port=p.get("endPort"))
            for p in rule.get("ports") or []]


def policy_view(cluster: ClusterRef, obj: kinds.NetworkPolicy) -> PolicyView:
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    name, namespace = meta.get("name", ""), meta.get("namespace", "")
    return PolicyView(
        id=object_id(cluster, NETWORKPOLICY, namespace, name), name=name, namespace=namespace,
        cluster_id=cluster.id, cluster_name=cluster.name, pod_selector=dict(spec.get("podSelector") or {}),
        policy_types=list(Policy.of(obj).policy_types),
        ingress=[IngressRuleView.model_validate({"from": [_peer_view(p) for p in rule_peers(r, "Ingress")],
                                                 "ports": _ports_view(r)}) for r in spec.get("ingress") or []],
        egress=[EgressRuleView(to=[_peer_view(p) for p in rule_peers(r, "Egress")], ports=_ports_view(r))
                for r in spec.get("egress") or []],
        labels=meta.get("labels") or {}, annotations=meta.get("annotations") or {},
        created_at=meta.get("creationTimestamp"))


def needs_all_namespaces(obj: kinds.NetworkPolicy) -> bool:
    """Whether a rule names other namespaces, so its peers can only be resolved against every pod."""
    spec = obj.get("spec") or {}
    rules = [*(spec.get("ingress") or []), *(spec.get("egress") or [])]
    return any(p.get("namespaceSelector") is not None for r in rules for p in (r.get("from") or r.get("to") or []))


def _pod_ref(pod: Pod) -> PodRef:
    return PodRef(name=pod.name, namespace=pod.namespace, ip=pod.ip, labels=dict(pod.labels))


def _rules_status(policy: Policy, direction: Direction, pods: Sequence[Pod],
                  namespaces: Mapping[str, Namespace]) -> list[RuleStatus]:
    return [RuleStatus(index=i, ports=_ports_view(rule), peers=[
        ResolvedPeerView.model_validate({"type": r.kind, "namespaces": list(r.namespaces), "cidr": r.cidr,
                                         "pods": [_pod_ref(p) for p in r.pods], "except": list(r.except_)})
        for r in resolve_peers(policy, direction, i, pods, namespaces)])
        for i, rule in enumerate(policy.rules(direction))]


def policy_status(policy: Policy, pods: Sequence[Pod], namespaces: Mapping[str, Namespace],
                  namespace_policies: Sequence[Policy], oid: str, cluster_id: int | None,
                  truncated: bool) -> PolicyStatus:
    """Selected pods, each rule's resolved peers, isolated directions, and the namespace's unisolated pods.

    `pods` holds the policy's namespace (and every namespace when `needs_all_namespaces`), `namespace_policies`
    every policy of the policy's namespace (this one included).
    """
    selected = selected_pods(policy, pods)
    own = [p for p in pods if p.namespace == policy.namespace]
    unisolated = UnisolatedPods(ingress=[], egress=[])
    for pod in own:
        dirs = isolated_directions(namespace_policies, pod)
        if "Ingress" not in dirs:
            unisolated.ingress.append(pod.name)
        if "Egress" not in dirs:
            unisolated.egress.append(pod.name)
    deny = {d: d in policy.policy_types and not policy.rules(d) for d in DIRECTIONS}
    return PolicyStatus(
        id=oid, cluster_id=cluster_id, name=policy.name, namespace=policy.namespace,
        policy_types=list(policy.policy_types), isolated_directions=list(policy.policy_types),
        selected_pods=[_pod_ref(p) for p in selected], selected_pod_count=len(selected),
        ingress_rules=_rules_status(policy, "Ingress", pods, namespaces),
        egress_rules=_rules_status(policy, "Egress", pods, namespaces),
        default_deny=Directions(ingress=deny["Ingress"], egress=deny["Egress"]), namespace_pod_count=len(own),
        unisolated_pods=unisolated, truncated=truncated)
