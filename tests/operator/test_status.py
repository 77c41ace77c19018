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


def test_sample_cluster_becomes_connected_with_real_member_data(
        topology: Topology, hub: Kubectl, namespace: str, operator: OperatorProcess) -> None:
    member = topology.members[0]
    _member_secret(hub, namespace, "member-1-kubeconfig", str(member.kubeconfig))
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
    policy = wait_until(lambda: (o := hub.json("-n", namespace, "get", "labelpolicy", "production-labels"))
                        .get("status", {}).get("lastCheckTime") and o, 60, "label policy checked")
    assert _ready(policy) == {**_ready(policy), "status": "True", "reason": "Checked"}  # type: ignore[dict-item]

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


def test_deleting_a_cluster_removes_its_kubeconfig_secret(
        topology: Topology, hub: Kubectl, namespace: str, operator: OperatorProcess) -> None:
    _member_secret(hub, namespace, "m2", str(topology.members[1].kubeconfig))
    hub("apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
        "metadata": {"name": "m2", "namespace": namespace}, "spec": {"kubeconfigSecretRef": {"name": "m2"}}}))
    wait_until(lambda: hub.json("-n", namespace, "get", "managedcluster", "m2").get("status", {}).get("phase")
               == "connected", 60, "connected")
    hub("-n", namespace, "delete", "managedcluster", "m2", "--timeout=60s")
    wait_until(lambda: hub.run("-n", namespace, "get", "secret", "m2", check=False).returncode != 0, 30,
               "secret deleted")
