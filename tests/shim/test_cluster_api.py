"""The cluster API end to end: REST and kubectl registration meet in one state, live data is real."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestServer

from api_shim.app import create_app
from cloudops.settings import Settings
from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.processes import OperatorProcess
from tests.shim.checked import CheckedClient, call
from tests.shim.conftest import Client, KeyMaker

Json = dict[str, Any]


def b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()



async def add(client: Client, name: str, kubeconfig: Path, expect: int = 200, **extra: Any) -> Json:
    body = {"name": name, "kubeconfig": b64(kubeconfig), "provider": "aws", "region": "us-west-2",
            "display_name": f"{name} display", "description": "d", "tags": ["t1"], **extra}
    return await call(client, "POST", "/api/k8s/clusters/add", expect, json=body)


async def test_rest_and_kubectl_registration_end_in_the_same_state(
        topology: Topology, hub: Kubectl, namespace: str, shim: Client, operator: OperatorProcess) -> None:
    m1, m2 = topology.members[0], topology.members[1]
    created = (await add(shim, "via-rest", m1.kubeconfig))["data"]
    assert created["id"] >= 1 and created["name"] == "via-rest" and created["provider"] == "aws"

    secret = hub("-n", namespace, "create", "secret", "generic", "m2-kc", f"--from-file=kubeconfig={m2.kubeconfig}",
                 "--dry-run=client", "-o", "yaml")
    await asyncio.to_thread(hub, "apply", "-f", "-", stdin=secret)
    cr = {"apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
          "metadata": {"name": "via-kubectl", "namespace": namespace},
          "spec": {"provider": "aws", "region": "us-west-2", "tags": ["t1"], "kubeconfigSecretRef": {"name": "m2-kc"}}}
    await asyncio.to_thread(hub, "apply", "--server-side", "-f", "-", stdin=json.dumps(cr))

    async def both_connected() -> list[Json] | None:
        data = (await call(shim, "GET", "/api/k8s/clusters/list"))["data"]
        return data["clusters"] if data["total"] == 2 and all(c["status"] == "connected"
                                                                for c in data["clusters"]) else None

    clusters = await eventually(both_connected, 60, "both clusters connected")
    rest, kube = sorted(clusters, key=lambda c: c["name"], reverse=True)
    assert rest["name"] == "via-rest" and kube["name"] == "via-kubectl"
    assert rest["id"] == created["id"] and kube["id"] >= 1 and kube["id"] != rest["id"]
    for c in (rest, kube):
        assert c["health_status"] == "healthy" and c["version"] == "1.33.13" and c["resource_count"] > 0

        async def same_by_id_and_name(c: Json = c) -> Json | None:
            """Both reads of one state: a sync between them changes its message ("connected in 0.0022s")."""
            detail: Json = (await call(shim, "GET", f"/api/k8s/clusters/{c['id']}"))["data"]
            by_name = (await call(shim, "GET", f"/api/k8s/clusters/{c['name']}"))["data"]
            return detail if detail == by_name else None

        detail = await eventually(same_by_id_and_name, 30, "the same cluster by id and by name")
        assert detail["metrics"]["node_count"] == 2
    # Both paths store a Secret reference, never the kubeconfig, in the CR.
    for name in ("via-rest", "via-kubectl"):
        obj = await asyncio.to_thread(hub.json, "-n", namespace, "get", "managedcluster", name)
        spec = json.dumps(obj["spec"])
        assert "client-key-data" not in spec and "certificate-authority-data" not in spec
        assert set(obj["spec"]["kubeconfigSecretRef"]) == {"name", "key"}


async def test_add_answers_with_what_registration_read_from_the_member(topology: Topology, shim: Client) -> None:
    """No operator runs here, so nothing but the registration itself has reached the member: its answer must
    still say what it learned (connected, the version, the API server, the nodes), not `pending, ""`."""
    member = topology.members[0]
    created = (await add(shim, "learned", member.kubeconfig))["data"]
    nodes = (await asyncio.to_thread(Kubectl(member.kubeconfig).json, "get", "nodes"))["items"]
    server = yaml.safe_load(member.kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
    assert created["status"] == "connected" and created["version"] == "1.33.13"
    assert created["api_server"] == server and created["metrics"]["node_count"] == len(nodes)
    assert created["health_status"] == "unknown" and "first sync" in created["message"]


async def test_detail_update_delete_and_errors(topology: Topology, hub: Kubectl, namespace: str,
                                               shim: Client, operator: OperatorProcess) -> None:
    c = (await add(shim, "crud", topology.members[0].kubeconfig))["data"]
    upd = await call(shim, "PUT", f"/api/k8s/clusters/{c['id']}",
                     json={"display_name": "renamed", "tags": ["a", "b"]})
    assert upd["data"]["display_name"] == "renamed" and upd["data"]["tags"] == ["a", "b"]
    assert upd["data"]["description"] == "d"
    err = await call(shim, "PUT", "/api/k8s/clusters/crud", 400, json={"provider": "gcp"})
    assert "body.provider" in err["error"]
    err = await call(shim, "PUT", "/api/k8s/clusters/crud", 400, json={})
    assert "at least one" in err["error"]
    assert (await call(shim, "GET", "/api/k8s/clusters/999999", 404))["code"] == 1002
    assert (await call(shim, "GET", "/api/k8s/clusters/nope", 404))["code"] == 1002
    await add(shim, "crud", topology.members[0].kubeconfig, expect=409)
    events = await asyncio.to_thread(hub.json, "-n", namespace, "get", "events",
                                     "--field-selector", "involvedObject.name=crud")
    assert {"Registered", "Updated"} <= {e["reason"] for e in events["items"]}

    deleted = await call(shim, "DELETE", f"/api/k8s/clusters/{c['id']}")
    assert deleted["data"] == {"id": c["id"], "name": "crud", "deleted": True}

    async def gone() -> bool:
        r = await shim.get("/api/k8s/clusters/crud")
        secrets = await asyncio.to_thread(hub.json, "-n", namespace, "get", "secrets")
        return r.status == 404 and not [s for s in secrets["items"] if "crud" in s["metadata"]["name"]]

    await eventually(gone, 60, "cluster and its Secret deleted")


@pytest.mark.parametrize(("patch", "status", "code", "mentions"), [
    ({"provider": "gcp"}, 400, 400, "body.provider"),
    ({"name": "Bad_Name"}, 400, 400, "body.name"),
    ({"tags": ["x", "x"]}, 400, 400, "body.tags"),
    ({"kubeconfig": "%%%not-base64"}, 422, 1005, "kubeconfig"),
    ({"kubeconfig": base64.b64encode(b"just: [yaml").decode()}, 422, 1005, "kubeconfig"),
    ({"context": "no-such-context"}, 422, 1005, "context"),
    ({"unknown_field": 1}, 400, 400, "body.unknown_field"),
])
async def test_add_rejects_bad_input_with_the_field(topology: Topology, shim: Client, patch: Json, status: int,
                                                    code: int, mentions: str) -> None:
    body = {"name": "bad", "kubeconfig": b64(topology.members[0].kubeconfig), **patch}
    err = await call(shim, "POST", "/api/k8s/clusters/add", status, json=body)
    assert err["code"] == code and mentions in err["error"]
    assert (await call(shim, "GET", "/api/k8s/clusters/list"))["data"]["total"] == 0


async def test_add_of_an_unreachable_cluster_fails_fast_with_502_1001(topology: Topology, shim: Client,
                                                                  tmp_path: Path) -> None:
    cfg = yaml.safe_load(topology.members[0].kubeconfig.read_text())
    cfg["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1"
    dead = tmp_path / "dead.kubeconfig"
    dead.write_text(yaml.safe_dump(cfg))
    err = await add(shim, "dead", dead, expect=502)
    assert err["code"] == 1001 and "127.0.0.1:1" in err["error"]


async def test_cluster_quota(settings: Settings, make_key: KeyMaker, topology: Topology) -> None:
    key = await make_key("quota-admin", ["cloudops:admins"])
    app = create_app(Settings(**{**settings.__dict__, "max_clusters": 1}))
    async with CheckedClient(TestServer(app), headers={"X-API-Key": key}) as client:
        await add(client, "first", topology.members[0].kubeconfig)
        err = await add(client, "second", topology.members[1].kubeconfig, expect=403)
        assert err["code"] == 1003 and "quota" in err["error"]


async def test_live_test_resources_and_sync_follow_the_member(
        topology: Topology, hub: Kubectl, namespace: str, shim: Client, operator: OperatorProcess) -> None:
    member = Kubectl(topology.members[0].kubeconfig)
    c = (await add(shim, "live", topology.members[0].kubeconfig))["data"]
    test = (await call(shim, "POST", f"/api/k8s/clusters/{c['id']}/test"))["data"]
    assert test["connected"] is True and test["version"] == "1.33.13" and test["nodes_count"] == 2
    assert test["api_server"].startswith("https://127.0.0.1:") and 0 < test["response_time"] < 5

    before = (await call(shim, "GET", "/api/k8s/clusters/live/resources"))["data"]
    assert before["cluster_id"] == c["id"] and before["resources"]["nodes"] == 2
    ns = f"res-{int(time.time() * 1000) % 10**8}"
    await asyncio.to_thread(member, "create", "namespace", ns)
    try:
        await asyncio.to_thread(member, "-n", ns, "create", "deployment", "web", "--image=nginx", "--replicas=2")
        await asyncio.to_thread(member, "-n", ns, "create", "configmap", "extra")
        after = (await call(shim, "GET", "/api/k8s/clusters/live/resources"))["data"]
        assert after["resources"]["deployments"] == before["resources"]["deployments"] + 1
        assert after["resources"]["configmaps"] >= before["resources"]["configmaps"] + 1

        # With an hour between syncs, only the sync request itself can make the operator answer in time.
        await asyncio.to_thread(hub, "-n", namespace, "patch", "managedcluster", "live", "--type=merge", "-p",
                                '{"spec":{"syncIntervalSeconds":3600}}')
        synced = (await call(shim, "POST", "/api/k8s/clusters/live/sync"))["data"]
        assert synced["status"] == "connected" and synced["health_status"] == "healthy"
        detail = (await call(shim, "GET", "/api/k8s/clusters/live"))["data"]
        assert detail["metrics"]["deployment_count"] == after["resources"]["deployments"]
        assert synced["sync_time"] == detail["last_sync_time"]
    finally:
        await asyncio.to_thread(member.run, "delete", "namespace", ns, "--wait=false")

    health = (await call(shim, "GET", f"/api/k8s/clusters/{c['id']}/health"))["data"]
    assert health["health_status"] == "healthy" and health["health_score"] == 100.0
    assert {x["name"] for x in health["components"]} == {"api-server", "etcd", "controller-manager", "scheduler"}
    assert {n["name"] for n in health["nodes"]} == {n["metadata"]["name"] for n in member.json("get", "nodes")["items"]}
    metrics = (await call(shim, "GET", "/api/k8s/clusters/live/metrics?time_range=1h"))["data"]
    assert metrics["node_count"] == 2 and metrics["history"] and metrics["history"][-1]["node_count"] == 2
    assert (await call(shim, "GET", "/api/k8s/clusters/live/metrics?time_range=2h", 400))["error"].startswith(
        "query.time_range")
    summary = (await call(shim, "GET", "/api/k8s/clusters/metrics/summary"))["data"]
    assert summary["summary"]["total_clusters"] == 1 and summary["summary"]["healthy_clusters"] == 1
    assert summary["clusters"][0]["name"] == "live"


async def test_sync_without_an_operator_times_out_with_1004(settings: Settings, make_key: KeyMaker,
                                                            topology: Topology) -> None:
    key = await make_key("sync-admin", ["cloudops:admins"])
    app = create_app(Settings(**{**settings.__dict__, "sync_timeout_seconds": 1.0}))
    async with CheckedClient(TestServer(app), headers={"X-API-Key": key}) as client:
        await add(client, "lonely", topology.members[0].kubeconfig)
        err = await call(client, "POST", "/api/k8s/clusters/lonely/sync", 504)
        assert err["code"] == 1004 and "operator" in err["error"]


async def test_batch_health_check(topology: Topology, shim: Client, operator: OperatorProcess) -> None:
    a = (await add(shim, "bh-a", topology.members[0].kubeconfig))["data"]
    await add(shim, "bh-b", topology.members[1].kubeconfig)
    res = (await call(shim, "POST", "/api/k8s/clusters/health/check",
                      json={"cluster_ids": [a["id"], "bh-b", 4242], "check_nodes": False}))["data"]
    assert res["summary"]["total_checked"] == 2 and res["summary"]["healthy"] == 2
    assert res["not_found"] == ["4242"]
    first = next(r for r in res["results"] if r["cluster_id"] == a["id"])
    assert first["cluster_name"] == "bh-a" and first["status"] == "healthy" and "nodes" not in first
    assert first["resources"]["nodes"] == 2 and len(first["components"]) == 4
    lean = (await call(shim, "POST", "/api/k8s/clusters/health/check",
                       json={"cluster_ids": ["bh-a"], "check_components": False, "check_resources": False}))["data"]
    only = lean["results"][0]
    assert only["status"] == "healthy" and "components" not in only and "resources" not in only
    assert {n["status"] for n in only["nodes"]} == {"Ready"}
    err = await call(shim, "POST", "/api/k8s/clusters/health/check", 400, json={"cluster_ids": []})
    assert "body.cluster_ids" in err["error"]


async def test_concurrent_adds_of_one_name_leave_one_intact_cluster(topology: Topology, hub: Kubectl,
                                                                    namespace: str, shim: Client) -> None:
    m1, m2 = topology.members[0], topology.members[1]
    results = await asyncio.gather(
        shim.post("/api/k8s/clusters/add", json={"name": "race", "kubeconfig": b64(m1.kubeconfig)}),
        shim.post("/api/k8s/clusters/add", json={"name": "race", "kubeconfig": b64(m2.kubeconfig)}))
    statuses = sorted(r.status for r in results)
    assert statuses == [200, 409], statuses
    winner = m1 if results[0].status == 200 else m2
    secret = await asyncio.to_thread(hub.json, "-n", namespace, "get", "secret", "cloudops-kubeconfig-race")
    assert base64.b64decode(secret["data"]["kubeconfig"]) == winner.kubeconfig.read_bytes()
    owner = secret["metadata"]["ownerReferences"][0]
    cluster = await asyncio.to_thread(hub.json, "-n", namespace, "get", "managedcluster", "race")
    assert owner["uid"] == cluster["metadata"]["uid"]
