"""Container benchmarks, as ratios against kubectl on the same pod in the same run (`python -m bench.containers`,
or part of `make bench`):

1. Search in a 100 MB container log: GET .../logs/search through the shim against
   `kubectl logs POD | grep -ci PATTERN`; the shim's RSS growth during the searches is reported (bounded).
2. One-shot exec round trip: POST .../exec {"command": ["true"]} against `kubectl exec POD -- true`.

The pod is a kwok pod on the first member: its log is a file written here, exec runs in a pod root made here
(devcluster/podroot.py), so both exec paths pay for entering the pod alike.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

from api_shim.security.apikeys import create_api_key
from bench.procs import cpu_seconds, free_port, rss_mb
from cloudops.kube.client import hub_client
from devcluster.podroot import make_root
from devcluster.topology import Topology, load_topology, state_dir

__all__ = ["bench_containers"]

LOG_MB = int(os.environ.get("BENCH_LOG_MB", "100"))
PATTERN = "payment failed"
TARGETS = {"logs_search_100mb": 1.2, "exec_round_trip": 1.0}


def _write_log(path: Path, megabytes: int) -> int:
    """A CRI log of about `megabytes` MB; every 1,000th line holds PATTERN. Returns the matching line count."""
    line = "{ts} stdout F level=info msg=\"GET /api/orders/{i} 200\" duration_ms=12 user=u{i} trace={i:016x}\n"
    hit = "{ts} stderr F level=error msg=\"payment failed for order {i}\" provider=acme\n"
    matches, size, i = 0, 0, 0
    with path.open("w", encoding="utf-8") as f:
        chunk: list[str] = []
        while size < megabytes * 1024 * 1024:
            ts = f"2024-01-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.{i % 1000000:06d}000Z"
            text = (hit if i % 1000 == 0 else line).format(ts=ts, i=i)
            matches += i % 1000 == 0
            size += len(text)
            chunk.append(text)
            i += 1
            if len(chunk) >= 10000:
                f.write("".join(chunk))
                chunk.clear()
        f.write("".join(chunk))
    return matches


def _kubectl(kubeconfig: Path, *args: str, stdin: str | None = None) -> str:
    res = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), *args], input=stdin, text=True,
                         capture_output=True, timeout=300)
    if res.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args[:3])}: {res.stderr.strip()[:300]}")
    return res.stdout


class _Peak:
    """Samples a process's RSS every 20 ms in a thread while running."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb(self.pid))

    def __enter__(self) -> _Peak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _start_shim(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "api_shim.main"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _summary(samples: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(samples) * 1000, 2), "min_ms": round(min(samples) * 1000, 2),
            "runs": len(samples)}


def _timed_shell(argv: list[str], runs: int) -> tuple[list[float], str]:
    out, samples = "", []
    for _ in range(runs):
        start = time.perf_counter()
        res = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        samples.append(time.perf_counter() - start)
        out = res.stdout
    return samples, out


async def bench_containers(topo: Topology, hub_namespace: str, env: dict[str, str], port: int,
                           runs: int = 5) -> dict[str, Any]:
    """Both figures; `env` runs a shim (KUBECONFIG = the hub) on `port` with CLOUDOPS_NAMESPACE=hub_namespace."""
    member = topo.members[0].kubeconfig
    ns = f"bench-c8-{uuid.uuid4().hex[:6]}"
    work = Path(tempfile.mkdtemp(prefix="bench-containers-", dir=state_dir()))
    log, rootfs = work / "big.log", await asyncio.to_thread(make_root, work / "rootfs")
    expected = await asyncio.to_thread(_write_log, log, LOG_MB)
    objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big", "namespace": ns},
             "spec": {"containers": [{"name": "app", "image": "bench"}]}},
            {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Logs", "metadata": {"name": "big", "namespace": ns},
             "spec": {"logs": [{"containers": ["app"], "logsFile": str(log)}]}},
            {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Exec", "metadata": {"name": "big", "namespace": ns},
             "spec": {"execs": [{"containers": ["app"], "local": {"workDir": str(rootfs)}}]}}]
    await asyncio.to_thread(_kubectl, member, "apply", "-f", "-",
                            stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": objs}))
    await asyncio.to_thread(_kubectl, member, "wait", "-n", ns, "--for=condition=Ready", "pod/big", "--timeout=60s")
    hub = await hub_client(env["KUBECONFIG"])
    key = await create_api_key(hub, hub_namespace, "bench-containers", ["cloudops:admins"])
    await hub.close()
    shim = _start_shim({**env, "CLOUDOPS_SHIM_PORT": str(port)})
    base = f"http://127.0.0.1:{port}"
    results: dict[str, Any] = {}
    try:
        async with aiohttp.ClientSession(base, headers={"X-API-Key": key},
                                         timeout=aiohttp.ClientTimeout(total=600)) as http:
            for _ in range(600):
                try:
                    async with http.get("/readyz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)  # readiness poll
            body = {"name": "bench-m1", "kubeconfig": base64.b64encode(member.read_bytes()).decode()}
            async with http.post("/api/k8s/clusters/add", json=body) as r:
                assert r.status == 200, await r.text()
            cid = f"bench-m1:{ns}:big:app"

            # 1. search
            async def search() -> int:
                async with http.get(f"/api/k8s/containers/{cid}/logs/search",
                                    params={"query": PATTERN, "limit": "1"}) as r:
                    doc = await r.json()
                    assert r.status == 200, doc
                    return int(doc["data"]["total"])

            assert await search() == expected  # warm-up, and the answer is right
            rss_before, shim_cpu = rss_mb(shim.pid), 0.0
            shim_samples: list[float] = []
            kubectl_samples: list[float] = []
            pipeline = ["bash", "-c", 'kubectl --kubeconfig "$1" -n "$2" logs big | grep -ci "$3"', "bash",
                        str(member), ns, PATTERN]
            with _Peak(shim.pid) as peak:
                for _ in range(runs):  # interleaved, so a slower moment of the machine hits both sides
                    start, cpu = time.perf_counter(), cpu_seconds(shim.pid)
                    await search()
                    shim_samples.append(time.perf_counter() - start)
                    shim_cpu += cpu_seconds(shim.pid) - cpu
                    one, out = await asyncio.to_thread(_timed_shell, pipeline, 1)
                    kubectl_samples.extend(one)
                    assert int(out.strip()) == expected, out
            results["logs_search_100mb"] = {
                "shim": _summary(shim_samples), "baseline": _summary(kubectl_samples),
                "ratio": round(statistics.median(shim_samples) / statistics.median(kubectl_samples), 2),
                "target": TARGETS["logs_search_100mb"], "log_mb": round(log.stat().st_size / 1048576, 1),
                "matches": expected, "shim_cpu_s_per_search": round(shim_cpu / runs, 2),
                "shim_rss_mb_before": round(rss_before, 1),
                "shim_rss_mb_peak": round(peak.peak, 1), "shim_rss_growth_mb": round(peak.peak - rss_before, 1)}

            # 2. exec round trip
            async def one_exec() -> None:
                async with http.post(f"/api/k8s/containers/{cid}/exec", json={"command": ["true"]}) as r:
                    doc = await r.json()
                    assert r.status == 200 and doc["data"]["exit_code"] == 0, doc

            for _ in range(3):
                await one_exec()
            exec_samples = []
            for _ in range(runs * 4):
                start = time.perf_counter()
                await one_exec()
                exec_samples.append(time.perf_counter() - start)
            direct = ["kubectl", "--kubeconfig", str(member), "-n", ns, "exec", "big", "--", "true"]
            kubectl_exec, _ = await asyncio.to_thread(_timed_shell, direct, runs * 4)
            results["exec_round_trip"] = {
                "shim": _summary(exec_samples), "baseline": _summary(kubectl_exec),
                "ratio": round(statistics.median(exec_samples) / statistics.median(kubectl_exec), 2),
                "target": TARGETS["exec_round_trip"]}
    finally:
        shim.terminate()
        shim.wait(10)
        await asyncio.to_thread(subprocess.run, ["kubectl", "--kubeconfig", str(member), "delete", "namespace", ns,
                                                 "--wait=false"], capture_output=True)
        log.unlink(missing_ok=True)
    return results


async def _main() -> int:

    topo = load_topology()
    if topo is None:
        print("no local clusters: run `make cluster-up` (or set KUBECONFIG and CLOUDOPS_MEMBER_KUBECONFIGS)",
              file=sys.stderr)
        return 1
    ns = f"bench-c8-hub-{uuid.uuid4().hex[:6]}"
    _kubectl(topo.hub.kubeconfig, "create", "namespace", ns)
    env = {**os.environ, "KUBECONFIG": str(topo.hub.kubeconfig), "CLOUDOPS_NAMESPACE": ns,
           "CLOUDOPS_AUDIT_SINK": "none", "CLOUDOPS_RATE_USER": "100000", "CLOUDOPS_BURST_USER": "100000",
           "CLOUDOPS_MEMBER_TIMEOUT": "30"}
    try:
        results = await bench_containers(topo, ns, env, free_port())
    finally:
        _kubectl(topo.hub.kubeconfig, "delete", "namespace", ns, "--wait=false")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main()))
