"""Cost report and optimization (智能运维 1.1–1.2) through REST against a real member: usage history written
into the hub with chosen timestamps (as the operator records it), prices from CostPricing objects, and a
right-sizing patch that, applied to the member, changes the requests it names."""

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
from tests.helpers import Kubectl
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
