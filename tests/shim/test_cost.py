"""Cost report and optimization (智能运维 1.1–1.2) through REST against a real member: usage history written
into the hub with chosen timestamps (as the operator records it), prices from CostPricing objects, a
right-sizing patch that, applied to the member, changes the requests it names, node advice that is feasible
on the member's two nodes, and no advice before the minimum hours are recorded."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kubernetes_asyncio.client import ApiClient

from cloudops import history_store
from cloudops.constants import COST_PRICING, MANAGED_CLUSTER
from cloudops.kube.custom_objects import CustomObjects
from cloudops.settings import Settings
from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.shim.conftest import Client, KeyMaker
from tests.shim.member_fixtures import call, registered_member

Json = dict[str, Any]
GI = 1024.0 ** 3
MI = 1024.0 ** 2
HOURS = 6


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, rightsizing_min_hours=4.0)


@pytest.fixture
async def member(topology: Topology, shim: Client) -> AsyncIterator[tuple[Json, Kubectl, str]]:
    async with registered_member(topology, shim, "cost1", "cost") as m:
        yield m


API = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"},
       "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "api"}}, "template": {
           "metadata": {"labels": {"app": "api", "team": "shop"}},
           "spec": {"containers": [{"name": "app", "image": "nginx",
                                    "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]}}}}
ORPHAN = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "orphan"},
          "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "none-such",
                   "resources": {"requests": {"storage": "20Gi"}}}}


async def record_history(hub_api: ApiClient, namespace: str, cluster_name: str, ns: str) -> None:
    """Six hours of the `api` pod: 2 cores requested (usage 100m..150m), 1Gi requested, 1.5Gi used."""
    cr = await CustomObjects(hub_api, MANAGED_CLUSTER, namespace).get(cluster_name)
    now = datetime.now(UTC)
    for k in range(HOURS):
        at = now - timedelta(hours=HOURS - k) + timedelta(minutes=5)
        alloc = {"seconds": 3600.0, "cpu_alloc_ms": 2000.0 * 3600, "memory_alloc_bs": 1.5 * GI * 3600,
                 "storage_bs": 0.0, "gpu_alloc_s": 0.0}
        pod = {**alloc, "metered": 1.0, "cpu_request_m": 2000.0, "c0_cpu_m": 100.0 + 10 * k,
               "c0_memory_max": 200 * MI}
        attrs = {"node": "node-000000", "controller_kind": "Deployment", "controller": "api",
                 "labels": {"app": "api", "team": "shop"}, "containers": ["app"]}
        await history_store.append(hub_api, cr, "pod-usage", history_store.Subject("Pod", ns, "api-5d4f-a"),
                                   pod, at, attrs)
        await history_store.append(hub_api, cr, "namespace-usage", history_store.Subject("Namespace", "", ns),
                                   alloc, at)
        await history_store.append(hub_api, cr, "cluster-usage", history_store.Subject("Cluster", "", cluster_name),
                                   {**alloc, "cpu_idle_ms": 0.0, "memory_idle_bs": 0.0}, at)


async def test_cost_report_and_right_sizing(member: Any, shim: Client, hub_api: ApiClient, namespace: str,
                                            make_key: KeyMaker) -> None:
    cluster, k, ns = member
    await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List",
                                                                      "items": [API, ORPHAN]}))
    await record_history(hub_api, namespace, cluster["name"], ns)

    report = (await call(shim, "GET", f"/api/k8s/cost/report?time_range=24h&namespace={ns}"))["data"]
    cpu, memory = 2 * HOURS * 0.031611, 1.5 * HOURS * 0.004237  # by hand: 0.379332 + 0.038133
    assert round(report["total_cost"], 2) == round(cpu + memory, 2) == 0.42
    assert report["currency"] == "USD" and report["pricing_source"]["source"] == "opencost-defaults"
    assert report["coverage"]["covered_hours"] == HOURS and report["coverage"]["ratio"] == 0.25
    assert report["coverage"]["extrapolated"] is False
    (line,) = report["breakdown"]
    assert line["name"] == ns and line["percentage"] == 100.0
    assert line["resources"]["cpu"] == pytest.approx(cpu, abs=1e-4)
    assert report["trend"]["daily_average"] == pytest.approx((cpu + memory) * 24 / HOURS, abs=1e-3)
    by_owner = (await call(shim, "GET", f"/api/k8s/cost/report?namespace={ns}&group_by=controller"))["data"]
    assert [x["name"] for x in by_owner["breakdown"]] == ["deployment:api"]
    whole = (await call(shim, "GET", "/api/k8s/cost/report?group_by=label:team"))["data"]
    assert {x["name"] for x in whole["breakdown"]} >= {"shop", "__idle__"}
    await call(shim, "GET", "/api/k8s/cost/report?group_by=zone", 400)

    # A cluster override of the CPU price; memory stays at OpenCost's default.
    await CustomObjects(hub_api, COST_PRICING, namespace).create({
        "apiVersion": "cloudops.io/v1alpha1", "kind": "CostPricing", "metadata": {"name": "mine"},
        "spec": {"clusterRef": {"name": cluster["name"]}, "cpu": 0.05}})
    priced = (await call(shim, "GET", f"/api/k8s/cost/report?namespace={ns}"))["data"]
    assert priced["pricing_source"]["objects"] == ["mine"] and priced["pricing_source"]["cpu_per_core_hour"] == 0.05
    assert priced["total_cost"] == pytest.approx(2 * HOURS * 0.05 + memory, abs=1e-4)

    viewer = {"X-API-Key": await make_key("val", ["cloudops:viewers"])}
    advice = (await call(shim, "GET", f"/api/k8s/cost/optimization?optimization_type=resource&namespace={ns}",
                         headers=viewer))["data"]
    (s,) = advice["suggestions"]
    assert s["target"] == {"kind": "Deployment", "namespace": ns, "name": "api"}
    assert s["id"] == f"{cluster['id']}:deployment:{ns}:api"
    assert s["recommended"] == {"app": {"cpu": "150m", "memory": "230Mi"}}  # p95 of 100..150m; 200Mi + 15 %
    assert s["estimated_monthly_saving"] > 0 and s["patch_type"] == "strategic"
    await asyncio.to_thread(k, "patch", "deployment", "api", "--type", "strategic", "-p", json.dumps(s["patch"]))
    applied = await asyncio.to_thread(k.json, "get", "deployment", "api")
    resources = applied["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert resources["requests"] == {"cpu": "150m", "memory": "230Mi"}
    again = (await call(shim, "GET", f"/api/k8s/cost/optimization?optimization_type=resource&namespace={ns}"))
    assert again["data"]["suggestions"] == []  # right-sized now

    storage = (await call(shim, "GET", f"/api/k8s/cost/optimization?optimization_type=storage&namespace={ns}"))
    (orphan,) = storage["data"]["suggestions"]
    assert orphan["target"]["name"] == "orphan" and orphan["action"] == "delete"
    assert orphan["estimated_monthly_saving"] == pytest.approx(20 * 0.00005479452 * 730, abs=0.01)
    everything = (await call(shim, "GET", "/api/k8s/cost/optimization"))["data"]
    assert everything["optimization_type"] is None and everything["pricing_source"]["objects"] == ["mine"]


async def test_pod_histories_keep_current_attributes_and_are_pruned(member: Any, hub_api: ApiClient,
                                                                    namespace: str) -> None:
    cluster, _, ns = member
    cr = await CustomObjects(hub_api, MANAGED_CLUSTER, namespace).get(cluster["name"])
    now = datetime.now(UTC)
    for name in ("a", "b", "c"):
        subject = history_store.Subject("Pod", ns, name)
        await history_store.append(hub_api, cr, "pod-usage", subject, {"seconds": 60.0}, now,
                                   {"labels": {"team": "x", "tier": "web"}})
    # A removed label is gone, not merged with the old ones.
    await history_store.append(hub_api, cr, "pod-usage", history_store.Subject("Pod", ns, "a"), {"seconds": 60.0},
                               now, {"labels": {"team": "y"}})
    found = {h.subject.name: h for h in await history_store.histories(hub_api, namespace, "pod-usage",
                                                                       cluster["name"])}
    assert found["a"].attributes == {"labels": {"team": "y"}} and found["a"].series["1h"][-1]["n"] == 2
    assert await history_store.prune(hub_api, namespace, "pod-usage", cluster["name"],
                                     now - timedelta(days=30), keep=1) == 2
    assert len(await history_store.histories(hub_api, namespace, "pod-usage", cluster["name"])) == 1
    assert await history_store.prune(hub_api, namespace, "pod-usage", cluster["name"],
                                     now + timedelta(minutes=1), keep=10) == 1  # not written since: stale


async def record_nodes(hub_api: ApiClient, namespace: str, cluster_name: str, nodes: list[str],
                       samples: list[tuple[datetime, float]]) -> None:
    """Cluster and node usage as the operator records it: each sample (time, seconds it stands for), every
    node at a 2 % requested share."""
    cr = await CustomObjects(hub_api, MANAGED_CLUSTER, namespace).get(cluster_name)
    for at, seconds in samples:
        await history_store.append(hub_api, cr, "cluster-usage", history_store.Subject("Cluster", "", cluster_name),
                                   {"seconds": seconds, "cpu_idle_ms": 0.0, "memory_idle_bs": 0.0}, at)
        for n in nodes:
            await history_store.append(hub_api, cr, "node-usage", history_store.Subject("Node", "", n),
                                       {"seconds": seconds, "cpu_share_max": 2.0, "memory_share_max": 1.0}, at)


def node_names(admin: Kubectl) -> list[str]:
    return sorted(n["metadata"]["name"] for n in admin.json("get", "nodes")["items"])


async def test_no_suggestions_before_the_minimum_hours_are_recorded(member: Any, shim: Client, hub_api: ApiClient,
                                                                    namespace: str, topology: Topology) -> None:
    """Ten minutes recorded, four hours required: nothing to advise yet, and the answer says why (before: both
    nodes of the member to drain, and the unbound claim to delete)."""
    cluster, k, _ = member
    await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps(ORPHAN))
    now = datetime.now(UTC)
    nodes = await asyncio.to_thread(node_names, Kubectl(topology.members[0].kubeconfig))
    await record_nodes(hub_api, namespace, cluster["name"], nodes,
                       [(now - timedelta(minutes=10), 300.0), (now - timedelta(minutes=5), 300.0)])
    advice = (await call(shim, "GET", "/api/k8s/cost/optimization"))["data"]
    assert advice["suggestions"] == [] and advice["total_estimated_monthly_saving"] is None
    assert advice["recorded_hours"] == pytest.approx(1 / 6, abs=1e-3) and advice["required_hours"] == 4.0
    assert advice["withheld_reason"] == ("no suggestions until 4 hours of usage are recorded "
                                         "(CLOUDOPS_RIGHTSIZING_MIN_HOURS): 0.17 hours recorded so far")
    # The MCP cost tool answers the same.
    mcp = (await call(shim, "POST", "/api/k8s/mcp/cost/analyze",
                      json={"cluster_id": cluster["id"], "time_range": "1h", "include_forecast": False}))["data"]
    assert mcp["optimization"]["suggestions"] == [] and "0.17 hours" in mcp["optimization"]["withheld_reason"]


WEB = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
       "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": {
           "metadata": {"labels": {"app": "web"}},
           "spec": {"containers": [{"name": "app", "image": "nginx",
                                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]}}}}


def bare_pods_by_node(admin: Kubectl, skip_namespace: str) -> set[str]:
    """Nodes holding pods without a controller outside the test's namespace (the demo's pod, say)."""
    out = set()
    for p in admin.json("get", "pods", "-A")["items"]:
        meta = p["metadata"]
        if (meta["namespace"] != skip_namespace and p["spec"].get("nodeName") and not meta.get("deletionTimestamp")
                and not any(o.get("controller") for o in meta.get("ownerReferences") or [])
                and p["status"].get("phase") not in ("Succeeded", "Failed")):
            out.add(p["spec"]["nodeName"])
    return out


def web_pod(k: Kubectl) -> tuple[str, str]:
    """(name, node) of the one web pod, once the rollout is done and the old pod gone."""
    pods = k.json("get", "pods", "-l", "app=web")["items"]
    assert len(pods) == 1 and pods[0]["status"].get("phase") == "Running", pods
    assert not pods[0]["metadata"].get("deletionTimestamp")
    return pods[0]["metadata"]["name"], pods[0]["spec"]["nodeName"]


async def instance_advice(shim: Client, query: str = "") -> tuple[list[Json], dict[str, str]]:
    data = (await call(shim, "GET", f"/api/k8s/cost/optimization?optimization_type=instance{query}"))["data"]
    assert data.get("withheld_reason") is None
    return data["suggestions"], {s["name"]: s["reason"] for s in data["skipped"] if s["kind"] == "Node"}


async def test_node_advice_on_a_two_node_member_is_feasible(member: Any, shim: Client, hub_api: ApiClient,
                                                            namespace: str, topology: Topology) -> None:
    """Both nodes of the member underused: at most one is suggested, and only when its pods fit on the other
    (before: both, with a bare pod "to move" and "over the recorded 24 hours" whatever was recorded)."""
    cluster, k, ns = member
    admin = Kubectl(topology.members[0].kubeconfig)
    nodes = await asyncio.to_thread(node_names, admin)
    assert len(nodes) == 2, nodes
    taken = await asyncio.to_thread(bare_pods_by_node, admin, ns)
    keep, spare = sorted(nodes, key=lambda n: (n not in taken, n))  # the bare pod goes where others are
    assert spare not in taken, f"both nodes hold pods without a controller: {taken}"
    now = datetime.now(UTC)
    await record_nodes(hub_api, namespace, cluster["name"], nodes,
                       [(now - timedelta(hours=HOURS - i) + timedelta(minutes=5), 3600.0) for i in range(HOURS)])
    solo = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "solo"},
            "spec": {"nodeName": keep, "containers": [{"name": "app", "image": "nginx", "resources": {
                "requests": {"cpu": "100m", "memory": "64Mi"}}}]}}
    pinned = json.loads(json.dumps(WEB))
    pinned["spec"]["template"]["spec"]["nodeSelector"] = {"kubernetes.io/hostname": spare}
    await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List",
                                                                      "items": [solo, pinned]}))
    web, _ = await eventually(lambda: asyncio.to_thread(web_pod, k), what="web pod running")

    # The bare pod cannot be rescheduled; the pinned one has nowhere else to go.
    found, skipped = await instance_advice(shim)
    assert found == []
    assert "without a controller would be deleted by a drain, not rescheduled" in skipped[keep]
    assert f"{ns}/solo" in skipped[keep]
    assert skipped[spare].startswith("the remaining nodes cannot take its pods: ")
    assert f"{ns}/{web} ({keep}: nodeSelector kubernetes.io/hostname={spare} does not match)" in skipped[spare]

    taint = f"cost19-{ns}"
    try:
        # Unpinned, but the other node is tainted: the pod (started on the spare node) does not tolerate it.
        await asyncio.to_thread(admin, "taint", "node", keep, f"{taint}=x:NoSchedule")
        await asyncio.to_thread(k, "patch", "deployment", "web", "--type", "json", "-p", json.dumps(
            [{"op": "remove", "path": "/spec/template/spec/nodeSelector"}]))
        web, on = await eventually(lambda: asyncio.to_thread(web_pod, k), timeout=90, what="web pod rolled out")
        assert on == spare
        found, skipped = await instance_advice(shim)
        assert found == [] and f"{ns}/{web} ({keep}: taint {taint}=x:NoSchedule not tolerated)" in skipped[spare]
    finally:
        await asyncio.to_thread(admin, "taint", "node", keep, f"{taint}-")

    # Untainted: the spare node can go, its pod moving to the other one; never both.
    (s,), skipped = await instance_advice(shim)
    assert s["target"]["name"] == spare and s["action"] == "cordon-and-drain"
    assert f"{ns}/{web}" in s["details"]["pods_to_move"] and s["details"]["placement"][f"{ns}/{web}"] == keep
    assert f"{ns}/solo" not in str(s["details"]) and s["details"]["remaining_nodes"] == [keep]
    assert "over the recorded 6.0 hours" in s["reason"] and "24 hours" not in s["reason"]
    assert s["current"]["recorded_hours"] == HOURS and keep in skipped
    # Never below the minimum node count.
    found, skipped = await instance_advice(shim, "&min_nodes=2")
    assert found == [] and "the minimum is 2 (min_nodes)" in skipped[spare]
    await call(shim, "GET", "/api/k8s/cost/optimization?min_nodes=0", 400)
