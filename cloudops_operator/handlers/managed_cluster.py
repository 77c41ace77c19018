"""ManagedCluster: id allocation, a per-object sync loop that keeps status true, Secret clean-up."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import kopf
from pydantic import ValidationError

from cloudops.clusters.errors import ConnectError, explain
from cloudops.clusters.metrics_store import write_metrics
from cloudops.clusters.objects import as_cluster, wire_name
from cloudops.clusters.probe import Snapshot, probe
from cloudops.clusters.registry import SYNC_ANNOTATION
from cloudops.conditions import now_iso
from cloudops.constants import GROUP, ID_LABEL, MANAGED_CLUSTER, VERSION
from cloudops.kube.cluster_secrets import delete_owned
from cloudops.kube.errors import NotFound
from cloudops.kube.ids import allocate_id
from cloudops.kube.leases import parse_time
from cloudops.kube.stores import HubStore
from cloudops.kube.types import JsonObject, JsonValue
from cloudops.members.access import ClusterRef
from cloudops.members.session import MemberSession
from cloudops.resources.base import Condition, dump_patch
from cloudops.resources.managed_cluster import (
    ClusterIssue,
    ComponentHealth,
    ManagedCluster,
    ManagedClusterSpec,
    ManagedClusterStatus,
    NodeHealth,
)
from cloudops_operator.cluster_jobs import run_due_jobs
from cloudops_operator.loops import object_loop
from cloudops_operator.memo import Memo
from cloudops_operator.metrics import CLUSTER_HEALTH_SCORE, CLUSTER_UP, STATUS_WRITES, SYNC_DURATION, SYNCS
from cloudops_operator.model_status import ready_conditions
from cloudops_operator.wake_loop import Stopped, nap

__all__ = ["SYNC_ANNOTATION", "assign_id", "clusters_by_secret", "delete_secret", "first_sync_delay", "status_patch",
           "sync"]

PLURAL = MANAGED_CLUSTER.plural

DEFAULT_INTERVAL = 15.0
# A status write and its history batch: the hub answers in milliseconds; far longer means it is stuck.
HUB_WRITE_SECONDS = 30.0
# The leader labels a new cluster with its id within moments; the first status waits that long at most for it.
ID_WAIT_SECONDS = 10.0


@kopf.on.resume(GROUP, VERSION, PLURAL)
@kopf.on.create(GROUP, VERSION, PLURAL)
async def assign_id(body: kopf.Body, meta: kopf.Meta, patch: kopf.Patch, memo: Memo, **_: Any) -> None:
    """Every cluster gets a stable integer id, kept as a label (selectable) and mirrored in status."""
    label = meta.get("labels", {}).get(ID_LABEL)
    status = as_cluster(body).status
    if label is None:
        new_id = await allocate_id(memo.hub, meta["namespace"], PLURAL)
        patch.metadata.setdefault("labels", {})[ID_LABEL] = str(new_id)
        patch.status.update(dump_patch(ManagedClusterStatus(id=new_id)))
    elif (status.id if status is not None else None) != int(label):
        patch.status.update(dump_patch(ManagedClusterStatus(id=int(label))))


MAX_NODES, MAX_ISSUES = 500, 100  # the CRD's maxItems


def _ready(body: kopf.Body, ok: bool, reason: str, message: str) -> tuple[int | None, list[Condition]]:
    """observedGeneration and the conditions with Ready merged in."""
    generation = (body.get("metadata") or {}).get("generation")
    stored = ManagedClusterStatus.model_validate(body.get("status") or {})
    return generation, ready_conditions(stored.conditions, ok, reason, message, generation)


def _status_from_snapshot(body: kopf.Body, snap: Snapshot, request: str | None = None) -> JsonObject:
    """Per-node detail is not here (it goes to ClusterMetrics): listing 1,000 clusters stays small."""
    message = f"connected in {snap.response_time}s"
    generation, conditions = _ready(body, True, "Connected", message)
    status = ManagedClusterStatus(
        phase="connected", health_status=snap.health_status, health_score=snap.health_score,
        kubernetes_version=snap.version, api_server=snap.api_server, node_count=snap.counts.nodes,
        resource_counts=snap.counts, usage=snap.usage, components=snap.components, nodes=None,
        issues=[ClusterIssue.model_validate(i) for i in snap.issues[:MAX_ISSUES]], last_sync_time=now_iso(),
        reason="Connected", message=message, observed_generation=generation, conditions=conditions)
    if request:
        status.last_sync_request = request
    return dump_patch(status)


def _status_from_error(body: kopf.Body, err: ConnectError, request: str | None = None) -> JsonObject:
    """Last-known counts and usage stay (labelled by lastSyncTime); live readings that would now mislead,
    component and node health, are dropped (null deletes in a merge patch)."""
    generation, conditions = _ready(body, False, err.reason, err.message)
    phase: Literal["error", "disconnected"] = "error" if err.phase == "error" else "disconnected"
    status = ManagedClusterStatus(
        phase=phase, health_status="error" if phase == "error" else "unknown", health_score=0.0, components=None,
        nodes=None, reason=err.reason, message=err.message, last_sync_time=now_iso(),
        issues=[ClusterIssue(type="error", message=err.message, severity="critical")],
        observed_generation=generation, conditions=conditions)
    if request:
        status.last_sync_request = request
    return dump_patch(status)


# Readings that change on every probe without meaning anything changed: they alone never cause a write.
VOLATILE = {wire_name(ManagedClusterStatus, f) for f in ("last_sync_time", "message", "last_sync_request")}
_COMPONENTS, _CONDITIONS, _NODES = (wire_name(ManagedClusterStatus, f) for f in ("components", "conditions", "nodes"))
_COMPONENT_READINGS = {wire_name(ComponentHealth, f) for f in ("response_time_seconds", "message")}
_CONDITION_STATE = {wire_name(Condition, f) for f in ("type", "status", "reason")}


def _objects(value: JsonValue) -> list[JsonObject]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _meaningful(status: JsonObject) -> JsonObject:
    """The status without its volatile readings (response times, lease ages, timestamps)."""
    components: list[JsonValue] = [{k: v for k, v in c.items() if k not in _COMPONENT_READINGS}
                                   for c in _objects(status.get(_COMPONENTS))]
    conditions: list[JsonValue] = [{k: v for k, v in c.items() if k in _CONDITION_STATE}
                                   for c in _objects(status.get(_CONDITIONS))]
    steady = {k: v for k, v in status.items() if k not in VOLATILE and k != _NODES}
    return {**steady, _COMPONENTS: components, _CONDITIONS: conditions}


def status_patch(current: JsonObject, new: JsonObject) -> JsonObject:
    """The whole new status when something meaningful changed; otherwise only the heartbeat fields
    (lastSyncTime, message, lastSyncRequest): a steady cluster costs a few bytes per sync, not its status."""
    if _meaningful(current) != _meaningful({**current, **{k: v for k, v in new.items() if v is not None}}) or \
            any(new.get(k) is None and current.get(k) is not None for k in new):
        return new
    return {k: new[k] for k in VOLATILE if k in new}


async def reconcile_once(body: kopf.Body, memo: Memo, logger: logging.Logger | kopf.Logger) -> bool:
    """One probe and the status it calls for; True when the member answered."""
    started = time.perf_counter()
    namespace, name = body["metadata"]["namespace"], body["metadata"]["name"]
    request = (body["metadata"].get("annotations") or {}).get(SYNC_ANNOTATION)
    server = "the member API server"
    snap: Snapshot | None = None
    try:
        async with memo.probe_slots.slot(_probe_key(body)):
            # Bounded like the probe: a hub read that hangs must not hold the sync loop (and its jobs) forever.
            api, server = await asyncio.wait_for(memo.members.get(memo.hub, namespace, dict(body.get("spec") or {})),
                                                 timeout=memo.settings.member_timeout_seconds)
            snap = await asyncio.wait_for(probe(api, server), timeout=memo.settings.member_timeout_seconds)
        status, phase = _status_from_snapshot(body, snap, request), "connected"
    except asyncio.CancelledError:
        raise
    except Exception as e:
        err = explain(e, server)
        status, phase = _status_from_error(body, err, request), err.phase
        logger.warning("cluster %s: %s (%s)", name, err.message, err.reason)
    if not memo.shards.owns(name):  # the shard moved while probing (or this replica was paused past its Lease)
        logger.info("cluster %s: its shard is no longer this replica's; status not written", name)
        return False
    SYNCS.labels(phase).inc()
    CLUSTER_UP.labels(namespace, name).set(1 if snap is not None else 0)
    CLUSTER_HEALTH_SCORE.labels(namespace, name).set(snap.health_score if snap is not None else 0)
    patch = status_patch(dict(body.get("status") or {}), status)
    STATUS_WRITES.labels("full" if patch is status else "heartbeat").inc()
    try:
        await asyncio.wait_for(_write(memo, body, namespace, name, patch, snap), timeout=HUB_WRITE_SECONDS)
    except NotFound:
        pass  # deleted while probing
    except TimeoutError:
        logger.warning("cluster %s: the hub did not take the status within %ss; the next sync writes it",
                       name, HUB_WRITE_SECONDS)
    SYNC_DURATION.observe(time.perf_counter() - started)
    return snap is not None


async def _write(memo: Memo, body: kopf.Body, namespace: str, name: str, patch: JsonObject,
                 snap: Snapshot | None) -> None:
    await HubStore(memo.hub, ManagedCluster, namespace).patch_status(name, patch)
    if snap is not None:
        await _record(memo, body, snap)


async def _record(memo: Memo, body: kopf.Body, snap: Snapshot) -> None:
    """History in batches of `history_batch` samples; node detail written whenever it changed."""
    pending = memo.pending_samples()
    pending.append((_sample(snap), datetime.now(UTC)))
    nodes = snap.nodes[:MAX_NODES]
    steady = [(n.name, n.status) for n in nodes]
    nodes_changed = memo.get("_nodes") != steady
    if len(pending) >= max(1, memo.settings.history_batch) or nodes_changed:
        await flush_history(memo, body, nodes if nodes_changed else None)
        memo["_nodes"] = steady


async def flush_history(memo: Memo, body: kopf.Body, nodes: list[NodeHealth] | None = None) -> None:
    pending = memo.pending_samples()
    if not pending and nodes is None:
        return
    batch = list(pending)
    await write_metrics(memo.hub, as_cluster(body), batch, nodes)
    del pending[:len(batch)]


def _sample(snap: Snapshot) -> dict[str, float]:
    usage, counts = snap.usage, snap.counts
    return {"cpu": usage.cpu_percent or 0.0, "memory": usage.memory_percent or 0.0, "disk": usage.disk_percent or 0.0,
            "pods": float(counts.pods or 0), "nodes": float(counts.nodes or 0), "score": snap.health_score}


@object_loop(MANAGED_CLUSTER, cluster="self", grace=3)  # to write what it buffered; a probe in flight is abandoned
async def sync(body: kopf.Body, stopped: Stopped, memo: Memo, logger: kopf.Logger, **_: Any) -> None:
    """Re-probes on every interval, on spec changes and on sync requests (the loop is woken), until the object
    goes away or its shard moves; between probes runs the sections' periodic cluster jobs
    (cloudops_operator.cluster_jobs) when due."""
    event = memo.wakeup()
    name, namespace = body["metadata"]["name"], body["metadata"]["namespace"]
    budget = 2 * memo.settings.member_timeout_seconds

    async def open_session() -> MemberSession:
        return await memo.access.session(ClusterRef.of(dict(body)), namespace=namespace)

    next_sync = time.monotonic() + first_sync_delay(body, datetime.now(UTC))
    connected = _resume_gauges(body)
    try:
        await _await_id(body, stopped, event)
        while not stopped:
            if event.is_set() or time.monotonic() >= next_sync:
                event.clear()
                connected = await reconcile_once(body, memo, logger)
                interval = float(as_cluster(body).spec.sync_interval_seconds or DEFAULT_INTERVAL)
                next_sync = time.monotonic() + interval
            next_job = await run_due_jobs(body, memo, logger, open_session, budget) if connected else None
            wait = next_sync - time.monotonic()
            if next_job is not None:
                wait = min(wait, next_job)
            await nap(stopped, event, max(wait, 0.05))
    finally:
        _forget_gauges(namespace, name)  # another replica (or none, when deleted) reports it from now on
        # A stopping operator writes what it holds; only a crash can lose a partial batch.
        if not (body.get("metadata") or {}).get("deletionTimestamp"):
            try:
                await asyncio.wait_for(flush_history(memo, body), timeout=3)
            except Exception as e:  # the hub client may already be closing: the batch bound applies
                logger.info("history batch of %s not written on stop: %s", name, e.__class__.__name__)


def first_sync_delay(body: Mapping[str, Any], now: datetime) -> float:
    """Seconds until a loop that starts on a cluster (a restart, a shard taken over) probes it: none when its
    status is not current (never synced, spec changed, a sync requested), else what is left of the interval since
    its last sync, so a replica taking over hundreds of clusters keeps their cadence instead of probing them all at
    once. At most one interval, whatever the other replica's clock said."""
    last = _current_sync(body)
    if last is None:
        return 0.0
    interval = float(as_cluster(body).spec.sync_interval_seconds or DEFAULT_INTERVAL)
    return min(interval, max(0.0, interval - (now - last).total_seconds()))


def _current_sync(body: Mapping[str, Any]) -> datetime | None:
    """The last sync time, when the status is current: None when never synced, the spec changed since, or a sync
    was requested since."""
    status = as_cluster(body).status
    if status is None or status.last_sync_time is None:
        return None
    meta = body.get("metadata") or {}
    request = (meta.get("annotations") or {}).get(SYNC_ANNOTATION)
    if status.observed_generation != meta.get("generation") or (request and request != status.last_sync_request):
        return None
    return parse_time(status.last_sync_time)


def _probe_key(body: Mapping[str, Any]) -> float:
    """Its place in the queue for a probe slot (cloudops_operator/oldest_first.py): the oldest sync first, and
    before any, clusters never synced or asked to sync."""
    last = _current_sync(body)
    return 0.0 if last is None else last.timestamp()


def _resume_gauges(body: kopf.Body) -> bool:
    """The gauges from the stored status until this replica's first probe; whether it says connected."""
    status = as_cluster(body).status
    if status is None or status.phase is None:
        return False
    meta = body["metadata"]
    CLUSTER_UP.labels(meta["namespace"], meta["name"]).set(1 if status.phase == "connected" else 0)
    CLUSTER_HEALTH_SCORE.labels(meta["namespace"], meta["name"]).set(status.health_score or 0)
    return status.phase == "connected"


async def _await_id(body: kopf.Body, stopped: Stopped, event: asyncio.Event) -> None:
    """A cluster is never shown connected without the id the API addresses it by: ids are assigned by the leader
    (one allocator), sync by the shard's owner, so a new cluster's first probe waits for its id label (a label
    change wakes the loop), or ID_WAIT_SECONDS when no leader runs."""
    deadline = time.monotonic() + ID_WAIT_SECONDS
    while not stopped and ID_LABEL not in ((body.get("metadata") or {}).get("labels") or {}):
        left = deadline - time.monotonic()
        if left <= 0:
            return
        event.clear()
        await nap(stopped, event, left)


def _forget_gauges(namespace: str, name: str) -> None:
    for gauge in (CLUSTER_UP, CLUSTER_HEALTH_SCORE):
        try:
            gauge.remove(namespace, name)
        except KeyError:
            pass


@kopf.index(GROUP, VERSION, PLURAL)
def clusters_by_secret(spec: kopf.Spec, name: str, **_: Any) -> dict[str, str] | None:
    """Which clusters use which kubeconfig Secret: kept by kopf from its watch, so a delete lists nothing."""
    secret = _secret_of(spec)
    return {secret: name} if secret else None


def _secret_of(spec: Mapping[str, object]) -> str | None:
    try:
        return ManagedClusterSpec.model_validate(dict(spec)).kubeconfig_secret_ref.name or None
    except ValidationError:
        return None


@kopf.on.delete(GROUP, VERSION, PLURAL)
async def delete_secret(spec: kopf.Spec, meta: kopf.Meta, memo: Memo, logger: kopf.Logger, **kwargs: Any) -> None:
    """The kubeconfig Secret the product created for the cluster (POST /clusters/add: owned by it) goes with it,
    unless another cluster still refers to it. A Secret the user created (kubectl, Argo CD, External Secrets)
    stays: deleting it would fight the tool that keeps it."""
    _forget_gauges(meta["namespace"], meta["name"])
    secret = _secret_of(spec)
    if not secret:
        return
    users: kopf.Index[str, str] = kwargs["clusters_by_secret"]  # kopf passes indexes by name
    if any(other != meta["name"] for other in users.get(secret, [])):
        logger.info("kubeconfig Secret %s kept: still referenced by another cluster", secret)
        return
    deleted = await delete_owned(memo.hub, meta["namespace"], secret, meta.get("uid") or "")
    if deleted:
        logger.info("deleted kubeconfig Secret %s", secret)
    elif deleted is False:
        logger.info("kubeconfig Secret %s kept: not created by the product for this cluster", secret)
