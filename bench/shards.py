"""The sharded operator at scale: clusters over the local members, operator replicas as real processes.

In one run, each part recorded as soon as it is measured (`record`), so a part that fails loses nothing else:
1. scale-out: one replica with every cluster (stopped with SIGTERM: seconds to exit), then three fresh ones:
   RSS and CPU per replica, clusters per replica (max/min), seconds until balanced, the oldest lastSyncTime;
2. failover: SIGKILL of the replica holding the most shards: seconds until all shards are held again, and the
   oldest lastSyncTime from the kill until an interval after;
3. shutdown: SIGTERM of a replica, seconds to its exit with the clusters it held; then of the last one, which
   by then holds every cluster.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import statistics
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kubernetes_asyncio.client import CustomObjectsApi

from bench.procs import cpu_seconds, free_port, rss_mb, seed_clusters, start_operator
from cloudops.constants import GROUP, VERSION
from cloudops.kube.leases import list_leases
from cloudops.kube.raw import request

__all__ = ["bench_shards"]

SHARDS = 64
Record = Callable[[str, dict[str, Any]], None]


@dataclass
class Replica:
    name: str
    proc: subprocess.Popen[bytes]
    metrics_port: int

    def metric(self, name: str) -> float:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as r:
            text = r.read().decode()
        m = re.search(rf"^{name} ([0-9.e+-]+)$", text, re.MULTILINE)
        return float(m.group(1)) if m else 0.0


def _start(name: str, env: dict[str, str]) -> Replica:
    metrics = free_port()
    full = {**env, "CLOUDOPS_OPERATOR_HEALTH_PORT": str(free_port()), "CLOUDOPS_OPERATOR_METRICS_PORT": str(metrics)}
    return Replica(name, start_operator(full, f"bench-shards-{name}"), metrics)


async def _sample(replicas: list[Replica], seconds: float) -> dict[str, dict[str, float]]:
    """RSS (max, mean) and CPU cores of each replica over `seconds`."""
    cpu0 = {r.name: cpu_seconds(r.proc.pid) for r in replicas}
    rss: dict[str, list[float]] = {r.name: [] for r in replicas}
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        for r in replicas:
            rss[r.name].append(rss_mb(r.proc.pid))
        await asyncio.sleep(5)
    took = time.monotonic() - t0
    return {r.name: {"rss_mb_max": round(max(rss[r.name]), 1), "rss_mb_mean": round(statistics.mean(rss[r.name]), 1),
                     "cpu_cores": round((cpu_seconds(r.proc.pid) - cpu0[r.name]) / took, 3)} for r in replicas}


WRITE_VERBS = ("POST", "PUT", "PATCH", "DELETE")
_REQUESTS = re.compile(r'^apiserver_request_total\{([^}]*)\} ([0-9.e+]+)$', re.M)


async def hub_writes(hub: Any) -> float:
    """Mutating requests the hub's API server has answered so far (its own counter, every client)."""
    resp = await request(hub, "GET", "/metrics", accept="text/plain", seconds=30)
    total = 0.0
    for labels, value in _REQUESTS.findall(resp.text):
        verb = re.search(r'verb="([A-Z]+)"', labels)
        if verb is not None and verb.group(1) in WRITE_VERBS:
            total += float(value)
    return total


async def bench_shards(hub: Any, members: list[Path], namespace: str, clusters: int, interval: int,
                       record: Record) -> None:
    objects = CustomObjectsApi(hub)
    await seed_clusters(hub, members, namespace, clusters, interval, "sh")

    async def sync_ages() -> list[float]:
        res = await objects.list_namespaced_custom_object(GROUP, VERSION, namespace, "managedclusters")
        now = time.time()
        return [now - datetime.fromisoformat(c["status"]["lastSyncTime"].replace("Z", "+00:00")).timestamp()
                if (c.get("status") or {}).get("lastSyncTime") else float("inf") for c in res["items"]]

    async def holders() -> dict[int, str]:
        leases = await list_leases(hub, namespace, "cloudops.io/operator-lease=shard")
        return {int(lease.labels["cloudops.io/shard"]): lease.holder for lease in leases}

    async def wait_for(predicate: Callable[[], Any], seconds: float) -> float:
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds:
            if await predicate():
                return time.monotonic() - t0
            await asyncio.sleep(0.5)
        raise TimeoutError(f"not within {seconds} s")

    env = {**os.environ, "KUBECONFIG": os.environ["BENCH_HUB_KUBECONFIG"], "CLOUDOPS_NAMESPACE": namespace,
           "CLOUDOPS_SHARDS": str(SHARDS)}
    replicas: list[Replica] = []
    try:
        # 1. One replica with every cluster, then three.
        replicas.append(await asyncio.to_thread(_start, "r1", env))

        async def all_synced() -> bool:
            return max(await sync_ages()) < float("inf")

        first = await wait_for(all_synced, 900)
        await asyncio.sleep(interval)  # steady state: every cluster synced at least once more
        alone = (await _sample(replicas, interval))["r1"]
        oldest_alone = round(max(await sync_ages()), 1)
        # Then three fresh replicas, as a Deployment starts them: the one that held every cluster keeps that
        # high-water mark in its RSS (the heap is not all given back), which is not what three replicas cost.
        t0 = time.monotonic()
        replicas[0].proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(replicas[0].proc.wait, 60)
        record("shards_one_replica", {"clusters": clusters, "interval_s": interval, "first_sync_all_s": round(first, 1),
                                      **alone, "oldest_sync_s": oldest_alone,
                                      "exit_s": round(time.monotonic() - t0, 2), "exit_code": code})
        replicas = [await asyncio.to_thread(_start, n, env) for n in ("r2", "r3", "r4")]

        async def balanced() -> bool:
            held = await holders()
            counts = [sum(1 for h in held.values() if h.endswith(f"/{r.proc.pid}")) for r in replicas]
            return len(held) == SHARDS and sum(counts) == SHARDS and max(counts) - min(counts) <= 1

        spread = await wait_for(balanced, 300)
        await asyncio.sleep(2 * interval)  # steady state: three fresh replicas took every cluster at once
        writes0, t0 = await hub_writes(hub), time.monotonic()
        three = await _sample(replicas, interval)
        per_minute = (await hub_writes(hub) - writes0) / ((time.monotonic() - t0) / 60)
        owned = {r.name: r.metric("cloudops_operator_clusters_owned") for r in replicas}
        record("shards_three_replicas", {
            "clusters": clusters, "interval_s": interval, "balanced_after_s": round(spread, 1), "per_replica": three,
            "clusters_per_replica": owned, "max_min_ratio": round(max(owned.values()) / max(1, min(owned.values())), 3),
            "hub_writes_per_minute": round(per_minute, 1),
            "hub_writes_per_cluster_minute": round(per_minute / clusters, 3),
            "oldest_sync_s": round(max(await sync_ages()), 1), "oldest_sync_target_s": 2 * interval})

        # 2. Failover: SIGKILL of the replica holding the most shards.
        held = await holders()
        victim = max(replicas, key=lambda r: sum(1 for h in held.values() if h.endswith(f"/{r.proc.pid}")))
        lost = sum(1 for h in held.values() if h.endswith(f"/{victim.proc.pid}"))
        victim.proc.kill()
        victim.proc.wait(10)
        killed = time.monotonic()
        replicas.remove(victim)

        async def all_held_again() -> float:
            """Seconds from the kill until every shard names a survivor, polled every half second apart from
            the (slower) lastSyncTime reads, so their pace does not coarsen this figure."""
            while True:
                held = await holders()
                if all(any(h.endswith(f"/{r.proc.pid}") for r in replicas) for h in held.values()):
                    return time.monotonic() - killed
                await asyncio.sleep(0.5)

        taking = asyncio.create_task(all_held_again())
        oldest, taken = 0.0, None
        while time.monotonic() - killed < 30 + interval:
            oldest = max(oldest, max(await sync_ages()))
            await asyncio.sleep(1)
        if taking.done():
            taken = taking.result()
        taking.cancel()
        record("shards_failover", {"clusters": clusters, "shards_lost": lost, "lease_seconds": 15,
                                   "shards_taken_after_s": round(taken, 1) if taken is not None else None,
                                   "oldest_sync_s": round(oldest, 1), "oldest_sync_target_s": 2 * interval + 20})

        # 3. Shutdown: SIGTERM of one replica (half the clusters), then of the last (all of them).
        for r in list(replicas):
            count = r.metric("cloudops_operator_clusters_owned")
            t0 = time.monotonic()
            r.proc.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(r.proc.wait, 60)
            took = time.monotonic() - t0
            replicas.remove(r)
            result: dict[str, Any] = {"clusters_held": count, "exit_s": round(took, 2), "exit_code": code,
                                      "target_s": 10}
            if replicas:
                async def all_held() -> bool:
                    held = await holders()
                    return len(held) == SHARDS and all(h.endswith(f"/{replicas[0].proc.pid}") for h in held.values())
                # handed back: taken within a round of the exit; left to expire: after the Lease duration
                result["survivor_holds_all_after_s"] = round(took + await wait_for(all_held, 60), 1)
            record(f"shards_shutdown_{int(count)}", result)
            if replicas:
                await asyncio.sleep(interval / 4)  # its loops running for every cluster
    finally:
        for r in replicas:
            if r.proc.poll() is None:
                r.proc.kill()
                r.proc.wait(30)
