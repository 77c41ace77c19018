"""The shim reads clusters from a watch: kubectl changes show within 2 s, requests cost no hub LIST,
member calls no Secret GET, and a restarted shim serves the same data once ready."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

from aiohttp.test_utils import TestServer

from api_shim.app import create_app
from api_shim.state import CACHE, MEMBERS
from cloudops.settings import Settings
from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.shim.checked import CheckedClient
from tests.shim.conftest import Client, KeyMaker


async def _status(client: Client, path: str) -> tuple[int, Any]:
    r = await client.get(path)
    return r.status, await r.json()


async def _within(seconds: float, cond: Any, what: str) -> float:
    start = time.monotonic()
    await eventually(cond, seconds, what)
    return time.monotonic() - start


async def test_kubectl_changes_reach_the_shim_within_two_seconds_without_lists(
        shim: Client, hub: Kubectl, namespace: str) -> None:
    cache = shim.app[CACHE]
    await eventually(lambda: _ready(shim), 30, "shim ready")
    lists = cache.clusters.lists
    cr = {"apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
          "metadata": {"name": "via-kubectl", "namespace": namespace, "labels": {"cloudops.io/id": "4242"}},
          "spec": {"description": "first", "kubeconfigSecretRef": {"name": "none"}}}
    await asyncio.to_thread(hub, "apply", "-f", "-", stdin=json.dumps(cr))

    async def seen(desc: str) -> bool:
        status, body = await _status(shim, "/api/k8s/clusters/4242")
        return status == 200 and body["data"]["description"] == desc

    assert await _within(2, lambda: seen("first"), "added cluster visible by id") < 2
    await asyncio.to_thread(hub, "-n", namespace, "patch", "managedcluster", "via-kubectl", "--type=merge",
                            "-p", '{"spec": {"description": "second"}}')
    assert await _within(2, lambda: seen("second"), "changed cluster visible") < 2
    for _ in range(20):
        status, body = await _status(shim, "/api/k8s/clusters/list")
        assert status == 200 and body["data"]["total"] == 1
    await asyncio.to_thread(hub, "-n", namespace, "delete", "managedcluster", "via-kubectl", "--wait=false")

    async def gone() -> bool:
        return (await _status(shim, "/api/k8s/clusters/via-kubectl"))[0] == 404

    assert await _within(2, gone, "deleted cluster gone") < 2
    assert cache.clusters.lists == lists, "requests must be served from the watch, not by listing the hub"


async def _ready(client: Client) -> bool:
    return (await client.get("/readyz")).status == 200


async def test_member_calls_reuse_the_client_without_reading_the_secret_again(
        shim: Client, topology: Topology) -> None:
    kc = base64.b64encode(topology.members[0].kubeconfig.read_bytes()).decode()
    assert (await shim.post("/api/k8s/clusters/add", json={"name": "m", "kubeconfig": kc})).status == 200
    members = shim.app[MEMBERS]
    await eventually(lambda: _ready(shim), 30, "shim ready")
    await shim.get("/api/k8s/unified/resources?resource_type=namespaces")
    reads = members.secret_reads
    for _ in range(5):
        assert (await shim.get("/api/k8s/unified/resources?resource_type=namespaces")).status == 200
    assert members.secret_reads == reads


async def test_a_restarted_shim_serves_the_same_data_once_ready(
        shim: Client, settings: Settings, make_key: KeyMaker, hub: Kubectl, namespace: str) -> None:
    for i in range(3):
        cr = {"apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
              "metadata": {"name": f"c{i}", "namespace": namespace, "labels": {"cloudops.io/id": str(100 + i)}},
              "spec": {"kubeconfigSecretRef": {"name": "none"}, "tags": [f"t{i}"]}}
        await asyncio.to_thread(hub, "apply", "-f", "-", stdin=json.dumps(cr))

    async def three() -> Any:
        status, body = await _status(shim, "/api/k8s/clusters/list")
        return body["data"] if status == 200 and body["data"]["total"] == 3 else None

    before = await eventually(three, 10, "three clusters listed")
    key = await make_key("restarted", ["cloudops:admins"])
    async with CheckedClient(TestServer(create_app(settings)), headers={"X-API-Key": key}) as fresh:
        await eventually(lambda: _ready(fresh), 30, "restarted shim ready")
        status, body = await _status(fresh, "/api/k8s/clusters/list")
        assert status == 200 and body["data"] == before
        assert (await _status(fresh, "/api/k8s/clusters/101"))[1]["data"]["name"] == "c1"
