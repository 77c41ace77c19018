"""Handlers write honest status: observedGeneration, Ready with reason, real data from the member."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from devcluster.topology import Topology
from tests.helpers import Kubectl, render_samples, wait_until
from tests.processes import OperatorProcess

PLACEHOLDERS: list[str] = []


def _member_secret(hub: Kubectl, namespace: str, name: str, kubeconfig: str) -> None:
    secret = hub("-n", namespace, "create", "secret", "generic", name, f"--from-file=kubeconfig={kubeconfig}",
                 "--dry-run=client", "-o", "yaml")
    hub("apply", "-f", "-", stdin=secret)


def _ready(obj: dict[str, Any]) -> dict[str, Any] | None:
    conds = (obj.get("status") or {}).get("conditions") or []
    return next((c for c in conds if c["type"] == "Ready"), None)


def _demo_pod(member: Kubectl) -> None:
    """The object the sample YamlBackup backs up: the pod `make run` starts (devcluster/demo.py)."""
    member("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "demo", "labels": {"app": "web"}},
         "spec": {"containers": [{"name": "app", "image": "demo/web:1.0"}]}}]}))


def test_sample_cluster_becomes_connected_with_real_member_data(
        topology: Topology, hub: Kubectl, namespace: str, operator: OperatorProcess) -> None:
    member = topology.members[0]
    _member_secret(hub, namespace, "member-1-kubeconfig", str(member.kubeconfig))
    _demo_pod(Kubectl(member.kubeconfig))
    hub("apply", "--server-side", "-f", "-", stdin=render_samples(namespace))
    get = lambda: hub.json("-n", namespace, "get", "managedcluster", "member-1")  # noqa: E731

    mc = wait_until(lambda: (o := get()).get("status", {}).get("phase") == "connected" and o, 60, "connected")
    status = mc["status"]
    assert status["id"] >= 1 and mc["metadata"]["labels"]["cloudops.io/id"] == str(status["id"])
    assert status["observedGeneration"] == mc["metadata"]["generation"]
    assert _ready(mc) == {**_ready(mc), "status": "True", "reason": "Connected"}  # type: ignore[dict-item]
    m = Kubectl(member.kubeconfig)
    assert status["kubernetesVersion"] == json.loads(m("version", "-o", "json"))["serverVersion"]["gitVersion"]
    assert status["nodeCount"] == len(m.json("get", "nodes")["items"])
    assert {c["name"]: c["status"] for c in status["components"]} == {
        "api-server": "healthy", "etcd": "healthy", "controller-manager": "healthy", "scheduler": "healthy"}
    assert status["healthStatus"] == "healthy" and status["usage"]["source"] in ("metrics-api", "requests")

    for ref in PLACEHOLDERS:
        obj = wait_until(lambda r=ref: (o := hub.json("-n", namespace, "get", r)) and _ready(o) and o, 30, ref)
        cond = _ready(obj)
        assert cond is not None and cond["status"] == "False" and cond["reason"] == "NotImplemented"
        assert obj["status"]["observedGeneration"] == obj["metadata"]["generation"]

    # The sample SelfHealingRule watches member-1 (its reconciler: tests/shim/test_self_healing.py).
    rule = wait_until(lambda: (o := hub.json("-n", namespace, "get", "selfhealingrule", "pod-restart-rule"))
                      and _ready(o) and o, 30, "self-healing rule ready")
    assert _ready(rule) == {**_ready(rule), "status": "True", "reason": "Watching"}  # type: ignore[dict-item]
    assert rule["status"]["observedGeneration"] == rule["metadata"]["generation"]

    # The sample ComplianceCheck runs on creation against member-1 (its reconciler: tests/shim/test_compliance.py).
    check = wait_until(lambda: (o := hub.json("-n", namespace, "get", "compliancecheck", "member-1-baseline"))
                       .get("status", {}).get("phase") in ("completed", "failed") and o, 60, "compliance check run")
    assert _ready(check) == {**_ready(check), "status": "True", "reason": "Completed"}  # type: ignore[dict-item]
    assert check["status"]["lastTrigger"] == "create" and check["status"]["nextRunTime"]
    assert check["status"]["observedGeneration"] == check["metadata"]["generation"]

    # The sample LabelPolicy is checked against member-1 (its reconciler: tests/shim/test_labels.py).
    # Checked once its cluster is connected: a check that ran before is retried within RETRY_SECONDS.
    policy = wait_until(lambda: (o := hub.json("-n", namespace, "get", "labelpolicy", "production-labels"))
                        .get("status", {}).get("lastCheckTime") and (_ready(o) or {}).get("reason") == "Checked"
                        and o, 60, "label policy checked")
    assert _ready(policy) == {**_ready(policy), "status": "True", "reason": "Checked"}  # type: ignore[dict-item]

    # The sample YamlBackup, applied with kubectl, is taken by the operator: real id, cluster id, and its
    # resourceId (member-1:pod:demo:web) resolved to the numeric form every other id uses. Its id label is
    # written last (cloudops.backups.applied: a restart midway takes it again), so the wait is for both.
    backup = wait_until(lambda: (o := hub.json("-n", namespace, "get", "yamlbackup", "pre-update-backup"))
                        .get("status", {}).get("phase") in ("Completed", "Failed")
                        and "cloudops.io/id" in (o["metadata"].get("labels") or {}) and o, 60, "sample backup taken")
    status = backup["status"]
    assert status["phase"] == "Completed", status
    assert status["id"] >= 1 and backup["metadata"]["labels"]["cloudops.io/id"] == str(status["id"])
    assert status["clusterId"] == mc["status"]["id"]
    assert status["resourceId"] == f"{mc['status']['id']}:pod:demo:web" and status["objectCount"] == 1
    assert status["encrypted"] is True and status["parts"] == 1 and len(status["sha256"]) == 64
    assert _ready(backup) == {**_ready(backup), "status": "True", "reason": "Completed"}  # type: ignore[dict-item]
    parts = hub.json("-n", namespace, "get", "secrets", "-l", "cloudops.io/backup=pre-update-backup")["items"]
    assert len(parts) == 1 and parts[0]["metadata"]["ownerReferences"][0]["uid"] == backup["metadata"]["uid"]

    # A spec change moves observedGeneration along.
    hub("-n", namespace, "patch", "managedcluster", "member-1", "--type=merge", "-p",
        '{"spec":{"description":"changed"}}')
    wait_until(lambda: (o := get())["status"]["observedGeneration"] == o["metadata"]["generation"] == 2, 30,
               "observedGeneration follows generation")
    assert "client-key-data" not in operator.text() and "BEGIN" not in operator.text()
    with urllib.request.urlopen(f"http://127.0.0.1:{operator.metrics_port}/metrics", timeout=5) as r:
        metrics = r.read().decode()
    assert f'cloudops_operator_cluster_connected{{cluster="member-1",namespace="{namespace}"}} 1.0' in metrics
    assert 'cloudops_operator_cluster_syncs_total{result="connected"}' in metrics


def test_missing_secret_is_an_error_a_human_can_act_on(hub: Kubectl, namespace: str,
                                                       operator: OperatorProcess) -> None:
    hub("apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
        "metadata": {"name": "orphan", "namespace": namespace},
        "spec": {"kubeconfigSecretRef": {"name": "nope"}}}))
    mc = wait_until(lambda: (o := hub.json("-n", namespace, "get", "managedcluster", "orphan"))
                    .get("status", {}).get("phase") == "error" and o, 30, "error phase")
    cond = _ready(mc)
    assert cond is not None and cond["status"] == "False" and cond["reason"] == "SecretNotFound"
    assert "nope" in cond["message"]


def test_deleting_a_cluster_keeps_a_user_secret_and_removes_its_own(
        topology: Topology, hub: Kubectl, namespace: str, operator: OperatorProcess) -> None:
    """A kubeconfig Secret created with kubectl (or kept by Argo CD, External Secrets) is the user's: deleting the
    cluster leaves it. One the product created for the cluster (owned by it, as POST /clusters/add makes it) goes."""
    member = str(topology.members[1].kubeconfig)
    _member_secret(hub, namespace, "m2", member)
    hub("apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
        "metadata": {"name": "m2", "namespace": namespace}, "spec": {"kubeconfigSecretRef": {"name": "m2"}}}))
    hub("apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
        "metadata": {"name": "m3", "namespace": namespace}, "spec": {"kubeconfigSecretRef": {"name": "m3-kc"}}}))
    uid = hub.json("-n", namespace, "get", "managedcluster", "m3")["metadata"]["uid"]
    owned = json.loads(hub("-n", namespace, "create", "secret", "generic", "m3-kc", f"--from-file=kubeconfig={member}",
                           "--dry-run=client", "-o", "json"))
    owned["metadata"].update(labels={"cloudops.io/cluster": "m3"}, ownerReferences=[
        {"apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster", "name": "m3", "uid": uid}])
    hub("create", "-f", "-", stdin=json.dumps(owned))
    for name in ("m2", "m3"):
        wait_until(lambda n=name: hub.json("-n", namespace, "get", "managedcluster", n).get("status", {})
                   .get("phase") == "connected", 60, f"{name} connected")

    # kubectl returns once the finalizer ran and the object is gone.
    hub("-n", namespace, "delete", "managedcluster", "m2", "m3", "--timeout=60s")
    kept = hub.json("-n", namespace, "get", "secret", "m2")
    assert "kubeconfig" in kept["data"] and not kept["metadata"].get("deletionTimestamp")
    wait_until(lambda: hub.run("-n", namespace, "get", "secret", "m3-kc", check=False).returncode != 0, 30,
               "the owned secret deleted")
