"""Affinity, tolerations, taints, suggestions, topology and the affinity graph (标签与亲和性管理 2.–5.) on a
member, with its own kwok node: the member's scheduler and taint manager react to what the API writes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.shim.conftest import Client, KeyMaker
from tests.shim.member_fixtures import call, registered_member

Json = dict[str, Any]


def kwok_node(name: str, ns: str, zone: str) -> Json:
    capacity = {"cpu": "8", "memory": "16Gi", "pods": "110"}
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "annotations": {"kwok.x-k8s.io/node": "fake"},
                         "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "type": "kwok",
                                    "cloudops-test": ns, "topology.kubernetes.io/zone": zone}},
            "status": {"allocatable": capacity, "capacity": capacity}}


@pytest.fixture
async def member(topology: Topology, shim: Client) -> AsyncIterator[tuple[Json, Kubectl, str, str]]:
    """A member registered through REST, a fresh namespace, and a kwok node of this test's own (so taints
    never touch the nodes other tests use); the node goes away with the test."""
    async with registered_member(topology, shim, "s1", "s") as (cluster, k, ns):
        admin = Kubectl(topology.members[0].kubeconfig)
        node = f"tn-{ns}"
        await asyncio.to_thread(admin, "create", "-f", "-", stdin=json.dumps(kwok_node(node, ns, f"z-{ns}")))

        async def ready() -> bool:
            obj = await asyncio.to_thread(admin.json, "get", "node", node)
            conds = obj["status"].get("conditions") or []
            # The node controller removes the not-ready taint it put on the new node a moment after Ready.
            untainted = not any(t["key"].startswith("node.kubernetes.io/") for t in obj["spec"].get("taints") or [])
            return untainted and any(c["type"] == "Ready" and c["status"] == "True" for c in conds)
        try:
            await eventually(ready, 60, "the kwok node ready, without the node controller's taints")
            yield cluster, k, ns, node
        finally:
            await asyncio.to_thread(admin.run, "delete", "node", node, "--wait=false", check=False)


def workload(name: str, replicas: int = 1) -> Json:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def bare_pod(name: str, node: str, tolerations: list[Json] | None = None) -> Json:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": name}},
            "spec": {"nodeSelector": {"kubernetes.io/hostname": node}, "tolerations": tolerations or [],
                     "containers": [{"name": "c", "image": "nginx"}]}}


def on_my_node(ns: str) -> Json:
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "cloudops-test", "operator": "In", "values": [ns]}]}]}}}


async def test_node_and_pod_affinity_and_tolerations_on_the_pod_template(member: Any, shim: Client) -> None:
    cluster, k, ns, node = member
    await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps(workload("web")))
    got = (await call(shim, "GET", f"/api/k8s/affinity/node/web?namespace={ns}&resource_type=deployment"))["data"]
    assert got["affinity"] == {} and got["node_selector"] == {} and got["resource_id"] == "web"
    did = got["id"]
    assert did == f"{cluster['id']}:deployment:{ns}:web"

    # The member validates the rule (dry run first): nothing is written on a 422.
    bad = on_my_node(ns)
    bad["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0][
        "matchExpressions"][0]["operator"] = "Near"
    err = await call(shim, "POST", f"/api/k8s/affinity/node/{did}/set", 422, json={"affinity": bad})
    assert "affinity" in err["error"] and "operator" in err["error"]
    err = await call(shim, "POST", f"/api/k8s/affinity/node/{did}/set", 400,
                     json={"affinity": {"podAffinity": {}}})
    assert "affinity.podAffinity" in err["error"]

    set_ = (await call(shim, "POST", f"/api/k8s/affinity/node/{did}/set", json={"affinity": on_my_node(ns)}))["data"]
    assert set_["affinity"] == on_my_node(ns)

    # The scheduler follows the new template: the rolled-out pod lands on this test's node.
    async def placed() -> bool:
        pods = (await asyncio.to_thread(k.json, "get", "pods", "-l", "app=web"))["items"]
        return any(p["spec"].get("nodeName") == node and not p["metadata"].get("deletionTimestamp") for p in pods)
    await eventually(placed, 90, "a web pod scheduled on the affinity's node")

    anti = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchExpressions": [
            {"key": "app", "operator": "In", "values": ["web"]}]}, "topologyKey": "kubernetes.io/hostname"}}]}}
    pod_aff = (await call(shim, "POST", "/api/k8s/affinity/pod/web/set",
                          json={"namespace": ns, "affinity": anti}))["data"]
    assert pod_aff["affinity"] == anti
    assert (await call(shim, "GET", f"/api/k8s/affinity/pod/{did}"))["data"]["affinity"] == anti
    assert (await call(shim, "GET", f"/api/k8s/affinity/node/{did}"))["data"]["affinity"] == on_my_node(ns)
    live = await asyncio.to_thread(k.json, "get", "deployment", "web")
    assert set(live["spec"]["template"]["spec"]["affinity"]) == {"nodeAffinity", "podAntiAffinity"}

    # A pod's affinity is fixed at creation: 422 pointing to its owner.
    pod = next(p for p in (await asyncio.to_thread(k.json, "get", "pods", "-l", "app=web"))["items"])
    err = await call(shim, "POST", f"/api/k8s/affinity/node/{pod['metadata']['name']}/set", 422,
                     json={"namespace": ns, "resource_type": "pod", "affinity": on_my_node(ns)})
    assert "cannot change" in err["error"] and "ReplicaSet/web-" in err["error"]
    err = await call(shim, "GET", f"/api/k8s/affinity/node/{cluster['id']}:service:{ns}:web", 422)
    assert "resource_type" in err["error"]

    tol = [{"key": "dedicated", "operator": "Equal", "value": "app", "effect": "NoSchedule"},
           {"key": "CriticalAddonsOnly", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]
    assert (await call(shim, "GET", f"/api/k8s/taints/tolerations/{did}"))["data"]["tolerations"] == []
    set_tol = (await call(shim, "POST", f"/api/k8s/taints/tolerations/{did}/set", json={"tolerations": tol}))["data"]
    assert set_tol["tolerations"] == tol
    assert (await call(shim, "GET", f"/api/k8s/taints/tolerations/{did}"))["data"]["tolerations"] == tol
    await call(shim, "POST", f"/api/k8s/taints/tolerations/{did}/set", 400,
               json={"tolerations": [{"key": "x", "effect": "Sometimes"}]})
    cleared = (await call(shim, "POST", f"/api/k8s/taints/tolerations/{did}/set", json={"tolerations": []}))["data"]
    assert cleared["tolerations"] == []


async def test_taints_the_scheduler_and_taint_manager_obey(member: Any, shim: Client) -> None:
    _, k, _ns, node = member
    base = f"/api/k8s/taints/nodes/{node}"
    got = (await call(shim, "GET", base))["data"]
    assert got["taints"] == [] and got["effect_summary"] == {"NoSchedule": 0, "PreferNoSchedule": 0, "NoExecute": 0}
    await call(shim, "GET", "/api/k8s/taints/nodes/no-such-node", 404)

    added = (await call(shim, "POST", f"{base}/add", json={"taints": [
        {"key": "dedicated", "value": "app", "effect": "NoSchedule"}]}))["data"]
    assert added["effect_summary"]["NoSchedule"] == 1 and added["changed"][0]["key"] == "dedicated"
    await call(shim, "POST", f"{base}/add", 400, json={"taints": [{"key": "k", "effect": "Never"}]})
    err = await call(shim, "POST", f"{base}/add", 400, json={"taints": [{"key": "bad key", "effect": "NoSchedule"}]})
    assert "taints[0].key" in err["error"]

    # NoSchedule: a new pod bound for this node stays Pending.
    await asyncio.to_thread(k, "create", "-f", "-", stdin=json.dumps(bare_pod("pending", node)))

    async def unschedulable() -> bool:
        p = await asyncio.to_thread(k.json, "get", "pod", "pending")
        cond = next((c for c in p["status"].get("conditions") or [] if c["type"] == "PodScheduled"), {})
        return p["status"].get("phase") == "Pending" and cond.get("reason") == "Unschedulable" and \
            "taint" in cond.get("message", "")
    await eventually(unschedulable, 60, "the pod unschedulable because of the taint")
    assert not (await asyncio.to_thread(k.json, "get", "pod", "pending"))["spec"].get("nodeName")

    err = await call(shim, "DELETE", f"{base}/remove", 404, json={"taints": [{"key": "dedicated", "value": "db"}]})
    assert "taints[0]" in err["error"]
    removed = (await call(shim, "DELETE", f"{base}/remove", json={"taints": [{"key": "dedicated"}]}))["data"]
    assert removed["taints"] == [] and removed["changed"] == [{"key": "dedicated", "value": "app",
                                                               "effect": "NoSchedule"}]

    async def scheduled() -> bool:
        return bool((await asyncio.to_thread(k.json, "get", "pod", "pending"))["spec"].get("nodeName") == node)
    await eventually(scheduled, 60, "the pod scheduled once the taint is gone")

    # NoExecute: the taint manager evicts pods that do not tolerate it, and leaves those that do.
    tolerant = bare_pod("tolerant", node, [{"key": "evict", "operator": "Exists", "effect": "NoExecute"}])
    await asyncio.to_thread(k, "create", "-f", "-", stdin=json.dumps(tolerant))
    await eventually(lambda: asyncio.to_thread(
        lambda: k.json("get", "pod", "tolerant")["spec"].get("nodeName") == node), 60, "tolerant pod scheduled")
    evicting = (await call(shim, "POST", f"{base}/add", json={"taints": [
        {"key": "evict", "value": "yes", "effect": "NoExecute"}]}))["data"]
    assert evicting["effect_summary"]["NoExecute"] == 1

    async def evicted() -> bool:
        res = await asyncio.to_thread(k.run, "get", "pod", "pending", "-o", "json", check=False)
        return res.returncode != 0 or bool(json.loads(res.stdout)["metadata"].get("deletionTimestamp"))
    await eventually(evicted, 90, "the intolerant pod evicted")
    still = await asyncio.to_thread(k.json, "get", "pod", "tolerant")
    assert not still["metadata"].get("deletionTimestamp")
    (await call(shim, "DELETE", f"{base}/remove", json={"taints": [{"key": "evict", "effect": "NoExecute"}]}))


async def test_suggestions_topology_and_graph(member: Any, shim: Client) -> None:
    _cluster, k, ns, node = member
    app = workload("web", replicas=2)
    app["spec"]["template"]["spec"]["affinity"] = on_my_node(ns)
    app["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "1", "memory": "1Gi"}}
    db = workload("db")
    db["spec"]["template"]["spec"]["affinity"] = {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}]}}
    for obj in (app, db):
        await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps(obj))

    async def running() -> bool:
        pods = (await asyncio.to_thread(k.json, "get", "pods"))["items"]
        return len([p for p in pods if p["spec"].get("nodeName") == node]) == 3
    await eventually(running, 90, "web and db pods placed on this test's node")

    s = (await call(shim, "GET", "/api/k8s/affinity/node/suggestions?requirements=cpu=2,memory=4Gi"))["data"]
    mine = [x for x in s["suggestions"] if x["node_selector"].get("cloudops-test") == ns]
    assert len(mine) == 1 and mine[0]["nodes"] == [node] and mine[0]["matching_nodes"] == 1
    on_node = (await asyncio.to_thread(Kubectl(k.kubeconfig).json, "get", "pods", "-A", "--field-selector",
                                       f"spec.nodeName={node}"))["items"]
    requested = sum(float(c.get("resources", {}).get("requests", {}).get("cpu", "0"))
                    for p in on_node for c in p["spec"]["containers"])
    assert requested >= 2 and mine[0]["available_resources"]["cpu"] == f"{8 - requested:g}"  # 8 allocatable
    assert s["requirements"] == {"cpu": 2.0, "memory": 4 * 2**30} and 0 < mine[0]["score"] <= 100
    too_big = (await call(shim, "GET", "/api/k8s/affinity/node/suggestions?requirements=cpu=7"))["data"]
    assert not [x for x in too_big["suggestions"] if x["node_selector"].get("cloudops-test") == ns]
    err = await call(shim, "GET", "/api/k8s/affinity/node/suggestions?requirements=disk=1", 400)
    assert "requirements" in err["error"]

    topo = (await call(shim, "GET", f"/api/k8s/affinity/pod/topology?topology_key=zone&namespace={ns}"))["data"]
    assert topo["topology_key"] == "topology.kubernetes.io/zone"
    zone = next(d for d in topo["domains"] if d["name"] == f"z-{ns}")
    assert zone["nodes"] == [node] and len(zone["resources"]) == 3
    assert {r["namespace"] for r in zone["resources"]} == {ns}
    hosts = (await call(shim, "GET", f"/api/k8s/affinity/pod/topology?namespace={ns}"))["data"]
    assert next(d for d in hosts["domains"] if d["name"] == node)["nodes"] == [node]

    graph = (await call(shim, "GET", f"/api/k8s/affinity/visualization?namespace={ns}"))["data"]
    edges = {(e["from"], e["to"], e["type"]) for e in graph["edges"]}
    assert ("deployment/web", f"node/{node}", "nodeAffinity") in edges
    assert ("deployment/db", "deployment/web", "podAffinity") in edges
    owned = [e for e in graph["edges"] if e["type"] == "owns"]
    assert len(owned) == 3 and {e["from"] for e in owned} == {"deployment/web", "deployment/db"}
    assert len([e for e in graph["edges"] if e["type"] == "placement" and e["to"] == f"node/{node}"]) == 3
    assert graph["groups"][0]["affinity_type"] == "podAffinity" and len(graph["groups"][0]["resources"]) == 2
    assert graph["mermaid"] is None
    text = (await call(shim, "GET", f"/api/k8s/affinity/visualization?namespace={ns}&format=mermaid"
                                    "&include_nodes=false"))["data"]
    assert text["mermaid"].startswith("graph LR\n") and "podAffinity 100" in text["mermaid"]
    assert not any(n["type"] == "node" for n in text["nodes"])


async def test_suggestions_take_the_references_requirements_and_the_workload_type(
        member: Any, shim: Client, topology: Topology) -> None:
    """`requirements=cpu,memory,gpu` (the reference's example) filters on what is free; `resource_type` is the
    workload to place: a DaemonSet's pods tolerate a cordoned node that a Deployment's pods avoid."""
    _, _, ns, node = member
    admin = Kubectl(topology.members[0].kubeconfig)
    gpu = f"gpu-{ns}"
    body = kwok_node(gpu, ns, f"z-{ns}")
    body["metadata"]["labels"]["accelerator"] = "kwok-gpu"
    body["status"]["allocatable"] = body["status"]["capacity"] = {"cpu": "8", "memory": "16Gi", "pods": "110",
                                                                  "nvidia.com/gpu": "2"}
    await asyncio.to_thread(admin, "create", "-f", "-", stdin=json.dumps(body))
    base = "/api/k8s/affinity/node/suggestions"

    async def mine(query: str) -> tuple[Json, list[list[str]]]:
        data = (await call(shim, "GET", f"{base}?{query}"))["data"]
        return data, sorted(s["nodes"] for s in data["suggestions"] if s["node_selector"].get("cloudops-test") == ns)
    try:
        async def both_listed() -> bool:
            return (await mine("requirements=cpu,memory"))[1] == [[gpu], [node]]
        await eventually(both_listed, 60, "the GPU node ready beside the test's node")
        data, nodes = await mine("requirements=cpu,memory,gpu&resource_type=deployment")
        assert nodes == [[gpu]] and data["resource_type"] == "deployment"
        assert data["requirements"] == {"cpu": None, "memory": None, "nvidia.com/gpu": None}
        gpu_group = next(s for s in data["suggestions"] if s["nodes"] == [gpu])
        assert gpu_group["available_resources"]["nvidia.com/gpu"] == "2"
        assert (await mine("requirements=gpu=3"))[1] == []

        await asyncio.to_thread(admin, "cordon", gpu)
        assert (await mine("requirements=gpu&resource_type=deployment"))[1] == []
        data, nodes = await mine("requirements=gpu&resource_type=daemonsets")
        assert nodes == [[gpu]] and data["resource_type"] == "daemonset"

        err = await call(shim, "GET", f"{base}?resource_type=widget", 400)
        assert err["error"].startswith("query.resource_type")
        err = await call(shim, "GET", f"{base}?requirements=cpu,disk", 400)
        assert "requirements" in err["error"]
    finally:
        await asyncio.to_thread(admin.run, "delete", "node", gpu, "--wait=false", check=False)


async def test_a_viewer_reads_scheduling_but_gets_403_on_every_write(member: Any, shim: Client,
                                                                      make_key: KeyMaker) -> None:
    cluster, k, ns, node = member
    await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps(workload("web", replicas=0)))
    viewer = {"X-API-Key": await make_key("vesna", ["cloudops:viewers"])}
    did = f"{cluster['id']}:deployment:{ns}:web"
    for path in (f"/api/k8s/affinity/node/{did}", f"/api/k8s/affinity/pod/{did}",
                 f"/api/k8s/taints/tolerations/{did}", f"/api/k8s/taints/nodes/{node}",
                 "/api/k8s/affinity/node/suggestions", "/api/k8s/affinity/pod/topology",
                 f"/api/k8s/affinity/visualization?namespace={ns}"):
        await call(shim, "GET", path, headers=viewer)
    writes = [("POST", f"/api/k8s/affinity/node/{did}/set", {"affinity": on_my_node(ns)}),
              ("POST", f"/api/k8s/affinity/pod/{did}/set", {"affinity": {}}),
              ("POST", f"/api/k8s/taints/tolerations/{did}/set", {"tolerations": []}),
              ("POST", f"/api/k8s/taints/nodes/{node}/add", {"taints": [{"key": "a", "effect": "NoSchedule"}]}),
              ("DELETE", f"/api/k8s/taints/nodes/{node}/remove", {"taints": [{"key": "a"}]})]
    for method, path, body in writes:
        err = await call(shim, method, path, 403, headers=viewer, json=body)
        assert err["code"] == 1003 and "vesna" in err["error"], (method, path)
    live = await asyncio.to_thread(Kubectl(k.kubeconfig).json, "get", "node", node)
    assert not live["spec"].get("taints")
