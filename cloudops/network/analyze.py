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
from typing import Any

from cloudops.netpol import (
    Endpoint,
    Namespace,
    Pod,
    Policy,
    evaluate,
    isolated_directions,
    label_selector_matches,
    selected_pods,
    unisolated_pods,
)

__all__ = ["analyze", "hosts_in"]

Json = dict[str, Any]
_HOST = re.compile(r"(?<![\w.-])([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)((?:\.[a-z0-9-]+)*)(?::(\d{1,5}))?")
_SERVICE_VAR = re.compile(r"\$\(([A-Z0-9_]+)_SERVICE_(?:HOST|PORT)\w*\)")


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


def _values(container: Json, configmaps: Mapping[str, Json]) -> list[tuple[Json, str]]:
    """(evidence, value) for each environment value of a container, ConfigMap references resolved."""
    out: list[tuple[Json, str]] = []
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


def _target_port(svc_port: Json, pod: Pod) -> int | None:
    target = svc_port.get("targetPort", svc_port.get("port"))
    if isinstance(target, str) and not target.isdigit():
        return pod.named_port(target, str(svc_port.get("protocol") or "TCP"))
    return int(target) if target is not None else None


def analyze(namespace: str, pods: Sequence[Json], services: Sequence[Json], configmaps: Sequence[Json],
            policies: Sequence[Json], namespaces: Mapping[str, Namespace],
            include_recommendations: bool = True) -> Json:
    pod_objs = {str(p["metadata"]["name"]): p for p in pods}
    pod_of = {name: Pod.from_k8s(p) for name, p in pod_objs.items()}
    pols = [Policy.from_k8s(p) for p in policies]
    cms = {str(c["metadata"]["name"]): c for c in configmaps}
    svc_objs = {str(s["metadata"]["name"]): s for s in services}
    svc_pods: dict[str, list[str]] = {}
    service_views = []
    for name, s in sorted(svc_objs.items()):
        sel = (s.get("spec") or {}).get("selector") or {}
        chosen = sorted(n for n, p in pod_of.items() if sel and label_selector_matches({"matchLabels": sel},
                                                                                        p.labels))
        svc_pods[name] = chosen
        service_views.append({"name": name, "selector": sel, "pods": chosen, "source": "declared",
                              "ports": [{"port": p.get("port"), "target_port": p.get("targetPort", p.get("port")),
                                         "protocol": p.get("protocol") or "TCP"}
                                        for p in (s.get("spec") or {}).get("ports") or []]})
    edges: list[Json] = []
    for src_name, obj in sorted(pod_objs.items()):
        found: dict[tuple[str, int | None], list[Json]] = {}
        for c in (obj.get("spec") or {}).get("containers") or []:
            for evidence, value in _values(c, cms):
                for svc, port in hosts_in(value, namespace, list(svc_objs)):
                    found.setdefault((svc, port), []).append({**evidence, "container": c.get("name"), "host": svc})
        for (svc, port), items in sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
            ports = [p for p in (svc_objs[svc].get("spec") or {}).get("ports") or []
                     if port is None or p.get("port") == port]
            decisions = []
            for dst in svc_pods[svc]:
                for sp in ports:
                    target = _target_port(sp, pod_of[dst])
                    if target is None:
                        continue
                    d = evaluate(pols, Endpoint.of_pod(pod_of[src_name], namespaces),
                                 Endpoint.of_pod(pod_of[dst], namespaces), target, str(sp.get("protocol") or "TCP"))
                    decisions.append({"pod": dst, "port": target, "protocol": str(sp.get("protocol") or "TCP"),
                                      "allowed": d.allowed, "reason": d.reason})
            edges.append({"from": src_name, "to_service": svc, "to_pods": svc_pods[svc],
                          "ports": [int(p.get("port") or 0) for p in ports], "source": "inferred",
                          "evidence": items, "decisions": decisions})
    policy_views = [{"name": p.name, "policy_types": list(p.policy_types),
                     "selected_pods": sorted(x.name for x in selected_pods(p, pod_of.values()))} for p in pols]
    open_in = sorted(p.name for p in unisolated_pods(pols, pod_of.values(), "Ingress"))
    open_out = sorted(p.name for p in unisolated_pods(pols, pod_of.values(), "Egress"))
    out: Json = {"services": service_views, "edges": edges, "policies": policy_views,
                 "unisolated_pods": {"ingress": open_in, "egress": open_out},
                 "isolation": {n: isolated_directions(pols, p) for n, p in sorted(pod_of.items())},
                 "recommendations": []}
    if include_recommendations and (open_in or open_out):
        exceptions: dict[tuple[str, str], set[int]] = {}
        for e in edges:
            for d in e["decisions"]:
                if d["protocol"] == "TCP":
                    exceptions.setdefault((e["from"], d["pod"]), set()).add(int(d["port"]))
        involved = sorted({*open_in, *open_out, *(a for a, _ in exceptions), *(b for _, b in exceptions)})
        out["recommendations"].append({
            "policy_type": "deny-all", "pods": involved,
            "exceptions": [{"from": a, "to": b, "ports": sorted(ps)} for (a, b), ps in sorted(exceptions.items())],
            "reason": f"{len(set(open_in) | set(open_out))} pod(s) are not isolated by any NetworkPolicy; this "
                      "body for generate-policy denies all but the inferred connections and DNS"})
    return out
