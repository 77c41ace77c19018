"""SIGKILL of the replica owning a cluster in the middle of its work: a scheduled backup, a compliance run, a
self-healing action.

The cluster is reached through a loopback proxy that delays every byte by DELAY each way (bench/proxy.py), so a
backup or a compliance run takes seconds and the kill lands inside it. The next owner of the cluster's shard
finishes the work: the backup slot ends with exactly one completed backup and no orphan content Secret; the
compliance run completes once, with one report; a self-healing action the dead owner had claimed is not run
again for the same event.
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

from cloudops.activity import label_value
from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.processes import OperatorProcess, Replicas
from tests.resilience.test_operator_shards import _holders, _pid
from tests.shim.test_self_healing import deployment

SECONDS = 6
DELAY = 0.4  # seconds each way: a member call takes about a second, a TLS handshake as long
CLUSTER = "slow"
ENV = {"CLOUDOPS_SHARDS": "2", "CLOUDOPS_SHARD_LEASE_SECONDS": str(SECONDS),
       "CLOUDOPS_LEADER_LEASE_SECONDS": str(SECONDS), "CLOUDOPS_MEMBER_TIMEOUT": "15"}
Json = dict[str, Any]


@contextmanager
def delayed(kubeconfig: Path, out: Path, delay: float = DELAY) -> Iterator[Path]:
    """A copy of `kubeconfig` whose server is reached through a delaying proxy on 127.0.0.1."""
    cfg = yaml.safe_load(kubeconfig.read_text())
    server = cfg["clusters"][0]["cluster"]["server"]
    upstream = server.split("://", 1)[1].rstrip("/")
    proc = subprocess.Popen([sys.executable, "-m", "bench.proxy", str(delay), upstream], stdout=subprocess.PIPE,
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


async def _two_replicas_and_the_slow_cluster(hub: Kubectl, namespace: str, slow: Path, replicas: Replicas) -> None:
    """The cluster CLUSTER (through the delaying proxy, pinned to shard 0), and replicas a and b sharing the two
    shards."""
    await asyncio.to_thread(hub, "-n", namespace, "create", "secret", "generic", "slow-kubeconfig",
                            f"--from-file=kubeconfig={slow}")
    await asyncio.to_thread(hub, "-n", namespace, "apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
        "metadata": {"name": CLUSTER, "labels": {"cloudops.io/shard": "0"}},
        "spec": {"kubeconfigSecretRef": {"name": "slow-kubeconfig"}, "syncIntervalSeconds": 300}}))
    await replicas.start("a")
    await replicas.start("b")
    await eventually(lambda: asyncio.to_thread(
        lambda: len({_pid(h) for h in _holders(hub, namespace).values()}) == 2), 30, "a and b share")


def _owner(hub: Kubectl, namespace: str, ops: list[OperatorProcess]) -> OperatorProcess | None:
    pid = _pid(_holders(hub, namespace).get(0, ""))
    return next((op for op in ops if op.proc.pid == pid and op.proc.poll() is None), None)


async def test_a_killed_owner_s_backup_and_compliance_run_are_finished_by_the_next_owner(
        topology: Topology, hub: Kubectl, namespace: str, tmp_path: Path) -> None:
    member = topology.members[0]
    work_ns = f"kill-{namespace[-8:]}"
    member_ctl = Kubectl(member.kubeconfig)
    replicas = Replicas(topology, namespace, tmp_path, ENV)
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
            await _two_replicas_and_the_slow_cluster(hub, namespace, slow, replicas)

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


def _rule(name: str, app: str, work_ns: str, dry_run: bool = False) -> Json:
    return {"apiVersion": "cloudops.io/v1alpha1", "kind": "SelfHealingRule", "metadata": {"name": name},
            "spec": {"clusters": [CLUSTER], "namespaces": [work_ns], "labelSelector": {"matchLabels": {"app": app}},
                     "dryRun": dry_run, "cooldownSeconds": 600,
                     "conditions": [{"type": "pod_status", "value": "CrashLoopBackOff"}],
                     "actions": [{"type": "restart_pod"}]}}


async def test_a_killed_owner_s_self_healing_action_is_not_run_again_by_the_next_owner(
        topology: Topology, hub: Kubectl, namespace: str, tmp_path: Path) -> None:
    member = topology.members[0]
    work_ns = f"heal-{namespace[-8:]}"
    member_ctl = Kubectl(member.kubeconfig)
    replicas = Replicas(topology, namespace, tmp_path, ENV)
    ops = replicas.started

    def pod_of(app: str) -> Json | None:
        pods = member_ctl.json("-n", work_ns, "get", "pods", "-l", f"app={app}")["items"]
        live = [p for p in pods if not p["metadata"].get("deletionTimestamp")
                and (p.get("status") or {}).get("phase") == "Running"]
        return live[0] if live else None

    def records(rule: str) -> list[Json]:
        actor = label_value(f"selfhealingrule/{rule}")
        items = hub.json("-n", namespace, "get", "activityrecords", "-l",
                         f"cloudops.io/activity-stream=self-healing,cloudops.io/activity-actor={actor}")
        return list(items["items"])

    def claims(rule: str) -> list[Json]:
        return list(hub.json("-n", namespace, "get", "leases", "-l", f"cloudops.io/self-healing-rule={rule}")["items"])

    def crash(pod: Json) -> None:
        member_ctl("-n", work_ns, "annotate", "pod", pod["metadata"]["name"],
                   "cloudops.io/emulate-state=CrashLoopBackOff")

    await asyncio.to_thread(member_ctl, "create", "namespace", work_ns)
    for app in ("web", "other"):
        await asyncio.to_thread(member_ctl, "-n", work_ns, "apply", "-f", "-", stdin=json.dumps(deployment(app)))
    try:
        # Each member call takes 2 s or more: the kill lands between the claim and the action's record.
        with delayed(member.kubeconfig, tmp_path / "slow.kubeconfig", delay=1.0) as slow:
            await _two_replicas_and_the_slow_cluster(hub, namespace, slow, replicas)
            victim = await eventually(lambda: asyncio.to_thread(_owner, hub, namespace, ops), 30, "shard 0 held")
            survivor = next(op for op in ops if op is not victim)
            web = await eventually(lambda: asyncio.to_thread(pod_of, "web"), 60, "web running")
            other = await eventually(lambda: asyncio.to_thread(pod_of, "other"), 60, "other running")
            assert victim is not None and web is not None and other is not None

            await asyncio.to_thread(hub, "-n", namespace, "apply", "-f", "-",
                                    stdin=json.dumps(_rule("restart-web", "web", work_ns)))
            # Only the owner of the cluster's shard watches it.
            await eventually(lambda: asyncio.sleep(0, f"watching pods of {CLUSTER}" in victim.text()), 30,
                             "the owner watches the cluster")
            assert f"watching pods of {CLUSTER}" not in survivor.text()
            await asyncio.to_thread(crash, web)
            claim = await eventually(lambda: asyncio.to_thread(claims, "restart-web"), 60, "the action claimed")
            victim.proc.kill()
            assert not await asyncio.to_thread(records, "restart-web"), "the action ended before the kill: no test"
            assert _pid(claim[0]["spec"]["holderIdentity"]) == victim.proc.pid

            # The survivor takes the shard, watches the cluster and sees the event again (the pod still
            # crash-looping, or already deleted by the dead owner's last call); the claim stops it. A dry-run
            # rule's decision on a pod crashing afterwards shows the survivor has evaluated what it listed.
            await eventually(lambda: asyncio.sleep(0, f"watching pods of {CLUSTER}" in survivor.text()),
                             SECONDS + 30, "the survivor watches the cluster")
            await asyncio.to_thread(hub, "-n", namespace, "apply", "-f", "-",
                                    stdin=json.dumps(_rule("dry-other", "other", work_ns, dry_run=True)))
            await asyncio.to_thread(crash, other)
            await eventually(lambda: asyncio.to_thread(records, "dry-other"), 60, "the survivor's dry run recorded")
            after = await asyncio.to_thread(claims, "restart-web")
            assert len(after) == 1 and after[0]["spec"].get("leaseTransitions", 0) == 0, after
            assert _pid(after[0]["spec"]["holderIdentity"]) == victim.proc.pid  # never claimed again
            assert not await asyncio.to_thread(records, "restart-web")  # the survivor ran nothing for it
            assert f"rule {namespace}/restart-web on" not in survivor.text()  # nor logged an action
    finally:
        await replicas.kill_all()
        await asyncio.to_thread(member_ctl.run, "delete", "namespace", work_ns, "--wait=false", check=False)
