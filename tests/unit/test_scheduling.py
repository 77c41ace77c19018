"""Scheduling rules as the scheduler applies them: terms, selectors, taints, free capacity, domains, graph."""

from __future__ import annotations

from typing import Any

import pytest

from cloudops.scheduling import (
    add_taints,
    affinity_graph,
    effect_summary,
    label_selector_matches,
    mermaid,
    node_matches_term,
    node_suggestions,
    parse_requirements,
    pod_requests,
    pod_spec,
    remove_taints,
    topology_domains,
    topology_key,
    workload_tolerations,
)

Json = dict[str, Any]


def node(name: str, cpu: str = "4", memory: str = "8Gi", ready: bool = True, taints: list[Json] | None = None,
         **labels: str) -> Json:
    return {"kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **labels}},
            "spec": {"taints": taints or []},
            "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": "110"},
                       "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def pod(name: str, on: str | None, cpu: str = "0", memory: str = "0", phase: str = "Running", **labels: str) -> Json:
    return {"kind": "Pod", "metadata": {"name": name, "namespace": "ns", "labels": labels, "uid": f"u-{name}"},
            "spec": {"nodeName": on, "containers": [{"name": "c", "resources": {"requests": {"cpu": cpu,
                                                                                          "memory": memory}}}]},
            "status": {"phase": phase}}


def test_node_selector_terms() -> None:
    n = node("n1", zone="a", gen="5")
    assert node_matches_term(n, {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]},
                                                      {"key": "gen", "operator": "Gt", "values": ["4"]}]})
    assert not node_matches_term(n, {"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]})
    assert node_matches_term(n, {"matchExpressions": [{"key": "gpu", "operator": "DoesNotExist"}]})
    assert node_matches_term(n, {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]})
    assert not node_matches_term(n, {})
    assert not node_matches_term(n, {"matchExpressions": [{"key": "gen", "operator": "Lt", "values": ["x"]}]})


def test_label_selectors() -> None:
    labels = {"app": "db", "tier": "back"}
    assert label_selector_matches({"matchLabels": {"app": "db"}}, labels)
    assert label_selector_matches({}, labels) and not label_selector_matches(None, labels)
    assert not label_selector_matches({"matchExpressions": [{"key": "tier", "operator": "NotIn",
                                                             "values": ["back"]}]}, labels)


def test_taints_are_unique_by_key_and_effect() -> None:
    existing = [{"key": "dedicated", "value": "app", "effect": "NoSchedule"}]
    out = add_taints(existing, [{"key": "dedicated", "value": "db", "effect": "NoSchedule"},
                                {"key": "dedicated", "value": "db", "effect": "NoExecute"}])
    assert out == [{"key": "dedicated", "value": "db", "effect": "NoSchedule"},
                   {"key": "dedicated", "value": "db", "effect": "NoExecute"}]
    assert effect_summary(out) == {"NoSchedule": 1, "PreferNoSchedule": 0, "NoExecute": 1}
    kept, removed = remove_taints(out, [{"key": "dedicated", "effect": "NoExecute"}])
    assert kept == out[:1] and removed == out[1:]
    assert remove_taints(out, [{"key": "dedicated", "value": "other"}]) == (out, [])
    assert remove_taints(out, [{"key": "dedicated"}]) == ([], out)


def test_requirements_and_requests() -> None:
    assert parse_requirements("cpu=500m, memory=1Gi,gpu=1") == {"cpu": 0.5, "memory": 2**30, "nvidia.com/gpu": 1}
    assert parse_requirements("") == {}
    for bad in ("disk", "disk=1", "cpu=lots", "cpu=-1", "pods=.34506E7863569750", "cpu=", "=1"):
        with pytest.raises(ValueError):
            parse_requirements(bad)
    p = pod("p", "n1", cpu="250m", memory="1Gi")
    p["spec"]["initContainers"] = [{"name": "i", "resources": {"requests": {"cpu": "1"}}}]
    assert pod_requests(p) == {"cpu": 1.0, "memory": 2**30}


def test_requirements_in_the_references_form_name_resources_without_an_amount() -> None:
    """`requirements=cpu,memory,gpu` (the reference's example): each named resource must be free on the node."""
    assert parse_requirements("cpu,memory,gpu") == {"cpu": None, "memory": None, "nvidia.com/gpu": None}
    assert parse_requirements("cpu=2, gpu") == {"cpu": 2.0, "nvidia.com/gpu": None}
    gpu_node = node("g1", type="gpu")
    gpu_node["status"]["allocatable"]["nvidia.com/gpu"] = "2"
    nodes, pods = [node("c1", type="cpu"), gpu_node], [pod("busy", "c1", cpu="4")]
    assert [s["nodes"] for s in node_suggestions(nodes, pods, parse_requirements("cpu,memory"))] == [["g1"]]
    got = node_suggestions(nodes, [], parse_requirements("cpu,memory,gpu"))
    assert [s["nodes"] for s in got] == [["g1"]]
    assert got[0]["available_resources"] == {"cpu": "4", "memory": "8Gi", "nvidia.com/gpu": "2"}


def test_daemonset_pods_tolerate_cordoned_and_pressured_nodes() -> None:
    """The DaemonSet controller's own tolerations: `resource_type=daemonset` counts nodes plain pods avoid."""
    cordoned = node("n2", type="t", taints=[{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}])
    cordoned["spec"]["unschedulable"] = True
    pressured = node("n3", type="t", taints=[{"key": "node.kubernetes.io/disk-pressure", "effect": "NoSchedule"}])
    dedicated = node("n4", type="t", taints=[{"key": "dedicated", "effect": "NoSchedule"}])
    nodes = [node("n1", type="t"), cordoned, pressured, dedicated, node("n5", type="t", ready=False)]
    plain = node_suggestions(nodes, [], {}, workload_tolerations("deployment"))
    daemon = node_suggestions(nodes, [], {}, workload_tolerations("daemonset"))
    assert [s["nodes"] for s in plain] == [["n1"]]
    assert [s["nodes"] for s in daemon] == [["n1", "n2", "n3"]] and daemon[0]["total_nodes"] == 5
    assert workload_tolerations(None) == frozenset()


def test_suggestions_group_nodes_and_subtract_requests() -> None:
    nodes = [node("a1", type="compute"), node("a2", type="compute"), node("b1", cpu="2", type="small"),
             node("c1", type="tainted", taints=[{"key": "x", "effect": "NoSchedule"}])]
    pods = [pod("busy", "a1", cpu="3"), pod("done", "a2", cpu="4", phase="Succeeded")]
    got = node_suggestions(nodes, pods, {"cpu": 2.0})
    assert [(s["node_selector"]["type"], s["matching_nodes"], s["total_nodes"]) for s in got] == [
        ("small", 1, 1), ("compute", 1, 2)]
    compute = next(s for s in got if s["node_selector"]["type"] == "compute")
    assert compute["nodes"] == ["a2"] and compute["available_resources"] == {"cpu": "4", "memory": "8Gi"}
    assert "kubernetes.io/hostname" not in compute["node_selector"]
    # 50 x 1/2 of the group fits + 50 x (cpu 4/4 free, memory 8/8 free) = 75
    assert compute["score"] == 75.0
    small = next(s for s in got if s["node_selector"]["type"] == "small")
    assert small["score"] == 100.0
    assert node_suggestions(nodes, pods, {"cpu": 5.0}) == []


def test_topology_domains() -> None:
    nodes = [node("n1", **{"topology.kubernetes.io/zone": "z1"}), node("n2", **{"topology.kubernetes.io/zone": "z1"}),
             node("n3")]
    domains, unlabeled = topology_domains(nodes, [pod("p1", "n2"), pod("p2", "n3"), pod("p0", None)],
                                          topology_key("zone"))
    assert domains == [{"name": "z1", "nodes": ["n1", "n2"],
                        "resources": [{"type": "pod", "name": "p1", "namespace": "ns", "node": "n2"}]}]
    assert unlabeled == ["n3"]
    assert [d["name"] for d in topology_domains(nodes, [], "kubernetes.io/hostname")[0]] == ["n1", "n2", "n3"]


def deployment(name: str, affinity: Json | None = None, node_selector: dict[str, str] | None = None) -> Json:
    spec: Json = {"containers": [{"name": "c"}]}
    if affinity:
        spec["affinity"] = affinity
    if node_selector:
        spec["nodeSelector"] = node_selector
    return {"kind": "Deployment", "metadata": {"name": name, "namespace": "ns", "uid": f"d-{name}"},
            "spec": {"template": {"metadata": {"labels": {"app": name}}, "spec": spec}}}


def test_affinity_graph_from_rules_and_placement() -> None:
    web = deployment("web", {
        "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]},
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 30, "preference": {"matchExpressions": [{"key": "disk", "operator": "Exists"}]}}]},
        "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}]},
        "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 50, "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "web"}},
                                               "topologyKey": "kubernetes.io/hostname"}}]}})
    db = deployment("db", node_selector={"disk": "ssd"})
    assert pod_spec(web)["affinity"]["podAffinity"]
    w1 = pod("web-1", "n1", app="web")
    w1["metadata"]["ownerReferences"] = [{"uid": "rs-web", "controller": True}]
    d1 = pod("db-1", "n2", app="db")
    d1["metadata"]["ownerReferences"] = [{"uid": "d-db", "controller": True}]
    nodes = [node("n1", zone="a"), node("n2", zone="b", disk="ssd")]
    g = affinity_graph([web, db], [w1, d1], nodes, True, {"rs-web": "d-web"})
    edges = {(e["from"], e["to"], e["type"], e["weight"]) for e in g["edges"]}
    assert edges == {
        ("deployment/web", "pod/web-1", "owns", 1), ("deployment/db", "pod/db-1", "owns", 1),
        ("pod/web-1", "node/n1", "placement", 1), ("pod/db-1", "node/n2", "placement", 1),
        ("deployment/web", "node/n1", "nodeAffinity", 100), ("deployment/web", "node/n2", "nodeAffinity", 30),
        ("deployment/db", "node/n2", "nodeSelector", 100), ("deployment/web", "deployment/db", "podAffinity", 100)}
    assert {(g_["name"], g_["affinity_type"]): g_["resources"] for g_ in g["groups"]} == {
        ("app=db", "podAffinity"): ["db-1"], ("app=web", "podAntiAffinity"): ["web-1"]}
    assert {n["id"] for n in g["nodes"]} == {"deployment/web", "deployment/db", "pod/web-1", "pod/db-1",
                                              "node/n1", "node/n2"}
    text = mermaid(g)
    assert text.startswith("graph LR\n") and "deployment_web ==>|podAffinity 100| deployment_db" in text
    without = affinity_graph([web, db], [w1, d1], nodes, False, {"rs-web": "d-web"})
    assert all(e["type"] in ("owns", "podAffinity", "podAntiAffinity") for e in without["edges"])


def test_merge_patch_replaces_nested_maps_exactly() -> None:
    from cloudops.diff import merge_patch

    old = {"nodeAffinity": {"required": {"terms": [1]}, "preferred": [2]}, "podAffinity": {"x": 1}}
    new = {"nodeAffinity": {"required": {"terms": [3]}}, "podAffinity": {"x": 1}}
    assert merge_patch(old, new) == {"nodeAffinity": {"required": {"terms": [3]}, "preferred": None}}
    assert merge_patch(None, new) == new and merge_patch([1], [2]) == [2] and merge_patch(old, old) == {}
