"""Integer ids for custom resources: allocated through the API server with optimistic concurrency.

A ConfigMap holds one counter per kind. Each allocation is a read-increment-replace guarded by
resourceVersion, so concurrent allocators (shim replicas, the operator) never hand out one id
twice, and since the counter only grows, a deleted object's id is never reused.

Allocations asked for at the same time in one process are folded into one write that moves the counter by
their number: the leader resuming 3,000 new clusters had them all race for one counter, two conflicts for
each id written, about 6 ids a second. A waiter cancelled meanwhile leaves a gap, never a duplicate.
"""

from __future__ import annotations

import asyncio
import random

from kubernetes_asyncio.client import ApiClient, CoreV1Api, V1ConfigMap, V1ObjectMeta
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.kube.errors import Conflict, translate

__all__ = ["COUNTER_CONFIGMAP", "allocate_id"]

COUNTER_CONFIGMAP = "cloudops-id-counters"


Key = tuple[int, str, str]  # the client (one per process and loop), namespace, plural
_queues: dict[Key, list[asyncio.Future[int]]] = {}  # waiting for the next batch
_drainers: dict[Key, asyncio.Task[None]] = {}


async def allocate_id(api: ApiClient, namespace: str, plural: str, attempts: int = 50) -> int:
    """The next id of `plural`; joins the next batch of this process's allocations."""
    key = (id(api), namespace, plural)
    fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    _queues.setdefault(key, []).append(fut)
    drainer = _drainers.get(key)
    if drainer is None or drainer.done():  # (a finished one took nobody after its last batch)
        drainer = _drainers[key] = asyncio.create_task(_drain(api, namespace, plural, attempts, key))
        drainer.add_done_callback(lambda task: _drainers.pop(key) if _drainers.get(key) is task else None)
    return await fut


async def _drain(api: ApiClient, namespace: str, plural: str, attempts: int, key: Key) -> None:
    """Reserves ids for everyone waiting, batch after batch, until nobody waits."""
    while _queues.get(key):
        batch = _queues.pop(key)
        try:
            first = await _reserve(api, namespace, plural, len(batch), attempts)
        except Exception as e:
            for fut in batch:
                if not fut.done():
                    fut.set_exception(e)
            continue
        for i, fut in enumerate(batch):
            if not fut.done():
                fut.set_result(first + i)


async def _reserve(api: ApiClient, namespace: str, plural: str, count: int, attempts: int) -> int:
    """Moves the counter by `count`; returns the first id reserved. Conflicts back off with jitter (up to
    ~1 s), so allocators in many processes all finish."""
    core = CoreV1Api(api)
    for attempt in range(attempts):
        if attempt:
            await asyncio.sleep(random.uniform(0, min(1.0, 0.02 * 2 ** min(attempt, 6))))
        try:
            cm = await core.read_namespaced_config_map(COUNTER_CONFIGMAP, namespace)
        except ApiException as e:
            if e.status != 404:
                raise translate(e) from None
            fresh = V1ConfigMap(metadata=V1ObjectMeta(name=COUNTER_CONFIGMAP, namespace=namespace),
                                data={plural: str(count)})
            try:
                await core.create_namespaced_config_map(namespace, fresh)
                return 1
            except ApiException as e2:
                if e2.status == 409:
                    continue
                raise translate(e2) from None
        data = dict(cm.data or {})
        first = int(data.get(plural, "0")) + 1
        data[plural] = str(first + count - 1)
        cm.data = data
        try:
            await core.replace_namespaced_config_map(COUNTER_CONFIGMAP, namespace, cm)
            return first
        except ApiException as e:
            if e.status == 409:
                continue
            raise translate(e) from None
    raise Conflict(f"could not allocate an id for {plural} after {attempts} attempts")
