"""The local control plane is a real Kubernetes: RBAC, tokens, controllers, scheduler and kwok nodes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from devcluster.topology import Topology
from tests.helpers import REPO, Kubectl, wait_until


def _all(topology: Topology) -> list[Kubectl]:
    return [Kubectl(c.kubeconfig) for c in [topology.hub, *topology.members]]


def test_hub_and_two_members_answer_readyz_with_etcd(topology: Topology) -> None:
    assert len(topology.members) >= 2
    for k in _all(topology):
        out = k("get", "--raw", "/readyz?verbose")
        assert "[+]etcd ok" in out and "readyz check passed" in out


def test_clusters_are_distinct_apiservers_with_their_own_etcd(topology: Topology) -> None:
    servers, uids = set(), set()
    for k in _all(topology):
        cfg = k.json("config", "view", "--minify", "--raw")
        servers.add(cfg["clusters"][0]["cluster"]["server"])
        uids.add(k.json("get", "namespace", "kube-system")["metadata"]["uid"])
    assert len(servers) == len(uids) == 1 + len(topology.members)
    assert all(s.startswith("https://127.0.0.1:") for s in servers)


def test_service_account_tokens_pass_token_review_and_rbac_decides(topology: Topology, namespace: str) -> None:
    hub = Kubectl(topology.hub.kubeconfig)
    hub("create", "serviceaccount", "robot", "-n", namespace)
    token = hub("create", "token", "robot", "-n", namespace).strip()
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": token}}
    res = json.loads(hub("create", "-f", "-", "-o", "json", stdin=json.dumps(review)))
    assert res["status"]["authenticated"] is True
    user = res["status"]["user"]["username"]
    assert user == f"system:serviceaccount:{namespace}:robot"

    def sar(verb: str) -> bool:
        body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": {
            "user": user, "groups": res["status"]["user"]["groups"],
            "resourceAttributes": {"namespace": namespace, "verb": verb, "resource": "configmaps"}}}
        return bool(json.loads(hub("create", "-f", "-", "-o", "json", stdin=json.dumps(body)))["status"]["allowed"])

    assert not sar("list"), "RBAC must deny what no role grants"
    hub("create", "role", "cm-reader", "--verb=list", "--resource=configmaps", "-n", namespace)
    hub("create", "rolebinding", "robot-reads", "--role=cm-reader", f"--serviceaccount={namespace}:robot",
        "-n", namespace)
    assert wait_until(lambda: sar("list"), timeout=30, what="RBAC grant takes effect")
    assert not sar("delete")


def test_deployments_get_running_pods_with_ips_and_endpoints(topology: Topology, namespace: str) -> None:
    m = Kubectl(topology.members[0].kubeconfig, namespace)
    m("create", "namespace", namespace)
    try:
        m("create", "deployment", "web", "--image=nginx", "--replicas=3", "--port=80")
        m("expose", "deployment", "web", "--port=80")
        wait_until(lambda: m.json("get", "deployment", "web")["status"].get("readyReplicas") == 3, 60,
                   "3 ready replicas")
        pods = m.json("get", "pods", "-l", "app=web")["items"]
        assert all(p["status"]["phase"] == "Running" and p["status"].get("podIP") and p["spec"].get("nodeName")
                   for p in pods)
        wait_until(lambda: len((m.json("get", "endpoints", "web").get("subsets") or [{}])[0].get("addresses", []))
                   == 3, 60, "endpoints list every pod")
        # Garbage collection: deleting the deployment removes its ReplicaSets and Pods.
        m("delete", "deployment", "web")
        wait_until(lambda: not m.json("get", "pods,replicasets", "-l", "app=web")["items"], 60, "GC of pods")
    finally:
        m.run("delete", "namespace", namespace, "--wait=false", check=False)


def test_namespaces_finalize(topology: Topology) -> None:
    m = Kubectl(topology.members[0].kubeconfig)
    name = f"fin-{uuid.uuid4().hex[:6]}"
    m("create", "namespace", name)
    m("create", "configmap", "c", "-n", name)
    m("delete", "namespace", name, "--wait=false")
    wait_until(lambda: m.run("get", "namespace", name, check=False).returncode != 0, 60, "namespace gone")


def test_up_is_idempotent(topology: Topology) -> None:
    if not topology.hub.local:
        pytest.skip("clusters come from KUBECONFIG")
    pids = sorted(p.read_text() for p in (REPO / ".clusters" / "kwok").rglob("pids/*.pid"))
    env = {**os.environ, "PATH": os.environ["PATH"]}
    env.pop("KUBECONFIG", None)
    subprocess.run([sys.executable, "-m", "devcluster", "up", "--members", str(len(topology.members))],
                   check=True, env=env, capture_output=True)
    assert sorted(p.read_text() for p in (REPO / ".clusters" / "kwok").rglob("pids/*.pid")) == pids


def test_down_stops_every_process_it_started(tmp_path: Path) -> None:
    """A separate state folder: start a hub alone, tear it down, and find no process left behind."""
    if os.environ.get("KUBECONFIG"):
        pytest.skip("clusters come from KUBECONFIG")
    env = {**os.environ, "CLOUDOPS_CLUSTERS_DIR": str(tmp_path / "clusters")}
    env.pop("KUBECONFIG", None)
    run = lambda *a: subprocess.run([sys.executable, "-m", "devcluster", *a], env=env, capture_output=True,  # noqa: E731
                                    text=True, timeout=300)
    res = run("up", "--members", "0")
    assert res.returncode == 0, res.stderr
    assert "hub" in res.stdout
    ps = lambda: subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout  # noqa: E731
    assert str(tmp_path) in ps()
    assert run("down").returncode == 0
    wait_until(lambda: str(tmp_path) not in ps(), 30, "no process of the torn-down cluster")
