"""Operator replicas with a leader Lease: real processes, a real SIGKILL of the leader, a real SIGTERM.

The standby takes over once the killed leader's Lease has gone unrenewed for its duration, and at once when the
leader stops on SIGTERM (it hands the Lease back); the cluster keeps being synced by whoever leads.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from pathlib import Path

from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.identities import provision
from tests.processes import OperatorProcess, start_operator, wait_healthy

LEASE = "cloudops-operator-leader"
SECONDS = 6  # the Lease's duration here (15 s deployed): the test waits for expiry once


def _holder(hub: Kubectl, namespace: str) -> str:
    res = hub.run("-n", namespace, "get", "lease", LEASE, "-o", "jsonpath={.spec.holderIdentity}", check=False)
    return res.stdout.strip() if res.returncode == 0 else ""


def _holds(op: OperatorProcess, hub: Kubectl, namespace: str) -> bool:
    return _holder(hub, namespace).endswith(f"/{op.proc.pid}")


def _health(op: OperatorProcess) -> dict[str, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{op.health_port}/healthz", timeout=2) as r:
        body = r.read().decode()
    try:
        return dict(json.loads(body))
    except ValueError:
        return {"status": body}


def _synced(hub: Kubectl, namespace: str) -> str:
    res = hub.run("-n", namespace, "get", "managedcluster", "m1", "-o", "jsonpath={.status.lastSyncTime}",
                  check=False)
    return res.stdout.strip()


async def test_a_standby_takes_over_from_a_killed_leader_and_at_once_from_a_stopped_one(
        topology: Topology, hub: Kubectl, namespace: str, tmp_path: Path) -> None:
    kubeconfig = provision(topology.hub.kubeconfig, namespace, tmp_path / "identities", ("operator",))["operator"]
    env = {"CLOUDOPS_LEADER_LEASE": LEASE, "CLOUDOPS_LEADER_LEASE_SECONDS": str(SECONDS)}
    started: list[OperatorProcess] = []

    def start(name: str) -> OperatorProcess:
        op = start_operator(topology, namespace, tmp_path / f"{name}.log", kubeconfig, env)
        started.append(op)
        return op

    try:
        a = await asyncio.to_thread(start, "a")
        await asyncio.to_thread(wait_healthy, a)
        await eventually(lambda: asyncio.to_thread(_holds, a, hub, namespace), 30, "a leads")
        b = await asyncio.to_thread(start, "b")
        await asyncio.to_thread(wait_healthy, b)
        assert (await asyncio.to_thread(_health, b))["status"] == "standby"

        await asyncio.to_thread(hub, "-n", namespace, "create", "secret", "generic", "m1-kubeconfig",
                                f"--from-file=kubeconfig={topology.members[0].kubeconfig}")
        await asyncio.to_thread(hub, "-n", namespace, "apply", "-f", "-", stdin=json.dumps({
            "apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
            "metadata": {"name": "m1", "namespace": namespace},
            "spec": {"kubeconfigSecretRef": {"name": "m1-kubeconfig", "key": "kubeconfig"},
                     "syncIntervalSeconds": 5}}))
        first = await eventually(lambda: asyncio.to_thread(_synced, hub, namespace), 60, "m1 synced by a")
        assert "standing by" in b.text() and "starting the operator" not in b.text()

        # SIGKILL: nothing is handed back; b takes over once the Lease went unrenewed for its duration.
        killed = time.monotonic()
        a.proc.kill()
        await eventually(lambda: asyncio.to_thread(_holds, b, hub, namespace), SECONDS + 15, "b leads")
        took = time.monotonic() - killed
        assert SECONDS - 2 <= took <= SECONDS + 15, took  # the last renewal was up to 1.2 s before the kill
        await eventually(lambda: asyncio.to_thread(lambda: _synced(hub, namespace) > first), 60,
                         "m1 synced again, by b")
        assert "starting the operator" in b.text()

        # SIGTERM: b stops kopf, hands the Lease back and exits 0; c takes over without waiting for expiry.
        c = await asyncio.to_thread(start, "c")
        await asyncio.to_thread(wait_healthy, c)
        assert (await asyncio.to_thread(_health, c))["status"] == "standby"
        b.proc.terminate()
        assert await asyncio.to_thread(b.proc.wait, 30) == 0, b.text()[-3000:]
        await eventually(lambda: asyncio.to_thread(_holds, c, hub, namespace), SECONDS, "c leads")
        assert "released the leader Lease" in b.text()
        assert "from nobody" in c.text(), c.text()[-3000:]
    finally:
        for op in started:
            if op.proc.poll() is None:
                op.proc.kill()
                await asyncio.to_thread(op.proc.wait, 30)
