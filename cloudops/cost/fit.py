"""Would the pods of the nodes suggested for removal fit on the nodes that remain? (pure)

The scheduler's filters that decide where a moved pod may land, for the instance advice (cloudops.cost.optimize):
- NodeResourcesFit: every resource the pod requests (cloudops.scheduling.pod_requests: containers, init
  containers, overhead; plus one of the node's `pods`) within the node's allocatable minus what the pods already
  on it request; a resource the node does not offer (a GPU) does not fit;
- NodeUnschedulable and readiness: the node is Ready and not cordoned (unless the pod tolerates the cordon);
- NodeAffinity: the pod's `nodeSelector` and its required node affinity (terms ORed, as
  cloudops.scheduling.node_matches_term matches one);
- TaintToleration: every NoSchedule and NoExecute taint tolerated (PreferNoSchedule only scores).
Pods with required pod (anti-)affinity or hard topology spread constraints are not placed: those depend on
where every other pod lands, which this check does not model, so it answers "unknown" (not placed) rather
than advise a drain the scheduler might refuse.

Placement is first-fit decreasing (largest requests first, each onto the admitting node with the most CPU left):
a heuristic, so it may miss a packing that exists, never claim one that does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cloudops.kube.narrow import dig, mappings
from cloudops.kube.shapes import PodSpec, Toleration
from cloudops.kube.types import KubeObject
from cloudops.scheduling import Taint as NodeTaint
from cloudops.scheduling import free_resources, node_matches_term, pod_requests, pod_spec

__all__ = ["UNSCHEDULABLE_TAINT", "Placement", "admits", "free", "place", "pod_ref", "ready", "requests", "tolerates"]

UNSCHEDULABLE_TAINT: NodeTaint = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
HARD_EFFECTS = ("NoSchedule", "NoExecute")
Resources = dict[str, float]


def pod_ref(pod: KubeObject) -> str:
    meta = pod.get("metadata") or {}
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}"


def _node_name(node: KubeObject) -> str:
    return (node.get("metadata") or {}).get("name", "")


def _spec(pod: KubeObject) -> PodSpec:
    return pod_spec({"kind": "Pod", "spec": pod.get("spec")})


def requests(pod: KubeObject) -> Resources:
    """What the scheduler reserves for the pod on a node, including one of the node's pod slots."""
    return {**pod_requests(pod), "pods": 1.0}


def tolerates(tolerations: Iterable[Toleration], taint: NodeTaint) -> bool:
    """Kubernetes' ToleratesTaint: an empty effect matches every effect, an empty key with Exists every key;
    Exists ignores the value, Equal (the default) compares it."""
    for t in tolerations:
        if t.get("effect") and t.get("effect") != taint.get("effect"):
            continue
        if t.get("key") and t.get("key") != taint.get("key"):
            continue
        if not t.get("key") and t.get("operator") != "Exists":
            continue
        if t.get("operator") == "Exists" or t.get("value", "") == taint.get("value", ""):
            return True
    return False


def ready(node: KubeObject) -> bool:
    conditions = (node.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _needs_other_pods(pod: KubeObject) -> str | None:
    """Why where the pod may land depends on other pods (not modelled here), or None."""
    affinity = _spec(pod).get("affinity") or {}
    for kind, terms in (("podAffinity", affinity.get("podAffinity")),
                        ("podAntiAffinity", affinity.get("podAntiAffinity"))):
        if (terms or {}).get("requiredDuringSchedulingIgnoredDuringExecution"):
            return f"required {kind} (not evaluated here)"
    constraints = mappings(dig(pod, "spec").get("topologySpreadConstraints"))
    if any(c.get("whenUnsatisfiable", "DoNotSchedule") == "DoNotSchedule" for c in constraints):
        return "topologySpreadConstraints with DoNotSchedule (not evaluated here)"
    return None


def admits(node: KubeObject, pod: KubeObject) -> str | None:
    """None when the node's state, labels and taints let the pod land there (resources aside); else why not."""
    spec = _spec(pod)
    tolerations = spec.get("tolerations") or []
    if not ready(node):
        return "not Ready"
    node_spec = node.get("spec") or {}
    if node_spec.get("unschedulable") and not tolerates(tolerations, UNSCHEDULABLE_TAINT):
        return "cordoned"
    labels = (node.get("metadata") or {}).get("labels") or {}
    wrong = sorted(f"{k}={v}" for k, v in (spec.get("nodeSelector") or {}).items() if labels.get(k) != v)
    if wrong:
        return f"nodeSelector {', '.join(wrong)} does not match"
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution")
    if required is not None and not any(node_matches_term(node, t) for t in required.get("nodeSelectorTerms") or []):
        return "required node affinity does not match"
    for taint in node_spec.get("taints") or []:
        if taint.get("effect") in HARD_EFFECTS and not tolerates(tolerations, taint):
            value = f"={taint['value']}" if taint.get("value") else ""
            return f"taint {taint.get('key')}{value}:{taint.get('effect')} not tolerated"
    return None


def free(nodes: Iterable[KubeObject], pods: Iterable[KubeObject]) -> dict[str, Resources]:
    """Per node: allocatable minus what the pods on it that still hold resources request (pods included)."""
    return free_resources(nodes, pods, requests)


@dataclass
class Placement:
    """Where each pod would land (pod ref -> node) and why the others land nowhere (pod ref -> reason)."""

    nodes: dict[str, str] = field(default_factory=dict)
    unplaced: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.unplaced


def _short(need: Resources, room: Resources) -> str | None:
    """The first requested resource the room lacks, or None."""
    for k, v in sorted(need.items()):
        if v > 0 and room.get(k, 0.0) < v:
            return k
    return None


def _why_not(reasons: Mapping[str, str]) -> str:
    return "; ".join(f"{n}: {r}" for n, r in sorted(reasons.items())) or "no node left"


def place(pods: Iterable[KubeObject], nodes: list[KubeObject], room: Mapping[str, Resources]) -> Placement:
    """Places `pods` onto `nodes` whose free resources are `room` (cloudops.cost.fit.free), first-fit
    decreasing; the pods placed take their share of the room in turn."""
    left = {n: dict(r) for n, r in room.items()}
    out = Placement()
    ordered = sorted(pods, key=lambda p: (-requests(p).get("cpu", 0.0), -requests(p).get("memory", 0.0),
                                          pod_ref(p)))
    for pod in ordered:
        need = requests(pod)
        blocked = _needs_other_pods(pod)
        if blocked is not None:
            out.unplaced[pod_ref(pod)] = blocked
            continue
        reasons: dict[str, str] = {}
        fitting = []
        for n in nodes:
            name = _node_name(n)
            why = admits(n, pod)
            if why is None and (short := _short(need, left.get(name, {}))) is not None:
                why = f"not enough {short} left"
            if why is None:
                fitting.append(name)
            else:
                reasons[name] = why
        if not fitting:
            out.unplaced[pod_ref(pod)] = _why_not(reasons)
            continue
        best = max(fitting, key=lambda n: (left[n].get("cpu", 0.0), left[n].get("memory", 0.0), n))
        out.nodes[pod_ref(pod)] = best
        for k, v in need.items():
            left[best][k] = left[best].get(k, 0.0) - v
    return out
