"""Scheduling as the member's scheduler sees it: pod templates, node selector terms, label selectors, taints,
node groups with free capacity, topology domains and the affinity graph. Pure, so each rule is unit-tested;
the service (cloudops.services.scheduling) only fetches objects and writes what these functions return.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Literal, NotRequired, TypedDict, TypeGuard

from cloudops.clusters.health import parse_quantity
from cloudops.errors import BadRequest
from cloudops.kube.shapes import (
    Affinity,
    LabelSelector,
    NodeSelectorTerm,
    PodAffinityTerm,
    PodSpec,
    Requirement,
)
from cloudops.kube.types import KubeObject

__all__ = [
    "DAEMONSET_TOLERATED",
    "EFFECTS",
    "POD_AFFINITY_KINDS",
    "WORKLOAD_KINDS",
    "DomainRow",
    "GraphData",
    "NodeGroup",
    "RequirementError",
    "Requirements",
    "Taint",
    "add_taints",
    "affinity_graph",
    "effect_summary",
    "label_selector_matches",
    "mermaid",
    "node_matches_term",
    "node_suggestions",
    "parse_requirements",
    "pod_requests",
    "pod_spec",
    "remove_taints",
    "topology_domains",
    "topology_key",
    "workload_tolerations",
]

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
REQUIREMENT_NAMES = ("cpu", "memory", "gpu", "ephemeral-storage", "pods")  # and extended `domain/name` resources
# The tolerations the DaemonSet controller adds to every pod it makes (AddOrUpdateDaemonPodTolerations): its pods
# run on cordoned nodes and on nodes under pressure, where other pods are not scheduled. (network-unavailable is
# added for hostNetwork pods only, so it is not counted.)
DAEMONSET_TOLERATED = frozenset({
    ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule")})
UNSCHEDULABLE = ("node.kubernetes.io/unschedulable", "NoSchedule")
Requirements = dict[str, float | None]  # resource -> amount in base units; None: some of it, any amount


class RequirementError(BadRequest, ValueError):
    """`requirements` that are not `name=quantity` pairs: 400 naming the entry."""


# -- the Kubernetes shapes read here (a PodSpec and its parts are cloudops.kube.shapes') ----------------------


PodAffinityKind = Literal["podAffinity", "podAntiAffinity"]
POD_AFFINITY_KINDS: tuple[PodAffinityKind, ...] = ("podAffinity", "podAntiAffinity")


class Taint(TypedDict, total=False):
    key: str
    value: str
    effect: str
    timeAdded: str


# -- what the rules return --------------------------------------------------------------------------------------


class NodeGroup(TypedDict):
    node_selector: dict[str, str]
    matching_nodes: int
    total_nodes: int
    nodes: list[str]
    available_resources: dict[str, str]
    score: float


class PlacedPod(TypedDict):
    type: str
    name: str
    namespace: str
    node: str


class DomainRow(TypedDict):
    name: str
    nodes: list[str]
    resources: list[PlacedPod]


class GraphNode(TypedDict):
    id: str
    name: str
    type: str
    labels: dict[str, str]
    node: NotRequired[str | None]


GraphEdge = TypedDict("GraphEdge", {"from": str, "to": str, "type": str, "weight": int})


class GraphGroup(TypedDict):
    name: str
    affinity_type: str
    resources: list[str]
    topology_key: str


class GraphData(TypedDict):
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    groups: list[GraphGroup]


def _walk(obj: KubeObject, path: tuple[str, ...]) -> object:
    cur: object = obj
    for part in path:
        cur = cur.get(part) if isinstance(cur, dict) else None
    return cur


def _is_pod_spec(value: object) -> TypeGuard[PodSpec]:
    return isinstance(value, dict)


def _as_pod_spec(value: object) -> PodSpec:
    return value if _is_pod_spec(value) else {}


def pod_spec(obj: KubeObject) -> PodSpec:
    """The pod spec inside a workload (or a pod); empty when the kind has none."""
    path = WORKLOAD_KINDS.get(str(obj.get("kind")))
    return _as_pod_spec(_walk(obj, path) if path else None)


def pod_labels(obj: KubeObject) -> dict[str, str]:
    """The labels of the pods a workload makes (its template's), or a pod's own."""
    if obj.get("kind") == "Pod":
        return dict((obj.get("metadata") or {}).get("labels") or {})
    template = _walk(obj, WORKLOAD_KINDS.get(str(obj.get("kind")), ())[:-1])
    meta = template.get("metadata") if isinstance(template, dict) else None
    return dict((meta or {}).get("labels") or {}) if isinstance(template, dict) else {}


# -- matching --------------------------------------------------------------------------------------------------


def _expression(expr: Requirement, value: str | None) -> bool:
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


def node_matches_term(node: KubeObject, term: NodeSelectorTerm) -> bool:
    """A NodeSelectorTerm: every matchExpression on labels and every matchField (metadata.name) holds."""
    meta = node.get("metadata") or {}
    labels = meta.get("labels") or {}
    exprs, fields = term.get("matchExpressions") or [], term.get("matchFields") or []
    if not exprs and not fields:
        return False  # an empty term matches nothing, as in Kubernetes
    return (all(_expression(e, labels.get(e.get("key", ""))) for e in exprs)
            and all(_expression(f, meta.get("name") if f.get("key") == "metadata.name" else None) for f in fields))


def label_selector_matches(selector: LabelSelector | None, labels: dict[str, str]) -> bool:
    """A metav1.LabelSelector; an empty selector matches everything, a missing one nothing."""
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    return all(_expression(e, labels.get(e.get("key", ""))) for e in selector.get("matchExpressions") or [])


def selector_text(selector: LabelSelector | None) -> str:
    """A label selector as kubectl writes it, for names and messages."""
    parts = [f"{k}={v}" for k, v in sorted((selector or {}).get("matchLabels", {}).items())]
    for e in (selector or {}).get("matchExpressions") or []:
        op, key, values = e.get("operator"), e.get("key"), ",".join(e.get("values") or [])
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})", "Exists": str(key),
                      "DoesNotExist": f"!{key}"}.get(str(op), f"{key} {op} {values}"))
    return ",".join(parts) or "(all)"


# -- taints ------------------------------------------------------------------------------------------------------


def effect_summary(taints: Iterable[Taint]) -> dict[str, int]:
    out = dict.fromkeys(EFFECTS, 0)
    for t in taints:
        effect = t.get("effect")
        if effect in out:
            out[effect] += 1
    return out


def add_taints(existing: list[Taint], new: list[Taint]) -> list[Taint]:
    """Taints are unique by key and effect: a new one replaces the old one with the same pair (its value)."""
    out = [t.copy() for t in existing]
    for t in new:
        entry: Taint = {"key": t["key"], "effect": t["effect"]}
        if t.get("value"):
            entry["value"] = t["value"]
        same = next((i for i, o in enumerate(out) if o.get("key") == t["key"] and o.get("effect") == t["effect"]), None)
        if same is None:
            out.append(entry)
        else:
            out[same] = entry
    return out


def remove_taints(existing: list[Taint], specs: list[Taint]) -> tuple[list[Taint], list[Taint]]:
    """Removes taints matching a spec's key and, when given, its value and effect; returns (kept, removed)."""
    def matches(t: Taint, s: Taint) -> bool:
        return (t.get("key") == s["key"] and (s.get("value") is None or t.get("value", "") == s.get("value"))
                and (s.get("effect") is None or t.get("effect") == s.get("effect")))
    kept = [t for t in existing if not any(matches(t, s) for s in specs)]
    return kept, [t for t in existing if t not in kept]


# -- node suggestions --------------------------------------------------------------------------------------------


def parse_requirements(text: str) -> Requirements:
    """`cpu=2,memory=4Gi,gpu=1` as base units per resource (gpu means nvidia.com/gpu); a name alone, as the
    reference writes it (`cpu,memory,gpu`), needs some of that resource free, any amount (None). RequirementError
    (a ValueError) names the entry that is wrong."""
    out: Requirements = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if name not in REQUIREMENT_NAMES and "/" not in name:
            raise RequirementError(f"{part!r}: expected one of {', '.join(REQUIREMENT_NAMES)} or a domain/name "
                                   "resource, alone or as <name>=<quantity> (cpu=2, memory=4Gi, gpu=1)",
                                   field="requirements")
        if not sep:
            out[GPU if name == "gpu" else name] = None
            continue
        if not value.strip():
            raise RequirementError(f"{part!r}: no quantity after '='", field="requirements")
        try:
            quantity = parse_quantity(value.strip())
        except ValueError:
            raise RequirementError(f"{part!r}: {value.strip()!r} is not a quantity", field="requirements") from None
        if quantity < 0:
            raise RequirementError(f"{part!r}: must not be negative", field="requirements")
        out[GPU if name == "gpu" else name] = quantity
    return out


def pod_requests(pod: KubeObject) -> dict[str, float]:
    """What the scheduler reserves for a pod: the larger of its containers' sum and its largest init container."""
    spec = _as_pod_spec(pod.get("spec"))
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


def workload_tolerations(kind: str | None) -> frozenset[tuple[str, str]]:
    """The (key, effect) taints a workload kind's pods tolerate whatever their template says."""
    return DAEMONSET_TOLERATED if kind == "daemonset" else frozenset()


def _schedulable(node: KubeObject, tolerated: frozenset[tuple[str, str]] = frozenset()) -> bool:
    """Ready, not cordoned and no NoSchedule/NoExecute taint, except those in `tolerated`."""
    ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                for c in (node.get("status") or {}).get("conditions") or [])
    hard = any(t.get("effect") in ("NoSchedule", "NoExecute") and (t.get("key"), t.get("effect")) not in tolerated
               for t in (node.get("spec") or {}).get("taints") or [])
    cordoned = bool((node.get("spec") or {}).get("unschedulable")) and UNSCHEDULABLE not in tolerated
    return ready and not hard and not cordoned


def _allocatable(node: KubeObject) -> dict[str, float]:
    return {k: parse_quantity(v) for k, v in ((node.get("status") or {}).get("allocatable") or {}).items()}


def free_resources(nodes: Iterable[KubeObject], pods: Iterable[KubeObject],
                   requests: Callable[[KubeObject], dict[str, float]] = pod_requests) -> dict[str, dict[str, float]]:
    """Per node: allocatable minus what its pods that still hold resources (not Succeeded/Failed) request, as
    `requests` counts a pod (the cost optimizer adds a pod slot)."""
    used: dict[str, dict[str, float]] = {}
    for p in pods:
        node = (p.get("spec") or {}).get("nodeName")
        if not node or (p.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        for k, v in requests(p).items():
            used.setdefault(node, {})[k] = used.get(node, {}).get(k, 0.0) + v
    out = {}
    for n in nodes:
        name = (n.get("metadata") or {}).get("name", "")
        out[name] = {k: v - used.get(name, {}).get(k, 0.0) for k, v in _allocatable(n).items()}
    return out


def _group_key(node: KubeObject) -> tuple[tuple[str, str], ...]:
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


def _name(obj: KubeObject) -> str:
    return (obj.get("metadata") or {}).get("name", "")


def _group(key: tuple[tuple[str, str], ...], members: list[KubeObject], fits: list[KubeObject],
           free: dict[str, dict[str, float]], requirements: Requirements) -> NodeGroup:
    available: dict[str, float] = {}
    shares = []
    for n in fits:
        alloc = _allocatable(n)
        for r, v in free[_name(n)].items():
            available[r] = available.get(r, 0.0) + v
        shares += [max(0.0, free[_name(n)].get(r, 0.0)) / alloc[r] for r in ("cpu", "memory") if alloc.get(r)]
    room = sum(shares) / len(shares) if shares else 0.0
    score = round(50.0 * len(fits) / len(members) + 50.0 * room, 1)
    shown = list(dict.fromkeys(["cpu", "memory", *([GPU] if GPU in available else []), *requirements]))
    return {"node_selector": dict(key), "matching_nodes": len(fits), "total_nodes": len(members),
            "nodes": sorted(_name(n) for n in fits),
            "available_resources": {r: _format(r, available.get(r, 0.0)) for r in shown}, "score": score}


def _covers(free: dict[str, float], requirements: Requirements) -> bool:
    return all(free.get(r, 0.0) >= amount if amount is not None else free.get(r, 0.0) > 0
               for r, amount in requirements.items())


def node_suggestions(nodes: list[KubeObject], pods: list[KubeObject], requirements: Requirements,
                     tolerated: frozenset[tuple[str, str]] = frozenset()) -> list[NodeGroup]:
    """Node groups (nodes with the same labels, hostname aside) that can take a pod needing `requirements`.

    A node matches when it is Ready, not cordoned, has no NoSchedule/NoExecute taint (but those in `tolerated`:
    workload_tolerations) and its free resources (allocatable minus requests of its pods) cover every
    requirement (an amount of None: some of it free). `score` (0-100) = 50 x the share of the
    group's nodes that match + 50 x the mean free share of cpu and memory on the matching nodes, so a group
    where everything fits with room to spare scores highest. Groups without a matching node are left out.
    """
    free = free_resources(nodes, pods)
    groups: dict[tuple[tuple[str, str], ...], list[KubeObject]] = {}
    for n in nodes:
        groups.setdefault(_group_key(n), []).append(n)
    out = []
    for key, members in groups.items():
        fits = [n for n in members if _schedulable(n, tolerated) and _covers(free[_name(n)], requirements)]
        if fits:
            out.append(_group(key, members, fits, free, requirements))
    return sorted(out, key=lambda s: (-s["score"], -s["matching_nodes"], sorted(s["node_selector"].items())))


# -- topology ----------------------------------------------------------------------------------------------------


def topology_key(key: str) -> str:
    return TOPOLOGY_ALIASES.get(key, key)


def topology_domains(nodes: list[KubeObject], pods: list[KubeObject], key: str) -> tuple[list[DomainRow], list[str]]:
    """Domains (values of the node label `key`) with their nodes and the pods placed on them; nodes without
    the label are returned separately, as the scheduler ignores them for that key."""
    domain_of: dict[str, str] = {}
    unlabeled = []
    for n in nodes:
        value = ((n.get("metadata") or {}).get("labels") or {}).get(key)
        if value is None:
            unlabeled.append(_name(n))
        else:
            domain_of[_name(n)] = value
    domains: dict[str, DomainRow] = {}
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


def _ref(obj: KubeObject) -> str:
    kind = str(obj.get("kind", "")).lower()
    return f"{kind}/{_name(obj)}"


def _pod_terms(affinity: Affinity, kind: PodAffinityKind) -> list[tuple[PodAffinityTerm, int]]:
    section = affinity.get(kind) or {}
    terms = [(t, 100) for t in section.get("requiredDuringSchedulingIgnoredDuringExecution") or []]
    terms += [(t.get("podAffinityTerm") or {}, int(t.get("weight") or 1))
              for t in section.get("preferredDuringSchedulingIgnoredDuringExecution") or []]
    return terms


def _edge(source: str, target: str, kind: str, weight: int) -> GraphEdge:
    return {"from": source, "to": target, "type": kind, "weight": weight}


def _owned_and_placed(graph: GraphData, pods: list[KubeObject], uids: dict[str, str],
                      include_nodes: bool) -> set[str]:
    """Pods as graph nodes, with `owns` edges from their workloads and `placement` edges to their nodes."""
    owned: set[str] = set()
    for p in pods:
        ref, node_name = _ref(p), (p.get("spec") or {}).get("nodeName")
        graph["nodes"].append({"id": ref, "name": p["metadata"]["name"], "type": "pod",
                               "labels": dict(p["metadata"].get("labels") or {}), "node": node_name})
        for o in p["metadata"].get("ownerReferences") or []:
            owner = uids.get(o.get("uid", ""))
            if owner:
                graph["edges"].append(_edge(owner, ref, "owns", 1))
                owned.add(ref)
        if include_nodes and node_name:
            graph["edges"].append(_edge(ref, f"node/{node_name}", "placement", 1))
    return owned


def _node_edges(source: KubeObject, nodes: list[KubeObject]) -> list[GraphEdge]:
    """nodeSelector and nodeAffinity edges from a workload (or pod) to every node its rules accept."""
    spec, ref, edges = pod_spec(source), _ref(source), []
    node_aff = (spec.get("affinity") or {}).get("nodeAffinity") or {}
    required = (node_aff.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or []
    selector = spec.get("nodeSelector") or {}
    for n in nodes:
        target, labels = f"node/{_name(n)}", (n.get("metadata") or {}).get("labels") or {}
        if selector and all(labels.get(k) == v for k, v in selector.items()):
            edges.append(_edge(ref, target, "nodeSelector", 100))
        if required and any(node_matches_term(n, t) for t in required):
            edges.append(_edge(ref, target, "nodeAffinity", 100))
        for pref in node_aff.get("preferredDuringSchedulingIgnoredDuringExecution") or []:
            if node_matches_term(n, pref.get("preference") or {}):
                edges.append(_edge(ref, target, "nodeAffinity", int(pref.get("weight") or 1)))
    return edges


def _pod_affinity_edges(graph: GraphData, groups: dict[tuple[str, str], GraphGroup], source: KubeObject,
                        candidates: list[KubeObject], pods: list[KubeObject]) -> None:
    """podAffinity/podAntiAffinity edges to every candidate the terms select, and the groups they name."""
    affinity, ref = pod_spec(source).get("affinity") or {}, _ref(source)
    for kind in POD_AFFINITY_KINDS:
        for term, weight in _pod_terms(affinity, kind):
            selector = term.get("labelSelector")
            chosen = [o for o in candidates if o is not source and label_selector_matches(selector, pod_labels(o))]
            graph["edges"] += [_edge(ref, _ref(o), kind, weight) for o in chosen]
            name = selector_text(selector)
            group = groups.setdefault((name, kind), {"name": name, "affinity_type": kind, "resources": [],
                                                     "topology_key": term.get("topologyKey", "")})
            group["resources"] = sorted({*group["resources"], *(
                _name(p) for p in pods if label_selector_matches(selector, pod_labels(p)))})


def affinity_graph(workloads: list[KubeObject], pods: list[KubeObject], nodes: list[KubeObject], include_nodes: bool,
                   owner_aliases: dict[str, str] | None = None) -> GraphData:
    """Nodes (workloads, pods and, if asked, cluster nodes), edges and groups from real rules and placement.

    Edges: `nodeAffinity`/`nodeSelector` from a workload to every node its rules accept (weight 100 for
    required rules and nodeSelector, the term's weight for preferred ones); `podAffinity`/`podAntiAffinity`
    from a workload to every other workload or pod whose pod labels the term selects; `placement` from a pod
    to the node it runs on (weight 1); `owns` from a workload to its pods. Groups: the pods each pod (anti-)
    affinity term selects, named by its selector. `owner_aliases` maps an intermediate owner's uid (a
    Deployment's ReplicaSet) to the workload uid that owns it, so its pods hang off the Deployment.
    """
    graph: GraphData = {"nodes": [], "edges": [], "groups": []}
    uids = {(w.get("metadata") or {}).get("uid", ""): _ref(w) for w in workloads}
    uids.update({alias: uids[uid] for alias, uid in (owner_aliases or {}).items() if uid in uids})
    graph["nodes"] += [{"id": _ref(w), "name": w["metadata"]["name"], "type": str(w.get("kind", "")).lower(),
                        "labels": pod_labels(w)} for w in workloads]
    owned = _owned_and_placed(graph, pods, uids, include_nodes)
    if include_nodes:
        graph["nodes"] += [{"id": f"node/{n['metadata']['name']}", "name": n["metadata"]["name"], "type": "node",
                            "labels": dict(n["metadata"].get("labels") or {})} for n in nodes]
    groups: dict[tuple[str, str], GraphGroup] = {}
    candidates = [o for o in workloads + pods if _ref(o) not in owned]
    for source in workloads + [p for p in pods if _ref(p) not in owned]:
        if include_nodes:
            graph["edges"] += _node_edges(source, nodes)
        _pod_affinity_edges(graph, groups, source, candidates, pods)
    graph["groups"] = list(groups.values())
    return graph


def _mermaid_id(ref: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", ref)


def mermaid(graph: GraphData) -> str:
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
