"""Integer ids for custom resources: allocated through the API server with optimistic concurrency.

A ConfigMap holds one counter per kind. Each allocation is a read-increment-replace guarded by
resourceVersion, so concurrent allocators (shim replicas, the operator) never hand out one id
twice, and since the counter only grows, a deleted object's id is never reused.
"""

from __future__ import annotations

import asyncio
import random

from kubernetes_asyncio.client import ApiClient, CoreV1Api, V1ConfigMap, V1ObjectMeta
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.kube.errors import Conflict, translate

__all__ = ["COUNTER_CONFIGMAP", "allocate_id"]

COUNTER_CONFIGMAP = "cloudops-id-counters"


async def allocate_id(api: ApiClient, namespace: str, plural: str, attempts: int = 50) -> int:
    """Conflicts back off with jitter (up to ~1 s), so hundreds of concurrent allocators all finish."""
    core = CoreV1Api(api)
    for attempt in range(attempts):
        if attempt:
            await asyncio.sleep(random.uniform(0, min(1.0, 0.02 * 2 ** min(attempt, 6))))
        try:
            cm = await core.read_namespaced_config_map(COUNTER_CONFIGMAP, namespace)
        except ApiException as e:
            if e.status != 404:
                raise translate(e) from None
            fresh = V1ConfigMap(metadata=V1ObjectMeta(name=COUNTER_CONFIGMAP, namespace=namespace), data={plural: "1"})
            try:
                await core.create_namespaced_config_map(namespace, fresh)
                return 1
            except ApiException as e2:
                if e2.status == 409:
                    continue
                raise translate(e2) from None
        data = dict(cm.data or {})
        nxt = int(data.get(plural, "0")) + 1
        data[plural] = str(nxt)
        cm.data = data
        try:
            await core.replace_namespaced_config_map(COUNTER_CONFIGMAP, namespace, cm)
            return nxt
        except ApiException as e:
            if e.status == 409:
                continue
            raise translate(e) from None
    raise Conflict(f"could not allocate an id for {plural} after {attempts} attempts")
