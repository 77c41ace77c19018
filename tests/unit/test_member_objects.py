"""cloudops.members.objects: the object id scheme, Secret redaction, one-word statuses and the item view."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from cloudops.members.objects import (
    LAST_APPLIED,
    SECRET_SUMMARY,
    ObjectId,
    item_view,
    redact_secret,
    snake,
    status_of,
)

Json = dict[str, Any]

# -- ObjectId ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "parts"), [
    ("1:pod:default:web-0", ("1", "pod", "default", "web-0")),
    ("1:node::node-000000", ("1", "node", "", "node-000000")),
    ("1:clusterrole::system:auth-delegator", ("1", "clusterrole", "", "system:auth-delegator")),
    ("prod-eu:rolebinding:kube-system:system:controller:bootstrap-signer",
     ("prod-eu", "rolebinding", "kube-system", "system:controller:bootstrap-signer")),
    ("42:certificaterequest:ns1:a.b_c@d", ("42", "certificaterequest", "ns1", "a.b_c@d")),
])
def test_object_id_parse_and_str_round_trip(text: str, parts: tuple[str, str, str, str]) -> None:
    oid = ObjectId.parse(text)
    assert (oid.cluster, oid.type, oid.namespace, oid.name) == parts
    assert str(oid) == text
    assert ObjectId.parse(str(ObjectId(*parts))) == oid


@pytest.mark.parametrize(("text", "part"), [
    (":pod:default:web", "cluster part ''"),
    ("Prod:pod:default:web", "cluster part 'Prod'"),
    ("-prod:pod:default:web", "cluster part '-prod'"),
    ("prod.eu:pod:default:web", "cluster part 'prod.eu'"),
    ("1::default:web", "type part ''"),
    ("1:Pod:default:web", "type part 'Pod'"),
    ("1:pod-x:default:web", "type part 'pod-x'"),
    ("1:pod:Default:web", "namespace part 'Default'"),
    ("1:pod:-ns:web", "namespace part '-ns'"),
    ("1:pod:a.b:web", "namespace part 'a.b'"),
    ("1:pod:" + "n" * 64 + ":web", "namespace part '" + "n" * 64 + "'"),
    ("1:pod:default:", "name part ''"),
    ("1:pod:default:-web", "name part '-web'"),
    ("1:pod:default:web:", "name part 'web:'"),
    ("1:pod:default:we b", "name part 'we b'"),
    ("1:pod:default:" + "w" * 254, "name part '" + "w" * 254 + "'"),
])
def test_object_id_parse_names_the_invalid_part(text: str, part: str) -> None:
    with pytest.raises(ValueError) as exc:
        ObjectId.parse(text)
    assert str(exc.value).startswith(part)


@pytest.mark.parametrize("text", ["", "1", "1:pod", "1:pod:default"])
def test_object_id_parse_needs_four_parts(text: str) -> None:
    with pytest.raises(ValueError, match="<cluster id>:<type>:<namespace>:<name>"):
        ObjectId.parse(text)


def test_object_id_name_limits() -> None:
    assert ObjectId.parse("1:pod:" + "n" * 63 + ":" + "w" * 253).name == "w" * 253


@pytest.mark.parametrize(("text", "expected"), [
    ("1:pod:default:web", True),
    ("1:node::n", True),
    ("1:clusterrole::system:auth-delegator", True),
    (":::", True),
    ("web", False),
    ("1:pod:web", False),
    ("", False),
])
def test_object_id_looks_like(text: str, expected: bool) -> None:
    assert ObjectId.looks_like(text) is expected


# -- Secret redaction -----------------------------------------------------------------------------------


def _secret() -> Json:
    data = {"password": base64.b64encode(b"hunter2").decode(), "tls.key": base64.b64encode(b"\x00" * 1200).decode(),
            "empty": ""}
    return {
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "db", "namespace": "default", "annotations": {
            LAST_APPLIED: json.dumps({"data": data, "stringData": {"user": "admin-user"}}), "team": "core"}},
        "data": data,
        "stringData": {"user": "admin-user", "note": "héllo"},
    }


def test_redact_secret_drops_values_and_keeps_sizes() -> None:
    out = redact_secret(_secret())
    assert "data" not in out
    assert "stringData" not in out
    assert out[SECRET_SUMMARY] == [
        {"key": "empty", "size": 0},
        {"key": "password", "size": 7},
        {"key": "tls.key", "size": 1200},
        {"key": "note", "size": len("héllo".encode())},
        {"key": "user", "size": len("admin-user")},
    ]
    text = json.dumps(out)
    for secret in ("hunter2", _secret()["data"]["password"], "admin-user"):
        assert secret not in text


def test_redact_secret_removes_last_applied_but_keeps_other_annotations() -> None:
    out = redact_secret(_secret())
    assert out["metadata"]["annotations"] == {"team": "core"}
    assert out["metadata"]["name"] == "db"
    assert out["type"] == "Opaque"


def test_redact_secret_does_not_mutate_its_input() -> None:
    original = _secret()
    before = copy.deepcopy(original)
    redact_secret(original)
    assert original == before


def test_redact_secret_undecodable_value_has_no_size() -> None:
    out = redact_secret({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "abc"}})
    assert out[SECRET_SUMMARY] == [{"key": "k", "size": None}]


def test_redact_secret_without_data_or_metadata() -> None:
    out = redact_secret({"apiVersion": "v1", "kind": "Secret"})
    assert out[SECRET_SUMMARY] == []


# -- status_of ------------------------------------------------------------------------------------------


def _pod(status: Json, containers: int = 2) -> Json:
    return {"kind": "Pod", "spec": {"nodeName": "node-1",
                                    "containers": [{"name": f"c{i}"} for i in range(containers)]},
            "status": status}


def test_status_of_running_pod() -> None:
    word, info = status_of(_pod({"phase": "Running", "podIP": "10.0.0.7", "containerStatuses": [
        {"name": "c0", "ready": True, "restartCount": 1, "state": {"running": {}}},
        {"name": "c1", "ready": True, "restartCount": 2, "state": {"running": {}}}]}))
    assert word == "running"
    assert info == {"phase": "Running", "pod_ip": "10.0.0.7", "node_name": "node-1", "ready_containers": "2/2",
                    "restart_count": 3}


def test_status_of_pod_waiting_reason_wins_over_phase() -> None:
    word, info = status_of(_pod({"phase": "Running", "containerStatuses": [
        {"name": "c0", "ready": True, "restartCount": 0, "state": {"running": {}}},
        {"name": "c1", "ready": False, "restartCount": 5, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}))
    assert word == "crashloopbackoff"
    assert info["phase"] == "Running"
    assert info["ready_containers"] == "1/2"
    assert info["restart_count"] == 5


def test_status_of_pod_ordinary_waiting_reason_keeps_phase() -> None:
    word, info = status_of(_pod({"phase": "Pending", "containerStatuses": [
        {"name": "c0", "state": {"waiting": {"reason": "ContainerCreating"}}}]}, containers=1))
    assert word == "pending"
    assert info["ready_containers"] == "0/1"


def test_status_of_pod_without_status_is_unknown() -> None:
    word, info = status_of({"kind": "Pod", "spec": {"containers": [{"name": "c"}]}})
    assert word == "unknown"
    assert info["ready_containers"] == "0/1"
    assert info["restart_count"] == 0


@pytest.mark.parametrize(("kind", "replicas", "status", "word"), [
    ("Deployment", 3, {"replicas": 3, "readyReplicas": 3, "availableReplicas": 3, "updatedReplicas": 3}, "running"),
    ("Deployment", 3, {"replicas": 3, "readyReplicas": 1}, "progressing"),
    ("Deployment", 3, {}, "progressing"),
    ("Deployment", 3, {"replicas": 3}, "degraded"),
    ("Deployment", 0, {}, "scaled_down"),
    ("StatefulSet", 2, {"readyReplicas": 2}, "running"),
    ("ReplicaSet", 0, {"replicas": 0}, "scaled_down"),
])
def test_status_of_workloads(kind: str, replicas: int, status: Json, word: str) -> None:
    got, info = status_of({"kind": kind, "spec": {"replicas": replicas}, "status": status})
    assert got == word
    assert info["desired_replicas"] == replicas
    assert info["ready_replicas"] == int(status.get("readyReplicas") or 0)


def test_status_of_deployment_info_and_default_replicas() -> None:
    word, info = status_of({"kind": "Deployment", "spec": {}, "status": {
        "replicas": 1, "readyReplicas": 1, "availableReplicas": 1, "updatedReplicas": 1}})
    assert word == "running"
    assert info == {"replicas": 1, "ready_replicas": 1, "available_replicas": 1, "updated_replicas": 1,
                    "desired_replicas": 1}


@pytest.mark.parametrize(("conditions", "word"), [
    ([{"type": "Complete", "status": "True"}], "succeeded"),
    ([{"type": "Failed", "status": "True"}], "failed"),
    ([{"type": "Complete", "status": "False"}], "running"),
    ([], "running"),
])
def test_status_of_job(conditions: list[Json], word: str) -> None:
    got, info = status_of({"kind": "Job", "status": {"active": 1, "succeeded": 2, "conditions": conditions,
                                                     "completionTime": "2024-01-01T00:00:00Z"}})
    assert got == word
    assert info == {"active": 1, "succeeded": 2, "failed": 0, "completion_time": "2024-01-01T00:00:00Z"}


@pytest.mark.parametrize(("ready", "unschedulable", "word"), [
    ("True", False, "ready"),
    ("False", False, "not_ready"),
    ("Unknown", False, "not_ready"),
    (None, False, "not_ready"),
    ("True", True, "ready_unschedulable"),
    ("False", True, "not_ready_unschedulable"),
])
def test_status_of_node(ready: str | None, unschedulable: bool, word: str) -> None:
    conditions = [{"type": "MemoryPressure", "status": "False"}]
    if ready is not None:
        conditions.append({"type": "Ready", "status": ready})
    node = {"kind": "Node", "spec": {"unschedulable": True} if unschedulable else {},
            "status": {"conditions": conditions, "nodeInfo": {"kubeletVersion": "v1.30.0"},
                       "capacity": {"cpu": "4"}, "allocatable": {"cpu": "3800m"}}}
    got, info = status_of(node)
    assert got == word
    assert info == {"ready": ready == "True", "unschedulable": unschedulable, "kubelet_version": "v1.30.0",
                    "capacity": {"cpu": "4"}, "allocatable": {"cpu": "3800m"}}


def test_status_of_service() -> None:
    ports = [{"port": 80, "targetPort": 8080}]
    assert status_of({"kind": "Service", "spec": {"clusterIP": "10.96.0.10", "ports": ports}}) == (
        "active", {"type": "ClusterIP", "cluster_ip": "10.96.0.10", "ports": ports})
    assert status_of({"kind": "Service", "spec": {"type": "NodePort"}})[1]["type"] == "NodePort"


def test_status_of_pvc() -> None:
    assert status_of({"kind": "PersistentVolumeClaim", "status": {"phase": "Bound", "capacity": {"storage": "1Gi"}}}
                     ) == ("bound", {"phase": "Bound", "capacity": {"storage": "1Gi"}})
    assert status_of({"kind": "PersistentVolumeClaim", "status": {"phase": "Pending"}}) == (
        "pending", {"phase": "Pending"})


@pytest.mark.parametrize(("ready", "word"), [("True", "ready"), ("False", "not_ready"), ("Unknown", "active"),
                                             (None, "active")])
def test_status_of_custom_kind_ready_condition(ready: str | None, word: str) -> None:
    conditions = [] if ready is None else [{"type": "Ready", "status": ready}]
    got, _ = status_of({"kind": "Certificate", "apiVersion": "cert-manager.io/v1",
                        "status": {"conditions": conditions}})
    assert got == word


def test_status_of_generic_fallback_snake_cases_scalar_status_fields() -> None:
    word, info = status_of({"kind": "Widget", "status": {
        "observedGeneration": 3, "lastSyncTime": "t", "podIP": "1.2.3.4", "phase": "Synced",
        "conditions": [{"type": "Ready", "status": "True"}], "details": {"a": 1}}})
    assert word == "ready"
    assert info == {"observed_generation": 3, "last_sync_time": "t", "pod_ip": "1.2.3.4", "phase": "Synced"}


def test_status_of_object_without_status() -> None:
    assert status_of({"kind": "ConfigMap"}) == ("active", {})


@pytest.mark.parametrize(("name", "expected"), [("observedGeneration", "observed_generation"), ("podIP", "pod_ip"),
                                                ("phase", "phase"), ("v1Beta", "v1_beta")])
def test_snake(name: str, expected: str) -> None:
    assert snake(name) == expected


# -- item_view ------------------------------------------------------------------------------------------


def test_item_view_fields_and_id() -> None:
    pod = _pod({"phase": "Running"}, containers=1)
    pod.update(apiVersion="v1", metadata={"name": "web-0", "namespace": "shop", "labels": {"app": "web"},
                                          "creationTimestamp": "2024-05-01T00:00:00Z"})
    view = item_view(7, "prod", "pod", pod)
    assert view == {
        "id": "7:pod:shop:web-0", "cluster_id": 7, "cluster_name": "prod", "type": "pod", "kind": "Pod",
        "api_version": "v1", "namespace": "shop", "name": "web-0", "status": "running",
        "creation_time": "2024-05-01T00:00:00Z", "labels": {"app": "web"}, "spec": pod["spec"],
        "status_info": status_of(pod)[1],
    }
    assert ObjectId.parse(view["id"]) == ObjectId("7", "pod", "shop", "web-0")


def test_item_view_without_cluster_id_uses_the_name() -> None:
    view = item_view(None, "edge-1", "node", {"kind": "Node", "apiVersion": "v1",
                                              "metadata": {"name": "node-000000"}})
    assert view["id"] == "edge-1:node::node-000000"
    assert view["cluster_id"] is None
    assert view["namespace"] == ""
    assert view["labels"] == {}
    assert view["spec"] == {}
    assert ObjectId.parse(view["id"]).cluster == "edge-1"


def test_item_view_secret_spec_shows_keys_not_values() -> None:
    view = item_view(1, "prod", "secret", redact_secret(_secret()))
    assert view["spec"] == {"type": "Opaque", "keys": redact_secret(_secret())[SECRET_SUMMARY]}
    assert "hunter2" not in json.dumps(view)
    assert view["id"] == "1:secret:default:db"


def test_item_view_configmap_spec_lists_keys() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"},
          "data": {"b.yaml": "x: 1", "a.conf": "y"}, "binaryData": {"c.bin": "AAAA"}}
    view = item_view(1, "prod", "configmap", cm)
    assert view["spec"] == {"keys": ["a.conf", "b.yaml", "c.bin"]}
    assert view["status"] == "active"


def test_huge_exponents_are_found_outside_free_text() -> None:
    from cloudops.members.objects import huge_exponent
    requests = {"cpu": "1", "memory": ".6E-57970540073"}
    pod = {"spec": {"containers": [{"name": "a", "resources": {"requests": requests}}]}}
    assert huge_exponent(pod) == "spec.containers[0].resources.requests.memory"
    assert huge_exponent({"spec": {"hard": {"pods": "1e99", "cpu": "2E+10", "x": "e999", "y": "1e3k"}}}) is None
    free = {"data": {"n": "1e999"}, "metadata": {"labels": {"a": "1"}, "annotations": {"n": "5e-1234"}}}
    assert huge_exponent(free) is None
    assert huge_exponent(["1e999"]) == "[0]"
    # Names are never parsed as numbers: a container, metric or object named "1e100" is fine.
    hpa = {"metadata": {"name": "1e100"}, "spec": {"metrics": [{"type": "ContainerResource", "containerResource": {
        "name": "cpu", "container": "1e100", "target": {"type": "AverageValue", "averageValue": "1e100"}}}]}}
    assert huge_exponent(hpa) == "spec.metrics[0].containerResource.target.averageValue"
    del hpa["spec"]["metrics"][0]["containerResource"]["target"]
    assert huge_exponent(hpa) is None
