"""Per-object loops of per-cluster work, run only by the replica that owns the cluster's shard.

kopf runs a daemon for every object in every replica that runs kopf, so it cannot split the work between replicas;
and kopf runs only on the leader (cloudops_operator/leader.py), which keeps its change handlers and their
progress annotations to one writer. The loops here replace kopf's daemons for the per-cluster kinds: one watch per
kind (cloudops.kube.informer), and for each object whose cluster is in a shard this replica owns, a task running
the kind's loop with the same arguments kopf would give it (a live body, a stop flag, a memo copy of its own, a
logger). A change of the object's spec, labels or annotations wakes the loop (as kopf's on.update handlers did);
a deleted object, a lost shard or a stopping replica sets its stop flag, and the loop is cancelled if it has not
returned within its grace.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import kopf

from cloudops.clusters.objects import wire_name
from cloudops.constants import GROUP, MANAGED_CLUSTER, VERSION, Kind
from cloudops.kube.informer import Informer
from cloudops.kube.leases import parse_time
from cloudops.resources.compliance_check import ComplianceCheckSpec
from cloudops.sharding import PIN_LABEL
from cloudops_operator.memo import Memo
from cloudops_operator.shards import CLUSTERS_OWNED, Fenced, Shards

__all__ = ["LOOPS", "Loops", "ObjectLoop", "StopFlag", "object_loop"]

log = logging.getLogger("cloudops.loops")
RETRY_SECONDS = 10.0
REGISTER_SECONDS = 10.0
FINALLY_SECONDS = 1.0  # what a cancelled loop's cleanup may take before it is cancelled again

Run = Callable[..., Awaitable[None]]


class StopFlag:
    """What a loop polls (`while not stopped`) and sleeps on (`await stopped.wait(seconds)`), as kopf's."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    def __bool__(self) -> bool:
        return self._event.is_set()

    def is_set(self) -> bool:
        return self._event.is_set()

    async def wait(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109 (kopf's DaemonStopped.wait)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        return self._event.is_set()


_CLUSTER_REF = wire_name(ComplianceCheckSpec, "cluster_ref")  # YamlBackupScheduleSpec names it alike


def _spec_cluster(obj: Mapping[str, Any]) -> str:
    ref = (obj.get("spec") or {}).get(_CLUSTER_REF) or {}
    return str(ref.get("name") or "")


def _own_name(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


@dataclass(frozen=True)
class ObjectLoop:
    kind: Kind
    run: Run
    cluster: Callable[[Mapping[str, Any]], str]  # the cluster whose shard owns the object's work
    selector: str = ""
    grace: float = 30.0

    @property
    def name(self) -> str:
        return f"{self.kind.plural}/{self.run.__name__}"


LOOPS: list[ObjectLoop] = []


def object_loop(kind: Kind, *, cluster: str = "spec.clusterRef", selector: str = "",
                grace: float = 30.0) -> Callable[[Run], Run]:
    """Registers `run(body=, stopped=, memo=, logger=)` as the loop of every object of `kind` whose cluster this
    replica owns. `cluster`: "self" (the object is a ManagedCluster), "spec.clusterRef", or "name" (work not tied
    to one cluster, spread over the shards by the object's own name)."""
    pick = {"self": _own_name, "name": _own_name, "spec.clusterRef": _spec_cluster}[cluster]

    def register(run: Run) -> Run:
        LOOPS.append(ObjectLoop(kind, run, pick, selector, grace))
        return run
    return register


def _essence(obj: Mapping[str, Any]) -> tuple[Any, ...]:
    """What kopf's on.update handlers reacted to: spec, labels, annotations (not status, not kopf's own)."""
    meta = obj.get("metadata") or {}
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if "kopf" not in k}
    return obj.get("spec"), meta.get("labels"), annotations


class _ObjectLogger(logging.LoggerAdapter[logging.Logger]):
    """Log lines naming their object, as kopf's per-object logger did."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        return f"[{(self.extra or {}).get('object')}] {msg}", kwargs


def _gone(obj: Mapping[str, Any]) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


@dataclass
class _Running:
    task: asyncio.Task[None]
    stopped: StopFlag
    body: kopf.Body
    memo: Memo
    essence: tuple[Any, ...]
    shard: int


@dataclass
class Loops:
    memo: Memo
    shards: Shards
    loops: list[ObjectLoop] = field(default_factory=lambda: list(LOOPS))
    informers: dict[str, Informer] = field(default_factory=dict)
    running: dict[tuple[str, str], _Running] = field(default_factory=dict)
    finished: set[tuple[str, str, str]] = field(default_factory=set)  # (loop, name, uid): returned, not restarted
    _pins: dict[str, str | None] = field(default_factory=dict)
    _stopping: set[asyncio.Task[None]] = field(default_factory=set)

    @staticmethod
    def _key(loop: ObjectLoop) -> str:
        """Loops of one kind share its watch, unless one watches only some objects (a label selector)."""
        return loop.name if loop.selector else loop.kind.plural

    def start(self) -> None:
        wanted = [(self._key(loop), loop.kind, loop.selector) for loop in self.loops]
        for key, kind, selector in [*wanted, (MANAGED_CLUSTER.plural, MANAGED_CLUSTER, "")]:
            if key not in self.informers:
                path = f"/apis/{GROUP}/{VERSION}/namespaces/{self.memo.settings.namespace}/{kind.plural}"
                self.informers[key] = Informer(self.memo.hub, path, selector=selector, on_event=self._listener(key))
        self.shards.listen(lambda _: self.reconcile(), self._lose)
        self.shards.labels_of = self._labels
        CLUSTERS_OWNED.set_function(self.owned_clusters)  # counted when scraped: true whatever changed since
        for informer in self.informers.values():
            informer.start()

    def _listener(self, key: str) -> Callable[[str, dict[str, Any]], None]:
        def on_event(event: str, obj: dict[str, Any]) -> None:
            self._event(key, event, obj)
        return on_event

    def _informer_of(self, loop: ObjectLoop) -> Informer:
        return self.informers[self._key(loop)]

    def _labels(self, cluster: str) -> Mapping[str, str]:
        mc = self.informers[MANAGED_CLUSTER.plural].get(cluster)
        return ((mc or {}).get("metadata") or {}).get("labels") or {}

    def _shard(self, loop: ObjectLoop, obj: Mapping[str, Any]) -> tuple[str, int]:
        cluster = loop.cluster(obj)
        return cluster, self.shards.shard(cluster, self._labels(cluster))

    # -- events -------------------------------------------------------------------------------------------------

    def _event(self, informer: str, kind: str, obj: Mapping[str, Any]) -> None:
        name = _own_name(obj)
        for loop in self.loops:
            if self._key(loop) != informer:
                continue
            running = self.running.get((loop.name, name))
            if kind == "DELETED" or _gone(obj):
                if running is not None:
                    self._stop_later(loop, name)
                if kind == "DELETED":  # its uid will never come back
                    self.finished = {f for f in self.finished if f[:2] != (loop.name, name)}
                continue
            if running is not None:
                running.body._replace_with(cast(kopf.RawBody, obj))
                essence = _essence(obj)
                if essence != running.essence:
                    running.essence = essence
                    running.memo.wakeup().set()
                    if self._shard(loop, obj)[1] != running.shard:  # re-pinned: its new shard decides
                        self.reconcile()
            else:
                self._maybe_start(loop, obj)
        if informer == MANAGED_CLUSTER.plural and kind == "ADDED":
            self.reconcile()  # loops that waited for this cluster to be registered
        elif informer == MANAGED_CLUSTER.plural:
            pin = None if kind == "DELETED" else ((obj.get("metadata") or {}).get("labels") or {}).get(PIN_LABEL)
            if self._pins.get(name) != pin:  # a cluster's pin label decides the shard of the objects naming it
                self._pins[name] = pin
                if kind != "LISTED":
                    self.reconcile()

    def reconcile(self) -> None:
        """Starts the loops this replica should run and is not running; stops those it should not run."""
        for loop in self.loops:
            for obj in self._informer_of(loop).values():
                name = _own_name(obj)
                running = self.running.get((loop.name, name))
                cluster, shard = self._shard(loop, obj)
                mine = self.shards.owns(cluster, self._labels(cluster)) and not _gone(obj)
                if running is None and mine:
                    self._maybe_start(loop, obj)
                elif running is not None and (not mine or running.shard != shard):
                    self._stop_later(loop, name)

    def owned_clusters(self) -> int:
        """ManagedClusters in the shards this replica holds now (a fresh replica may take shards before its
        watch has listed the clusters: a count kept at that moment would say 0 for good)."""
        return sum(self.shards.owns(_own_name(obj), self._labels(_own_name(obj)))
                   for obj in self.informers[MANAGED_CLUSTER.plural].values())

    def _unregistered_for(self, loop: ObjectLoop, obj: Mapping[str, Any], cluster: str) -> float:
        """Seconds more to wait for the cluster `obj` names: up to REGISTER_SECONDS after `obj` was created, while
        the cluster is not known yet. Then the loop runs anyway and reports the cluster missing."""
        if loop.cluster is not _spec_cluster or self.informers[MANAGED_CLUSTER.plural].get(cluster) is not None:
            return 0.0
        created = parse_time((obj.get("metadata") or {}).get("creationTimestamp"))
        if created is None:
            return 0.0
        return max(0.0, REGISTER_SECONDS - (datetime.now(UTC) - created).total_seconds())

    def _maybe_start(self, loop: ObjectLoop, obj: Mapping[str, Any]) -> None:
        name = _own_name(obj)
        uid = str((obj.get("metadata") or {}).get("uid") or "")
        cluster, shard = self._shard(loop, obj)
        if _gone(obj) or (loop.name, name, uid) in self.finished or not self.shards.owns(
                cluster, self._labels(cluster)):
            return
        wait = self._unregistered_for(loop, obj, cluster)
        if wait > 0:  # applied with its cluster (one kubectl apply): let the cluster come first
            asyncio.get_running_loop().call_later(wait, self.reconcile)
            return
        memo = copy.copy(self.memo)
        body = kopf.Body(cast(kopf.RawBody, obj))  # the watch's own copy: replaced on change, never mutated
        stopped = StopFlag()
        logger = _ObjectLogger(logging.getLogger(f"cloudops.{loop.kind.plural}"),
                               {"object": f"{self.memo.settings.namespace}/{name}"})
        task = asyncio.create_task(self._guard(loop, name, uid, body, stopped, memo, logger),
                                   name=f"{loop.name} {name}")
        self.running[(loop.name, name)] = _Running(task, stopped, body, memo, _essence(obj), shard)

    async def _guard(self, loop: ObjectLoop, name: str, uid: str, body: kopf.Body, stopped: StopFlag, memo: Memo,
                     logger: _ObjectLogger) -> None:
        """Runs the loop; a failure is logged and the loop run again after RETRY_SECONDS, as kopf retries."""
        try:
            while not stopped:
                started = time.monotonic()
                try:
                    await loop.run(body=body, stopped=stopped, memo=memo, logger=logger)
                    if not stopped:
                        self.finished.add((loop.name, name, uid))  # done with this object (kopf's daemon ends)
                    return
                except asyncio.CancelledError:
                    raise
                except Fenced as e:  # the shard moved: this loop is being stopped, and the new owner runs it
                    logger.info("%s of %s stopped before a side effect: %s", loop.name, name, e)
                except Exception as e:
                    logger.warning("%s of %s failed after %.0f s (%s); again in %.0f s", loop.name, name,
                                   time.monotonic() - started, e.__class__.__name__, RETRY_SECONDS, exc_info=True)
                await stopped.wait(RETRY_SECONDS)
        finally:
            current = self.running.get((loop.name, name))
            if current is not None and current.stopped is stopped:
                del self.running[(loop.name, name)]

    # -- stopping -----------------------------------------------------------------------------------------------

    def _stop_later(self, loop: ObjectLoop, name: str) -> None:
        running = self.running.get((loop.name, name))
        if running is None or running.stopped:
            return
        running.stopped.set()
        task = asyncio.create_task(self._stop(loop.name, name, loop.grace), name=f"stop {loop.name} {name}")
        self._stopping.add(task)
        task.add_done_callback(self._stopping.discard)

    async def _stop(self, loop_name: str, name: str, grace: float) -> None:
        running = self.running.get((loop_name, name))
        if running is None:
            return
        running.stopped.set()
        running.memo.wakeup().set()
        done, _ = await asyncio.wait({running.task}, timeout=grace)
        if not done:
            running.task.cancel()  # its `finally` (a sync loop's last history write) gets FINALLY_SECONDS
            done, _ = await asyncio.wait({running.task}, timeout=FINALLY_SECONDS)
            if not done:  # a hub too slow to take it: given up, so the shard can be handed back in time
                running.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await running.task

    async def _lose(self, shards: set[int]) -> None:
        """Stops the loops of `shards` (every loop when unsharded) and waits for them: a hand-back follows."""
        stops = []
        for (loop_name, name), running in list(self.running.items()):
            if not self.shards.sharded or running.shard in shards:
                loop = next(lo for lo in self.loops if lo.name == loop_name)
                stops.append(self._stop(loop_name, name, min(loop.grace, 5.0)))
        await asyncio.gather(*stops)
        self.reconcile()

    async def stop(self) -> None:
        """Stops every informer (the loops were stopped by the shards' hand-back)."""
        await asyncio.gather(*(informer.stop() for informer in self.informers.values()))
