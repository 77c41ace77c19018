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
from cloudops.clusters.metrics_store import write_metrics
from cloudops.clusters.probe import Snapshot, probe
from cloudops.clusters.registry import SYNC_ANNOTATION
from cloudops.conditions import now_iso
from cloudops.constants import GROUP, ID_LABEL, MANAGED_CLUSTER, VERSION
from cloudops.ids import allocate_id
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import NotFound
from cloudops.kube.secrets import Secrets
from cloudops.members.session import MemberSession
from cloudops_operator.cluster_jobs import run_due_jobs
from cloudops_operator.memo import Memo
from cloudops_operator.metrics import CLUSTER_HEALTH_SCORE, CLUSTER_UP, STATUS_WRITES, SYNC_DURATION, SYNCS
from cloudops_operator.status import ready_status

__all__ = ["SYNC_ANNOTATION", "assign_id", "clusters_by_secret", "delete_secret", "status_patch", "sync", "wake"]

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
    """Per-node detail is not here (it goes to ClusterMetrics): listing 1,000 clusters stays small."""
    s = dataclasses.asdict(snap)
    status = {
        "phase": "connected", "healthStatus": s["health_status"], "healthScore": s["health_score"],
        "kubernetesVersion": s["version"], "apiServer": s["api_server"], "nodeCount": s["counts"]["nodes"],
        "resourceCounts": s["counts"], "usage": s["usage"], "components": s["components"],
        "nodes": None, "issues": s["issues"][:MAX_ISSUES], "lastSyncTime": now_iso(),
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
              "issues": [{"type": "error", "message": err.message, "severity": "critical"}], "lastSyncTime": now_iso()}
    status.update(ready_status(body, False, err.reason, err.message))
    return status


# Readings that change on every probe without meaning anything changed: they alone never cause a write.
VOLATILE = {"lastSyncTime", "message", "lastSyncRequest"}


def _meaningful(status: dict[str, Any]) -> Any:
    """The status without its volatile readings (response times, lease ages, timestamps)."""
    out = {k: v for k, v in status.items() if k not in VOLATILE}
    out["components"] = [{k: v for k, v in c.items() if k not in ("responseTimeSeconds", "message")}
                         for c in status.get("components") or []]
    out["conditions"] = [{k: v for k, v in c.items() if k in ("type", "status", "reason")}
                         for c in status.get("conditions") or []]
    out.pop("nodes", None)
    return out


def status_patch(current: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The whole new status when something meaningful changed; otherwise only the heartbeat fields
    (lastSyncTime, message, lastSyncRequest): a steady cluster costs a few bytes per sync, not its status."""
    if _meaningful(current) != _meaningful({**current, **{k: v for k, v in new.items() if v is not None}}) or \
            any(new.get(k) is None and current.get(k) is not None for k in new):
        return new
    return {k: new[k] for k in VOLATILE if k in new}


async def reconcile_once(body: kopf.Body, memo: Memo, logger: logging.Logger | kopf.Logger) -> dict[str, Any]:
    started = time.perf_counter()
    namespace, name = body["metadata"]["namespace"], body["metadata"]["name"]
    spec = dict(body.get("spec", {}))
    request = (body["metadata"].get("annotations") or {}).get(SYNC_ANNOTATION)
    server = "the member API server"
    snap: Snapshot | None = None
    try:
        async with memo.probe_slots:
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
    patch = status_patch(dict(body.get("status") or {}), status)
    STATUS_WRITES.labels("full" if patch is status else "heartbeat").inc()
    try:
        await CustomObjects(memo.hub, MANAGED_CLUSTER, namespace).patch_status(name, patch)
        if snap is not None:
            await _record(memo, body, snap)
    except NotFound:
        pass  # deleted while probing
    SYNC_DURATION.observe(time.perf_counter() - started)
    return status


async def _record(memo: Memo, body: kopf.Body, snap: Snapshot) -> None:
    """History in batches of `history_batch` samples; node detail written whenever it changed."""
    pending = memo.pending_samples()
    pending.append((_sample(snap), datetime.now(UTC)))
    nodes = snap.nodes[:MAX_NODES]
    nodes_changed = memo.get("_nodes") != _steady_nodes(nodes)
    if len(pending) >= max(1, memo.settings.history_batch) or nodes_changed:
        await flush_history(memo, body, nodes if nodes_changed else None)
        memo["_nodes"] = _steady_nodes(nodes)


def _steady_nodes(nodes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(n["name"], n["status"]) for n in nodes]


async def flush_history(memo: Memo, body: kopf.Body, nodes: list[dict[str, Any]] | None = None) -> None:
    pending = memo.pending_samples()
    if not pending and nodes is None:
        return
    batch = list(pending)
    await write_metrics(memo.hub, dict(body), batch, nodes)
    del pending[:len(batch)]


def _sample(snap: Snapshot) -> dict[str, float]:
    return {"cpu": snap.usage["cpuPercent"], "memory": snap.usage["memoryPercent"], "disk": snap.usage["diskPercent"],
            "pods": snap.counts["pods"], "nodes": snap.counts["nodes"], "score": snap.health_score}


@kopf.daemon(GROUP, VERSION, PLURAL, cancellation_timeout=10)
async def sync(body: kopf.Body, stopped: kopf.DaemonStopped, memo: Memo, logger: kopf.Logger, **_: Any) -> None:
    """Re-probes on every interval, on spec changes and on sync requests, until the object goes away;
    between probes runs the sections' periodic cluster jobs (cloudops_operator.cluster_jobs) when due."""
    event = memo.wakeup()
    name, namespace = body["metadata"]["name"], body["metadata"]["namespace"]
    budget = 2 * memo.settings.member_timeout_seconds

    async def open_session() -> MemberSession:
        api, server = await asyncio.wait_for(memo.members.get(memo.hub, namespace, dict(body.get("spec") or {})),
                                             timeout=memo.settings.member_timeout_seconds)
        return MemberSession(api, name, server, memo.settings.member_timeout_seconds, memo.discovery)

    next_sync, connected = 0.0, False
    try:
        while not stopped:
            if event.is_set() or time.monotonic() >= next_sync:
                event.clear()
                connected = (await reconcile_once(body, memo, logger))["phase"] == "connected"
                interval = float((body.get("spec") or {}).get("syncIntervalSeconds") or DEFAULT_INTERVAL)
                next_sync = time.monotonic() + interval
            next_job = await run_due_jobs(body, memo, logger, open_session, budget) if connected else None
            wait = next_sync - time.monotonic()
            if next_job is not None:
                wait = min(wait, next_job)
            waiters = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(stopped.wait(max(wait, 0.05)))]
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waiters:
                    w.cancel()
    finally:
        # A stopping operator writes what it holds; only a crash can lose a partial batch.
        if not (body.get("metadata") or {}).get("deletionTimestamp"):
            try:
                await asyncio.wait_for(flush_history(memo, body), timeout=5)
            except Exception as e:  # the hub client may already be closing: the batch bound applies
                logger.info("history batch of %s not written on stop: %s", name, e.__class__.__name__)


@kopf.index(GROUP, VERSION, PLURAL)
def clusters_by_secret(spec: kopf.Spec, name: str, **_: Any) -> dict[str, str] | None:
    """Which clusters use which kubeconfig Secret: kept by kopf from its watch, so a delete lists nothing."""
    secret = (spec.get("kubeconfigSecretRef") or {}).get("name")
    return {secret: name} if secret else None


@kopf.on.delete(GROUP, VERSION, PLURAL)
async def delete_secret(spec: kopf.Spec, meta: kopf.Meta, memo: Memo, logger: kopf.Logger, **kwargs: Any) -> None:
    """The kubeconfig Secret goes with its cluster, unless another cluster still refers to it."""
    for gauge in (CLUSTER_UP, CLUSTER_HEALTH_SCORE):
        try:
            gauge.remove(meta["namespace"], meta["name"])
        except KeyError:
            pass
    secret = (spec.get("kubeconfigSecretRef") or {}).get("name")
    if not secret:
        return
    users: kopf.Index[str, str] = kwargs["clusters_by_secret"]  # kopf passes indexes by name
    if any(other != meta["name"] for other in users.get(secret, [])):
        logger.info("kubeconfig Secret %s kept: still referenced by another cluster", secret)
        return
    if await Secrets(memo.hub, meta["namespace"]).delete(secret):
        logger.info("deleted kubeconfig Secret %s", secret)
