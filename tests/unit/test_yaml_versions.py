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


def test_the_author_of_a_change_owns_the_changed_field_when_writers_share_a_second() -> None:
    """The apiserver sorts managedFields of equal time by manager name: the newest time alone named the
    wrong writer when a rollback and a kubectl patch fell in one second."""
    before = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"color": "blue", "k": "v"}}
    after = copy.deepcopy(before)
    after["data"]["color"] = "purple"
    same = "2026-12-05T06:00:00Z"
    after["metadata"]["managedFields"] = [
        {"manager": "cloudops-k8s", "operation": "Update", "time": same,
         "fieldsV1": {"f:data": {".": {}, "f:k": {}}}},
        {"manager": "kubectl-patch", "operation": "Update", "time": same,
         "fieldsV1": {"f:data": {"f:color": {}}}}]
    assert last_manager(after) == "cloudops-k8s"  # time alone: the first of the tie
    assert last_manager(after, before) == "kubectl-patch"
    # A list field: its owner made a change inside it.
    deploy = copy.deepcopy(DEPLOY)
    changed = copy.deepcopy(DEPLOY)
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    changed["metadata"]["managedFields"] = [
        {"manager": "a", "operation": "Update", "time": same, "fieldsV1": {"f:spec": {"f:replicas": {}}}},
        {"manager": "b", "operation": "Apply", "time": "2026-01-01T00:00:00Z",
         "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {'k:{"name":"web"}': {}}}}}}}]
    assert last_manager(changed, deploy) == "b"
    # A deleted field has no owner left: the newest writer.
    gone = copy.deepcopy(before)
    del gone["data"]["k"]
    gone["metadata"]["managedFields"] = [
        {"manager": "cloudops-k8s", "operation": "Update", "time": same, "fieldsV1": {"f:data": {"f:color": {}}}},
        {"manager": "x", "operation": "Update", "time": "2026-12-05T06:00:01Z", "fieldsV1": {"f:data": {}}}]
    assert last_manager(gone, before) == "x"


def test_resource_key_is_label_safe_and_distinct() -> None:
    a = resource_key("m1", "apps", "deployments", "a", "web")
    assert len(a) == 40 and a.isalnum()
    assert a != resource_key("m2", "apps", "deployments", "a", "web")
    assert a != resource_key("m1", "apps", "deployments", "b", "web")
