"""Where an operator's memory goes: `python -m bench.memory` seeds a fleet, runs one operator on it with
CLOUDOPS_TRACEMALLOC, and reports its RSS and the largest allocation sites once every cluster has synced twice.

BENCH_MEMORY_CLUSTERS (1000) clusters over BENCH_MEMBERS (2) members, synced every BENCH_MEMORY_INTERVAL (60) s;
BENCH_SECRET_PER_CLUSTER=1 gives every cluster a kubeconfig Secret of its own (as a real fleet has), else one per
member; BENCH_MEMORY_TRACE=0 measures RSS without tracemalloc (whose own bookkeeping is tens of MB). tracemalloc
counts only Python allocations: the sites say what the Python heap holds, the RSS what the process costs.
Results: .clusters/bench-memory.json and the profile text.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from typing import Any

from kubernetes_asyncio.client import CoreV1Api, CustomObjectsApi, V1Namespace, V1ObjectMeta

from bench.procs import free_port, rss_mb, seed_clusters, start_operator
from cloudops.constants import GROUP, VERSION
from cloudops.kube.client import hub_client
from devcluster.cli import up
from devcluster.run import install
from devcluster.topology import external_topology, state_dir

CLUSTERS = int(os.environ.get("BENCH_MEMORY_CLUSTERS", "1000"))
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "2"))
INTERVAL = int(os.environ.get("BENCH_MEMORY_INTERVAL", "60"))
SECRET_PER_CLUSTER = os.environ.get("BENCH_SECRET_PER_CLUSTER") == "1"
TRACE = os.environ.get("BENCH_MEMORY_TRACE", "1") == "1"  # 0: RSS alone, without tracemalloc's own overhead


async def _synced(objects: CustomObjectsApi, namespace: str) -> int:
    res = await objects.list_namespaced_custom_object(GROUP, VERSION, namespace, "managedclusters")
    return sum(1 for c in res["items"] if (c.get("status") or {}).get("lastSyncTime"))


async def _unfinalize(objects: CustomObjectsApi, namespace: str) -> None:
    """No operator runs any more: kopf's finalizers would keep the namespace Terminating."""
    res = await objects.list_namespaced_custom_object(GROUP, VERSION, namespace, "managedclusters")
    for c in res["items"]:
        if (c.get("metadata") or {}).get("finalizers"):
            await objects.patch_namespaced_custom_object(  # a list body is a JSON patch
                GROUP, VERSION, namespace, "managedclusters", c["metadata"]["name"],
                [{"op": "remove", "path": "/metadata/finalizers"}])


async def main() -> int:
    external = external_topology()
    topo = external if external is not None else await asyncio.to_thread(up, MEMBERS)
    await asyncio.to_thread(install, topo, "cloudops-system", False)
    hub = await hub_client(str(topo.hub.kubeconfig))
    core, objects = CoreV1Api(hub), CustomObjectsApi(hub)
    namespace = f"bench-memory-{uuid.uuid4().hex[:6]}"
    await core.create_namespace(V1Namespace(metadata=V1ObjectMeta(name=namespace)))
    profile = state_dir() / "bench-memory-profile.txt"
    profile.unlink(missing_ok=True)
    op: subprocess.Popen[bytes] | None = None
    try:
        await seed_clusters(hub, [m.kubeconfig for m in topo.members[:MEMBERS]], namespace, CLUSTERS, INTERVAL, "mem",
                            secret_per_cluster=SECRET_PER_CLUSTER)
        env = {**os.environ, "KUBECONFIG": str(topo.hub.kubeconfig), "CLOUDOPS_NAMESPACE": namespace,
               "CLOUDOPS_OPERATOR_HEALTH_PORT": str(free_port()), "CLOUDOPS_OPERATOR_METRICS_PORT": str(free_port()),
               **({"CLOUDOPS_TRACEMALLOC": str(profile)} if TRACE else {})}
        op = await asyncio.to_thread(start_operator, env, "bench-memory-operator")
        started = time.monotonic()
        while await _synced(objects, namespace) < CLUSTERS and time.monotonic() - started < 900:  # noqa: ASYNC110
            await asyncio.sleep(5)  # poll
        synced_after = time.monotonic() - started
        rss: list[float] = []
        while time.monotonic() - started < synced_after + 2 * INTERVAL:
            rss.append(rss_mb(op.pid))
            await asyncio.sleep(5)  # sample
        if TRACE:
            op.send_signal(signal.SIGUSR2)
            while not profile.exists() or "## by file" not in profile.read_text():  # noqa: ASYNC110
                await asyncio.sleep(1)  # the snapshot takes a while
        result: dict[str, Any] = {
            "clusters": CLUSTERS, "members": MEMBERS, "interval_s": INTERVAL, "secret_per_cluster": SECRET_PER_CLUSTER,
            "synced_after_s": round(synced_after, 1), "rss_mb_max": round(max(rss), 1),
            "rss_mb_last": round(rss[-1], 1), "traced": TRACE, "profile": str(profile) if TRACE else None}
        (state_dir() / "bench-memory.json").write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result, indent=2))
        if TRACE:
            print(profile.read_text())
    finally:
        if op is not None:
            op.terminate()
            await asyncio.to_thread(op.wait, 30)
        await _unfinalize(objects, namespace)
        await core.delete_namespace(namespace)
        await hub.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
