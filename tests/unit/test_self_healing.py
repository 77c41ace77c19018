"""Self-healing rules, matcher and guards: pure functions, no cluster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cloudops.selfheal.actions import ActionError, previous_revision
from cloudops.selfheal.claims import claim_name
from cloudops.selfheal.guards import decide, lease_expired
from cloudops.selfheal.matcher import (
    evaluate,
    pod_statuses,
    protected_namespace,
    resource_key,
    restart_count,
    selector_matches,
)
from cloudops.selfheal.rules import action_errors, condition_errors, parse_duration, rule_from_object, spec_errors

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
T0 = "2026-01-01T11:00:00Z"


def _rule(**spec: Any) -> Any:
    base: dict[str, Any] = {"clusters": ["m1"], "conditions": [{"type": "pod_status", "value": "CrashLoopBackOff"}],
                            "actions": [{"type": "restart_pod"}]}
    base.update(spec)
    assert spec_errors(base) == []
    return rule_from_object({"metadata": {"namespace": "hub", "name": "r", "uid": "u1", "generation": 1},
                             "spec": base})


def _pod(state: dict[str, Any] | None = None, *, ns: str = "app", phase: str = "Running", restarts: int = 0,
         labels: dict[str, str] | None = None, owner: tuple[str, str] | None = ("ReplicaSet", "web-5d8f9"),
         ready_since: str = "2026-01-01T11:58:00Z", last: dict[str, Any] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "web-5d8f9-x1", "namespace": ns, "creationTimestamp": T0,
                            "labels": {"pod-template-hash": "5d8f9", **(labels or {})}}
    if owner:
        meta["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "controller": True}]
    container: dict[str, Any] = {"name": "c", "restartCount": restarts, "state": state or {"running": {}}}
    if last:
        container["lastState"] = last
    return {"metadata": meta, "status": {
        "phase": phase, "containerStatuses": [container],
        "conditions": [{"type": "Ready", "status": "False" if state else "True", "lastTransitionTime": ready_since}]}}


CRASH = {"waiting": {"reason": "CrashLoopBackOff"}}


def test_durations() -> None:
    assert [parse_duration(x) for x in ("30s", "5m", "1h", "90", 15)] == [30, 300, 3600, 90, 15]
    for bad in ("5d", "", "-1", "2h30m", True):
        with pytest.raises(ValueError):
            parse_duration(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="between"):
        parse_duration("25h")


def test_unknown_condition_and_action_types_are_named() -> None:
    errors = condition_errors([{"type": "cpu_spike", "value": "1"}])
    assert errors and errors[0].startswith("conditions[0].type: unknown condition type 'cpu_spike'")
    errors = action_errors([{"type": "restart_pod"}, {"type": "reboot"}], "pods")
    assert len(errors) == 1 and errors[0].startswith("actions[1].type: unknown action type 'reboot'")


def test_conditions_must_be_about_one_kind_and_well_formed() -> None:
    mixed = condition_errors([{"type": "pod_status", "value": "Error"}, {"type": "node_status", "value": "NotReady"}])
    assert any("mix nodes, pods" in e for e in mixed)
    assert condition_errors([{"type": "pod_status", "value": "Sleepy"}])[0].startswith("conditions[0].value")
    assert condition_errors([{"type": "restart_count", "operator": "greater_than", "value": "x"}])
    assert condition_errors([{"type": "pod_status", "operator": "greater_than", "value": "Error"}])[0].startswith(
        "conditions[0].operator")
    assert condition_errors([{"type": "restart_count", "operator": "greater_than", "value": "5"}]) == []


def test_actions_fit_the_kind_and_take_their_parameters() -> None:
    assert action_errors([{"type": "cordon_node"}], "pods")[0].startswith("actions[0].type: cordon_node cannot act")
    assert action_errors([{"type": "scale"}], "deployments") == ["actions[0].parameters.replicas: required for scale"]
    assert action_errors([{"type": "scale", "parameters": {"replicas": "3", "delay": "30s"}}], "deployments") == []
    bad = action_errors([{"type": "restart_pod", "parameters": {"force": "yes", "delay": "soon"}}], "pods")
    assert any(e.startswith("actions[0].parameters.force: unknown parameter") for e in bad)
    assert any(e.startswith("actions[0].parameters.delay") for e in bad)
    assert action_errors([{"type": "annotate", "parameters": {"key": "bad key!"}}], "pods")


def test_pod_statuses_follow_kubectl() -> None:
    assert pod_statuses(_pod(CRASH)) == {"Running", "CrashLoopBackOff"}
    assert "OOMKilled" in pod_statuses(_pod(CRASH, last={"terminated": {"reason": "OOMKilled"}}))
    assert "Error" not in pod_statuses(_pod(CRASH, last={"terminated": {"reason": "Error"}}))
    assert pod_statuses(_pod({"terminated": {"reason": "Error"}})) == {"Running", "Error"}
    assert restart_count(_pod(CRASH, restarts=7)) == 7


def test_crash_loop_matches_with_workload_as_cooldown_key() -> None:
    m = evaluate(_rule(), _pod(CRASH), NOW, "hub")
    assert m is not None and m.resource == "deployment/app/web" and m.due <= NOW
    assert m.matched == "pod_status equals CrashLoopBackOff"
    assert evaluate(_rule(), _pod(), NOW, "hub") is None
    gone = _pod(CRASH)
    gone["metadata"]["deletionTimestamp"] = T0
    assert evaluate(_rule(), gone, NOW, "hub") is None


def test_resource_keys() -> None:
    assert resource_key("pods", _pod(owner=("StatefulSet", "db"))) == "statefulset/app/db"
    assert resource_key("pods", _pod(owner=None)) == "pod/app/web-5d8f9-x1"
    assert resource_key("nodes", {"metadata": {"name": "n1"}}) == "node//n1"


def test_system_and_operator_namespaces_are_never_targets() -> None:
    for ns in ("kube-system", "kube-public", "kube-node-lease", "hub"):
        assert protected_namespace(ns, "hub")
        assert evaluate(_rule(), _pod(CRASH, ns=ns), NOW, "hub") is None
        assert evaluate(_rule(namespaces=[ns]), _pod(CRASH, ns=ns), NOW, "hub") is None
    assert not protected_namespace("app", "hub")


def test_namespaces_and_selector_narrow_the_target() -> None:
    assert evaluate(_rule(namespaces=["other"]), _pod(CRASH), NOW, "hub") is None
    sel = {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]}
    assert evaluate(_rule(labelSelector=sel), _pod(CRASH, labels={"app": "web"}), NOW, "hub") is not None
    assert evaluate(_rule(labelSelector=sel), _pod(CRASH, labels={"app": "web", "tier": "db"}), NOW, "hub") is None
    assert selector_matches({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"a": ""})
    assert not selector_matches({"matchExpressions": [{"key": "a", "operator": "In", "values": ["x"]}]}, {})


def test_pending_longer_than_a_duration() -> None:
    rule = _rule(conditions=[{"type": "pod_status", "value": "Pending", "durationSeconds": 600}])
    pending = _pod(phase="Pending")
    pending["metadata"]["creationTimestamp"] = "2026-01-01T11:55:00Z"
    m = evaluate(rule, pending, NOW, "hub")
    assert m is not None and m.due == datetime(2026, 1, 1, 12, 5, tzinfo=UTC)
    assert decide(rule, m, NOW, NOW, None).verdict == "wait"
    assert decide(rule, m, m.due, NOW, None).verdict == "act"


def test_restart_count_node_and_deployment_conditions() -> None:
    rule = _rule(conditions=[{"type": "restart_count", "operator": "greater_than", "value": "5"}])
    assert evaluate(rule, _pod(CRASH, restarts=6), NOW, "hub") is not None
    assert evaluate(rule, _pod(CRASH, restarts=5), NOW, "hub") is None
    node_rule = _rule(conditions=[{"type": "node_status", "value": "NotReady", "durationSeconds": 60}],
                      actions=[{"type": "cordon_node"}])
    node = {"metadata": {"name": "n1"}, "status": {"conditions": [
        {"type": "Ready", "status": "Unknown", "lastTransitionTime": "2026-01-01T11:58:30Z"}]}}
    m = evaluate(node_rule, node, NOW, "kube-system")
    assert m is not None and m.resource == "node//n1" and m.due == datetime(2026, 1, 1, 11, 59, 30, tzinfo=UTC)
    node["status"]["conditions"][0]["status"] = "True"
    assert evaluate(node_rule, node, NOW, "hub") is None
    dep_rule = _rule(conditions=[{"type": "deployment_unavailable_replicas", "operator": "greater_than",
                                  "value": "0", "durationSeconds": 300}], actions=[{"type": "rollback_deployment"}])
    dep = {"metadata": {"name": "web", "namespace": "app", "creationTimestamp": T0}, "status": {
        "unavailableReplicas": 2, "conditions": [
            {"type": "Available", "status": "False", "lastTransitionTime": "2026-01-01T11:50:00Z"}]}}
    m = evaluate(dep_rule, dep, NOW, "hub")
    assert m is not None and m.due == datetime(2026, 1, 1, 11, 55, tzinfo=UTC)
    dep["status"]["unavailableReplicas"] = 0
    assert evaluate(dep_rule, dep, NOW, "hub") is None


def test_guards_delay_cap_dry_run_enabled() -> None:
    rule = _rule(actions=[{"type": "restart_pod", "parameters": {"delay": "30s"}}], maxActionsPerHour=3)
    m = evaluate(rule, _pod(CRASH), NOW, "hub")
    assert m is not None
    waiting = decide(rule, m, NOW, NOW, None)
    assert waiting.verdict == "wait" and waiting.at == NOW + timedelta(seconds=30)
    later = NOW + timedelta(seconds=30)
    assert decide(rule, m, later, NOW, 2).verdict == "act"
    assert decide(rule, m, later, NOW, 3).verdict == "skip"
    assert decide(_rule(dryRun=True), m, NOW, NOW, 0).verdict == "dry_run"
    assert decide(_rule(enabled=False), m, NOW, NOW, 0).verdict == "skip"


def test_claims_are_deterministic_and_expire_after_the_cooldown() -> None:
    assert claim_name("u1", "m1", "deployment/app/web") == claim_name("u1", "m1", "deployment/app/web")
    assert claim_name("u1", "m1", "deployment/app/web") != claim_name("u1", "m2", "deployment/app/web")
    assert len(claim_name("u", "c", "x" * 500)) <= 63
    assert not lease_expired(NOW, 60, NOW + timedelta(seconds=59))
    assert lease_expired(NOW, 60, NOW + timedelta(seconds=60))
    assert lease_expired(None, 60, NOW)


def _rs(rev: int, uid: str = "d1", image: str = "") -> dict[str, Any]:
    return {"metadata": {"name": f"web-{rev}", "annotations": {"deployment.kubernetes.io/revision": str(rev)},
                         "ownerReferences": [{"uid": uid, "controller": True}]},
            "spec": {"template": {"metadata": {"labels": {"app": "web", "pod-template-hash": f"h{rev}"}},
                                  "spec": {"containers": [{"name": "c", "image": image or f"img:{rev}"}]}}}}


def test_rollback_picks_the_previous_revision_like_rollout_undo() -> None:
    dep = {"metadata": {"uid": "d1", "annotations": {"deployment.kubernetes.io/revision": "3"}}}
    rev, template = previous_revision(dep, [_rs(1), _rs(3), _rs(2), _rs(2, uid="other", image="x")])
    assert rev == 2 and template["spec"]["containers"][0]["image"] == "img:2"
    assert template["metadata"]["labels"] == {"app": "web"}
    assert previous_revision(dep, [_rs(1), _rs(3), _rs(2)], 1)[0] == 1
    with pytest.raises(ActionError, match="no revision before 3"):
        previous_revision(dep, [_rs(3)])
