"""The Helm chart: it lints, renders what kustomize renders for the defaults, is accepted by the hub's API
server, and its values do what they say."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import Kubectl
from tests.manifests import CHART, HELM_LABELS, Obj, chart_text, helm, kustomize_text, objects


def _key(o: Obj) -> tuple[str, str, str]:
    return (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])


def _without_helm_labels(o: Obj) -> Obj:
    labels = {k: v for k, v in (o["metadata"].get("labels") or {}).items() if k not in HELM_LABELS}
    return {**o, "metadata": {**o["metadata"], "labels": labels}}


def _by_key(objs: list[Obj]) -> dict[tuple[str, str, str], Obj]:
    return {_key(o): o for o in objs}


def _deployment(objs: list[Obj], name: str) -> Obj:
    return next(o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == name)


def _env(deployment: Obj) -> dict[str, Any]:
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_helm_lint_is_clean() -> None:
    res = helm("lint", "--strict", str(CHART))
    assert "1 chart(s) linted, 0 chart(s) failed" in res.stdout, res.stdout


def test_chart_and_kustomize_render_the_same_objects_for_the_defaults() -> None:
    chart = _by_key(objects(chart_text()))
    kustomize = _by_key([o for o in objects(kustomize_text()) if o["kind"] != "Namespace"])  # --create-namespace
    assert sorted(chart) == sorted(kustomize)
    for key, obj in kustomize.items():
        assert _without_helm_labels(chart[key]) == obj, key
    assert len(chart) >= 35
    # Helm's own labels are on every object the chart renders but the CRDs (helm installs crds/ as they are).
    for key, obj in chart.items():
        if key[0] != "CustomResourceDefinition":
            assert obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm", key


def test_the_chart_is_accepted_by_the_hubs_api_server(hub: Kubectl, namespace: str) -> None:
    text = chart_text(namespace, "ingress.enabled=true", "ingress.host=ops.example.com", "ingress.className=nginx",
                      "networkPolicy.shimFrom[0].namespaceSelector.matchLabels.team=platform",
                      "mcp.destructiveTools=scale_resource", "operator.env.CLOUDOPS_SYNC_CONCURRENCY=32")
    res = hub.run("apply", "--server-side", "--force-conflicts", "--dry-run=server", "-f", "-", stdin=text,
                  check=False)
    assert res.returncode == 0, res.stderr
    for name in ("deployment.apps/cloudops-operator", "deployment.apps/cloudops-shim",
                 "ingress.networking.k8s.io/cloudops-shim", "networkpolicy.networking.k8s.io/cloudops-shim",
                 "poddisruptionbudget.policy/cloudops-operator",
                 "clusterrole.rbac.authorization.k8s.io/cloudops:viewer"):
        assert name in res.stdout, res.stdout


def test_values_reach_the_objects() -> None:
    objs = objects(chart_text("ops", "image.repository=registry.example.com/cloudops", "image.tag=1.2.3",
                              "shim.replicas=3", "mcp.allowedHosts[0]=ops.example.com",
                              "console.publicUrl=https://ops.example.com", "serviceMonitor.enabled=true",
                              "rbac.userRoles=false", "podDisruptionBudget.enabled=false",
                              "networkPolicy.enabled=false"))
    shim, operator = _deployment(objs, "cloudops-shim"), _deployment(objs, "cloudops-operator")
    for d in (shim, operator):
        assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example.com/cloudops:1.2.3"
        assert d["metadata"]["namespace"] == "ops"
    assert shim["spec"]["replicas"] == 3 and operator["spec"]["replicas"] == 2
    assert _env(operator)["CLOUDOPS_LEADER_LEASE"] == "cloudops-operator-leader"
    env = _env(shim)
    assert env["CLOUDOPS_MCP_ALLOWED_HOSTS"].split(",")[-1] == "ops.example.com"
    assert env["CLOUDOPS_PUBLIC_URL"] == "https://ops.example.com"
    kinds = {o["kind"] for o in objs}
    assert "ServiceMonitor" in kinds and not kinds & {"PodDisruptionBudget", "NetworkPolicy"}
    assert not any(o["metadata"]["name"].startswith("cloudops:") for o in objs)  # no user roles
    # The ServiceAccounts the ClusterRoleBindings name are the release's.
    bindings = [o for o in objs if o["kind"] == "ClusterRoleBinding"]
    assert bindings and all(s["namespace"] == "ops" for b in bindings for s in b["subjects"])
    oidc = [{"issuer": "https://dex.example.com", "client_id": "cloudops", "groups_prefix": "oidc:"}]
    objs = objects(helm("template", "cloudops", str(CHART), "-n", "ops",
                        "--set-json", f"console.oidcIssuers={json.dumps(oidc)}").stdout)
    assert json.loads(_env(_deployment(objs, "cloudops-shim"))["CLOUDOPS_OIDC_ISSUERS"]) == oidc


@pytest.mark.parametrize(("value", "why"), [
    ("image.tag=latest", "image.tag: latest is not a version"),
])
def test_the_chart_refuses_what_would_not_work(value: str, why: str) -> None:
    res = helm("template", "cloudops", str(CHART), "--set", value, check=False)
    assert res.returncode != 0 and why in res.stderr, res.stderr
