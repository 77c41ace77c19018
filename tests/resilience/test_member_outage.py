"""A member that stops answering, and an operator that restarts: nothing lost, nothing slow."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from api_shim.app import create_app
from api_shim.security.apikeys import create_api_key
from cloudops.kube.client import hub_client
from cloudops.settings import Settings
from devcluster.kwok import Kwok, bin_dir
from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually, wait_until
from tests.identities import provision
from tests.leaks import secret
from tests.processes import start_operator, stop_operator, wait_healthy
from tests.shim.checked import CheckedClient

TIMEOUT = 3.0  # per-member probe timeout the shim is given below


@contextmanager
def frozen_apiserver(name: str) -> Iterator[None]:
    """SIGSTOP the member's kube-apiserver: connections hang, the worst case for a fan-out."""
    pid_file = Kwok(bin_dir()).cluster_dir(name) / "pids" / "kube-apiserver.pid"
    pid = int(pid_file.read_text().strip())
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


async def _client(topology: Topology, namespace: str, tmp_path: Path) -> tuple[TestClient, Any]:  # type: ignore[type-arg]
    hub = await hub_client(str(topology.hub.kubeconfig))
    key = secret(await create_api_key(hub, namespace, "sre", ["cloudops:admins"]))
    shim_identity = provision(topology.hub.kubeconfig, namespace, tmp_path / "identities", ("shim",))["shim"]
    settings = Settings(namespace=namespace, kubeconfig=str(shim_identity), audit_sink="none",
                        member_timeout_seconds=TIMEOUT)
    client = CheckedClient(TestServer(create_app(settings)), headers={"X-API-Key": key})
    await client.start_server()
    return client, hub


async def test_frozen_member_turns_disconnected_and_recovers(topology: Topology, namespace: str,
                                                             tmp_path: Path) -> None:
    if not topology.members[1].local:
        pytest.skip("needs a member started by devcluster")
    client, hub = await _client(topology, namespace, tmp_path)
    op = await asyncio.to_thread(start_operator, topology, namespace, tmp_path / "operator.log")
    try:
        await asyncio.to_thread(wait_healthy, op)
        for name, member in (("healthy", topology.members[0]), ("flaky", topology.members[1])):
            kc = base64.b64encode(member.kubeconfig.read_bytes()).decode()
            r = await client.post("/api/k8s/clusters/add", json={"name": name, "kubeconfig": kc})
            assert r.status == 200, await r.text()

        async def phase(name: str) -> str:
            return str((await (await client.get(f"/api/k8s/clusters/{name}")).json())["data"]["status"])

        await eventually(lambda: _eq(phase("flaky"), "connected"), 60, "flaky connected")
        with frozen_apiserver(topology.members[1].name):
            start = time.monotonic()
            await eventually(lambda: _eq(phase("flaky"), "disconnected"), 30, "disconnected within 30 s")
            assert time.monotonic() - start < 30

            start = time.monotonic()
            r = await client.post("/api/k8s/clusters/health/check", json={"cluster_ids": ["healthy", "flaky"]})
            elapsed = time.monotonic() - start
            body = (await r.json())["data"]
            assert r.status == 200
            assert elapsed < TIMEOUT + 2.0, f"one dead member must cost at most its timeout, took {elapsed:.1f}s"
            by_name = {x["cluster_name"]: x for x in body["results"]}
            assert by_name["healthy"]["status"] == "healthy" and by_name["flaky"]["status"] == "error"
            assert "did not answer" in by_name["flaky"]["issues"][0]["message"]
            assert body["summary"] == {"total_checked": 2, "healthy": 1, "warning": 0, "error": 1}
            detail = (await (await client.get("/api/k8s/clusters/flaky")).json())["data"]
            assert "did not answer in time" in detail["message"] and detail["health_score"] == 0.0
            health = (await (await client.get("/api/k8s/clusters/flaky/health")).json())["data"]
            assert health["components"] == [] and health["health_status"] == "unknown"
        await eventually(lambda: _eq(phase("flaky"), "connected"), 45, "recovered after thaw")
    finally:
        await asyncio.to_thread(stop_operator, op)
        await client.close()
        await hub.close()
        await asyncio.to_thread(heal, topology.members[1].name, topology.members[1].kubeconfig)


def heal(name: str, kubeconfig: Path) -> None:
    """Controller-manager and scheduler exit after losing their lease while the apiserver hung, and the
    supervisor restarts them (wait_components does at once, should it not run): wait until every component
    runs and both lead, so later tests see a healthy member."""
    kwok = Kwok(bin_dir())
    kwok.wait_components(name, kubeconfig)
    kwok.wait_leaders(kubeconfig)


async def _eq(value: Any, expected: Any) -> bool:
    return bool(await value == expected)


def test_operator_restart_loses_nothing(topology: Topology, hub: Kubectl, namespace: str, tmp_path: Path) -> None:
    def cr(name: str, secret: str) -> str:
        return ("{" f'"apiVersion":"cloudops.io/v1alpha1","kind":"ManagedCluster","metadata":{{"name":"{name}",'
                f'"namespace":"{namespace}"}},"spec":{{"kubeconfigSecretRef":{{"name":"{secret}"}}}}' "}")

    def secret(name: str, kubeconfig: Path) -> None:
        manifest = hub("-n", namespace, "create", "secret", "generic", name, f"--from-file=kubeconfig={kubeconfig}",
                       "--dry-run=client", "-o", "yaml")
        hub("apply", "-f", "-", stdin=manifest)

    def status(name: str) -> dict[str, Any]:
        return dict(hub.json("-n", namespace, "get", "managedcluster", name).get("status") or {})

    secret("kc1", topology.members[0].kubeconfig)
    secret("kc2", topology.members[1].kubeconfig)
    op = start_operator(topology, namespace, tmp_path / "op1.log")
    wait_healthy(op)
    hub("apply", "-f", "-", stdin=cr("one", "kc1"))
    first = wait_until(lambda: (s := status("one")).get("phase") == "connected" and s, 60, "one connected")
    stop_operator(op)

    # While the operator is down: a new cluster, and a change to the old one.
    hub("apply", "-f", "-", stdin=cr("two", "kc2"))
    hub("-n", namespace, "patch", "managedcluster", "one", "--type=merge", "-p", '{"spec":{"description":"x"}}')
    assert status("two") == {}

    op = start_operator(topology, namespace, tmp_path / "op2.log")
    try:
        wait_healthy(op)
        two = wait_until(lambda: (s := status("two")).get("phase") == "connected" and s, 60, "two connected")
        one = wait_until(lambda: (s := status("one")).get("observedGeneration") == 2 and s, 60, "one re-synced")
    finally:
        stop_operator(op)
    assert one["id"] == first["id"], "ids are stable across restarts"
    assert two["id"] > first["id"], "the counter lives in the hub, so ids are never reused"
    labels = {o["metadata"]["name"]: o["metadata"]["labels"]["cloudops.io/id"]
              for o in hub.json("-n", namespace, "get", "managedclusters")["items"]}
    assert labels == {"one": str(one["id"]), "two": str(two["id"])}
