"""Operator replicas sharing the clusters through shard Leases: real processes, real SIGKILL, SIGTERM and SIGSTOP.

Four shards and four clusters, each pinned to its own shard (the pin label), so who owns what is known. Two
replicas split them two and two, and only the owner syncs a cluster; a killed owner's shards are taken over within
the Lease duration plus 5 s, and no cluster's lastSyncTime gets older than two intervals plus that; a third replica
takes its share from the others; a stopped replica hands its shards back at once; a replica paused past its Lease
writes nothing after it resumes; with the hub's API server stopped for 20 s, the replicas hold their shards again
afterwards without a restart.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.processes import OperatorProcess, Replicas
from tests.resilience.test_member_outage import frozen_apiserver, heal

SHARDS = 4
SECONDS = 6  # the shard Leases' duration here (15 s deployed)
INTERVAL = 5  # the clusters' sync interval (the CRD's minimum)
CLUSTERS = [f"s{n}" for n in range(SHARDS)]
WRITES = "cloudops_operator_cluster_status_writes_total"
HUB_OUTAGE = 20


def _holders(hub: Kubectl, namespace: str) -> dict[int, str]:
    leases = hub.json("-n", namespace, "get", "leases", "-l", "cloudops.io/operator-lease=shard")
    return {int(item["metadata"]["labels"]["cloudops.io/shard"]): item["spec"].get("holderIdentity") or ""
            for item in leases["items"]}


def _pid(identity: str) -> int:
    return int(identity.rsplit("/", 1)[-1]) if identity else 0


def _owners(hub: Kubectl, namespace: str) -> Counter[int]:
    return Counter(_pid(h) for h in _holders(hub, namespace).values())


def _metric(op: OperatorProcess, name: str) -> dict[str, float]:
    """Samples of one metric from the replica's /metrics: labels text -> value."""
    with urllib.request.urlopen(f"http://127.0.0.1:{op.metrics_port}/metrics", timeout=2) as r:
        text = r.read().decode()
    found = {}
    for line in text.splitlines():
        m = re.match(rf"^{name}(\{{[^}}]*\}})? ([0-9.e+-]+)$", line)
        if m:
            found[m.group(1) or ""] = float(m.group(2))
    return found


def _synced(hub: Kubectl, namespace: str) -> dict[str, datetime]:
    items = hub.json("-n", namespace, "get", "managedclusters")["items"]
    return {i["metadata"]["name"]: datetime.fromisoformat(i["status"]["lastSyncTime"].replace("Z", "+00:00"))
            for i in items if (i.get("status") or {}).get("lastSyncTime")}


def _health(op: OperatorProcess) -> dict[str, object]:
    with urllib.request.urlopen(f"http://127.0.0.1:{op.health_port}/healthz", timeout=2) as r:
        return dict(json.loads(r.read().decode()))


async def test_replicas_share_the_clusters_and_take_over_from_killed_stopped_and_paused_ones(
        topology: Topology, hub: Kubectl, namespace: str, tmp_path: Path) -> None:
    env = {"CLOUDOPS_SHARDS": str(SHARDS), "CLOUDOPS_SHARD_LEASE_SECONDS": str(SECONDS),
           "CLOUDOPS_LEADER_LEASE_SECONDS": str(SECONDS)}
    replicas = Replicas(topology, namespace, tmp_path, env)
    start = replicas.start

    async def owners() -> Counter[int]:
        return await asyncio.to_thread(_owners, hub, namespace)

    try:
        for i, member in enumerate(topology.members):
            await asyncio.to_thread(hub, "-n", namespace, "create", "secret", "generic", f"m{i}-kubeconfig",
                                    f"--from-file=kubeconfig={member.kubeconfig}")
        for n, name in enumerate(CLUSTERS):
            await asyncio.to_thread(hub, "-n", namespace, "apply", "-f", "-", stdin=json.dumps({
                "apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
                "metadata": {"name": name, "namespace": namespace, "labels": {"cloudops.io/shard": str(n)}},
                "spec": {"kubeconfigSecretRef": {"name": f"m{n % len(topology.members)}-kubeconfig",
                                                 "key": "kubeconfig"}, "syncIntervalSeconds": INTERVAL}}))

        # Two replicas: two shards each, every cluster synced, each by its owner only.
        a, b = await start("a"), await start("b")
        await eventually(lambda: asyncio.to_thread(
            lambda: _owners(hub, namespace) == Counter({a.proc.pid: 2, b.proc.pid: 2})), 60, "2 + 2 shards")
        await eventually(lambda: asyncio.to_thread(lambda: set(_synced(hub, namespace)) == set(CLUSTERS)), 60,
                         "every cluster synced")
        holders = await asyncio.to_thread(_holders, hub, namespace)
        for op in (a, b):
            mine = {CLUSTERS[n] for n, h in holders.items() if _pid(h) == op.proc.pid}
            connected = await asyncio.to_thread(_metric, op, "cloudops_operator_cluster_connected")
            assert {re.search(r'cluster="([^"]+)"', k).group(1) for k in connected} == mine  # type: ignore[union-attr]
            assert (await asyncio.to_thread(_metric, op, "cloudops_operator_shards_owned")) == {"": 2.0}
            assert (await asyncio.to_thread(_metric, op, "cloudops_operator_clusters_owned")) == {"": 2.0}
            assert sorted(_health(op)["shards"]) == sorted(n for n, h in holders.items()  # type: ignore[arg-type]
                                                           if _pid(h) == op.proc.pid)

        # SIGKILL of a: b owns all four within the duration + 5 s; no cluster's sync gets older than 2 intervals
        # plus that, measured all along.
        killed = time.monotonic()
        a.proc.kill()
        oldest = 0.0
        while time.monotonic() - killed < SECONDS + 5:
            synced = await asyncio.to_thread(_synced, hub, namespace)
            now = datetime.now(UTC)
            oldest = max(oldest, *((now - t).total_seconds() for t in synced.values()))
            if await owners() == Counter({b.proc.pid: 4}):
                break
        took = time.monotonic() - killed
        assert await owners() == Counter({b.proc.pid: 4}), await owners()
        assert took <= SECONDS + 5, took
        deadline = time.monotonic() + 2 * INTERVAL + 2
        while time.monotonic() < deadline:  # the taken clusters sync again
            synced = await asyncio.to_thread(_synced, hub, namespace)
            now = datetime.now(UTC)
            oldest = max(oldest, *((now - t).total_seconds() for t in synced.values()))
        assert oldest <= 2 * INTERVAL + SECONDS + 5, oldest
        assert "lost shard" not in b.text()

        # A third replica: b hands back its surplus (two shards), c takes them.
        c = await start("c")
        await eventually(lambda: asyncio.to_thread(
            lambda: _owners(hub, namespace) == Counter({b.proc.pid: 2, c.proc.pid: 2})), 30, "b and c share")
        assert "handed back shard(s)" in b.text()

        # SIGSTOP of c past the duration: b takes c's shards. c, resumed, drops them by its own clock before
        # it writes any status (its count of status writes is where it was when it was paused).
        await eventually(lambda: asyncio.to_thread(lambda: sum(_metric(c, WRITES).values()) > 0), 30, "c writes")
        before = sum((await asyncio.to_thread(_metric, c, WRITES)).values())
        os.kill(c.proc.pid, signal.SIGSTOP)
        offset = len(c.text())
        try:
            await eventually(lambda: asyncio.to_thread(
                lambda: _owners(hub, namespace) == Counter({b.proc.pid: 4})), SECONDS + 10, "b takes c's shards")
        finally:
            os.kill(c.proc.pid, signal.SIGCONT)
        await eventually(lambda: asyncio.to_thread(lambda: "lost shard(s)" in c.text()[offset:]), 10, "c drops")
        assert sum((await asyncio.to_thread(_metric, c, WRITES)).values()) == before
        await eventually(lambda: asyncio.to_thread(
            lambda: _owners(hub, namespace) == Counter({b.proc.pid: 2, c.proc.pid: 2})), 30, "b and c share again")

        # SIGTERM of b: it exits 0 well within 10 s, its shards handed back: c owns all four before they expire.
        stopping = time.monotonic()
        b.proc.terminate()
        assert await asyncio.to_thread(b.proc.wait, 10) == 0, b.text()[-3000:]
        await eventually(lambda: asyncio.to_thread(lambda: _owners(hub, namespace) == Counter({c.proc.pid: 4})),
                         SECONDS, "c owns everything")
        assert time.monotonic() - stopping < SECONDS + 1
        assert "handed back shard(s)" in b.text() and "stopping" in b.text()

        # The hub's kube-apiserver stopped (SIGSTOP) for 20 s: both replicas keep running, and hold every shard
        # again afterwards without a restart; every cluster syncs again.
        d = await start("d")
        await eventually(lambda: asyncio.to_thread(
            lambda: _owners(hub, namespace) == Counter({c.proc.pid: 2, d.proc.pid: 2})), 30, "c and d share")
        if topology.hub.local:
            with frozen_apiserver(topology.hub.name):
                await asyncio.sleep(HUB_OUTAGE)
            thawed = datetime.now(UTC)
            try:
                await eventually(lambda: asyncio.to_thread(
                    lambda: sum(_owners(hub, namespace).values()) == SHARDS
                    and set(_owners(hub, namespace)) <= {c.proc.pid, d.proc.pid}), 60, "shards held again")
                await eventually(lambda: asyncio.to_thread(
                    lambda: all(t > thawed for t in _synced(hub, namespace).values())), 60, "synced after")
                assert c.proc.poll() is None and d.proc.poll() is None, (c.text()[-2000:], d.text()[-2000:])
                assert "lost shard(s)" in c.text() + d.text()  # they did stop working while the hub was gone
            finally:
                await asyncio.to_thread(heal, topology.hub.name, topology.hub.kubeconfig)
    finally:
        await replicas.kill_all()
