"""ManagedCluster dicts rendered as the API's snake_case views."""

from __future__ import annotations

import copy
from typing import Any

from pydantic.alias_generators import to_snake

from cloudops.resources.managed_cluster import ClusterUsage, ManagedCluster, ManagedClusterStatus, ResourceCounts
from cloudops.services.clusters import views


# The views render the typed ManagedCluster (cloudops.resources); these take the stored JSON the tests write.
def _typed(cr: dict[str, Any]) -> ManagedCluster:
    body = copy.deepcopy(cr)
    body["spec"].setdefault("kubeconfigSecretRef", {"name": "kubeconfig"})
    usage = (body.get("status") or {}).get("usage")
    if usage:
        usage.pop("source", None)  # USAGE's "metrics-server" is not a source the CRD allows (views omit it)
    return ManagedCluster.model_validate(body)


def cluster_summary(cr: dict[str, Any]) -> dict[str, Any]:
    return views.cluster_summary(_typed(cr)).model_dump()


def cluster_detail(cr: dict[str, Any]) -> dict[str, Any]:
    return views.cluster_detail(_typed(cr)).model_dump()


def version_of(status: dict[str, Any]) -> str:
    return views.bare_version(ManagedClusterStatus.model_validate(status).kubernetes_version)


def resources_view(counts: dict[str, Any]) -> dict[str, int]:
    return views.resources_view(ResourceCounts.model_validate(counts))


def usage_view(usage: dict[str, Any]) -> dict[str, Any]:
    fields = {to_snake(k): v for k, v in usage.items()}  # unvalidated: USAGE's source is not one the CRD allows
    return views.usage_view(ClusterUsage.model_construct(**fields)).model_dump()

COUNTS = {"pods": 42, "deployments": 7, "services": 5, "configmaps": 11, "secrets": 9, "persistentVolumes": 2,
          "nodes": 3}
USAGE = {"cpuPercent": 37.5, "memoryPercent": 61.0, "diskPercent": 22.25, "source": "metrics-server"}


def _cluster(**status_over: Any) -> dict[str, Any]:
    status: dict[str, Any] = {
        "id": 7, "phase": "connected", "healthStatus": "healthy", "healthScore": 96,
        "kubernetesVersion": "v1.30.2", "apiServer": "https://prod.example:6443", "nodeCount": 3,
        "lastSyncTime": "2024-05-17T13:47:38Z", "message": "ok", "resourceCounts": dict(COUNTS),
        "usage": dict(USAGE),
    }
    status.update(status_over)
    return {
        "metadata": {"name": "prod", "creationTimestamp": "2024-05-01T00:00:00Z", "labels": {"cloudops.io/id": "7"}},
        "spec": {"displayName": "Production", "provider": "aws", "region": "eu-west-1", "tags": ["prod", "eu"],
                 "description": "main cluster"},
        "status": status,
    }


def test_summary_of_a_connected_cluster() -> None:
    assert cluster_summary(_cluster()) == {
        "id": 7, "name": "prod", "display_name": "Production", "provider": "aws", "region": "eu-west-1",
        "version": "1.30.2", "status": "connected", "health_status": "healthy", "resource_count": 79,
        "last_sync_time": "2024-05-17T13:47:38Z", "tags": ["prod", "eu"],
        "health_score": 96.0, "issues": [], "node_count": 3, "cpu_usage": 37.5, "memory_usage": 61.0,
    }


def test_resource_count_sums_only_integer_counts() -> None:
    cr = _cluster(resourceCounts={"pods": 4, "nodes": 1, "note": "n/a", "ratio": 0.5})
    assert cluster_summary(cr)["resource_count"] == 5


def test_version_strips_only_a_leading_v() -> None:
    assert version_of({"kubernetesVersion": "v1.29.0"}) == "1.29.0"
    assert version_of({"kubernetesVersion": "1.29.0"}) == "1.29.0"
    assert version_of({"kubernetesVersion": "v1.29.0-eks-v2"}) == "1.29.0-eks-v2"
    assert version_of({}) == ""


def test_summary_defaults_with_empty_status() -> None:
    cr: dict[str, Any] = {"metadata": {"name": "new"}, "spec": {}}
    summary = cluster_summary(cr)
    assert summary == {
        "id": None, "name": "new", "display_name": "new", "provider": "other", "region": "", "version": "",
        "status": "pending", "health_status": "unknown", "resource_count": 0, "last_sync_time": None, "tags": [],
        "health_score": None, "issues": [], "node_count": None, "cpu_usage": None, "memory_usage": None,
    }


def test_status_none_is_treated_as_empty() -> None:
    summary = cluster_summary({"metadata": {"name": "new"}, "spec": {}, "status": None})
    assert summary["status"] == "pending"
    assert summary["health_status"] == "unknown"


def test_id_falls_back_to_label() -> None:
    cr = {"metadata": {"name": "x", "labels": {"cloudops.io/id": "12"}}, "spec": {}, "status": {"phase": "pending"}}
    assert cluster_summary(cr)["id"] == 12


def test_status_id_wins_over_label() -> None:
    cr = _cluster(id=3)
    assert cluster_summary(cr)["id"] == 3


def test_non_numeric_label_gives_no_id() -> None:
    cr = {"metadata": {"name": "x", "labels": {"cloudops.io/id": "abc"}}, "spec": {}}
    assert cluster_summary(cr)["id"] is None


def test_tags_are_copied() -> None:
    cr = _cluster()
    summary = cluster_summary(cr)
    summary["tags"].append("mutated")
    assert cr["spec"]["tags"] == ["prod", "eu"]


def test_detail_of_a_connected_cluster() -> None:
    cr = _cluster()
    before = copy.deepcopy(cr)
    detail = cluster_detail(cr)
    assert cr == before
    assert {k: detail[k] for k in cluster_summary(cr)} == cluster_summary(cr)
    assert detail["created_at"] == "2024-05-01T00:00:00Z"
    assert detail["description"] == "main cluster"
    assert detail["api_server"] == "https://prod.example:6443"
    assert detail["health_score"] == 96
    assert detail["message"] == "ok"
    assert detail["metrics"] == {
        "cpu_usage": 37.5, "memory_usage": 61.0, "disk_usage": 22.25, "pod_count": 42, "node_count": 3,
        "service_count": 5, "deployment_count": 7,
    }


def test_detail_node_count_falls_back_to_status_node_count() -> None:
    cr = _cluster(resourceCounts={"pods": 1}, nodeCount=5)
    assert cluster_detail(cr)["metrics"]["node_count"] == 5


def test_detail_defaults_with_empty_status() -> None:
    detail = cluster_detail({"metadata": {"name": "new"}, "spec": {}})
    assert detail["status"] == "pending"
    assert detail["created_at"] is None
    assert detail["description"] == ""
    assert detail["api_server"] == ""
    assert detail["health_score"] is None
    assert detail["message"] == ""
    assert detail["metrics"] == {
        "cpu_usage": None, "memory_usage": None, "disk_usage": None, "pod_count": 0, "node_count": 0,
        "service_count": 0, "deployment_count": 0,
    }


def test_resources_view_renames_and_defaults() -> None:
    assert resources_view(COUNTS) == {"pods": 42, "deployments": 7, "services": 5, "configmaps": 11, "secrets": 9,
                                      "persistent_volumes": 2, "nodes": 3}
    assert resources_view({}) == {"pods": 0, "deployments": 0, "services": 0, "configmaps": 0, "secrets": 0,
                                  "persistent_volumes": 0, "nodes": 0}


def test_usage_view_renames_and_defaults() -> None:
    assert usage_view(USAGE) == {"cpu_usage": 37.5, "memory_usage": 61.0, "disk_usage": 22.25,
                                 "source": "metrics-server"}
    assert usage_view({}) == {"cpu_usage": None, "memory_usage": None, "disk_usage": None, "source": "none"}
