"""Scheduling as the member's scheduler sees it: pod templates, node selector terms, label selectors, taints,
node groups with free capacity, topology domains and the affinity graph. Pure, so each rule is unit-tested;
the shim only fetches objects and writes what these functions return.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cloudops.clusters.health import parse_quantity

__all__ = ["EFFECTS", "WORKLOAD_KINDS", "add_taints", "affinity_graph", "effect_summary", "label_selector_matches",
           "mermaid", "node_matches_term", "node_suggestions", "parse_requirements", "pod_requests", "pod_spec_path",
           "remove_taints", "topology_domains", "topology_key"]

Json = dict[str, Any]
EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
# Where each workload kind keeps the pod spec the scheduler reads.
WORKLOAD_KINDS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template", "spec"), "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"), "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"), "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",)}
TOPOLOGY_ALIASES = {"hostname": "kubernetes.io/hostname", "zone": "topology.kubernetes.io/zone",
                    "region": "topology.kubernetes.io/region", "kubernetes.io/zone": "topology.kubernetes.io/zone",
                    "kubernetes.io/region": "topology.kubernetes.io/region"}
# Labels that name one node (or repeat another label) say nothing about a group of nodes.
NODE_UNIQUE = ("kubernetes.io/hostname",)
GPU = "nvidia.com/gpu"


def pod_spec_path(kind: str) -> tuple[str, ...] | None:
    return WORKLOAD_KINDS.get(kind)


def pod_spec(obj: Json) -> Json:
    """The pod spec inside a workload (or a pod); empty when the kind has none."""
    cur: Any = obj
    for part in WORKLOAD_KINDS.get(str(obj.get("kind")), ()):
        cur = (cur or {}).get(part) if isinstance(cur, dict) else None
    return cur if isinstance(cur, dict) and obj.get("kind") in WORKLOAD_KINDS else {}


def pod_labels(obj: Json) -> dict[str, str]:
    """The labels of the pods a workload makes (its template's), or a pod's own."""
    if obj.get("kind") == "Pod":
        return dict((obj.get("metadata") or {}).get("labels") or {})
    path = WORKLOAD_KINDS.get(str(obj.get("kind")), ())[:-1]
    cur: Any = obj
    for part in path:
        cur = (cur or {}).get(part) if isinstance(cur, dict) else None
    return dict(((cur or {}).get("metadata") or {}).get("labels") or {}) if isinstance(cur, dict) else {}


# -- matching --------------------------------------------------------------------------------------------------


def _expression(expr: Json, value: str | None) -> bool:
    op, values = expr.get("operator"), [str(v) for v in expr.get("values") or []]
    if op == "In":
        return value is not None and value in values
    if op == "NotIn":
        return value is None or value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt") and value is not None and values:
        try:
            left, right = int(value), int(values[0])
        except ValueError:
            return False
        return left > right if op == "Gt" else left < right
    return False


def node_matches_term(node: Json, term: Json) -> bool:
    """A NodeSelectorTerm: every matchExpression on labels and every matchField (metadata.name) holds."""
    meta = node.get("metadata") or {}
    labels = meta.get("labels") or {}
    exprs, fields = term.get("matchExpressions") or [], term.get("matchFields") or []
    if not exprs and not fields:
        return False  # an empty term matches nothing, as in Kubernetes
    return (all(_expression(e, labels.get(e.get("key"))) for e in exprs)
            and all(_expression(f, meta.get("name") if f.get("key") == "metadata.name" else None) for f in fields))


def label_selector_matches(selector: Json | None, labels: dict[str, str]) -> bool:
    """A metav1.LabelSelector; an empty selector matches everything, a missing one nothing."""
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    return all(_expression(e, labels.get(e.get("key"))) for e in selector.get("matchExpressions") or [])


def selector_text(selector: Json | None) -> str:
    """A label selector as kubectl writes it, for names and messages."""
    parts = [f"{k}={v}" for k, v in sorted((selector or {}).get("matchLabels", {}).items())]
    for e in (selector or {}).get("matchExpressions") or []:
        op, key, values = e.get("operator"), e.get("key"), ",".join(e.get("values") or [])
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})", "Exists": str(key),
                      "DoesNotExist": f"!{key}"}.get(str(op), f"{key} {op} {values}"))
    return ",".join(parts) or "(all)"


# -- taints ------------------------------------------------------------------------------------------------------


def effect_summary(taints: Iterable[Json]) -> dict[str, int]:
    out = dict.fromkeys(EFFECTS, 0)
    for t in taints:
        if t.get("effect") in out:
            out[t["effect"]] += 1
    return out


def add_taints(existing: list[Json], new: list[Json]) -> list[Json]:
    """Taints are unique by key and effect: a new one replaces the old one with the same pair (its value)."""
    out = [dict(t) for t in existing]
    for t in new:
        entry = {k: v for k, v in t.items() if v is not None and v != ""} | {"key": t["key"], "effect": t["effect"]}
        same = next((i for i, o in enumerate(out) if o.get("key") == t["key"] and o.get("effect") == t["effect"]), None)
        if same is None:
            out.append(entry)
        else:
            out[same] = entry
    return out


def remove_taints(existing: list[Json], specs: list[Json]) -> tuple[list[Json], list[Json]]:
    """Removes taints matching a spec's key and, when given, its value and effect; returns (kept, removed)."""
    def matches(t: Json, s: Json) -> bool:
        return (t.get("key") == s["key"] and (s.get("value") is None or t.get("value", "") == s["value"])
                and (s.get("effect") is None or t.get("effect") == s["effect"]))
    kept = [t for t in existing if not any(matches(t, s) for s in specs)]
    return kept, [t for t in existing if t not in kept]


# -- node suggestions --------------------------------------------------------------------------------------------


def parse_requirements(text: str) -> dict[str, float]:
    """`cpu=2,memory=4Gi,gpu=1` as base units per resource (gpu means nvidia.com/gpu); ValueError names the
    entry that is wrong."""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or (name not in ("cpu", "memory", "gpu", "ephemeral-storage", "pods") and "/" not in name):
            raise ValueError(f"{part!r}: expected cpu=<quantity>, memory=<quantity> or gpu=<count>")
        try:
            quantity = parse_quantity(value.strip())
        except ValueError:
            raise ValueError(f"{part!r}: {value.strip()!r} is not a quantity") from None
        if quantity < 0:
            raise ValueError(f"{part!r}: must not be negative")
        out[GPU if name == "gpu" else name] = quantity
    return out


def pod_requests(pod: Json) -> dict[str, float]:
    """What the scheduler reserves for a pod: the larger of its containers' sum and its largest init container."""
    spec = pod.get("spec") or {}
    total: dict[str, float] = {}
    for c in spec.get("containers") or []:
        for k, v in ((c.get("resources") or {}).get("requests") or {}).items():
            total[k] = total.get(k, 0.0) + parse_quantity(v)
    for c in spec.get("initContainers") or []:
        for k, v in ((c.get("resources") or {}).get("requests") or {}).items():
            total[k] = max(total.get(k, 0.0), parse_quantity(v))
    for k, v in (spec.get("overhead") or {}).items():
        total[k] = total.get(k, 0.0) + parse_quantity(v)
    return total


def _schedulable(node: Json) -> bool:
    ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                for c in (node.get("status") or {}).get("conditions") or [])
    hard = any(t.get("effect") in ("NoSchedule", "NoExecute") for t in (node.get("spec") or {}).get("taints") or [])
    return ready and not hard and not (node.get("spec") or {}).get("unschedulable")


def free_resources(nodes: list[Json], pods: list[Json]) -> dict[str, dict[str, float]]:
    """Per node: allocatable minus what its pods that still hold resources (not Succeeded/Failed) request."""
    used: dict[str, dict[str, float]] = {}
    for p in pods:
        node = (p.get("spec") or {}).get("nodeName")
        if not node or (p.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        for k, v in pod_requests(p).items():
            used.setdefault(node, {})[k] = used.get(node, {}).get(k, 0.0) + v
    out = {}
    for n in nodes:
        name = (n.get("metadata") or {}).get("name", "")
        alloc = {k: parse_quantity(v) for k, v in ((n.get("status") or {}).get("allocatable") or {}).items()}
        out[name] = {k: v - used.get(name, {}).get(k, 0.0) for k, v in alloc.items()}
    return out


def _group_key(node: Json) -> tuple[tuple[str, str], ...]:
    labels = (node.get("metadata") or {}).get("labels") or {}
    return tuple(sorted((k, v) for k, v in labels.items()
                        if k not in NODE_UNIQUE and not k.startswith("beta.kubernetes.io/")))


def _format(name: str, value: float) -> str:
    if name == "cpu":
        return f"{round(value, 3):g}" if value >= 1 or value == 0 else f"{round(value * 1000)}m"
    if name in ("memory", "ephemeral-storage") or name.startswith("hugepages-"):
        for suffix, size in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
            if value >= size:
                return f"{round(value / size, 2):g}{suffix}"
        return f"{round(value):g}"
    return f"{round(value, 3):g}"


def node_suggestions(nodes: list[Json], pods: list[Json], requirements: dict[str, float]) -> list[Json]:
    """Node groups (nodes with the same labels, hostname aside) that can take a pod needing `requirements`.

    A node matches when it is Ready, schedulable, has no NoSchedule/NoExecute taint and its free resources
    (allocatable minus requests of its pods) cover every requirement. `score` (0-100) = 50 x the share of the
    group's nodes that match + 50 x the mean free share of cpu and memory on the matching nodes, so a group
    where everything fits with room to spare scores highest. Groups without a matching node are left out.
    """
    free = free_resources(nodes, pods)
    groups: dict[tuple[tuple[str, str], ...], list[Json]] = {}
    for n in nodes:
        groups.setdefault(_group_key(n), []).append(n)
    out = []
    for key, members in groups.items():
        fits = [n for n in members if _schedulable(n) and all(
            free[n["metadata"]["name"]].get(r, 0.0) >= amount for r, amount in requirements.items())]
        if not fits:
            continue
        available: dict[str, float] = {}
        shares = []
        for n in fits:
            alloc = {k: parse_quantity(v) for k, v in ((n.get("status") or {}).get("allocatable") or {}).items()}
            for r, v in free[n["metadata"]["name"]].items():
                available[r] = available.get(r, 0.0) + v
            shares += [max(0.0, free[n["metadata"]["name"]].get(r, 0.0)) / alloc[r]
                       for r in ("cpu", "memory") if alloc.get(r)]
        room = sum(shares) / len(shares) if shares else 0.0
        score = round(50.0 * len(fits) / len(members) + 50.0 * room, 1)
        shown = ["cpu", "memory", *([GPU] if GPU in available or GPU in requirements else [])]
        out.append({"node_selector": dict(key), "matching_nodes": len(fits), "total_nodes": len(members),
                    "nodes": sorted(n["metadata"]["name"] for n in fits),
                    "available_resources": {r: _format(r, available.get(r, 0.0)) for r in shown},
                    "score": score})
    return sorted(out, key=lambda s: (-s["score"], -s["matching_nodes"], sorted(s["node_selector"].items())))


# -- topology ----------------------------------------------------------------------------------------------------


def topology_key(key: str) -> str:
    return TOPOLOGY_ALIASES.get(key, key)


def topology_domains(nodes: list[Json], pods: list[Json], key: str) -> tuple[list[Json], list[str]]:
    """Domains (values of the node label `key`) with their nodes and the pods placed on them; nodes without
    the label are returned separately, as the scheduler ignores them for that key."""
    domain_of: dict[str, str] = {}
    unlabeled = []
    for n in nodes:
        name = (n.get("metadata") or {}).get("name", "")
        value = ((n.get("metadata") or {}).get("labels") or {}).get(key)
        if value is None:
            unlabeled.append(name)
        else:
            domain_of[name] = value
    domains: dict[str, Json] = {}
    for node, value in sorted(domain_of.items()):
        domains.setdefault(value, {"name": value, "nodes": [], "resources": []})["nodes"].append(node)
    for p in sorted(pods, key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"])):
        placed = str((p.get("spec") or {}).get("nodeName") or "")
        if placed in domain_of:
            domains[domain_of[placed]]["resources"].append(
                {"type": "pod", "name": p["metadata"]["name"], "namespace": p["metadata"].get("namespace", ""),
                 "node": placed})
    return list(domains.values()), sorted(unlabeled)


# -- affinity graph ------------------------------------------------------------------------------------------------


def _ref(obj: Json) -> str:
    kind = str(obj.get("kind", "")).lower()
    return f"{kind}/{(obj.get('metadata') or {}).get('name', '')}"


def _pod_terms(affinity: Json, kind: str) -> list[tuple[Json, int]]:
    section = affinity.get(kind) or {}
    terms = [(t, 100) for t in section.get("requiredDuringSchedulingIgnoredDuringExecution") or []]
    terms += [(t.get("podAffinityTerm") or {}, int(t.get("weight") or 1))
              for t in section.get("preferredDuringSchedulingIgnoredDuringExecution") or []]
    return terms


def affinity_graph(workloads: list[Json], pods: list[Json], nodes: list[Json], include_nodes: bool,
                   owner_aliases: dict[str, str] | None = None) -> Json:
    """Nodes (workloads, pods and, if asked, cluster nodes), edges and groups from real rules and placement.

    Edges: `nodeAffinity`/`nodeSelector` from a workload to every node its rules accept (weight 100 for
    required rules and nodeSelector, the term's weight for preferred ones); `podAffinity`/`podAntiAffinity`
    from a workload to every other workload or pod whose pod labels the term selects; `placement` from a pod
    to the node it runs on (weight 1); `owns` from a workload to its pods. Groups: the pods each pod (anti-)
    affinity term selects, named by its selector. `owner_aliases` maps an intermediate owner's uid (a
    Deployment's ReplicaSet) to the workload uid that owns it, so its pods hang off the Deployment.
    """
    owned: set[str] = set()
    graph_nodes: list[Json] = []
    edges: list[Json] = []
    groups: dict[tuple[str, str], Json] = {}
    uids = {(w.get("metadata") or {}).get("uid"): _ref(w) for w in workloads}
    uids.update({alias: uids[uid] for alias, uid in (owner_aliases or {}).items() if uid in uids})
    for w in workloads:
        graph_nodes.append({"id": _ref(w), "name": w["metadata"]["name"], "type": str(w.get("kind", "")).lower(),
                            "labels": pod_labels(w)})
    for p in pods:
        ref = _ref(p)
        graph_nodes.append({"id": ref, "name": p["metadata"]["name"], "type": "pod",
                            "labels": dict(p["metadata"].get("labels") or {}),
                            "node": (p.get("spec") or {}).get("nodeName")})
        for o in p["metadata"].get("ownerReferences") or []:
            owner = uids.get(o.get("uid"))
            if owner:
                edges.append({"from": owner, "to": ref, "type": "owns", "weight": 1})
                owned.add(ref)
        if include_nodes and (p.get("spec") or {}).get("nodeName"):
            edges.append({"from": ref, "to": f"node/{p['spec']['nodeName']}", "type": "placement", "weight": 1})
    if include_nodes:
        graph_nodes += [{"id": f"node/{n['metadata']['name']}", "name": n["metadata"]["name"], "type": "node",
                         "labels": dict(n["metadata"].get("labels") or {})} for n in nodes]
    for w in workloads + [p for p in pods if _ref(p) not in owned]:
        spec, ref = pod_spec(w), _ref(w)
        affinity = spec.get("affinity") or {}
        if include_nodes:
            node_aff = affinity.get("nodeAffinity") or {}
            required = (node_aff.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get(
                "nodeSelectorTerms") or []
            for n in nodes:
                target = f"node/{n['metadata']['name']}"
                labels = n["metadata"].get("labels") or {}
                selector = spec.get("nodeSelector") or {}
                if selector and all(labels.get(k) == v for k, v in selector.items()):
                    edges.append({"from": ref, "to": target, "type": "nodeSelector", "weight": 100})
                if required and any(node_matches_term(n, t) for t in required):
                    edges.append({"from": ref, "to": target, "type": "nodeAffinity", "weight": 100})
                for pref in node_aff.get("preferredDuringSchedulingIgnoredDuringExecution") or []:
                    if node_matches_term(n, pref.get("preference") or {}):
                        edges.append({"from": ref, "to": target, "type": "nodeAffinity",
                                      "weight": int(pref.get("weight") or 1)})
        for kind in ("podAffinity", "podAntiAffinity"):
            for term, weight in _pod_terms(affinity, kind):
                selector = term.get("labelSelector")
                chosen = [o for o in workloads + pods if o is not w and _ref(o) not in owned
                          and label_selector_matches(selector, pod_labels(o))]
                edges += [{"from": ref, "to": _ref(o), "type": kind, "weight": weight} for o in chosen]
                name = selector_text(selector)
                group = groups.setdefault((name, kind), {"name": name, "affinity_type": kind, "resources": [],
                                                         "topology_key": term.get("topologyKey", "")})
                group["resources"] = sorted({*group["resources"], *(
                    p["metadata"]["name"] for p in pods if label_selector_matches(selector, pod_labels(p)))})
    return {"nodes": graph_nodes, "edges": edges, "groups": list(groups.values())}


def _mermaid_id(ref: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", ref)


def mermaid(graph: Json) -> str:
    """The graph as Mermaid `graph LR` text: crossed lines for anti-affinity, dotted ones for placement."""
    lines = ["graph LR"]
    for n in graph["nodes"]:
        shape = ("[(", ")]") if n["type"] == "node" else ("([", "])") if n["type"] == "pod" else ("[", "]")
        lines.append(f'  {_mermaid_id(n["id"])}{shape[0]}"{n["type"]}: {n["name"]}"{shape[1]}')
    arrows = {"podAntiAffinity": "--x", "placement": "-.->", "owns": "-->"}
    for e in graph["edges"]:
        arrow = arrows.get(e["type"], "==>")
        lines.append(f'  {_mermaid_id(e["from"])} {arrow}|{e["type"]} {e["weight"]}| {_mermaid_id(e["to"])}')
    return "\n".join(lines) + "\n"
