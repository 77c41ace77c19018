"""NetworkPolicies in the reference's snake_case shape, and the status Kubernetes does not keep for them.

The status is computed with cloudops.netpol from the pods and namespaces that exist now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudops.netpol import DIRECTIONS, Namespace, Pod, Policy, isolated_directions, resolve_peers, selected_pods

__all__ = ["needs_all_namespaces", "policy_status", "policy_view", "to_k8s_spec"]

Json = dict[str, Any]
API_VERSION = "networking.k8s.io/v1"


def _peer_to_k8s(peer: Json) -> Json:
    out: Json = {}
    if peer.get("pod_selector") is not None:
        out["podSelector"] = peer["pod_selector"]
    if peer.get("namespace_selector") is not None:
        out["namespaceSelector"] = peer["namespace_selector"]
    if peer.get("ip_block") is not None:
        block = peer["ip_block"]
        out["ipBlock"] = {"cidr": block["cidr"], **({"except": block["except"]} if block.get("except") else {})}
    return out


def _port_to_k8s(port: Json) -> Json:
    out: Json = {"protocol": port.get("protocol") or "TCP"}
    if port.get("port") is not None:
        out["port"] = port["port"]
    if port.get("end_port") is not None:
        out["endPort"] = port["end_port"]
    return out


def _rules_to_k8s(rules: list[Json], peers_key: str) -> list[Json]:
    out = []
    for rule in rules:
        r: Json = {}
        if rule.get(peers_key) is not None:
            r[peers_key] = [_peer_to_k8s(p) for p in rule[peers_key]]
        if rule.get("ports") is not None:
            r["ports"] = [_port_to_k8s(p) for p in rule["ports"]]
        out.append(r)
    return out


def to_k8s_spec(body: Json) -> Json:
    """`pod_selector`, `policy_types`, `ingress`/`egress` (snake_case, as the reference has them) to a spec."""
    spec: Json = {"podSelector": body.get("pod_selector") or {}}
    if body.get("policy_types") is not None:
        spec["policyTypes"] = body["policy_types"]
    if body.get("ingress") is not None:
        spec["ingress"] = _rules_to_k8s(body["ingress"], "from")
    if body.get("egress") is not None:
        spec["egress"] = _rules_to_k8s(body["egress"], "to")
    return spec


def _peer_view(peer: Json) -> Json:
    block = peer.get("ipBlock")
    return {"pod_selector": peer.get("podSelector"), "namespace_selector": peer.get("namespaceSelector"),
            "ip_block": {"cidr": block.get("cidr", ""), "except": list(block.get("except") or [])} if block else None}


def _rules_view(rules: list[Json], peers_key: str) -> list[Json]:
    return [{peers_key: [_peer_view(p) for p in r.get(peers_key) or []],
             "ports": [{"protocol": p.get("protocol", "TCP"), "port": p.get("port"), "end_port": p.get("endPort")}
                       for p in r.get("ports") or []]} for r in rules]


def policy_view(cluster_id: int | None, cluster_name: str, oid: str, obj: Json) -> Json:
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    return {"id": oid, "name": meta.get("name", ""), "namespace": meta.get("namespace", ""),
            "cluster_id": cluster_id, "cluster_name": cluster_name,
            "pod_selector": spec.get("podSelector") or {},
            "policy_types": Policy.from_k8s(obj).policy_types,
            "ingress": _rules_view(spec.get("ingress") or [], "from"),
            "egress": _rules_view(spec.get("egress") or [], "to"),
            "labels": meta.get("labels") or {}, "annotations": meta.get("annotations") or {},
            "created_at": meta.get("creationTimestamp")}


def needs_all_namespaces(obj: Json) -> bool:
    """Whether a rule names other namespaces, so its peers can only be resolved against every pod."""
    spec = obj.get("spec") or {}
    rules = [*(spec.get("ingress") or []), *(spec.get("egress") or [])]
    return any(p.get("namespaceSelector") is not None for r in rules for p in (r.get("from") or r.get("to") or []))


def _pod_ref(pod: Pod) -> Json:
    return {"name": pod.name, "namespace": pod.namespace, "ip": pod.ip, "labels": dict(pod.labels)}


def policy_status(obj: Json, pods: Sequence[Pod], namespaces: Mapping[str, Namespace],
                  namespace_policies: Sequence[Policy]) -> Json:
    """Selected pods, each rule's resolved peers, isolated directions, and the namespace's unisolated pods.

    `pods` holds the policy's namespace (and every namespace when `needs_all_namespaces`), `namespace_policies`
    every policy of the policy's namespace (this one included).
    """
    policy = Policy.from_k8s(obj)
    selected = selected_pods(policy, pods)
    rules: Json = {}
    for direction in DIRECTIONS:
        out = []
        for i, rule in enumerate(policy.rules(direction)):
            peers = [{"type": r.kind, "namespaces": list(r.namespaces), "pods": [_pod_ref(p) for p in r.pods],
                      "cidr": r.cidr, "except": list(r.except_)}
                     for r in resolve_peers(policy, direction, i, pods, namespaces)]
            ports = [{"protocol": p.get("protocol", "TCP"), "port": p.get("port"), "end_port": p.get("endPort")}
                     for p in rule.get("ports") or []]
            out.append({"index": i, "peers": peers, "ports": ports})
        rules[direction.lower()] = out
    own = [p for p in pods if p.namespace == policy.namespace]
    unisolated: Json = {"ingress": [], "egress": []}
    for pod in own:
        dirs = isolated_directions(namespace_policies, pod)
        for direction in DIRECTIONS:
            if direction not in dirs:
                unisolated[direction.lower()].append(pod.name)
    return {
        "name": policy.name, "namespace": policy.namespace, "policy_types": list(policy.policy_types),
        "isolated_directions": list(policy.policy_types),
        "selected_pods": [_pod_ref(p) for p in selected], "selected_pod_count": len(selected),
        "ingress_rules": rules["ingress"], "egress_rules": rules["egress"],
        "default_deny": {d.lower(): d in policy.policy_types and not policy.rules(d) for d in DIRECTIONS},
        "namespace_pod_count": len(own), "unisolated_pods": unisolated,
    }
