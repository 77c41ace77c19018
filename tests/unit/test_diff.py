"""cloudops.diff: noise-free normalization, merge-key list matching, stable paths and short change logs."""

from __future__ import annotations

import copy
from typing import Any

from cloudops.diff import Change, describe, diff, normalize, summarize


def _deployment(**spec: Any) -> dict[str, Any]:
    containers = spec.pop("containers", [
        {"name": "web", "image": "nginx:1.18", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
        {"name": "sidecar", "image": "envoy:1.0"},
    ])
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app.kubernetes.io/name": "web"}},
        "spec": {"replicas": 3, "template": {"spec": {"containers": containers}}, **spec},
    }


def _server_copy() -> dict[str, Any]:
    obj = _deployment()
    obj["metadata"].update({
        "managedFields": [{"manager": "kubectl"}],
        "resourceVersion": "123",
        "uid": "abc",
        "generation": 4,
        "creationTimestamp": "2024-01-01T00:00:00Z",
        "selfLink": "/apis/apps/v1/namespaces/default/deployments/web",
        "deletionTimestamp": "2024-01-02T00:00:00Z",
        "deletionGracePeriodSeconds": 30,
        "ownerReferences": [{"kind": "ReplicaSet", "name": "web-1", "uid": "x"}],
        "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": "{}",
            "deployment.kubernetes.io/revision": "7",
        },
    })
    obj["status"] = {"readyReplicas": 3}
    return obj


def _containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    containers: list[dict[str, Any]] = obj["spec"]["template"]["spec"]["containers"]
    return containers


def test_normalize_drops_every_noise_field_and_keeps_owner_references() -> None:
    out = normalize(_server_copy())
    assert "status" not in out
    assert out["metadata"] == {
        "name": "web",
        "namespace": "default",
        "labels": {"app.kubernetes.io/name": "web"},
        "ownerReferences": [{"kind": "ReplicaSet", "name": "web-1", "uid": "x"}],
    }


def test_normalize_keeps_other_annotations() -> None:
    obj = _server_copy()
    obj["metadata"]["annotations"]["team"] = "ops"
    assert normalize(obj)["metadata"]["annotations"] == {"team": "ops"}


def test_normalize_drops_labels_and_annotations_left_empty() -> None:
    obj = _deployment()
    obj["metadata"]["labels"] = {}
    obj["metadata"]["annotations"] = None
    meta = normalize(obj)["metadata"]
    assert "labels" not in meta
    assert "annotations" not in meta


def test_normalize_does_not_mutate_input() -> None:
    obj = _server_copy()
    before = copy.deepcopy(obj)
    out = normalize(obj, include_metadata=False)
    out["spec"]["replicas"] = 99
    assert obj == before


def test_normalize_without_metadata_drops_labels_and_annotations() -> None:
    obj = _server_copy()
    obj["metadata"]["annotations"]["team"] = "ops"
    meta = normalize(obj, include_metadata=False)["metadata"]
    assert "labels" not in meta
    assert "annotations" not in meta
    assert meta["name"] == "web"


def test_server_copy_equals_manifest_after_normalize() -> None:
    manifest = _deployment()
    server = _server_copy()
    del server["metadata"]["ownerReferences"]
    assert diff(normalize(manifest), normalize(server)) == []


def test_include_metadata_false_ignores_label_changes() -> None:
    old, new = _deployment(), _deployment()
    new["metadata"]["labels"]["app.kubernetes.io/name"] = "other"
    assert diff(normalize(old), normalize(new)) != []
    assert diff(normalize(old, include_metadata=False), normalize(new, include_metadata=False)) == []


def test_container_reorder_is_not_a_change() -> None:
    old, new = _deployment(), _deployment()
    _containers(new).reverse()
    assert diff(old, new) == []


def test_image_change_after_reorder_reports_index_in_new_list() -> None:
    old, new = _deployment(), _deployment()
    _containers(new).reverse()  # web is now containers[1]
    _containers(new)[1]["image"] = "nginx:1.19"
    assert diff(old, new) == [
        Change("modified", "spec.template.spec.containers[1].image", "nginx:1.18", "nginx:1.19"),
    ]


def test_env_vars_matched_by_name() -> None:
    old, new = _deployment(), _deployment()
    env = _containers(new)[0]["env"]
    env.reverse()
    env[0]["value"] = "3"  # B, now first
    assert diff(old, new) == [
        Change("modified", "spec.template.spec.containers[0].env[0].value", "2", "3"),
    ]


def test_ports_matched_by_name() -> None:
    old = {"ports": [{"name": "http", "containerPort": 80}, {"name": "metrics", "containerPort": 9090}]}
    new = {"ports": [{"name": "metrics", "containerPort": 9091}, {"name": "http", "containerPort": 80}]}
    assert diff(old, new) == [Change("modified", "ports[0].containerPort", 9090, 9091)]


def test_unnamed_ports_matched_by_container_port() -> None:
    old = {"ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 443, "protocol": "TCP"}]}
    new = {"ports": [{"containerPort": 443, "protocol": "UDP"}, {"containerPort": 80, "protocol": "TCP"}]}
    assert diff(old, new) == [Change("modified", "ports[0].protocol", "TCP", "UDP")]


def test_unmatched_items_are_added_and_deleted_with_their_own_indices() -> None:
    old = {"volumes": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}
    new = {"volumes": [{"name": "c"}, {"name": "d", "emptyDir": {}}]}
    assert diff(old, new) == [
        Change("deleted", "volumes[0]", {"name": "a"}, None),
        Change("deleted", "volumes[1]", {"name": "b"}, None),
        Change("added", "volumes[1]", None, {"name": "d", "emptyDir": {}}),
    ]


def test_lists_without_merge_key_compare_by_position() -> None:
    old = {"args": ["--a", "--b"], "tolerations": [{"key": "x"}, {"key": "y"}]}
    new = {"args": ["--b", "--a", "--c"], "tolerations": [{"key": "y"}]}
    assert [(c.kind, c.path) for c in diff(old, new)] == [
        ("modified", "args[0]"),
        ("modified", "args[1]"),
        ("added", "args[2]"),
        ("modified", "tolerations[0].key"),
        ("deleted", "tolerations[1]"),
    ]


def test_added_and_deleted_keys_carry_whole_subtree() -> None:
    old = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    new = {"spec": {"selector": {"matchLabels": {"app": "web"}}}}
    assert diff(old, new) == [
        Change("added", "spec.selector", None, {"matchLabels": {"app": "web"}}),
        Change("deleted", "spec.strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}, None),
    ]


def test_non_identifier_keys_are_bracket_quoted() -> None:
    old = {"metadata": {"labels": {"app.kubernetes.io/name": "web"}}}
    new = {"metadata": {"labels": {"app.kubernetes.io/name": "api", "tier-1": "x"}}}
    assert [c.path for c in diff(old, new)] == [
        'metadata.labels["app.kubernetes.io/name"]',
        'metadata.labels["tier-1"]',
    ]


def test_replicas_decrease_is_modified() -> None:
    old, new = _deployment(), _deployment(replicas=2)
    changes = diff(old, new)
    assert changes == [Change("modified", "spec.replicas", 3, 2)]
    assert changes[0].to_dict() == {"type": "modified", "path": "spec.replicas", "old_value": 3, "new_value": 2}


def test_type_change_is_modified_at_that_path() -> None:
    assert diff({"a": {"b": 1}}, {"a": [1]}) == [Change("modified", "a", {"b": 1}, [1])]
    assert diff({"a": 1}, {"a": True}) == [Change("modified", "a", 1, True)]
    assert diff({"a": "1"}, {"a": 1}) == [Change("modified", "a", "1", 1)]
    assert diff({"a": 1}, {"a": 1.0}) == []  # one JSON number


def test_root_paths_have_no_leading_dot() -> None:
    assert diff(1, 2) == [Change("modified", "", 1, 2)]
    assert [c.path for c in diff(["a"], ["b"])] == ["[0]"]
    assert [c.path for c in diff({"x": 1}, {"x": 2})] == ["x"]


def test_paths_sorted_with_numeric_indices() -> None:
    old = {"args": [str(i) for i in range(12)]}
    new = {"args": [f"{i}!" for i in range(12)]}
    assert [c.path for c in diff(old, new)] == [f"args[{i}]" for i in range(12)]


def test_changes_do_not_alias_inputs() -> None:
    new = {"spec": {"selector": {"app": "web"}}}
    changes = diff({}, new)
    changes[0].new_value["app"] = "mutated"
    assert new == {"spec": {"selector": {"app": "web"}}}


def test_summarize_counts_each_kind() -> None:
    changes = diff({"a": 1, "b": 2, "c": 3}, {"a": 9, "b": 2, "d": 4, "e": 5})
    assert summarize(changes) == {"added": 2, "modified": 1, "deleted": 1, "total": 4}
    assert summarize([]) == {"added": 0, "modified": 0, "deleted": 0, "total": 0}


def test_describe_lists_changes() -> None:
    old, new = _deployment(), _deployment(replicas=5)
    _containers(new)[0]["image"] = "nginx:1.19"
    assert describe(diff(old, new)) == (
        "spec.replicas 3→5; spec.template.spec.containers[0].image nginx:1.18→nginx:1.19"
    )
    assert describe(diff({"a": None}, {"b": {"x": [1]}})) == '-a; +b={"x":[1]}'
    assert describe([]) == "no changes"


def test_describe_truncates_values_and_counts_the_rest() -> None:
    changes = diff({"a": "x" * 100, "b": 1, "c": 1, "d": 1, "e": 1}, {"a": "y", "b": 2, "c": 2, "d": 2, "e": 2})
    text = describe(changes, limit=2)
    assert text == f"a {'x' * 39}…→y; b 1→2; +3 more"
