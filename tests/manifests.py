"""The product's manifests as a platform team renders them: `helm template` of the chart, `kubectl kustomize`
of deploy/; helm is built from its Go module by controlplane/build.sh like the control plane."""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

from devcluster.kwok import bin_dir
from tests.helpers import REPO

CHART = REPO / "charts" / "cloudops-k8s"
Obj = dict[str, Any]
# Labels only Helm adds: who manages the release and which chart version made it.
HELM_LABELS = ("helm.sh/chart", "app.kubernetes.io/managed-by", "app.kubernetes.io/instance",
               "app.kubernetes.io/version")


@functools.cache
def helm_binary() -> Path:
    return bin_dir() / "helm"


def helm(*args: str, check: bool = True, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    where = home or Path(os.environ.get("TMPDIR", "/tmp")) / "cloudops-helm-home"
    env = {**os.environ, "HELM_CACHE_HOME": str(where / "cache"), "HELM_CONFIG_HOME": str(where / "config"),
           "HELM_DATA_HOME": str(where / "data")}
    res = subprocess.run([str(helm_binary()), *args], env=env, capture_output=True, text=True, timeout=120)
    if check and res.returncode != 0:
        raise AssertionError(f"helm {' '.join(args)} failed: {res.stderr}")
    return res


def chart_text(namespace: str = "cloudops-system", *sets: str) -> str:
    flags = [f for s in sets for f in ("--set", s)]
    return helm("template", "cloudops", str(CHART), "-n", namespace, "--include-crds", *flags).stdout


def objects(text: str) -> list[Obj]:
    return [d for d in yaml.safe_load_all(text) if d]


def kustomize_text() -> str:
    res = subprocess.run(["kubectl", "kustomize", str(REPO / "deploy")], capture_output=True, text=True,
                         timeout=120, check=True)
    return res.stdout


def in_namespace(objs: list[Obj], namespace: str) -> list[Obj]:
    """The namespaced objects a workload check sees (Deployments, Services, PDBs, NetworkPolicies, the
    ServiceAccounts), moved to `namespace`: a member's test namespace stands in for the product's."""
    kinds = {"Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy", "ServiceAccount"}
    out = []
    for o in objs:
        if o["kind"] in kinds:
            moved = {**o, "metadata": {**o["metadata"], "namespace": namespace}}
            out.append(moved)
    return out
