"""NetworkPolicies generated for a set of pods (智能运维 API network 2.2), pure: pods in, `networking.k8s.io/v1` out.

Pods are selected by their labels minus the ones controllers generate (a hash changes with every rollout, a
pod name selects one replica), so the policy keeps selecting the workload's pods. Policy types:
- deny-all: each pod isolated both ways; only the exceptions (from → to on ports) and DNS are allowed;
- allow-same-namespace: each pod isolated both ways; any pod of the namespace, and DNS, allowed;
- allow-list: each pod's ingress isolated, admitting only the exceptions' sources; egress left open.
DNS egress (port 53 UDP and TCP to the cluster DNS pods in any namespace) stays open unless `dns=False`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cloudops.errors import BadRequest
from cloudops.kube import shapes
from cloudops.network import kinds

__all__ = ["DNS_PEER", "GENERATED_LABELS", "Exception_", "GenerateError", "PolicyType", "generate", "selector_labels"]

PolicyType = Literal["deny-all", "allow-same-namespace", "allow-list"]
GENERATED_LABELS = frozenset({"pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name",
                              "pod-template-generation", "batch.kubernetes.io/controller-uid", "controller-uid",
                              "apps.kubernetes.io/pod-index", "batch.kubernetes.io/job-completion-index"})
DNS_PEER: kinds.Peer = {"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}
DNS_PORTS: list[kinds.PolicyPort] = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
MANAGED_BY = "app.kubernetes.io/managed-by"


class GenerateError(BadRequest, ValueError):
    """A pod or an exception the policies cannot be generated for (400, naming it)."""


@dataclass(frozen=True)
class Exception_:
    source: str  # pod name
    destination: str
    ports: tuple[int, ...]


def selector_labels(pod: shapes.Pod) -> dict[str, str]:
    labels = (pod.get("metadata") or {}).get("labels") or {}
    return {k: str(v) for k, v in sorted(labels.items()) if k not in GENERATED_LABELS}


def _ports(ports: Sequence[int]) -> list[kinds.PolicyPort]:
    return [{"protocol": "TCP", "port": p} for p in ports]


def _name(policy_type: str, pod: str) -> str:
    return f"cloudops-{policy_type}-{pod}"[:253].rstrip("-.")


def generate(namespace: str, pods: Sequence[shapes.Pod], policy_type: PolicyType, exceptions: Sequence[Exception_],
             dns: bool = True) -> list[kinds.NetworkPolicy]:
    """One policy per pod, in the order given. Raises GenerateError (a ValueError) naming `pods[i]` or
    `exceptions[i]`."""
    names = [str((p.get("metadata") or {}).get("name") or "") for p in pods]
    selectors: dict[str, dict[str, str]] = {}
    for i, (name, pod) in enumerate(zip(names, pods, strict=True)):
        labels = selector_labels(pod)
        if not labels:
            raise GenerateError(f"pod {name!r} has no labels a policy could select it by", field=f"pods[{i}]")
        selectors[name] = labels
    for i, e in enumerate(exceptions):
        for key, ref in (("from", e.source), ("to", e.destination)):
            if ref not in selectors:
                raise GenerateError(f"{ref!r} is not one of the pods", field=f"exceptions[{i}].{key}")
    out: list[kinds.NetworkPolicy] = []
    for name in names:
        labels = selectors[name]
        ingress: list[kinds.PolicyRule]
        egress: list[kinds.PolicyRule] = []
        types = ["Ingress"] if policy_type == "allow-list" else ["Ingress", "Egress"]
        if policy_type == "allow-same-namespace":
            ingress = [{"from": [{"podSelector": {}}]}]
            egress = [{"to": [{"podSelector": {}}]}]
        else:
            ingress = [{"from": [{"podSelector": {"matchLabels": selectors[e.source]}}], "ports": _ports(e.ports)}
                       for e in exceptions if e.destination == name]
            if policy_type == "deny-all":
                egress = [{"to": [{"podSelector": {"matchLabels": selectors[e.destination]}}],
                           "ports": _ports(e.ports)} for e in exceptions if e.source == name]
        if dns and "Egress" in types:
            egress.append({"to": [DNS_PEER], "ports": DNS_PORTS})
        spec: kinds.PolicySpec = {"podSelector": {"matchLabels": labels}, "policyTypes": types, "ingress": ingress}
        if "Egress" in types:
            spec["egress"] = egress
        out.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                    "metadata": {"name": _name(policy_type, name), "namespace": namespace,
                                 "labels": {MANAGED_BY: "cloudops"}}, "spec": spec})
    return out
