"""SIGKILL of the replica owning a cluster in the middle of its work: a scheduled backup, a compliance run.

The cluster is reached through a loopback proxy that delays every byte by DELAY each way (bench/proxy.py), so a
backup or a compliance run takes seconds and the kill lands inside it. The next owner of the cluster's shard
finishes the work: the backup slot ends with exactly one completed backup and no orphan content Secret; the
compliance run completes once, with one report.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.processes import OperatorProcess, Replicas
from tests.resilience.test_operator_shards import _holders, _pid

SECONDS = 6
DELAY = 0.4  # seconds each way: a member call takes about a second, a TLS handshake as long
CLUSTER = "slow"
Json = dict[str, Any]


@contextmanager
def delayed(kubeconfig: Path, out: Path) -> Iterator[Path]:
    """A copy of `kubeconfig` whose server is reached through a delaying proxy on 127.0.0.1."""
    cfg = yaml.safe_load(kubeconfig.read_text())
    server = cfg["clusters"][0]["cluster"]["server"]
    upstream = server.split("://", 1)[1].rstrip("/")
    proc = subprocess.Popen([sys.executable, "-m", "bench.proxy", str(DELAY), upstream], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None
        port = ""
        for line in proc.stdout:
            if line.startswith("listening"):
                port = line.split()[1]
            if line.strip() == "ready":
                break
        assert port, "proxy did not start"
        for c in cfg["clusters"]:
            c["cluster"]["server"] = f"https://127.0.0.1:{port}"
        out.write_text(yaml.safe_dump(cfg))
        yield out
    finally:
        proc.terminate()
        proc.wait(10)


def _owner(hub: Kubectl, namespace: str, ops: list[OperatorProcess]) -> OperatorProcess | None:
    pid = _pid(_holders(hub, namespace).get(0, ""))
    return next((op for op in ops if op.proc.pid == pid and op.proc.poll() is None), None)


async def test_a_killed_owner_s_backup_and_compliance_run_are_finished_by_the_next_owner(
        topology: Topology, hub: Kubectl, namespace: str, tmp_path: Path) -> None:
    env = {"CLOUDOPS_SHARDS": "2", "CLOUDOPS_SHARD_LEASE_SECONDS": str(SECONDS),
           "CLOUDOPS_LEADER_LEASE_SECONDS": str(SECONDS), "CLOUDOPS_MEMBER_TIMEOUT": "15"}
    member = topology.members[0]
    work_ns = f"kill-{namespace[-8:]}"
    member_ctl = Kubectl(member.kubeconfig)
    replicas = Replicas(topology, namespace, tmp_path, env)
    ops, start = replicas.started, replicas.start

    async def owner() -> OperatorProcess:
        found = await eventually(lambda: asyncio.to_thread(_owner, hub, namespace, ops), 30, "shard 0 held")
        assert found is not None
        return found

    await asyncio.to_thread(member_ctl, "create", "namespace", work_ns)
    for i in range(5):
        await asyncio.to_thread(member_ctl, "-n", work_ns, "create", "configmap", f"cm-{i}", f"--from-literal=k={i}")
    try:
        with delayed(member.kubeconfig, tmp_path / "slow.kubeconfig") as slow:
            await asyncio.to_thread(hub, "-n", namespace, "create", "secret", "generic", "slow-kubeconfig",
                                    f"--from-file=kubeconfig={slow}")
            await asyncio.to_thread(hub, "-n", namespace, "apply", "-f", "-", stdin=json.dumps({
                "apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
                "metadata": {"name": CLUSTER, "labels": {"cloudops.io/shard": "0"}},
                "spec": {"kubeconfigSecretRef": {"name": "slow-kubeconfig"}, "syncIntervalSeconds": 300}}))
            await start("a")
            await start("b")
            await eventually(lambda: asyncio.to_thread(
                lambda: len({_pid(h) for h in _holders(hub, namespace).values()}) == 2), 30, "a and b share")

            # A backup schedule due now: paused, its last backup two days ago, then enabled.
            await asyncio.to_thread(hub, "-n", namespace, "apply", "-f", "-", stdin=json.dumps({
                "apiVersion": "cloudops.io/v1alpha1", "kind": "YamlBackupSchedule", "metadata": {"name": "nightly"},
                "spec": {"clusterRef": {"name": CLUSTER}, "schedule": "0 3 * * *", "enabled": False,
                         "resourceTypes": ["configmap"], "namespaces": [work_ns]}}))
            old = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
            await asyncio.to_thread(hub, "-n", namespace, "patch", "yamlbackupschedule", "nightly",
                                    "--subresource=status", "--type=merge", "-p",
                                    json.dumps({"status": {"lastBackupTime": old}}))
            victim = await owner()
            await asyncio.to_thread(hub, "-n", namespace, "patch", "yamlbackupschedule", "nightly", "--type=merge",
                                    "-p", '{"spec": {"enabled": true}}')

            def claimed() -> Json | None:
                status = hub.json("-n", namespace, "get", "yamlbackupschedule", "nightly").get("status") or {}
                return status if status.get("lastBackupTime") != old and status.get("lastBackupName") else None

            status = await eventually(lambda: asyncio.to_thread(claimed), 60, "backup slot claimed")
            victim.proc.kill()
            slot = status["lastBackupName"]
            after_kill = hub.json("-n", namespace, "get", "yamlbackupschedule", "nightly")["status"]
            assert after_kill.get("lastSuccessfulBackup") != slot, "the backup ended before the kill: no test"

            def finished() -> Json | None:
                st = hub.json("-n", namespace, "get", "yamlbackupschedule", "nightly").get("status") or {}
                return st if st.get("lastSuccessfulBackup") == slot else None

            done = await eventually(lambda: asyncio.to_thread(finished), SECONDS + 60, "the slot finished")
            assert done["lastBackupName"] == slot and done["lastResult"] == "completed", done
            backups = hub.json("-n", namespace, "get", "yamlbackups", "-l", "cloudops.io/schedule=nightly")["items"]
            assert [(b["metadata"]["name"], b["status"]["phase"]) for b in backups] == [(slot, "Completed")]
            parts = hub.json("-n", namespace, "get", "secrets", "-l", "cloudops.io/backup")["items"]
            assert {p["metadata"]["labels"]["cloudops.io/backup"] for p in parts} == {slot}  # no orphan
            assert len(parts) == backups[0]["status"]["parts"]
            survivor = await owner()
            assert "was cut off; taking it again" in survivor.text() or "marked Failed" in survivor.text()

            # A compliance run on the cluster: its owner is killed while it runs; the next owner runs it once.
            await start("c")
            victim = await owner()
            await asyncio.to_thread(hub, "-n", namespace, "apply", "-f", "-", stdin=json.dumps({
                "apiVersion": "cloudops.io/v1alpha1", "kind": "ComplianceCheck", "metadata": {"name": "baseline"},
                "spec": {"clusterRef": {"name": CLUSTER}, "namespaces": [work_ns]}}))

            def running() -> bool:
                st = hub.json("-n", namespace, "get", "compliancecheck", "baseline").get("status") or {}
                return st.get("phase") == "running"

            await eventually(lambda: asyncio.to_thread(running), 60, "compliance run started")
            victim.proc.kill()

            def completed() -> Json | None:
                obj = hub.json("-n", namespace, "get", "compliancecheck", "baseline")
                st = obj.get("status") or {}
                return st if st.get("phase") == "completed" and st.get("runGeneration") == \
                    obj["metadata"]["generation"] else None

            result = await eventually(lambda: asyncio.to_thread(completed), SECONDS + 60, "the run completed")
            reports = hub.json("-n", namespace, "get", "compliancereports")["items"]
            mine = [r for r in reports if any(o.get("name") == "baseline"
                                              for o in r["metadata"].get("ownerReferences") or [])]
            assert len(mine) == 1 and mine[0]["metadata"]["name"] == result["reportName"], (mine, result)
    finally:
        await replicas.kill_all()
        await asyncio.to_thread(member_ctl.run, "delete", "namespace", work_ns, "--wait=false", check=False)
