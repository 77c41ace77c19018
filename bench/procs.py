"""What the benchmarks measure of a process, and what they seed: shared by every part."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from kubernetes_asyncio.client import CoreV1Api, CustomObjectsApi, V1ObjectMeta, V1Secret

from cloudops.constants import GROUP, VERSION
from devcluster.topology import state_dir

__all__ = ["cpu_seconds", "free_port", "rss_mb", "seed_clusters", "start_operator"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_operator(env: dict[str, str], log_name: str) -> subprocess.Popen[bytes]:
    """An operator process, its output appended to .clusters/logs/<log_name>.log (blocking: call in a thread)."""
    log = open(state_dir() / "logs" / f"{log_name}.log", "ab")
    return subprocess.Popen([sys.executable, "-m", "cloudops_operator.main"], env=env, stdout=log, stderr=log)


def cpu_seconds(pid: int) -> float:
    """User and system CPU the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return 0.0


async def seed_clusters(hub: Any, members: list[Path], namespace: str, count: int, interval: int,
                        prefix: str, secret_per_cluster: bool = False) -> None:
    """`count` ManagedClusters `<prefix>-NNNNN`, spread over the members' kubeconfigs: one Secret per member, or
    one per cluster (as a real fleet has: every cluster its own credentials)."""
    core, objects = CoreV1Api(hub), CustomObjectsApi(hub)
    sem = asyncio.Semaphore(32)
    texts = {path: await asyncio.to_thread(path.read_text) for path in members}

    async def secret(name: str, path: Path) -> None:
        async with sem:
            await core.create_namespaced_secret(namespace, V1Secret(metadata=V1ObjectMeta(name=name),
                                                                    string_data={"kubeconfig": texts[path]}))

    def secret_of(i: int) -> str:
        return f"{prefix}-{i:05d}" if secret_per_cluster else f"member-{i % len(members) + 1}"

    if secret_per_cluster:
        await asyncio.gather(*(secret(secret_of(i), members[i % len(members)]) for i in range(count)))
    else:
        await asyncio.gather(*(secret(f"member-{i}", path) for i, path in enumerate(members, start=1)))

    async def one(i: int) -> None:
        body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "ManagedCluster", "metadata": {"name": f"{prefix}-{i:05d}"},
                "spec": {"syncIntervalSeconds": interval, "kubeconfigSecretRef": {"name": secret_of(i)}}}
        async with sem:
            await objects.create_namespaced_custom_object(GROUP, VERSION, namespace, "managedclusters", body)

    await asyncio.gather(*(one(i) for i in range(count)))
