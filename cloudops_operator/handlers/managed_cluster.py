"""ManagedCluster: id allocation, a per-object sync loop that keeps status true, Secret clean-up."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from datetime import UTC, datetime
from typing import Any

import kopf

from cloudops.clusters.connect import explain
from cloudops.clusters.metrics_store import append_sample
from cloudops.clusters.probe import Snapshot, probe
from cloudops.clusters.registry import SYNC_ANNOTATION
from cloudops.conditions import now_iso
from cloudops.constants import GROUP, ID_LABEL, MANAGED_CLUSTER, VERSION
from cloudops.ids import allocate_id
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import NotFound
from cloudops.kube.secrets import Secrets
from cloudops_operator.memo import Memo
from cloudops_operator.metrics import CLUSTER_HEALTH_SCORE, CLUSTER_UP, SYNC_DURATION, SYNCS
from cloudops_operator.status import ready_status

__all__ = ["SYNC_ANNOTATION", "assign_id", "delete_secret", "sync", "wake"]

PLURAL = MANAGED_CLUSTER.plural

DEFAULT_INTERVAL = 15.0


@kopf.on.resume(GROUP, VERSION, PLURAL)
@kopf.on.create(GROUP, VERSION, PLURAL)
async def assign_id(body: kopf.Body, meta: kopf.Meta, patch: kopf.Patch, memo: Memo, **_: Any) -> None:
    """Every cluster gets a stable integer id, kept as a label (selectable) and mirrored in status."""
    label = meta.get("labels", {}).get(ID_LABEL)
    if label is None:
        new_id = await allocate_id(memo.hub, meta["namespace"], PLURAL)
        patch.metadata.setdefault("labels", {})[ID_LABEL] = str(new_id)
        patch.status["id"] = new_id
    elif (body.get("status") or {}).get("id") != int(label):
        patch.status["id"] = int(label)


@kopf.on.update(GROUP, VERSION, PLURAL)
def wake(memo: Memo, **_: Any) -> None:
    """A spec change or a sync request (annotation) should not wait for the next interval."""
    memo.wakeup().set()


MAX_NODES, MAX_ISSUES = 500, 100  # the CRD's maxItems


def _status_from_snapshot(body: kopf.Body, snap: Snapshot) -> dict[str, Any]:
    s = dataclasses.asdict(snap)
    status = {
        "phase": "connected", "healthStatus": s["health_status"], "healthScore": s["health_score"],
        "kubernetesVersion": s["version"], "apiServer": s["api_server"], "nodeCount": s["counts"]["nodes"],
        "resourceCounts": s["counts"], "usage": s["usage"], "components": s["components"],
        "nodes": s["nodes"][:MAX_NODES], "issues": s["issues"][:MAX_ISSUES], "lastSyncTime": now_iso(),
        "reason": "Connected",
        "message": f"connected in {s['response_time']}s",
    }
    status.update(ready_status(body, True, "Connected", status["message"]))
    return status


def _status_from_error(body: kopf.Body, exc: BaseException, server: str) -> dict[str, Any]:
    err = explain(exc, server)
    # Last-known counts and usage stay (labelled by lastSyncTime); live readings that would now
    # mislead, component and node health, are dropped (null deletes in a merge patch).
    status = {"phase": err.phase, "healthStatus": "error" if err.phase == "error" else "unknown",
              "healthScore": 0.0, "components": None, "nodes": None, "reason": err.reason, "message": err.message,
              "issues": [{"type": "error", "message": err.message, "severity": "critical"}]}
    status.update(ready_status(body, False, err.reason, err.message))
    return status


async def reconcile_once(body: kopf.Body, memo: Memo, logger: logging.Logger | kopf.Logger) -> dict[str, Any]:
    started = time.perf_counter()
    namespace, name = body["metadata"]["namespace"], body["metadata"]["name"]
    spec = dict(body.get("spec", {}))
    request = (body["metadata"].get("annotations") or {}).get(SYNC_ANNOTATION)
    server = "the member API server"
    snap: Snapshot | None = None
    try:
        api, server = await memo.members.get(memo.hub, namespace, spec)
        snap = await asyncio.wait_for(probe(api, server), timeout=memo.settings.member_timeout_seconds)
        status = _status_from_snapshot(body, snap)
    except asyncio.CancelledError:
        raise
    except Exception as e:
        status = _status_from_error(body, e, server)
        logger.warning("cluster %s: %s (%s)", name, status["message"], status["reason"])
    if request:
        status["lastSyncRequest"] = request
    SYNCS.labels(status["phase"]).inc()
    CLUSTER_UP.labels(namespace, name).set(1 if snap is not None else 0)
    CLUSTER_HEALTH_SCORE.labels(namespace, name).set(snap.health_score if snap is not None else 0)
    try:
        await CustomObjects(memo.hub, MANAGED_CLUSTER, namespace).patch_status(name, status)
        if snap is not None:
            await append_sample(memo.hub, dict(body), _sample(snap), datetime.now(UTC))
    except NotFound:
        pass  # deleted while probing
    SYNC_DURATION.observe(time.perf_counter() - started)
    return status


def _sample(snap: Snapshot) -> dict[str, float]:
    return {"cpu": snap.usage["cpuPercent"], "memory": snap.usage["memoryPercent"], "disk": snap.usage["diskPercent"],
            "pods": snap.counts["pods"], "nodes": snap.counts["nodes"], "score": snap.health_score}


@kopf.daemon(GROUP, VERSION, PLURAL, cancellation_timeout=10)
async def sync(body: kopf.Body, stopped: kopf.DaemonStopped, memo: Memo, logger: kopf.Logger, **_: Any) -> None:
    """Re-probes on every interval, on spec changes and on sync requests, until the object goes away."""
    event = memo.wakeup()
    while not stopped:
        event.clear()
        await reconcile_once(body, memo, logger)
        interval = float((body.get("spec") or {}).get("syncIntervalSeconds") or DEFAULT_INTERVAL)
        waiters = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(stopped.wait(interval))]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()


@kopf.on.delete(GROUP, VERSION, PLURAL)
async def delete_secret(spec: kopf.Spec, meta: kopf.Meta, memo: Memo, logger: kopf.Logger, **_: Any) -> None:
    """The kubeconfig Secret goes with its cluster, unless another cluster still refers to it."""
    for gauge in (CLUSTER_UP, CLUSTER_HEALTH_SCORE):
        try:
            gauge.remove(meta["namespace"], meta["name"])
        except KeyError:
            pass
    secret = (spec.get("kubeconfigSecretRef") or {}).get("name")
    if not secret:
        return
    others = await CustomObjects(memo.hub, MANAGED_CLUSTER, meta["namespace"]).list()
    if any(o["metadata"]["name"] != meta["name"] and
           (o.get("spec", {}).get("kubeconfigSecretRef") or {}).get("name") == secret for o in others):
        logger.info("kubeconfig Secret %s kept: still referenced by another cluster", secret)
        return
    if await Secrets(memo.hub, meta["namespace"]).delete(secret):
        logger.info("deleted kubeconfig Secret %s", secret)
