"""The NetworkPolicy evaluator, pure: "may A reach pod B on port P/protocol?" under `networking.k8s.io/v1` rules.

Kubernetes keeps no status for NetworkPolicies, so the network section computes one, the compliance section
checks isolation and the security section generates policies; all three answer their questions here, from
plain Kubernetes JSON (pods, namespaces, policies), without a cluster.

Semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
- a policy selects the pods of its own namespace that match `podSelector` (`{}` selects all of them);
- `policyTypes` defaults to Ingress, plus Egress when the policy has egress rules;
- a pod is isolated in a direction when any policy selecting it has that type; an isolated pod accepts
  (sends) only what some rule of some such policy allows; policies are additive, there is no deny rule;
- a rule with no `from`/`to` admits every peer, a rule with no `ports` every port; a rule list that is
  empty while the type is set admits nothing (default deny);
- a peer with only `podSelector` means pods of the policy's namespace; with `namespaceSelector` (and
  optionally `podSelector`) pods in the matching namespaces; `ipBlock` matches addresses in `cidr` and not in
  any `except` (for pods it matches their IP: what plugins do for off-cluster traffic, implementation-defined
  for pod IPs);
- a named port matches the destination pod's container port of that name and protocol; `endPort` makes a range;
- a connection happens only when the source's egress and the destination's ingress both allow it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from cloudops.kube import shapes
from cloudops.network import kinds

__all__ = [
    "DIRECTIONS",
    "ContainerPort",
    "Decision",
    "Direction",
    "Endpoint",
    "Namespace",
    "Pod",
    "Policy",
    "ResolvedPeer",
    "Side",
    "evaluate",
    "isolated_directions",
    "label_selector_matches",
    "peer_matches",
    "policies_selecting",
    "resolve_peers",
    "rule_allows",
    "rule_peers",
    "selected_pods",
    "selector_matches",
    "unisolated_pods",
]

Direction = Literal["Ingress", "Egress"]
NAME_LABEL = "kubernetes.io/metadata.name"
DIRECTIONS: tuple[Direction, ...] = ("Ingress", "Egress")


def label_selector_matches(selector: Mapping[str, object] | None, labels: Mapping[str, str]) -> bool:
    """A metav1.LabelSelector (matchLabels and matchExpressions, ANDed); `{}` matches everything.

    None also matches everything: callers that give "absent" another meaning check for None first.
    An unknown operator matches nothing, so a malformed selector never widens access.
    """
    return selector_matches(None if selector is None else kinds.parse(shapes.LabelSelector, selector), labels)


def selector_matches(selector: shapes.LabelSelector | None, labels: Mapping[str, str]) -> bool:
    """label_selector_matches for a selector already read as one."""
    if not selector:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key", ""), expr.get("operator", ""), expr.get("values") or []
        if op == "In":
            ok = key in labels and labels[key] in values
        elif op == "NotIn":
            ok = key not in labels or labels[key] not in values
        elif op == "Exists":
            ok = key in labels
        elif op == "DoesNotExist":
            ok = key not in labels
        else:
            return False
        if not ok:
            return False
    return True


@dataclass(frozen=True)
class ContainerPort:
    name: str
    port: int
    protocol: str = "TCP"


@dataclass(frozen=True)
class Pod:
    namespace: str
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    ip: str | None = None
    ports: tuple[ContainerPort, ...] = ()
    host_network: bool = False

    @classmethod
    def from_k8s(cls, obj: Mapping[str, object]) -> Pod:
        return cls.of(kinds.parse(shapes.Pod, obj))

    @classmethod
    def of(cls, pod: shapes.Pod) -> Pod:
        meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
        ports = tuple(ContainerPort(str(p.get("name") or ""), int(p.get("containerPort") or 0),
                                    str(p.get("protocol") or "TCP"))
                      for c in spec.get("containers") or [] for p in c.get("ports") or [])
        return cls(str(meta.get("namespace") or ""), str(meta.get("name") or ""), dict(meta.get("labels") or {}),
                   status.get("podIP") or None, ports, bool(spec.get("hostNetwork")))

    def named_port(self, name: str, protocol: str) -> int | None:
        return next((p.port for p in self.ports if p.name == name and p.protocol == protocol), None)


@dataclass(frozen=True)
class Namespace:
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The apiserver sets this label on every namespace (1.21+); objects built by hand may lack it.
        object.__setattr__(self, "labels", {NAME_LABEL: self.name, **self.labels})

    @classmethod
    def from_k8s(cls, obj: Mapping[str, object]) -> Namespace:
        return cls.of(kinds.parse(kinds.Namespace, obj))

    @classmethod
    def of(cls, namespace: kinds.Namespace) -> Namespace:
        meta = namespace.get("metadata") or {}
        return cls(str(meta.get("name") or ""), dict(meta.get("labels") or {}))


@dataclass(frozen=True)
class Endpoint:
    """One end of a connection: a pod (with its namespace's labels) or a bare address outside the cluster."""

    pod: Pod | None = None
    namespace_labels: Mapping[str, str] = field(default_factory=dict)
    ip: str | None = None

    @classmethod
    def of_pod(cls, pod: Pod, namespaces: Mapping[str, Namespace]) -> Endpoint:
        ns = namespaces.get(pod.namespace)
        labels = ns.labels if ns else {NAME_LABEL: pod.namespace}
        return cls(pod, labels, pod.ip)

    @classmethod
    def of_ip(cls, ip: str) -> Endpoint:
        return cls(None, {}, ip)

    def describe(self) -> str:
        return f"pod {self.pod.namespace}/{self.pod.name}" if self.pod else f"address {self.ip}"


@dataclass(frozen=True)
class Policy:
    namespace: str
    name: str
    pod_selector: shapes.LabelSelector
    policy_types: tuple[Direction, ...]
    ingress: tuple[kinds.PolicyRule, ...]
    egress: tuple[kinds.PolicyRule, ...]

    @classmethod
    def from_k8s(cls, obj: Mapping[str, object]) -> Policy:
        return cls.of(kinds.parse(kinds.NetworkPolicy, obj))

    @classmethod
    def of(cls, policy: kinds.NetworkPolicy) -> Policy:
        meta, spec = policy.get("metadata") or {}, policy.get("spec") or {}
        egress = tuple(spec.get("egress") or [])
        types = spec.get("policyTypes") or (["Ingress", "Egress"] if egress else ["Ingress"])
        return cls(str(meta.get("namespace") or ""), str(meta.get("name") or ""), spec.get("podSelector") or {},
                   tuple(t for t in DIRECTIONS if t in types), tuple(spec.get("ingress") or []), egress)

    def selects(self, pod: Pod) -> bool:
        return pod.namespace == self.namespace and selector_matches(self.pod_selector, pod.labels)

    def rules(self, direction: Direction) -> tuple[kinds.PolicyRule, ...]:
        return self.ingress if direction == "Ingress" else self.egress


def rule_peers(rule: kinds.PolicyRule, direction: Direction) -> list[kinds.Peer]:
    """A rule's `from` (Ingress) or `to` (Egress) peers; empty when the rule names none."""
    return (rule.get("from") if direction == "Ingress" else rule.get("to")) or []


def _ip_in_block(ip: str, block: kinds.IpBlock) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
        net = ipaddress.ip_network(str(block.get("cidr", "")), strict=False)
        if addr.version != net.version or addr not in net:
            return False
        for ex in block.get("except") or []:
            exn = ipaddress.ip_network(str(ex), strict=False)
            if exn.version == addr.version and addr in exn:
                return False
    except ValueError:
        return False
    return True


def peer_matches(peer: kinds.Peer, policy_namespace: str, other: Endpoint) -> bool:
    """Whether one `from`/`to` entry of a policy in `policy_namespace` covers `other`."""
    block = peer.get("ipBlock")
    if block is not None:
        return other.ip is not None and _ip_in_block(other.ip, block)
    pod = other.pod
    if pod is None or pod.host_network:
        return False
    pod_sel, ns_sel = peer.get("podSelector"), peer.get("namespaceSelector")
    if pod_sel is None and ns_sel is None:
        return False
    if ns_sel is None:
        in_namespace = pod.namespace == policy_namespace
    else:
        in_namespace = selector_matches(ns_sel, other.namespace_labels)
    return in_namespace and (pod_sel is None or selector_matches(pod_sel, pod.labels))


def _port_matches(spec: kinds.PolicyPort, port: int, protocol: str, target: Pod | None) -> bool:
    if str(spec.get("protocol") or "TCP") != protocol:
        return False
    want = spec.get("port")
    if want is None:
        return True
    if isinstance(want, str) and not (want.isascii() and want.isdigit()):
        number = target.named_port(want, protocol) if target else None
        return number is not None and number == port
    low = int(want)
    high = int(spec.get("endPort") or low)
    return low <= port <= high


def rule_allows(rule: kinds.PolicyRule, direction: Direction, policy_namespace: str, peer: Endpoint,
                port: int, protocol: str, target: Pod | None) -> bool:
    """One ingress/egress rule: `peer` is the other end, `target` the pod that owns `port` (the destination)."""
    peers = rule_peers(rule, direction)
    if peers and not any(peer_matches(p, policy_namespace, peer) for p in peers):
        return False
    ports = rule.get("ports")
    return not ports or any(_port_matches(p, port, protocol, target) for p in ports)


@dataclass(frozen=True)
class Side:
    """One direction at one pod: isolated or not, allowed or not, and the policies that decided it."""

    isolated: bool
    allowed: bool
    isolating: tuple[str, ...] = ()  # names of the policies that select the pod for this direction
    allowing: tuple[str, ...] = ()  # those with a rule that admits the connection

    def explain(self, who: str, direction: Direction) -> str:
        if not self.isolated:
            return f"{who}: no policy isolates {direction.lower()}"
        if self.allowed:
            return f"{who}: {direction.lower()} allowed by {', '.join(self.allowing)}"
        return f"{who}: {direction.lower()} isolated by {', '.join(self.isolating)} and no rule allows it"


OPEN = Side(False, True)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    egress: Side
    ingress: Side
    reason: str


def _side(policies: Iterable[Policy], pod: Pod, direction: Direction, peer: Endpoint, port: int, protocol: str,
          target: Pod | None) -> Side:
    isolating = [p for p in policies if direction in p.policy_types and p.selects(pod)]
    if not isolating:
        return OPEN
    allowing = [p for p in isolating if any(rule_allows(r, direction, p.namespace, peer, port, protocol, target)
                                            for r in p.rules(direction))]
    return Side(True, bool(allowing), tuple(p.name for p in isolating), tuple(p.name for p in allowing))


def evaluate(policies: Sequence[Policy], source: Endpoint, destination: Endpoint, port: int,
             protocol: str = "TCP") -> Decision:
    """May `source` open a connection to `destination` on `port`/`protocol`?

    Pods on the host network are outside NetworkPolicy (neither side is isolated); bare addresses have no
    policies of their own, so only the pod end(s) decide.
    """
    protocol = protocol.upper()
    dst_pod = destination.pod if destination.pod and not destination.pod.host_network else None
    src_pod = source.pod if source.pod and not source.pod.host_network else None
    egress = _side(policies, src_pod, "Egress", destination, port, protocol, dst_pod) if src_pod else OPEN
    ingress = _side(policies, dst_pod, "Ingress", source, port, protocol, dst_pod) if dst_pod else OPEN
    parts = [egress.explain(source.describe(), "Egress"), ingress.explain(destination.describe(), "Ingress")]
    return Decision(egress.allowed and ingress.allowed, egress, ingress, "; ".join(parts))


def policies_selecting(policies: Iterable[Policy], pod: Pod) -> list[Policy]:
    return [p for p in policies if p.selects(pod)]


def selected_pods(policy: Policy, pods: Iterable[Pod]) -> list[Pod]:
    return [p for p in pods if policy.selects(p)]


def isolated_directions(policies: Iterable[Policy], pod: Pod) -> list[Direction]:
    """The directions in which some policy isolates `pod`, in the order Ingress, Egress."""
    found = {t for p in policies if p.selects(pod) for t in p.policy_types}
    return [d for d in DIRECTIONS if d in found and not pod.host_network]


def unisolated_pods(policies: Sequence[Policy], pods: Iterable[Pod], direction: Direction | None = None) -> list[Pod]:
    """Pods no policy isolates (in `direction`, or in either direction when None): open to all traffic there."""
    out = []
    for pod in pods:
        dirs = isolated_directions(policies, pod)
        if (direction is None and not dirs) or (direction is not None and direction not in dirs):
            out.append(pod)
    return out


@dataclass(frozen=True)
class ResolvedPeer:
    """One peer of one rule, resolved against what exists: the namespaces and pods it covers, or its ipBlock."""

    kind: Literal["all", "pods", "ip_block"]
    namespaces: tuple[str, ...] = ()
    pods: tuple[Pod, ...] = ()
    cidr: str | None = None
    except_: tuple[str, ...] = ()


def resolve_peers(policy: Policy, direction: Direction, rule_index: int, pods: Sequence[Pod],
                  namespaces: Mapping[str, Namespace]) -> list[ResolvedPeer]:
    """The peers of `policy`'s rule `rule_index` in `direction`, against the given pods and namespaces."""
    peers = rule_peers(policy.rules(direction)[rule_index], direction)
    if not peers:
        return [ResolvedPeer("all")]
    out = []
    for peer in peers:
        block = peer.get("ipBlock")
        if block is not None:
            out.append(ResolvedPeer("ip_block", cidr=str(block.get("cidr", "")),
                                    except_=tuple(str(e) for e in block.get("except") or [])))
            continue
        ns_sel = peer.get("namespaceSelector")
        ns_names: tuple[str, ...]
        if ns_sel is None:
            ns_names = (policy.namespace,)
        else:
            ns_names = tuple(sorted(n.name for n in namespaces.values() if selector_matches(ns_sel, n.labels)))
        covered = tuple(p for p in pods if peer_matches(peer, policy.namespace, Endpoint.of_pod(p, namespaces)))
        out.append(ResolvedPeer("pods", ns_names, covered))
    return out
