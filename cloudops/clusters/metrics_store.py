"""The ClusterMetrics object of a cluster: created on first sample, owned by (and deleted with) it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kubernetes_asyncio.client import ApiClient

from cloudops.clusters.history import record
from cloudops.conditions import now_iso
from cloudops.constants import API_VERSION, CLUSTER_METRICS
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import Conflict, NotFound

__all__ = ["append_sample", "read_series"]


def _store(api: ApiClient, namespace: str) -> CustomObjects:
    return CustomObjects(api, CLUSTER_METRICS, namespace)


async def read_series(api: ApiClient, namespace: str, cluster: str) -> dict[str, list[dict[str, Any]]]:
    try:
        obj = await _store(api, namespace).get(cluster)
    except NotFound:
        return {}
    return dict((obj.get("status") or {}).get("series") or {})


async def append_sample(api: ApiClient, cluster: dict[str, Any], sample: dict[str, float], now: datetime) -> None:
    meta = cluster["metadata"]
    store = _store(api, meta["namespace"])
    try:
        current = await store.get(meta["name"])
    except NotFound:
        owner = {"apiVersion": API_VERSION, "kind": "ManagedCluster", "name": meta["name"], "uid": meta["uid"],
                 "blockOwnerDeletion": False, "controller": True}
        try:
            current = await store.create({
                "apiVersion": API_VERSION, "kind": CLUSTER_METRICS.kind,
                "metadata": {"name": meta["name"], "namespace": meta["namespace"], "ownerReferences": [owner]},
                "spec": {"clusterRef": {"name": meta["name"]}}})
        except Conflict:
            current = await store.get(meta["name"])
    series = record((current.get("status") or {}).get("series"), sample, now)
    await store.patch_status(meta["name"], {"series": series, "updatedTime": now_iso()})
