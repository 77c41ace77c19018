"""A namespace's connectivity without packet capture (智能运维 API network 2.1), pure.

What is declared (Services and the pods they select, NetworkPolicies and what the evaluator says they allow,
pods no policy isolates) and what is inferred (a container's environment, directly or from a ConfigMap,
naming a Service host — `db`, `db.ns`, `db.ns.svc[.cluster.local]`, in a URL or `host:port` — or a
`$(DB_SERVICE_HOST)`/`_PORT` variable). Every edge carries its evidence; Secrets are never read, and an
evidence item names the variable, never its value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from typing_extensions import TypedDict

from cloudops.kube import shapes
from cloudops.network import kinds
from cloudops.network.policy_eval import (
    Direction,
    Endpoint,
    Namespace,
    Pod,
    Policy,
    evaluate,
    isolated_directions,
    selected_pods,
    selector_matches,
    unisolated_pods,
)

__all__ = ["Connectivity", "analyze", "hosts_in"]

_HOST = re.compile(r"(?<![\w.-])([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)((?:\.[a-z0-9-]+)*)(?::(\d{1,5}))?")
_SERVICE_VAR = re.compile(r"\$\(([A-Z0-9_]+)_SERVICE_(?:HOST|PORT)\w*\)")


class Evidence(TypedDict, total=False):
    """Where an edge was inferred from: a variable (by name, never its value), directly or from a ConfigMap."""

    type: str
    variable: str
    configmap: str | None
    key: str | None
    container: str | None
    host: str


class ServicePort(TypedDict):
    port: int | None
    target_port: int | str | None
    protocol: str


class ServiceView(TypedDict):
    name: str
    selector: dict[str, str]
    pods: list[str]
    source: str
    ports: list[ServicePort]


class EdgeDecision(TypedDict):
    pod: str
    port: int
    protocol: str
    allowed: bool
    reason: str


Edge = TypedDict("Edge", {"from": str, "to_service": str, "to_pods": list[str], "ports": list[int], "source": str,
                          "evidence": list[Evidence], "decisions": list[EdgeDecision]})
Allowance = TypedDict("Allowance", {"from": str, "to": str, "ports": list[int]})


class PolicyView(TypedDict):
    name: str
    policy_types: list[str]
    selected_pods: list[str]


class Unisolated(TypedDict):
    ingress: list[str]
    egress: list[str]


class Recommendation(TypedDict):
    policy_type: str
    pods: list[str]
    exceptions: list[Allowance]
    reason: str


class Connectivity(TypedDict):
    services: list[ServiceView]
    edges: list[Edge]
    policies: list[PolicyView]
    unisolated_pods: Unisolated
    isolation: dict[str, list[Direction]]
    recommendations: list[Recommendation]


def hosts_in(value: str, namespace: str, services: Sequence[str]) -> list[tuple[str, int | None]]:
    """(service, port or None) for every Service of `namespace` that `value` names."""
    suffixes = ("", f".{namespace}", f".{namespace}.svc", f".{namespace}.svc.cluster.local")
    by_var = {s.upper().replace("-", "_"): s for s in services}
    found: list[tuple[str, int | None]] = []
    for m in _HOST.finditer(value):
        name, rest, port = m.group(1), m.group(2), m.group(3)
        if name in services and rest in suffixes:
            found.append((name, int(port) if port else None))
    found.extend((by_var[v], None) for v in _SERVICE_VAR.findall(value) if v in by_var)
    return list(dict.fromkeys(found))


def _values(container: shapes.Container, configmaps: Mapping[str, kinds.ConfigMap]) -> list[tuple[Evidence, str]]:
    """(evidence, value) for each environment value of a container, ConfigMap references resolved."""
    out: list[tuple[Evidence, str]] = []
    for env in container.get("env") or []:
        name = str(env.get("name") or "")
        if "value" in env:
            out.append(({"type": "env", "variable": name}, str(env.get("value") or "")))
        ref = (env.get("valueFrom") or {}).get("configMapKeyRef")
        if ref:
            value = ((configmaps.get(str(ref.get("name"))) or {}).get("data") or {}).get(str(ref.get("key")))
            if value is not None:
                out.append(({"type": "configmap", "variable": name, "configmap": ref.get("name"),
                             "key": ref.get("key")}, str(value)))
    for src in container.get("envFrom") or []:
        ref = src.get("configMapRef")
        if ref:
            for key, value in ((configmaps.get(str(ref.get("name"))) or {}).get("data") or {}).items():
                out.append(({"type": "configmap", "variable": f"{src.get('prefix') or ''}{key}",
                             "configmap": ref.get("name"), "key": key}, str(value)))
    return out


def _target_port(svc_port: kinds.ServicePort, pod: Pod) -> int | None:
    target = svc_port.get("targetPort", svc_port.get("port"))
    if isinstance(target, str) and not target.isdigit():
        return pod.named_port(target, str(svc_port.get("protocol") or "TCP"))
    return int(target) if target is not None else None


def _service_views(services: Mapping[str, kinds.Service], pod_of: Mapping[str, Pod]) -> list[ServiceView]:
    views: list[ServiceView] = []
    for name, s in sorted(services.items()):
        sel = (s.get("spec") or {}).get("selector") or {}
        chosen = sorted(n for n, p in pod_of.items() if sel and selector_matches({"matchLabels": sel}, p.labels))
        views.append({"name": name, "selector": sel, "pods": chosen, "source": "declared",
                      "ports": [{"port": p.get("port"), "target_port": p.get("targetPort", p.get("port")),
                                 "protocol": p.get("protocol") or "TCP"}
                                for p in (s.get("spec") or {}).get("ports") or []]})
    return views


class _Namespace:
    """What one analysis knows of a namespace: its pods, Services, ConfigMaps and policies."""

    def __init__(self, namespace: str, pods: Sequence[shapes.Pod], services: Sequence[kinds.Service],
                 configmaps: Sequence[kinds.ConfigMap], policies: Sequence[kinds.NetworkPolicy],
                 namespaces: Mapping[str, Namespace]) -> None:
        self.name, self.namespaces = namespace, namespaces
        self.pod_objs = {str((p.get("metadata") or {}).get("name")): p for p in pods}
        self.pod_of = {name: Pod.of(p) for name, p in self.pod_objs.items()}
        self.policies = [Policy.of(p) for p in policies]
        self.configmaps = {str((c.get("metadata") or {}).get("name")): c for c in configmaps}
        self.services = {str((s.get("metadata") or {}).get("name")): s for s in services}

    def decisions(self, src: str, dst: str, ports: Sequence[kinds.ServicePort]) -> list[EdgeDecision]:
        out: list[EdgeDecision] = []
        for sp in ports:
            target = _target_port(sp, self.pod_of[dst])
            if target is None:
                continue
            protocol = str(sp.get("protocol") or "TCP")
            d = evaluate(self.policies, Endpoint.of_pod(self.pod_of[src], self.namespaces),
                         Endpoint.of_pod(self.pod_of[dst], self.namespaces), target, protocol)
            out.append({"pod": dst, "port": target, "protocol": protocol, "allowed": d.allowed, "reason": d.reason})
        return out

    def edges(self, svc_pods: Mapping[str, list[str]]) -> list[Edge]:
        edges: list[Edge] = []
        for src_name, obj in sorted(self.pod_objs.items()):
            found: dict[tuple[str, int | None], list[Evidence]] = {}
            for c in (obj.get("spec") or {}).get("containers") or []:
                for evidence, value in _values(c, self.configmaps):
                    for svc, port in hosts_in(value, self.name, list(self.services)):
                        found.setdefault((svc, port), []).append({**evidence, "container": c.get("name"),
                                                                  "host": svc})
            for (svc, port), items in sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
                ports = [p for p in (self.services[svc].get("spec") or {}).get("ports") or []
                         if port is None or p.get("port") == port]
                decisions = [d for dst in svc_pods[svc] for d in self.decisions(src_name, dst, ports)]
                edges.append({"from": src_name, "to_service": svc, "to_pods": svc_pods[svc],
                              "ports": [int(p.get("port") or 0) for p in ports], "source": "inferred",
                              "evidence": items, "decisions": decisions})
        return edges


def _recommendation(edges: Sequence[Edge], open_in: list[str], open_out: list[str]) -> Recommendation:
    exceptions: dict[tuple[str, str], set[int]] = {}
    for e in edges:
        for d in e["decisions"]:
            if d["protocol"] == "TCP":
                exceptions.setdefault((e["from"], d["pod"]), set()).add(int(d["port"]))
    involved = sorted({*open_in, *open_out, *(a for a, _ in exceptions), *(b for _, b in exceptions)})
    return {"policy_type": "deny-all", "pods": involved,
            "exceptions": [{"from": a, "to": b, "ports": sorted(ps)} for (a, b), ps in sorted(exceptions.items())],
            "reason": f"{len(set(open_in) | set(open_out))} pod(s) are not isolated by any NetworkPolicy; this "
                      "body for generate-policy denies all but the inferred connections and DNS"}


def analyze(namespace: str, pods: Sequence[shapes.Pod], services: Sequence[kinds.Service],
            configmaps: Sequence[kinds.ConfigMap], policies: Sequence[kinds.NetworkPolicy],
            namespaces: Mapping[str, Namespace], include_recommendations: bool = True) -> Connectivity:
    ns = _Namespace(namespace, pods, services, configmaps, policies, namespaces)
    service_views = _service_views(ns.services, ns.pod_of)
    edges = ns.edges({v["name"]: v["pods"] for v in service_views})
    pols, pod_list = ns.policies, list(ns.pod_of.values())
    open_in = sorted(p.name for p in unisolated_pods(pols, pod_list, "Ingress"))
    open_out = sorted(p.name for p in unisolated_pods(pols, pod_list, "Egress"))
    return {"services": service_views, "edges": edges,
            "policies": [{"name": p.name, "policy_types": list(p.policy_types),
                          "selected_pods": sorted(x.name for x in selected_pods(p, pod_list))} for p in pols],
            "unisolated_pods": {"ingress": open_in, "egress": open_out},
            "isolation": {n: isolated_directions(pols, p) for n, p in sorted(ns.pod_of.items())},
            "recommendations": [_recommendation(edges, open_in, open_out)]
            if include_recommendations and (open_in or open_out) else []}
