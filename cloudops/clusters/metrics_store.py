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

__all__ = ["read_metrics", "read_series", "write_metrics"]


def _store(api: ApiClient, namespace: str) -> CustomObjects:
    return CustomObjects(api, CLUSTER_METRICS, namespace)


async def read_metrics(api: ApiClient, namespace: str, cluster: str) -> dict[str, Any]:
    """The ClusterMetrics status: `series` (history by range) and `nodes` (per-node health)."""
    try:
        obj = await _store(api, namespace).get(cluster)
    except NotFound:
        return {}
    return dict(obj.get("status") or {})


async def read_series(api: ApiClient, namespace: str, cluster: str) -> dict[str, list[dict[str, Any]]]:
    return dict((await read_metrics(api, namespace, cluster)).get("series") or {})


async def write_metrics(api: ApiClient, cluster: dict[str, Any], samples: list[tuple[dict[str, float], datetime]],
                        nodes: list[dict[str, Any]] | None = None) -> None:
    """Folds a batch of samples (each with its time) into the history and, when given, replaces the
    per-node detail: one write for many samples, and node detail kept out of the listed ManagedCluster."""
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
    series = (current.get("status") or {}).get("series")
    for sample, at in samples:
        series = record(series, sample, at)
    status: dict[str, Any] = {"series": series or {}, "updatedTime": now_iso()}
    if nodes is not None:
        status["nodes"] = nodes
    await store.patch_status(meta["name"], status)
