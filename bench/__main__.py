"""`make bench`: the shim's list against a direct LIST, and a 10-member health check against a 1-member one.

1. GET /api/k8s/clusters/list?limit=1000 through the shim (authenticated by API key, authorized by
   SubjectAccessReview with its short cache), against a direct LIST of the same 1,000 ManagedCluster
   objects from the hub API server with the same async client library.
2. POST /api/k8s/clusters/health/check over 10 live members, against the same call over 1 member.

Results go to stdout and to .clusters/bench-results.json.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from kubernetes_asyncio.client import CoreV1Api, CustomObjectsApi, V1Namespace, V1ObjectMeta

from api_shim.security.apikeys import create_api_key
from cloudops.constants import GROUP, VERSION
from cloudops.kube.client import hub_client
from cloudops.kube.custom_objects import MERGE
from devcluster.cli import up
from devcluster.kwok import Kwok, bin_dir
from devcluster.run import install
from devcluster.topology import external_topology, state_dir

CLUSTERS = 1000
MEMBERS = 10


async def timed(fn: Callable[[], Awaitable[Any]], runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        await fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - start)
    return out


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered) * 1000, 2),
            "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1] * 1000, 2), "runs": len(ordered)}


def encoded_kubeconfigs(paths: list[Path]) -> list[str]:
    return [base64.b64encode(p.read_bytes()).decode() for p in paths]


def start_shim(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "api_shim.main"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def stop_shim(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(10)


async def wait_ready(http: aiohttp.ClientSession, base: str) -> None:
    for _ in range(150):
        try:
            async with http.get(f"{base}/readyz") as r:
                if r.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError("shim did not become ready")


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def seed_clusters(api: Any, namespace: str, count: int) -> None:
    objects = CustomObjectsApi(api)
    sem = asyncio.Semaphore(32)

    async def one(i: int) -> None:
        body: dict[str, Any] = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "ManagedCluster",
                "metadata": {"name": f"c-{i:04d}", "labels": {"cloudops.io/id": str(i)}},
                "spec": {"provider": ["aws", "aliyun", "huawei", "tencent", "other"][i % 5], "region": f"r{i % 7}",
                         "tags": ["bench", f"g{i % 10}"], "kubeconfigSecretRef": {"name": f"kc-{i:04d}"}}}
        async with sem:
            await objects.create_namespaced_custom_object(GROUP, VERSION, namespace, "managedclusters", body)
            await objects.patch_namespaced_custom_object_status(
                GROUP, VERSION, namespace, "managedclusters", body["metadata"]["name"],
                {"status": {"id": i, "phase": "connected", "healthStatus": "healthy", "kubernetesVersion": "v1.33.13",
                            "resourceCounts": {"pods": i % 50, "nodes": 3}}},
                **MERGE)

    await asyncio.gather(*(one(i) for i in range(1, count + 1)))


async def main() -> int:
    external = external_topology()
    topo = external if external is not None else await asyncio.to_thread(up, MEMBERS)
    if len(topo.members) < MEMBERS:
        print(f"need {MEMBERS} members, have {len(topo.members)}", file=sys.stderr)
        return 1
    await asyncio.to_thread(install, topo, "cloudops-system", False)
    hub = await hub_client(str(topo.hub.kubeconfig))
    ns_list, ns_health = f"bench-{uuid.uuid4().hex[:6]}", f"bench-{uuid.uuid4().hex[:6]}"
    core = CoreV1Api(hub)
    for ns in (ns_list, ns_health):
        await core.create_namespace(V1Namespace(metadata=V1ObjectMeta(name=ns)))
    port = free_port()
    kubeconfigs = await asyncio.to_thread(encoded_kubeconfigs, [m.kubeconfig for m in topo.members[:MEMBERS]])
    shim: subprocess.Popen[bytes] | None = None
    results: dict[str, Any] = {}
    try:
        print(f"seeding {CLUSTERS} ManagedClusters ...", file=sys.stderr)
        await seed_clusters(hub, ns_list, CLUSTERS)
        key = await create_api_key(hub, ns_list, "bench", ["cloudops:admins"])
        env = {**os.environ, "KUBECONFIG": str(topo.hub.kubeconfig), "CLOUDOPS_NAMESPACE": ns_list,
               "CLOUDOPS_SHIM_PORT": str(port), "CLOUDOPS_AUDIT_SINK": "none",
               "CLOUDOPS_RATE_USER": "100000", "CLOUDOPS_BURST_USER": "100000"}
        shim = await asyncio.to_thread(start_shim, env)
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession(headers={"X-API-Key": key}) as http:
            await wait_ready(http, base)

            async def via_shim() -> None:
                async with http.get(f"{base}/api/k8s/clusters/list", params={"limit": "1000"}) as r:
                    body = await r.json()
                    assert r.status == 200 and body["data"]["total"] == CLUSTERS, body

            async def direct() -> None:
                res = await CustomObjectsApi(hub).list_namespaced_custom_object(GROUP, VERSION, ns_list,
                                                                                "managedclusters")
                assert len(res["items"]) == CLUSTERS

            shim_t, direct_t = await timed(via_shim, 20), await timed(direct, 20)
            results["list_1000"] = {"shim": summary(shim_t), "direct_list": summary(direct_t),
                                    "ratio": round(statistics.median(shim_t) / statistics.median(direct_t), 2)}
            print(json.dumps(results["list_1000"]), file=sys.stderr)

        # Batch health check: 10 members against 1, through a shim serving a second namespace.
        hkey = await create_api_key(hub, ns_health, "bench", ["cloudops:admins"])
        await asyncio.to_thread(stop_shim, shim)
        shim = await asyncio.to_thread(start_shim, {**env, "CLOUDOPS_NAMESPACE": ns_health})
        async with aiohttp.ClientSession(headers={"X-API-Key": hkey}) as http:
            await wait_ready(http, base)
            for i, kc in enumerate(kubeconfigs, start=1):
                async with http.post(f"{base}/api/k8s/clusters/add", json={"name": f"m{i}", "kubeconfig": kc}) as r:
                    assert r.status == 200, await r.text()

            def check(ids: list[str]) -> Callable[[], Awaitable[None]]:
                async def run() -> None:
                    async with http.post(f"{base}/api/k8s/clusters/health/check", json={"cluster_ids": ids}) as r:
                        body = await r.json()
                        assert r.status == 200 and body["data"]["summary"]["total_checked"] == len(ids), body
                return run

            ten = await timed(check([f"m{i}" for i in range(1, MEMBERS + 1)]), 10, warmup=2)
            one = await timed(check(["m1"]), 10, warmup=2)

            async def one_by_one() -> None:
                for i in range(1, MEMBERS + 1):
                    await check([f"m{i}"])()

            serial = await timed(one_by_one, 5, warmup=1)
            results["health_check"] = {
                "members_10": summary(ten), "members_1": summary(one), "members_10_one_call_each": summary(serial),
                "ratio": round(statistics.median(ten) / statistics.median(one), 2),
                "ratio_vs_sequential": round(statistics.median(ten) / statistics.median(serial), 2)}
            print(json.dumps(results["health_check"]), file=sys.stderr)
    finally:
        if shim is not None:
            await asyncio.to_thread(stop_shim, shim)
        for ns in (ns_list, ns_health):
            await core.delete_namespace(ns)
        await hub.close()
        if external is None:
            kwok = Kwok(bin_dir())
            for m in topo.members[2:]:
                await asyncio.to_thread(kwok.delete, m.name)
            await asyncio.to_thread(up, 2)
    out = state_dir() / "bench-results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
