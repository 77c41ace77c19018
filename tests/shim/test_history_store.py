"""MetricHistory objects in the real hub: created on first sample, bounded, owned by their cluster."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from kubernetes_asyncio.client import ApiClient

from cloudops.history_store import Subject, append, history_name, read
from tests.helpers import Kubectl


async def test_samples_fold_into_a_bounded_history_owned_by_the_cluster(hub: Kubectl, hub_api: ApiClient,
                                                                       namespace: str) -> None:
    cr = {"apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
          "metadata": {"name": "hist", "namespace": namespace},
          "spec": {"kubeconfigSecretRef": {"name": "none"}}}
    cluster = json.loads(await asyncio.to_thread(hub, "create", "-o", "json", "-f", "-", stdin=json.dumps(cr)))
    subject = Subject("ResourceQuota", "team-a", "compute")
    start = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    for minute in range(70):  # more minutes than the 1h tier keeps
        await append(hub_api, cluster, "quota-usage", subject, {"cpu": float(minute), "memory": 2.0},
                     start + timedelta(minutes=minute))
    series = await read(hub_api, namespace, "quota-usage", "hist", subject)
    assert len(series["1h"]) == 60 and series["1h"][-1]["cpu"] == 69.0
    assert len(series["24h"]) == 5 and series["24h"][0]["n"] == 15
    assert await read(hub_api, namespace, "quota-usage", "hist", Subject("ResourceQuota", "team-a", "x")) == {}
    obj = await asyncio.to_thread(hub.json, "-n", namespace, "get", "metrichistory",
                                  history_name("quota-usage", "hist", subject))
    assert obj["status"]["fields"] == ["cpu", "memory"]
    assert obj["metadata"]["ownerReferences"][0]["uid"] == cluster["metadata"]["uid"]
