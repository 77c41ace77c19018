"""cloudops.netpol: the Kubernetes NetworkPolicy semantics, one rule at a time."""

from __future__ import annotations

from typing import Any

from cloudops.network.policy_eval import (
    ContainerPort,
    Endpoint,
    Namespace,
    Pod,
    Policy,
    evaluate,
    isolated_directions,
    label_selector_matches,
    resolve_peers,
    selected_pods,
    unisolated_pods,
)

NAMESPACES = {n.name: n for n in (Namespace("prod", {"env": "prod"}), Namespace("dev", {"env": "dev"}),
                                  Namespace("mon", {"team": "ops"}))}
WEB = Pod("prod", "web", {"app": "web"}, "10.0.0.1", (ContainerPort("http", 8080), ContainerPort("dns", 53, "UDP")))
API = Pod("prod", "api", {"app": "api"}, "10.0.0.2")
DB = Pod("prod", "db", {"app": "db", "tier": "data"}, "10.0.0.3")
DEV_API = Pod("dev", "api", {"app": "api"}, "10.0.1.2")
PROM = Pod("mon", "prom", {"app": "prometheus"}, "10.0.2.1")
PODS = [WEB, API, DB, DEV_API, PROM]


def policy(name: str, spec: dict[str, Any], namespace: str = "prod") -> Policy:
    return Policy.from_k8s({"metadata": {"name": name, "namespace": namespace}, "spec": spec})


def ep(pod: Pod) -> Endpoint:
    return Endpoint.of_pod(pod, NAMESPACES)


def may(policies: list[Policy], src: Pod | str, dst: Pod | str, port: int, protocol: str = "TCP") -> bool:
    s = ep(src) if isinstance(src, Pod) else Endpoint.of_ip(src)
    d = ep(dst) if isinstance(dst, Pod) else Endpoint.of_ip(dst)
    return evaluate(policies, s, d, port, protocol).allowed


def test_label_selectors() -> None:
    labels = {"app": "web", "tier": "front"}
    assert label_selector_matches({}, labels) and label_selector_matches(None, labels)
    assert label_selector_matches({"matchLabels": {"app": "web"}}, labels)
    assert not label_selector_matches({"matchLabels": {"app": "web", "x": "y"}}, labels)
    assert label_selector_matches({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "a"]}]},
                                  labels)
    assert not label_selector_matches({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]},
                                      labels)
    assert label_selector_matches({"matchExpressions": [{"key": "gone", "operator": "NotIn", "values": ["x"]}]},
                                  labels)
    assert label_selector_matches({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, labels)
    assert not label_selector_matches({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, labels)
    assert not label_selector_matches({"matchExpressions": [{"key": "app", "operator": "Gt", "values": ["1"]}]},
                                      labels)
    # matchLabels and matchExpressions are ANDed
    assert not label_selector_matches({"matchLabels": {"app": "web"}, "matchExpressions": [
        {"key": "tier", "operator": "In", "values": ["back"]}]}, labels)


def test_no_policy_means_everything_is_allowed() -> None:
    assert may([], API, WEB, 8080) and may([], "8.8.8.8", DB, 1) and may([], DB, "8.8.8.8", 443)
    assert unisolated_pods([], PODS) == PODS


def test_policy_types_default_to_ingress_plus_egress_when_egress_rules_exist() -> None:
    assert policy("a", {"podSelector": {}}).policy_types == ("Ingress",)
    assert policy("b", {"podSelector": {}, "egress": [{}]}).policy_types == ("Ingress", "Egress")
    assert policy("c", {"podSelector": {}, "policyTypes": ["Egress"]}).policy_types == ("Egress",)


def test_default_deny_ingress_selects_every_pod_of_its_namespace_only() -> None:
    deny = policy("deny", {"podSelector": {}, "policyTypes": ["Ingress"]})
    assert not may([deny], API, WEB, 8080) and not may([deny], PROM, DB, 5432)
    assert may([deny], WEB, DEV_API, 80)  # dev is not governed; prod's egress is not isolated
    assert [p.name for p in selected_pods(deny, PODS)] == ["web", "api", "db"]
    assert isolated_directions([deny], WEB) == ["Ingress"]
    assert unisolated_pods([deny], PODS) == [DEV_API, PROM]
    decision = evaluate([deny], ep(API), ep(WEB), 8080)
    assert decision.ingress.isolated and decision.ingress.isolating == ("deny",) and not decision.egress.isolated
    assert "isolated by deny" in decision.reason


def test_default_deny_egress_and_empty_rule_allows_all() -> None:
    deny = policy("deny-egress", {"podSelector": {}, "policyTypes": ["Egress"]})
    assert not may([deny], WEB, DEV_API, 80) and not may([deny], WEB, "1.1.1.1", 443)
    assert may([deny], DEV_API, WEB, 8080)  # ingress to prod stays open
    allow_all = policy("allow-all", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]})
    assert may([deny, allow_all], WEB, "1.1.1.1", 443)  # policies are additive
    assert unisolated_pods([deny], PODS, "Ingress") == PODS


def test_pod_selector_peer_means_the_policy_namespace() -> None:
    p = policy("web-from-api", {"podSelector": {"matchLabels": {"app": "web"}},
                                "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "api"}}}]}]})
    assert may([p], API, WEB, 8080)
    assert not may([p], DEV_API, WEB, 8080)  # same labels, other namespace
    assert not may([p], DB, WEB, 8080)
    assert may([p], DB, API, 1)  # api is not selected by the policy
    assert not may([p], "10.0.0.2", WEB, 8080)  # a bare address is not a pod


def test_namespace_selector_alone_and_with_pod_selector() -> None:
    ns_only = policy("from-dev", {"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"env": "dev"}}}]}]})
    assert may([ns_only], DEV_API, DB, 5432) and not may([ns_only], PROM, DB, 5432)
    assert not may([ns_only], API, DB, 5432)  # its own namespace is not env=dev
    both = policy("ops-prom", {"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"team": "ops"}},
         "podSelector": {"matchLabels": {"app": "prometheus"}}}]}]})
    assert may([both], PROM, WEB, 8080)
    other_in_mon = Pod("mon", "grafana", {"app": "grafana"}, "10.0.2.2")
    assert not may([both], other_in_mon, WEB, 8080)
    # Two peers (OR) instead of one peer with both selectors (AND): grafana now passes.
    either = policy("ops-or-prom", {"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"team": "ops"}}}, {"podSelector": {"matchLabels": {"app": "prom"}}}]}]})
    assert may([either], other_in_mon, WEB, 8080)
    everywhere = policy("any-ns", {"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {}}]}]})
    assert may([everywhere], PROM, WEB, 1) and may([everywhere], DEV_API, WEB, 1)
    assert not may([everywhere], "203.0.113.9", WEB, 1)  # namespaceSelector {} is every pod, not every address


def test_ip_block_with_except() -> None:
    p = policy("egress-ips", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                              "egress": [{"to": [{"ipBlock": {"cidr": "172.17.0.0/16",
                                                              "except": ["172.17.1.0/24"]}}]}]})
    assert may([p], WEB, "172.17.0.5", 443) and may([p], WEB, "172.17.2.200", 443)
    assert not may([p], WEB, "172.17.1.7", 443) and not may([p], WEB, "10.9.9.9", 443)
    assert not may([p], WEB, "::1", 443)  # other family
    assert not may([p], WEB, "not-an-ip", 443)
    v6 = policy("v6", {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "2001:db8::/32"}}]}]})
    assert may([v6], "2001:db8::1", DB, 5432) and not may([v6], "2001:db9::1", DB, 5432)
    # ipBlock matches a pod by its IP
    pods_net = policy("pods-net", {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.1.0/24"}}]}]})
    assert may([pods_net], DEV_API, DB, 1) and not may([pods_net], API, DB, 1)


def test_ports_protocols_ranges_and_named_ports() -> None:
    p = policy("ports", {"podSelector": {}, "ingress": [{"ports": [
        {"port": 80}, {"protocol": "UDP", "port": 53}, {"port": 9000, "endPort": 9010}, {"port": "http"}]}]})
    assert may([p], API, DB, 80) and not may([p], API, DB, 81)
    assert not may([p], API, DB, 80, "UDP") and may([p], API, DB, 53, "udp")
    assert may([p], API, DB, 9005) and may([p], API, DB, 9010) and not may([p], API, DB, 9011)
    assert may([p], API, WEB, 8080)  # web names 8080 "http"
    assert not may([p], API, DB, 8080)  # db has no port named http
    named_udp = policy("dns", {"podSelector": {}, "ingress": [{"ports": [{"port": "dns", "protocol": "UDP"}]}]})
    assert may([named_udp], API, WEB, 53, "UDP") and not may([named_udp], API, WEB, 53, "TCP")
    all_tcp = policy("tcp", {"podSelector": {}, "ingress": [{"ports": [{"protocol": "TCP"}]}]})
    assert may([all_tcp], API, DB, 12345) and not may([all_tcp], API, DB, 12345, "SCTP")
    # egress to a named port resolves against the destination pod; to a bare address it cannot match
    eg = policy("eg", {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Egress"],
                       "egress": [{"ports": [{"port": "http"}]}]})
    assert may([eg], API, WEB, 8080) and not may([eg], API, "1.2.3.4", 8080)


def test_both_ends_must_allow() -> None:
    egress = policy("api-out", {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Egress"],
                                "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}],
                                            "ports": [{"port": 5432}]}]})
    ingress = policy("db-in", {"podSelector": {"matchLabels": {"app": "db"}},
                               "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}]})
    assert not may([egress, ingress], API, DB, 5432)  # egress ok, ingress refuses api
    assert may([egress, ingress], WEB, DB, 5432)  # web's egress is open, db admits web
    d = evaluate([egress, ingress], ep(API), ep(DB), 5432)
    assert d.egress.allowed and d.egress.allowing == ("api-out",) and not d.ingress.allowed
    assert not may([egress], API, WEB, 8080) and not may([egress], API, DB, 5433)


def test_host_network_pods_are_not_governed() -> None:
    host = Pod("prod", "node-agent", {"app": "web"}, "192.0.2.10", host_network=True)
    deny = policy("deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
    assert may([deny], API, host, 1) is False  # api's egress is denied
    assert may([], host, WEB, 1) and not may([deny], host, WEB, 1)
    assert isolated_directions([deny], host) == []
    allow_pods = policy("pods", {"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}]})
    assert not may([allow_pods], host, WEB, 8080)  # host-network traffic is not "a pod" to a podSelector


def test_resolve_peers_lists_what_each_peer_covers() -> None:
    p = policy("mixed", {"podSelector": {"matchLabels": {"app": "db"}}, "ingress": [
        {"from": [{"podSelector": {"matchLabels": {"app": "api"}}},
                  {"namespaceSelector": {"matchExpressions": [{"key": "env", "operator": "Exists"}]}},
                  {"ipBlock": {"cidr": "10.1.0.0/16", "except": ["10.1.2.0/24"]}}]},
        {"ports": [{"port": 5432}]}]})
    first = resolve_peers(p, "Ingress", 0, PODS, NAMESPACES)
    assert first[0].kind == "pods" and first[0].namespaces == ("prod",) and [x.name for x in first[0].pods] == ["api"]
    assert first[1].namespaces == ("dev", "prod") and {(x.namespace, x.name) for x in first[1].pods} == {
        ("prod", "web"), ("prod", "api"), ("prod", "db"), ("dev", "api")}
    assert first[2].kind == "ip_block" and first[2].cidr == "10.1.0.0/16" and first[2].except_ == ("10.1.2.0/24",)
    assert [r.kind for r in resolve_peers(p, "Ingress", 1, PODS, NAMESPACES)] == ["all"]


def test_from_k8s_reads_real_objects() -> None:
    pod = Pod.from_k8s({"metadata": {"name": "w", "namespace": "n", "labels": {"a": "b"}},
                        "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 80}]}]},
                        "status": {"podIP": "10.0.0.9"}})
    assert pod.ip == "10.0.0.9" and pod.named_port("http", "TCP") == 80 and pod.named_port("http", "UDP") is None
    ns = Namespace.from_k8s({"metadata": {"name": "n", "labels": {"x": "y"}}})
    assert ns.labels == {"kubernetes.io/metadata.name": "n", "x": "y"}
    by_name = policy("by-name", {"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {
        "matchLabels": {"kubernetes.io/metadata.name": "mon"}}}]}]})
    assert may([by_name], PROM, WEB, 1) and not may([by_name], DEV_API, WEB, 1)
