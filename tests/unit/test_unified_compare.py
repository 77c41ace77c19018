"""cloudops.members.unified, pure parts: cross-cluster compare rows, object preparation and image patches."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.objects import SECRET_SUMMARY
from cloudops.members.unified import _image_patch, compare_objects, prepare_object

Json = dict[str, Any]
A, B, C = ClusterRef(1, "alpha", cr={}), ClusterRef(2, "beta", cr={}), ClusterRef(3, "gamma", cr={})
IMAGE_PATH = "spec.template.spec.containers"


def _deploy(replicas: int = 3, containers: list[Json] | None = None, labels: Json | None = None) -> Json:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": labels if labels is not None else {"app": "web"}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": containers if containers is not None else [
                {"name": "web", "image": "nginx:1.25"}, {"name": "sidecar", "image": "envoy:1.30"}]}}},
    }


# -- compare_objects ------------------------------------------------------------------------------------


def test_identical_objects() -> None:
    row = compare_objects([(A, _deploy()), (B, _deploy())])
    assert row["resource_name"] == "web"
    assert row["namespace"] == "shop"
    assert row["differences"] == []
    assert row["missing_in"] == []
    assert row["identical"] is True
    assert row["cluster_1"] == {"cluster_id": 1, "cluster_name": "alpha", "present": True, "replicas": 3,
                                "image": "nginx:1.25", "images": ["nginx:1.25", "envoy:1.30"]}
    assert row["cluster_2"]["cluster_name"] == "beta"


def test_image_difference_matched_by_container_name_after_reordering() -> None:
    other = _deploy(containers=[{"name": "sidecar", "image": "envoy:1.30"}, {"name": "web", "image": "nginx:1.26"}])
    row = compare_objects([(A, _deploy()), (B, other)])
    assert len(row["differences"]) == 1
    d = row["differences"][0]
    assert d["field"].startswith(IMAGE_PATH)
    assert d["field"].endswith(".image")
    assert (d["cluster_1_value"], d["cluster_2_value"]) == ("nginx:1.25", "nginx:1.26")
    assert row["identical"] is False
    assert row["cluster_2"]["images"] == ["envoy:1.30", "nginx:1.26"]


def test_reordered_containers_alone_are_not_a_difference() -> None:
    other = _deploy(containers=[{"name": "sidecar", "image": "envoy:1.30"}, {"name": "web", "image": "nginx:1.25"}])
    row = compare_objects([(A, _deploy()), (B, other)])
    assert row["differences"] == []
    assert row["identical"] is True


def test_replicas_difference_across_three_clusters() -> None:
    row = compare_objects([(A, _deploy(3)), (B, _deploy(3)), (C, _deploy(5))])
    assert row["differences"] == [{"field": "spec.replicas", "cluster_1_value": 3, "cluster_2_value": 3,
                                   "cluster_3_value": 5}]
    assert [row[f"cluster_{i}"]["replicas"] for i in (1, 2, 3)] == [3, 3, 5]


def test_three_clusters_each_differing() -> None:
    row = compare_objects([(A, _deploy(1)), (B, _deploy(2)), (C, _deploy(3))])
    assert row["differences"] == [{"field": "spec.replicas", "cluster_1_value": 1, "cluster_2_value": 2,
                                   "cluster_3_value": 3}]


def test_missing_in_one_cluster() -> None:
    row = compare_objects([(A, _deploy()), (B, None), (C, _deploy())])
    assert row["missing_in"] == [2]
    assert row["cluster_2"] == {"cluster_id": 2, "cluster_name": "beta", "present": False}
    assert row["cluster_1"]["present"] is True
    assert row["differences"] == []
    assert row["identical"] is False


def test_missing_in_the_first_cluster_uses_the_next_as_base() -> None:
    unnamed = ClusterRef(None, "fresh", cr={})
    row = compare_objects([(unnamed, None), (B, _deploy(2)), (C, _deploy(4))])
    assert row["missing_in"] == ["fresh"]
    assert row["resource_name"] == "web"
    assert row["differences"] == [{"field": "spec.replicas", "cluster_1_value": None, "cluster_2_value": 2,
                                   "cluster_3_value": 4}]


def test_server_noise_is_ignored() -> None:
    a, b = _deploy(), _deploy()
    a["metadata"].update(resourceVersion="100", uid="u-1", generation=3, creationTimestamp="2024-01-01T00:00:00Z",
                         managedFields=[{"manager": "kubectl"}],
                         ownerReferences=[{"kind": "Thing", "name": "x", "uid": "o-1"}], finalizers=["a/b"])
    a["status"] = {"readyReplicas": 3}
    b["metadata"].update(resourceVersion="999", uid="u-2", namespace="other", managedFields=[])
    b["status"] = {"readyReplicas": 0, "conditions": [{"type": "Available", "status": "False"}]}
    row = compare_objects([(A, a), (B, b)])
    assert row["differences"] == []
    assert row["identical"] is True


def test_pod_node_name_and_service_cluster_ip_are_ignored() -> None:
    def pod(node: str) -> Json:
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox"}]}}

    def svc(ip: str) -> Json:
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                "spec": {"clusterIP": ip, "clusterIPs": [ip], "ports": [{"port": 80}]}}

    assert compare_objects([(A, pod("node-1")), (B, pod("node-9"))])["identical"] is True
    assert compare_objects([(A, svc("10.96.0.1")), (B, svc("10.96.7.7"))])["identical"] is True


def test_node_name_still_compared_outside_pods() -> None:
    a, b = _deploy(), _deploy()
    a["spec"]["nodeName"], b["spec"]["nodeName"] = "n1", "n2"
    assert [d["field"] for d in compare_objects([(A, a), (B, b)])["differences"]] == ["spec.nodeName"]


def test_label_differences_follow_include_metadata() -> None:
    a, b = _deploy(labels={"app": "web", "tier": "front"}), _deploy(labels={"app": "web", "tier": "back"})
    with_meta = compare_objects([(A, a), (B, b)])
    assert with_meta["differences"] == [{"field": "metadata.labels.tier", "cluster_1_value": "front",
                                         "cluster_2_value": "back"}]
    assert compare_objects([(A, a), (B, b)], include_metadata=False)["identical"] is True


def test_compare_does_not_mutate_inputs() -> None:
    a, b = _deploy(), _deploy(5)
    a["status"] = {"x": 1}
    before = copy.deepcopy((a, b))
    compare_objects([(A, a), (B, b)])
    assert (a, b) == before


def test_unchanged_value_is_reported_despite_a_sibling_with_a_common_prefix() -> None:
    row = compare_objects([(A, _deploy(labels={"tier": "t"})), (B, _deploy(labels={"tier": "t", "tier2": "u"})),
                           (C, _deploy(labels={"tier": "v"}))])
    tier = next(d for d in row["differences"] if d["field"] == "metadata.labels.tier")
    assert (tier["cluster_1_value"], tier["cluster_2_value"], tier["cluster_3_value"]) == ("t", "t", "v")


def test_three_clusters_reordered_containers_report_only_real_images() -> None:
    web, side = {"name": "web", "image": "nginx:1"}, {"name": "sidecar", "image": "envoy:1"}
    objs = [(A, _deploy(containers=[web, side])),
            (B, _deploy(containers=[side, {**web, "image": "nginx:2"}])),
            (C, _deploy(containers=[{**web, "image": "nginx:3"}, side]))]
    row = compare_objects(objs)
    image_rows = [d for d in row["differences"] if d["field"].endswith(".image")]
    assert image_rows
    for i, (_, obj) in enumerate(objs, start=1):
        actual = {c["image"] for c in obj["spec"]["template"]["spec"]["containers"]}
        assert {d[f"cluster_{i}_value"] for d in image_rows} <= actual


# -- prepare_object -------------------------------------------------------------------------------------

DEPLOY = ResourceType("apps", "v1", "deployments", "deployment", "Deployment", True)
CONFIGMAP = ResourceType("", "v1", "configmaps", "configmap", "ConfigMap", True)
SECRET = ResourceType("", "v1", "secrets", "secret", "Secret", True)
NAMESPACE = ResourceType("", "v1", "namespaces", "namespace", "Namespace", False)


def test_prepare_fills_api_version_and_kind() -> None:
    obj, ns = prepare_object(DEPLOY, {"metadata": {"name": "web"}, "spec": {"replicas": 1}}, "shop")
    assert obj == {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
                   "spec": {"replicas": 1}}
    assert ns == "shop"
    obj, _ = prepare_object(CONFIGMAP, {"metadata": {"name": "c"}}, "default")
    assert (obj["apiVersion"], obj["kind"]) == ("v1", "ConfigMap")


def test_prepare_keeps_another_version_of_the_same_group() -> None:
    obj, _ = prepare_object(DEPLOY, {"apiVersion": "apps/v1beta2", "kind": "Deployment",
                                     "metadata": {"name": "web"}}, None)
    assert obj["apiVersion"] == "apps/v1beta2"


def test_prepare_kind_mismatch() -> None:
    with pytest.raises(ValueError, match=r"^resource\.kind: 'Service' does not match resource_type 'deployment'"):
        prepare_object(DEPLOY, {"kind": "Service", "metadata": {"name": "web"}}, "shop")


@pytest.mark.parametrize(("rt", "api_version"), [(DEPLOY, "extensions/v1beta1"), (DEPLOY, "v1"),
                                                 (CONFIGMAP, "apps/v1")])
def test_prepare_api_version_outside_the_group(rt: ResourceType, api_version: str) -> None:
    with pytest.raises(ValueError, match=r"^resource\.apiVersion: "):
        prepare_object(rt, {"apiVersion": api_version, "metadata": {"name": "x"}}, "shop")


@pytest.mark.parametrize("resource", [{}, {"metadata": {}}, {"metadata": {"name": ""}}, {"metadata": None},
                                      {"metadata": ["name"]}])
def test_prepare_requires_metadata_name(resource: Json) -> None:
    with pytest.raises(ValueError, match=r"^resource\.metadata\.name: required"):
        prepare_object(DEPLOY, resource, "shop")


def test_prepare_namespace_conflict() -> None:
    with pytest.raises(ValueError, match=r"^resource\.metadata\.namespace: 'a' differs from namespace 'b'"):
        prepare_object(DEPLOY, {"metadata": {"name": "web", "namespace": "a"}}, "b")


@pytest.mark.parametrize(("meta_ns", "param", "expected"), [("a", "a", "a"), ("a", None, "a"), (None, "b", "b"),
                                                            (None, None, "default"), ("", "", "default")])
def test_prepare_namespace_placement(meta_ns: str | None, param: str | None, expected: str) -> None:
    meta: Json = {"name": "web"}
    if meta_ns is not None:
        meta["namespace"] = meta_ns
    obj, ns = prepare_object(DEPLOY, {"metadata": meta}, param)
    assert ns == expected
    assert obj["metadata"]["namespace"] == expected


def test_prepare_cluster_scoped() -> None:
    obj, ns = prepare_object(NAMESPACE, {"metadata": {"name": "team-a"}}, "ignored")
    assert ns is None
    assert "namespace" not in obj["metadata"]
    with pytest.raises(ValueError, match=r"^resource\.metadata\.namespace: Namespace is cluster-scoped"):
        prepare_object(NAMESPACE, {"metadata": {"name": "team-a", "namespace": "default"}}, None)


def test_prepare_drops_secret_summary_and_does_not_mutate() -> None:
    resource = {"kind": "Secret", "metadata": {"name": "db"}, SECRET_SUMMARY: [{"key": "k", "size": 1}]}
    before = copy.deepcopy(resource)
    obj, _ = prepare_object(SECRET, resource, "default")
    assert SECRET_SUMMARY not in obj
    assert resource == before


# -- _image_patch ---------------------------------------------------------------------------------------


def _pod_spec(*names: str) -> Json:
    return {"containers": [{"name": n, "image": f"{n}:old"} for n in names]}


def test_image_patch_deployment_single_container() -> None:
    obj = {"kind": "Deployment", "spec": {"template": {"spec": _pod_spec("web")}}}
    assert _image_patch(obj, {"image": "nginx:2"}) == {
        "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:2"}]}}}}


def test_image_patch_cronjob() -> None:
    obj = {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": _pod_spec("job", "log")}}}}}
    assert _image_patch(obj, {"image": "job:2", "container": "job"}) == {
        "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job", "image": "job:2"}]}}}}}}


def test_image_patch_pod() -> None:
    obj = {"kind": "Pod", "spec": _pod_spec("app")}
    assert _image_patch(obj, {"image": "app:2"}) == {"spec": {"containers": [{"name": "app", "image": "app:2"}]}}


def test_image_patch_several_images_at_once() -> None:
    obj = {"kind": "StatefulSet", "spec": {"template": {"spec": _pod_spec("a", "b", "c")}}}
    assert _image_patch(obj, {"images": {"a": "a:2", "c": "c:2"}}) == {"spec": {"template": {"spec": {
        "containers": [{"name": "a", "image": "a:2"}, {"name": "c", "image": "c:2"}]}}}}


@pytest.mark.parametrize("params", [{"image": "x:1", "container": "nope"}, {"images": {"web": "x", "nope": "y"}}])
def test_image_patch_unknown_container(params: Json) -> None:
    obj = {"kind": "Deployment", "spec": {"template": {"spec": _pod_spec("web")}}}
    with pytest.raises(ValueError, match=r"^parameters\.container: \['nope'\] not in the pod template"):
        _image_patch(obj, params)


def test_image_patch_several_containers_need_a_name() -> None:
    obj = {"kind": "Deployment", "spec": {"template": {"spec": _pod_spec("web", "sidecar")}}}
    with pytest.raises(ValueError, match=r"^parameters\.container: required.*\['web', 'sidecar'\]"):
        _image_patch(obj, {"image": "x:1"})


@pytest.mark.parametrize("params", [{}, {"image": 3}, {"image": None, "container": "web"}])
def test_image_patch_requires_an_image(params: Json) -> None:
    obj = {"kind": "Deployment", "spec": {"template": {"spec": _pod_spec("web")}}}
    with pytest.raises(ValueError, match=r"^parameters\.image: required, str"):
        _image_patch(obj, params)
