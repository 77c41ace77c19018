"""Activity histories against the real hub: entries survive as objects, filters select exactly, retention bounds."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cloudops import activity
from cloudops.constants import API_VERSION
from cloudops.kube.client import hub_client
from devcluster.topology import Topology
from tests.helpers import Kubectl

Json = dict[str, Any]


@pytest.fixture
async def cluster(hub: Kubectl, namespace: str) -> Json:
    hub("create", "secret", "generic", "kc", "-n", namespace, "--from-literal=kubeconfig=x")
    body = {"apiVersion": API_VERSION, "kind": "ManagedCluster",
            "metadata": {"name": "c1", "namespace": namespace},
            "spec": {"kubeconfigSecretRef": {"name": "kc"}}}
    hub("apply", "-f", "-", stdin=json.dumps(body))
    got: Json = hub.json("get", "managedcluster", "c1", "-n", namespace)
    return got


@pytest.fixture
async def api(topology: Topology) -> AsyncIterator[Any]:
    client = await hub_client(str(topology.hub.kubeconfig))
    yield client
    await client.close()


async def test_entries_are_filtered_newest_first_and_bounded(api: Any, cluster: Json, namespace: str) -> None:
    now = datetime.now(UTC)
    pod = activity.Subject("Pod", "ns", "web-0", "app")
    other = activity.Subject("Pod", "ns", "web-1", "app")
    keep = activity.Retention(max_records=3, max_age=timedelta(hours=1))
    for i in range(4):
        await activity.append(api, cluster, "exec", {"n": i}, actor="alice@example.com", subject=pod,
                              now=now + timedelta(seconds=i), retention=keep)
    await activity.append(api, cluster, "exec", {"n": 9}, actor="bob", subject=other,
                          now=now + timedelta(seconds=10), retention=keep)
    everything = await activity.entries(api, namespace, "exec")
    assert [e.data["n"] for e in everything] == [9, 3, 2]  # newest three, newest first
    assert [e.data["n"] for e in await activity.entries(api, namespace, "exec", subject=pod)] == [3, 2]
    assert [e.data["n"] for e in await activity.entries(api, namespace, "exec", actor="alice@example.com")] == [3, 2]
    assert await activity.entries(api, namespace, "exec", cluster="other") == []
    assert await activity.entries(api, namespace, "log-export") == []
    # Age: an entry older than max_age goes with the next append.
    await activity.append(api, cluster, "exec", {"n": 10}, subject=pod, now=now + timedelta(hours=2),
                          retention=keep)
    assert [e.data["n"] for e in await activity.entries(api, namespace, "exec")] == [10]


async def test_stream_names_are_checked(api: Any, cluster: Json) -> None:
    with pytest.raises(ValueError, match="stream"):
        await activity.append(api, cluster, "Bad Stream", {})
