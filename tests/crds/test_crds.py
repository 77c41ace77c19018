"""The CRDs as the API contract, checked by a real apiserver."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO, Kubectl, render_samples

CRD_FILES = sorted(p for p in (REPO / "crds").glob("*.yaml") if p.name != "kustomization.yaml")
KINDS = {yaml.safe_load(p.read_text())["spec"]["names"]["kind"]: p for p in CRD_FILES}


def test_every_required_kind_has_a_crd() -> None:
    assert {"ManagedCluster", "YamlBackupSchedule", "SelfHealingRule", "LabelPolicy", "ComplianceCheck"} <= set(KINDS)


@pytest.mark.parametrize("path", CRD_FILES, ids=lambda p: p.stem)
def test_crd_is_established_with_status_subresource(hub: Kubectl, path: Path) -> None:
    name = yaml.safe_load(path.read_text())["metadata"]["name"]
    crd = hub.json("get", "crd", name)
    conds = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
    assert conds.get("Established") == "True" and conds.get("NamesAccepted") == "True"
    version = crd["spec"]["versions"][0]
    assert crd["spec"]["group"] == "cloudops.io" and version["name"] == "v1alpha1"
    assert version["subresources"].get("status") == {}
    assert crd["spec"]["names"].get("shortNames") and "cloudops" in crd["spec"]["names"]["categories"]


def test_samples_are_accepted_and_server_side_apply_is_idempotent(hub: Kubectl, namespace: str) -> None:
    manifest = render_samples(namespace)
    samples = [d for d in yaml.safe_load_all(manifest) if d]
    # Histories are written by the operator and the shim only (no sample); their schemas are tested below.
    assert {d["kind"] for d in samples} >= set(KINDS) - {"ClusterMetrics", "MetricHistory", "ActivityRecord",
                                                              "ComplianceReport"}
    first = hub("apply", "--server-side", "-f", "-", stdin=manifest)
    assert first.count("serverside-applied") == len(samples)
    before = {o["metadata"]["name"]: o["metadata"]["resourceVersion"]
              for o in hub.json("get", "-n", namespace, "cloudops")["items"]}
    assert len(before) == len(samples)
    hub("apply", "--server-side", "-f", "-", stdin=manifest)
    after = {o["metadata"]["name"]: o["metadata"]["resourceVersion"]
             for o in hub.json("get", "-n", namespace, "cloudops")["items"]}
    assert after == before, "a second server-side apply of unchanged samples must not write"


def _sample(kind: str, namespace: str) -> dict[str, Any]:
    docs = [d for d in yaml.safe_load_all(render_samples(namespace)) if d]
    return next(d for d in docs if d["kind"] == kind)


INVALID: list[tuple[str, str, Any, str]] = [
    ("ManagedCluster", "spec.provider", "gcp", "spec.provider"),
    ("ManagedCluster", "spec.kubeconfigSecretRef", None, "spec.kubeconfigSecretRef"),
    ("ManagedCluster", "spec.tags", ["a", "a"], "spec.tags"),
    ("YamlBackupSchedule", "spec.schedule", "every day", "spec.schedule"),
    ("SelfHealingRule", "spec.actions", [], "spec.actions"),
    ("LabelPolicy", "spec.enforcement", "block", "spec.enforcement"),
    ("ComplianceCheck", "spec.policies", ["pci"], "spec.policies"),
]


def _set(obj: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for p in parents:
        obj = obj.setdefault(p, {})
    if value is None:
        obj.pop(leaf, None)
    else:
        obj[leaf] = value


@pytest.mark.parametrize(("kind", "field", "value", "named"), INVALID, ids=[f"{k}-{f}" for k, f, _, _ in INVALID])
def test_invalid_objects_are_rejected_with_422_naming_the_field(
        hub: Kubectl, namespace: str, kind: str, field: str, value: Any, named: str) -> None:
    obj = _sample(kind, namespace)
    obj["metadata"]["name"] = "invalid"
    _set(obj, field, value)
    res = hub.run("create", "-f", "-", "-v=6", stdin=json.dumps(obj), check=False)
    assert res.returncode != 0
    assert "422 Unprocessable Entity" in res.stderr, res.stderr[-2000:]
    assert named in res.stderr
    assert hub.run("get", kind.lower(), "invalid", "-n", namespace, check=False).returncode != 0


def test_deploy_kustomization_is_accepted_by_server_dry_run(hub: Kubectl) -> None:
    res = hub.run("apply", "--server-side", "--force-conflicts", "--dry-run=server", "-k", str(REPO / "deploy"),
                  check=False)
    assert res.returncode == 0, res.stderr
    for kind in ("deployment.apps/cloudops-operator", "deployment.apps/cloudops-shim",
                 'clusterrole.rbac.authorization.k8s.io/cloudops:viewer'):
        assert kind in res.stdout


def test_cluster_metrics_requires_its_cluster_and_bounds_history(hub: Kubectl, namespace: str) -> None:
    """ClusterMetrics is written by the operator (no sample); the schema still guards it."""
    obj: dict[str, Any] = {"apiVersion": "cloudops.io/v1alpha1", "kind": "ClusterMetrics",
                           "metadata": {"name": "m", "namespace": namespace}, "spec": {}}
    res = hub.run("create", "-f", "-", "-v=6", stdin=json.dumps(obj), check=False)
    assert "422 Unprocessable Entity" in res.stderr and "spec.clusterRef" in res.stderr
    obj["spec"] = {"clusterRef": {"name": "member-1"}}
    hub("create", "-f", "-", stdin=json.dumps(obj))
    points = [{"t": f"2026-01-01T00:{i % 60:02d}:00Z", "n": 1, "cpu": 1.0} for i in range(61)]
    res = hub.run("-n", namespace, "patch", "clustermetrics", "m", "--subresource=status", "--type=merge", "-p",
                  json.dumps({"status": {"series": {"1h": points}}}), check=False)
    assert res.returncode != 0 and "status.series.1h" in res.stderr and "60" in res.stderr
