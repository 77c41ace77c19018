"""The self-healing engine split over replicas by shard: each watches only the clusters it owns, and one replica
(the owner of a rule's first cluster) writes the rule's Ready, reporting the clusters others watch from their
ManagedClusters. No cluster: the engine's choices from ownership alone."""

from __future__ import annotations

import time
from typing import Any

from cloudops.resources import SelfHealingRule
from cloudops.selfheal.rules import rule_from_object
from cloudops.settings import Settings
from cloudops_operator.memo import Memo
from cloudops_operator.self_healing import SelfHealing, _RuleState
from cloudops_operator.shards import Shards

PINS = {"a": "0", "b": "1", "c": "0"}  # cluster -> shard, by the pin label
RULE: dict[str, Any] = {
    "apiVersion": "cloudops.io/v1alpha1", "kind": "SelfHealingRule",
    "metadata": {"namespace": "hub", "name": "r", "uid": "u1", "generation": 1},
    "spec": {"clusters": ["b", "a"], "conditions": [{"type": "pod_status", "value": "CrashLoopBackOff"}],
             "actions": [{"type": "restart_pod"}]}}


def _engine(owned: set[int], clusters: dict[str, dict[str, Any]]) -> SelfHealing:
    shards = Shards(api=object(), namespace="hub", identity="me", count=2)  # type: ignore[arg-type]
    shards.labels_of = lambda name: {"cloudops.io/shard": PINS[name]} if name in PINS else {}
    shards.owned = set(owned)
    shards.renewed = {n: time.monotonic() for n in owned}
    memo = Memo()
    memo.settings = Settings.from_env()
    engine = SelfHealing(memo, shards, clusters.get)
    obj = SelfHealingRule.model_validate(RULE)
    engine.rules["hub/r"] = _RuleState(rule_from_object(RULE), obj)
    return engine


def test_each_replica_watches_only_the_clusters_of_its_shards() -> None:
    assert _engine({0}, {})._needed() == {("a", "pods")}
    assert _engine({1}, {})._needed() == {("b", "pods")}
    assert _engine({0, 1}, {})._needed() == {("a", "pods"), ("b", "pods")}
    assert _engine(set(), {})._needed() == set()


def test_one_replica_writes_a_rule_s_status_the_owner_of_its_first_cluster() -> None:
    obj = SelfHealingRule.model_validate(RULE)
    writers = [owned for owned in ({0}, {1}) if _engine(owned, {})._writes_status(obj)]
    assert writers == [{0}]  # "a" sorts first, and it is in shard 0


def test_clusters_watched_elsewhere_are_reported_from_their_managed_clusters() -> None:
    rule = rule_from_object(RULE)
    connected = {"a": {"status": {"phase": "connected"}}, "b": {"status": {"phase": "connected"}}}
    assert _engine({0}, connected)._ready(rule)[:2] == (True, "Watching")
    down = {"a": {"status": {"phase": "connected"}}, "b": {"status": {"phase": "disconnected"}}}
    ok, reason, message = _engine({0}, down)._ready(rule)
    assert (ok, reason) == (False, "ClusterUnavailable") and "'b' is disconnected" in message
    ok, reason, message = _engine({0}, {"a": connected["a"]})._ready(rule)
    assert (ok, reason) == (False, "ClusterUnavailable") and "'b' is not registered" in message
