"""`make bench`: every figure is a ratio against a baseline measured in the same run.

1. GET /api/k8s/clusters/list?limit=1000 through the shim (authenticated, authorized, served from its
   watch-backed cache) against a direct LIST of the same 1,000 ManagedClusters from the hub.
2. Fan-out over 10 members against 1 member, for the batch health check and the unified pod query,
   with members reached directly and through a loopback proxy adding BENCH_DELAY_MS (default 50) each
   way, as remote clouds would (bench/proxy.py; all traffic stays on 127.0.0.0/8).
3. The operator with 1,000 ManagedClusters spread over the members at a 60 s sync interval: sustained
   CPU and RSS of its process, and the age of every cluster's lastSyncTime after two intervals.
4. Containers (bench/containers.py): search in a 100 MB container log and a one-shot exec, through the shim
   against kubectl on the same pod.
5. The sharded operator (bench/shards.py): 3,000 clusters, one replica then three, a SIGKILL failover, and
   SIGTERM shutdowns.

BENCH_PARTS (comma-separated: list, fanout, containers, operator, shards) picks the parts. Results go to stdout
(a table) and to .clusters/bench-results.json, written after each part.
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
from bench.containers import bench_containers
from bench.procs import cpu_seconds, free_port, rss_mb, start_operator
from bench.procs import seed_clusters as seed_over_members
from bench.shards import bench_shards
from cloudops.constants import GROUP, VERSION
from cloudops.kube.client import hub_client
from cloudops.kube.custom_objects import MERGE
from devcluster.cli import up
from devcluster.kwok import Kwok, bin_dir
from devcluster.run import install
from devcluster.topology import external_topology, state_dir

CLUSTERS = 1000
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "10"))  # the fan-out part compares 10 members with 1
DELAY = float(os.environ.get("BENCH_DELAY_MS", "50")) / 1000
OPERATOR_INTERVAL = 60
SHARD_CLUSTERS = int(os.environ.get("BENCH_SHARD_CLUSTERS", "3000"))
SHARD_INTERVAL = int(os.environ.get("BENCH_SHARD_INTERVAL", "120"))
TARGETS = {"list_1000": 1.0, "health_check_delayed": 1.3, "unified_pods_delayed": 1.3}


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
    for _ in range(600):  # up to 2 minutes on a busy machine
        try:
            async with http.get(f"{base}/readyz") as r:
                if r.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError("shim did not become ready")


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


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown")
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gib": round(int(mem) / 1024 / 1024, 1)}


def delayed_kubeconfigs(paths: list[Path], ports: list[int], out_dir: Path) -> list[Path]:
    """Copies of the member kubeconfigs whose server is the delaying proxy (same TLS: 127.0.0.1 SAN)."""
    import yaml
    out = []
    for path, port in zip(paths, ports, strict=True):
        cfg = yaml.safe_load(path.read_text())
        for c in cfg["clusters"]:
            c["cluster"]["server"] = f"https://127.0.0.1:{port}"
        target = out_dir / f"delayed-{path.name}"
        target.write_text(yaml.safe_dump(cfg))
        out.append(target)
    return out


def start_proxy(delay: float, servers: list[str]) -> tuple[subprocess.Popen[str], list[int]]:
    proc = subprocess.Popen([sys.executable, "-m", "bench.proxy", str(delay), *servers], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    ports = []
    for line in proc.stdout:
        if line.startswith("listening"):
            ports.append(int(line.split()[1]))
        elif line.strip() == "ready":
            return proc, ports
    raise RuntimeError("proxy did not start")


def upstream(kubeconfig: Path) -> str:
    import yaml
    server = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
    return server.removeprefix("https://")


def ratio(a: list[float], b: list[float]) -> float:
    return round(statistics.median(a) / statistics.median(b), 2)


async def bench_list(hub: Any, env: dict[str, str], port: int) -> dict[str, Any]:
    ns = env["CLOUDOPS_NAMESPACE"]
    print(f"seeding {CLUSTERS} ManagedClusters ...", file=sys.stderr)
    await seed_clusters(hub, ns, CLUSTERS)
    key = await create_api_key(hub, ns, "bench", ["cloudops:admins"])
    shim = await asyncio.to_thread(start_shim, env)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(headers={"X-API-Key": key}) as http:
            await wait_ready(http, base)

            async def via_shim() -> None:
                async with http.get(f"{base}/api/k8s/clusters/list", params={"limit": "1000"}) as r:
                    body = await r.json()
                    assert r.status == 200 and body["data"]["total"] == CLUSTERS, body

            async def direct() -> None:
                res = await CustomObjectsApi(hub).list_namespaced_custom_object(GROUP, VERSION, ns,
                                                                                "managedclusters")
                assert len(res["items"]) == CLUSTERS

            shim_t, direct_t = await timed(via_shim, 20), await timed(direct, 20)
    finally:
        await asyncio.to_thread(stop_shim, shim)
    return {"shim": summary(shim_t), "direct_list": summary(direct_t), "ratio": ratio(shim_t, direct_t),
            "target": TARGETS["list_1000"]}


async def bench_fan_out(hub: Any, env: dict[str, str], port: int, kubeconfigs: list[str],
                        label: str) -> dict[str, Any]:
    """Batch health check and unified pod query over 10 members against 1, through one shim."""
    ns = env["CLOUDOPS_NAMESPACE"]
    key = await create_api_key(hub, ns, "bench", ["cloudops:admins"])
    shim = await asyncio.to_thread(start_shim, env)
    base = f"http://127.0.0.1:{port}"
    out: dict[str, Any] = {}
    try:
        async with aiohttp.ClientSession(headers={"X-API-Key": key}) as http:
            await wait_ready(http, base)
            for i, kc in enumerate(kubeconfigs, start=1):
                async with http.post(f"{base}/api/k8s/clusters/add", json={"name": f"m{i}", "kubeconfig": kc}) as r:
                    assert r.status == 200, await r.text()
            all_ids = [f"m{i}" for i in range(1, len(kubeconfigs) + 1)]

            def check(ids: list[str]) -> Callable[[], Awaitable[None]]:
                async def run() -> None:
                    async with http.post(f"{base}/api/k8s/clusters/health/check", json={"cluster_ids": ids}) as r:
                        body = await r.json()
                        assert r.status == 200 and body["data"]["summary"]["total_checked"] == len(ids), body
                        assert all(x["connected"] for x in body["data"]["results"]), body
                return run

            def pods(ids: list[str]) -> Callable[[], Awaitable[None]]:
                async def run() -> None:
                    async with http.get(f"{base}/api/k8s/unified/resources",
                                        params={"resource_type": "pods", "cluster_ids": ",".join(ids),
                                                "limit": "1000"}) as r:
                        body = await r.json()
                        assert r.status == 200 and not body["data"]["errors"], body
                return run

            for name, make in (("health_check", check), ("unified_pods", pods)):
                ten = await timed(make(all_ids), 10, warmup=2)
                one = await timed(make(["m1"]), 10, warmup=2)
                out[f"{name}_{label}"] = {"members_10": summary(ten), "members_1": summary(one),
                                          "ratio": ratio(ten, one), "target": TARGETS.get(f"{name}_{label}")}
                print(json.dumps({name: out[f"{name}_{label}"]}), file=sys.stderr)
    finally:
        await asyncio.to_thread(stop_shim, shim)
    return out


async def bench_operator(hub: Any, topo_members: list[Path], namespace: str) -> dict[str, Any]:
    """1,000 clusters over the members, synced every 60 s: the operator's CPU, RSS and freshness."""
    objects = CustomObjectsApi(hub)
    await seed_over_members(hub, topo_members, namespace, CLUSTERS, OPERATOR_INTERVAL, "op")
    env = {**os.environ, "KUBECONFIG": os.environ["BENCH_HUB_KUBECONFIG"], "CLOUDOPS_NAMESPACE": namespace,
           "CLOUDOPS_OPERATOR_HEALTH_PORT": str(free_port()), "CLOUDOPS_OPERATOR_METRICS_PORT": str(free_port())}
    op = await asyncio.to_thread(start_operator, env, "bench-operator")
    started = time.monotonic()
    try:
        async def synced() -> list[dict[str, Any]]:
            res = await objects.list_namespaced_custom_object(GROUP, VERSION, namespace, "managedclusters")
            return [c for c in res["items"] if (c.get("status") or {}).get("lastSyncTime")]

        while len(await synced()) < CLUSTERS and time.monotonic() - started < 600:  # noqa: ASYNC110
            await asyncio.sleep(5)  # poll
        first_sync = time.monotonic() - started
        window = 2 * OPERATOR_INTERVAL
        cpu0, t0, rss = cpu_seconds(op.pid), time.monotonic(), []
        while time.monotonic() - t0 < window:
            rss.append(rss_mb(op.pid))
            await asyncio.sleep(5)
        cpu = (cpu_seconds(op.pid) - cpu0) / (time.monotonic() - t0)
        res = await objects.list_namespaced_custom_object(GROUP, VERSION, namespace, "managedclusters")
        now = time.time()
        from datetime import datetime
        ages = [now - datetime.fromisoformat(c["status"]["lastSyncTime"].replace("Z", "+00:00")).timestamp()
                for c in res["items"] if (c.get("status") or {}).get("lastSyncTime")]
        connected = sum(1 for c in res["items"] if (c.get("status") or {}).get("phase") == "connected")
    finally:
        op.terminate()
        op.wait(30)
    return {"clusters": CLUSTERS, "members": len(topo_members), "interval_s": OPERATOR_INTERVAL,
            "all_synced_after_s": round(first_sync, 1), "window_s": window,
            "cpu_cores_used": round(cpu, 2), "rss_mb_max": round(max(rss), 1),
            "rss_mb_mean": round(statistics.mean(rss), 1), "rss_target_mb": 300,
            "connected": connected, "synced": len(ages), "last_sync_age_s_max": round(max(ages), 1),
            "last_sync_age_target_s": 2 * OPERATOR_INTERVAL}


def table(results: dict[str, Any]) -> str:
    rows = ["| benchmark | measured | baseline | ratio | target |", "|---|---|---|---|---|"]
    for name, r in results.items():
        if isinstance(r, dict) and "ratio" in r:
            measured: dict[str, Any] = r.get("shim") or r["members_10"]
            base: dict[str, Any] = r.get("direct_list") or r.get("baseline") or r["members_1"]
            target = r.get("target")
            rows.append(f"| {name} | {measured['median_ms']} ms | {base['median_ms']} ms | {r['ratio']}x | "
                        f"{f'<= {target}x' if target else '-'} |")
    op = results.get("operator_1000")
    if op:
        rows.append(f"| operator, {op['clusters']} clusters @ {op['interval_s']} s | {op['cpu_cores_used']} cores, "
                    f"RSS max {op['rss_mb_max']} MB | - | - | RSS <= 300 MB |")
        rows.append(f"| operator lastSyncTime age (max) | {op['last_sync_age_s_max']} s | - | - | "
                    f"< {op['last_sync_age_target_s']} s |")
    rows += shard_rows(results)
    return "\n".join(rows)


def shard_rows(results: dict[str, Any]) -> list[str]:
    rows = []
    one, three = results.get("shards_one_replica"), results.get("shards_three_replicas")
    if one:
        rows.append(f"| sharded operator, 1 replica, {one['clusters']} clusters @ {one['interval_s']} s | "
                    f"{one['cpu_cores']} cores, RSS max {one['rss_mb_max']} MB | - | - | - |")
        if "exit_s" in one:
            rows.append(f"| shutdown of that replica, {one['clusters']} clusters | {one['exit_s']} s | - | - | "
                        "<= 10 s |")
    if three:
        per = three["per_replica"].values()
        rows.append(f"| sharded operator, 3 fresh replicas, {three['clusters']} clusters | "
                    f"{max(r['cpu_cores'] for r in per)} cores, RSS max {max(r['rss_mb_max'] for r in per)} MB "
                    f"per replica | - | - | RSS <= 300 MB per 1,000 clusters |")
        rows.append(f"| clusters per replica, max/min | {three['max_min_ratio']} | - | - | <= 1.2 |")
        rows.append(f"| oldest lastSyncTime, 3 replicas | {three['oldest_sync_s']} s | - | - | "
                    f"< {three['oldest_sync_target_s']} s |")
        if "hub_writes_per_cluster_minute" in three:
            rows.append(f"| hub writes per cluster per minute (every client) | "
                        f"{three['hub_writes_per_cluster_minute']} | - | - | - |")
    failover = results.get("shards_failover")
    if failover:
        rows.append(f"| failover: shards held again after SIGKILL | {failover['shards_taken_after_s']} s | - | - | "
                    f"<= {failover['lease_seconds'] + 5} s |")
        rows.append(f"| oldest lastSyncTime during failover | {failover['oldest_sync_s']} s | - | - | "
                    f"< {failover['oldest_sync_target_s']} s |")
    for name, r in results.items():
        if name.startswith("shards_shutdown_"):
            rows.append(f"| shutdown with {int(r['clusters_held'])} clusters | {r['exit_s']} s | - | - | "
                        f"<= {r['target_s']} s |")
            if "survivor_holds_all_after_s" in r:
                rows.append(f"| the survivor holds every shard after | {r['survivor_holds_all_after_s']} s | - | - | "
                            "< the Lease duration (handed back, not expired) |")
    return rows


async def main() -> int:
    parts = set((os.environ.get("BENCH_PARTS") or "list,fanout,containers,operator,shards").split(","))
    if "fanout" in parts and MEMBERS < 10:
        print("the fan-out part needs BENCH_MEMBERS >= 10", file=sys.stderr)
        return 1
    external = external_topology()
    topo = external if external is not None else await asyncio.to_thread(up, MEMBERS)
    if len(topo.members) < MEMBERS:
        print(f"need {MEMBERS} members, have {len(topo.members)}", file=sys.stderr)
        return 1
    await asyncio.to_thread(install, topo, "cloudops-system", False)
    os.environ["BENCH_HUB_KUBECONFIG"] = str(topo.hub.kubeconfig)
    hub = await hub_client(str(topo.hub.kubeconfig))
    core = CoreV1Api(hub)
    namespaces = {k: f"bench-{k}-{uuid.uuid4().hex[:6]}" for k in ("list", "direct", "delayed", "operator",
                                                                        "containers", "shards")}
    for ns in namespaces.values():
        await core.create_namespace(V1Namespace(metadata=V1ObjectMeta(name=ns)))
    members = [m.kubeconfig for m in topo.members[:MEMBERS]]
    proxy, ports = await asyncio.to_thread(start_proxy, DELAY, [upstream(p) for p in members])
    delayed = await asyncio.to_thread(delayed_kubeconfigs, members, ports, state_dir())
    port = free_port()
    base_env = {**os.environ, "KUBECONFIG": str(topo.hub.kubeconfig), "CLOUDOPS_SHIM_PORT": str(port),
                "CLOUDOPS_AUDIT_SINK": "none", "CLOUDOPS_RATE_USER": "100000", "CLOUDOPS_BURST_USER": "100000",
                "CLOUDOPS_MEMBER_TIMEOUT": "10"}
    results: dict[str, Any] = {"machine": machine(), "delay_ms_each_way": DELAY * 1000}
    out = state_dir() / "bench-results.json"

    def record(name: str, value: dict[str, Any]) -> None:
        """Each part is written as soon as it is measured: a later part that fails loses nothing."""
        results[name] = value
        out.write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps({name: value}), file=sys.stderr)

    try:
        if "list" in parts:
            record("list_1000", await bench_list(hub, {**base_env, "CLOUDOPS_NAMESPACE": namespaces["list"]}, port))
        for label, paths in (("direct", members), ("delayed", delayed)) if "fanout" in parts else ():
            encoded = await asyncio.to_thread(encoded_kubeconfigs, paths)
            for name, value in (await bench_fan_out(hub, {**base_env, "CLOUDOPS_NAMESPACE": namespaces[label]},
                                                    port, encoded, label)).items():
                record(name, value)
        if "containers" in parts and os.environ.get("BENCH_SKIP_CONTAINERS") != "1":
            for name, value in (await bench_containers(topo, namespaces["containers"], {
                    **base_env, "CLOUDOPS_NAMESPACE": namespaces["containers"]}, port)).items():
                record(name, value)
        if "operator" in parts and os.environ.get("BENCH_SKIP_OPERATOR") != "1":
            print("operator with 1,000 clusters (about 5 minutes) ...", file=sys.stderr)
            record("operator_1000", await bench_operator(hub, members, namespaces["operator"]))
        if "shards" in parts:
            print(f"sharded operator, {SHARD_CLUSTERS} clusters (about 15 minutes) ...", file=sys.stderr)
            await bench_shards(hub, members, namespaces["shards"], SHARD_CLUSTERS, SHARD_INTERVAL, record)
    except Exception as e:  # the parts measured so far are in the file already
        print(f"benchmark part failed: {e.__class__.__name__}: {e}", file=sys.stderr)
        raise
    finally:
        proxy.terminate()
        for ns in namespaces.values():
            await core.delete_namespace(ns)
        await hub.close()
        if external is None:
            kwok = Kwok(bin_dir())
            for m in topo.members[2:]:
                await asyncio.to_thread(kwok.delete, m.name)
            await asyncio.to_thread(up, 2)
    print(table(results))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
