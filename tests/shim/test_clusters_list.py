"""GET /api/k8s/clusters/list reads ManagedCluster objects from the hub."""

from __future__ import annotations

import asyncio
import json

from aiohttp.test_utils import TestClient

from tests.helpers import Kubectl

CLUSTERS = [  # name, provider, tags, id, phase
    ("alpha", "aws", ["prod", "us"], 3, "connected"),
    ("bravo", "aliyun", ["prod"], 1, "disconnected"),
    ("charlie", "aws", ["dev"], 2, "connected"),
    ("delta", "tencent", [], 5, "error"),
    ("echo", "other", ["prod"], 4, "connected"),
]


def _create(hub: Kubectl, namespace: str) -> None:
    for name, provider, tags, cid, phase in CLUSTERS:
        hub("apply", "-f", "-", stdin=json.dumps({
            "apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
            "metadata": {"name": name, "namespace": namespace, "labels": {"cloudops.io/id": str(cid)}},
            "spec": {"provider": provider, "tags": tags, "region": "r1", "kubeconfigSecretRef": {"name": name}}}))
        hub("-n", namespace, "patch", "managedcluster", name, "--subresource=status", "--type=merge", "-p",
            json.dumps({"status": {"id": cid, "phase": phase, "resourceCounts": {"pods": cid, "nodes": 1}}}))


async def _list(shim: TestClient, query: str = "") -> dict:  # type: ignore[type-arg]
    r = await shim.get(f"/api/k8s/clusters/list{query}")
    body = await r.json()
    assert r.status == 200, body
    return body["data"]  # type: ignore[no-any-return]


async def test_list_filters_paginates_and_counts(shim: TestClient, hub: Kubectl, namespace: str) -> None:  # type: ignore[type-arg]
    await asyncio.to_thread(_create, hub, namespace)
    data = await _list(shim)
    assert data["total"] == 5
    assert [c["id"] for c in data["clusters"]] == [1, 2, 3, 4, 5]
    first = data["clusters"][0]
    assert first["name"] == "bravo" and first["provider"] == "aliyun" and first["status"] == "disconnected"
    assert first["resource_count"] == 2 and first["tags"] == ["prod"] and first["region"] == "r1"
    assert set(first) == {"id", "name", "display_name", "provider", "region", "version", "status",
                          "health_status", "resource_count", "last_sync_time", "tags",
                          # beyond the reference: every cluster at a glance (the console's table)
                          "health_score", "issues", "node_count", "cpu_usage", "memory_usage"}

    page = await _list(shim, "?limit=2&offset=1")
    assert page["total"] == 5 and [c["id"] for c in page["clusters"]] == [2, 3]
    assert (await _list(shim, "?offset=10"))["clusters"] == []

    aws = await _list(shim, "?provider=aws")
    assert aws["total"] == 2 and {c["name"] for c in aws["clusters"]} == {"alpha", "charlie"}
    prod = await _list(shim, "?tag=prod&limit=1")
    assert prod["total"] == 3 and [c["name"] for c in prod["clusters"]] == ["bravo"]
    connected = await _list(shim, "?status=connected&provider=aws")
    assert connected["total"] == 2


async def test_empty_namespace_lists_nothing(shim: TestClient) -> None:  # type: ignore[type-arg]
    assert await _list(shim) == {"clusters": [], "total": 0, "limit": 20, "offset": 0}
