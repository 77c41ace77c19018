"""Version content: normalization decides what counts as a change; change logs and authors."""

from __future__ import annotations

import copy
from typing import Any

from cloudops.versions.content import branch_of, change_log, decode, encode, fingerprint, last_manager, resource_key

DEPLOY: dict[str, Any] = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "a", "labels": {"app": "web"}},
    "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.19"}]}}}}


def test_server_noise_is_not_a_change() -> None:
    noisy = copy.deepcopy(DEPLOY)
    noisy["metadata"].update({"resourceVersion": "42", "uid": "u", "generation": 7, "creationTimestamp": "x",
                              "managedFields": [{"manager": "kubectl"}],
                              "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}",
                                              "deployment.kubernetes.io/revision": "3"}})
    noisy["status"] = {"replicas": 3}
    assert fingerprint(noisy) == fingerprint(DEPLOY)
    changed = copy.deepcopy(DEPLOY)
    changed["spec"]["replicas"] = 5
    assert fingerprint(changed) != fingerprint(DEPLOY)


def test_encode_round_trip_is_normalized_and_compact() -> None:
    noisy = {**copy.deepcopy(DEPLOY), "status": {"x": 1}}
    assert decode(encode(noisy)) == DEPLOY
    assert encode(DEPLOY) == encode(copy.deepcopy(DEPLOY))


def test_change_log_reason_cause_or_summary() -> None:
    new = copy.deepcopy(DEPLOY)
    new["spec"]["replicas"] = 5
    assert change_log(None, DEPLOY) == "Initial version"
    assert change_log(DEPLOY, new) == "spec.replicas 3→5"
    assert change_log(DEPLOY, new, "Rollback to v1") == "Rollback to v1"
    caused = copy.deepcopy(new)
    caused["metadata"]["annotations"] = {"kubernetes.io/change-cause": "scale for sale"}
    assert change_log(DEPLOY, caused) == "scale for sale"
    assert change_log(caused, {**caused, "spec": DEPLOY["spec"]}) == "spec.replicas 5→3"  # an old cause is not new


def test_last_manager_and_branch() -> None:
    obj = copy.deepcopy(DEPLOY)
    obj["metadata"]["managedFields"] = [
        {"manager": "kubectl-client-side-apply", "operation": "Update", "time": "2024-01-01T00:00:00Z"},
        {"manager": "argocd-controller", "operation": "Apply", "time": "2024-01-02T00:00:00Z"},
        {"manager": "kube-controller-manager", "operation": "Update", "subresource": "status",
         "time": "2024-01-03T00:00:00Z"}]
    assert last_manager(obj) == "argocd-controller"
    assert last_manager(DEPLOY) == ""
    assert branch_of(DEPLOY) == "main"
    obj["metadata"]["annotations"] = {"cloudops.io/branch": "canary"}
    assert branch_of(obj) == "canary"


def test_resource_key_is_label_safe_and_distinct() -> None:
    a = resource_key("m1", "apps", "deployments", "a", "web")
    assert len(a) == 40 and a.isalnum()
    assert a != resource_key("m2", "apps", "deployments", "a", "web")
    assert a != resource_key("m1", "apps", "deployments", "b", "web")
