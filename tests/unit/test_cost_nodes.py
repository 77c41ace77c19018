"""Feasible node advice (pure): the fit of moved pods on the remaining nodes (requests, node selectors, required
node affinity, taints and tolerations), the minimum node count, pods a drain does not move or cannot
reschedule, the recorded hours every figure states, and no suggestion before the minimum hours exist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cloudops.clusters.history import record
from cloudops.cost import fit, nodes, pricing, recorded
from cloudops.history_store import History, Subject

Json = dict[str, Any]
NOW = datetime(2026, 1, 2, tzinfo=UTC)
PRICES = pricing.OPENCOST_DEFAULTS


def node(name: str, cpu: str = "4", memory: str = "8Gi", labels: Json | None = None, taints: list[Json] | None = None,
         ready: bool = True, cordoned: bool = False, pods: int = 110) -> Any:
    return {"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
            "spec": {"taints": taints or [], **({"unschedulable": True} if cordoned else {})},
            "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": str(pods)},
                       "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def pod(name: str, on: str = "", cpu: str = "200m", memory: str = "256Mi", owner: str | None = "ReplicaSet",
        spec: Json | None = None, annotations: Json | None = None, phase: str = "Running") -> Any:
    meta: Json = {"name": name, "namespace": "shop", "annotations": annotations or {}}
    if owner:
        meta["ownerReferences"] = [{"kind": owner, "name": f"{name}-owner", "controller": True}]
    return {"metadata": meta, "status": {"phase": phase},
            "spec": {"nodeName": on, **(spec or {}),
                     "containers": [{"name": "app", "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}}


def history(name: str, hours: float, share: float = 5.0, step_minutes: int = 60) -> History:
    """`hours` of node samples (one per step, each standing for its step) ending at NOW."""
    series: Any = None
    steps = max(1, round(hours * 60 / step_minutes))
    for k in range(steps):
        sample = {"seconds": step_minutes * 60.0, "cpu_share_max": share, "memory_share_max": share / 2}
        series = record(series, sample, NOW - timedelta(minutes=step_minutes * (steps - k)), tuple(sample))
    return History(Subject("Node", "", name), series, {}, "")


def advise(ns: list[Any], ps: list[Any], hours: float = 6.0, min_hours: float = 4.0, min_nodes: int = 1,
           threshold: float = 30.0) -> tuple[list[Any], dict[str, str]]:
    step = 60 if hours >= 1 else 5
    found, skipped = nodes.instance(ns, ps, [history(n["metadata"]["name"], hours, step_minutes=step) for n in ns],
                                    PRICES,
                                    threshold=threshold, min_hours=min_hours, min_nodes=min_nodes)
    return found, {s["name"]: s["reason"] for s in skipped}


# -- the fit function ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("toleration", "taint", "tolerated"), [
    ({"key": "gpu", "operator": "Equal", "value": "yes", "effect": "NoSchedule"}, {"key": "gpu", "value": "yes",
                                                                                  "effect": "NoSchedule"}, True),
    ({"key": "gpu", "value": "yes"}, {"key": "gpu", "value": "yes", "effect": "NoExecute"}, True),  # any effect
    ({"key": "gpu", "value": "no"}, {"key": "gpu", "value": "yes", "effect": "NoSchedule"}, False),
    ({"key": "gpu", "operator": "Exists"}, {"key": "gpu", "value": "yes", "effect": "NoSchedule"}, True),
    ({"operator": "Exists"}, {"key": "anything", "effect": "NoExecute"}, True),  # tolerates every taint
    ({"key": "gpu", "operator": "Exists", "effect": "NoExecute"}, {"key": "gpu", "effect": "NoSchedule"}, False),
    ({"key": "other", "operator": "Exists"}, {"key": "gpu", "effect": "NoSchedule"}, False),
])
def test_tolerations_match_taints_as_kubernetes_does(toleration: Json, taint: Any, tolerated: bool) -> None:
    assert fit.tolerates([toleration], taint) is tolerated


def test_a_node_admits_a_pod_by_selector_required_affinity_taints_and_state() -> None:
    ssd = node("n1", labels={"disk": "ssd", "zone": "a"}, taints=[{"key": "team", "value": "x", "effect": "NoSchedule"},
                                                                   {"key": "soft", "effect": "PreferNoSchedule"}])
    tolerant = {"tolerations": [{"key": "team", "operator": "Equal", "value": "x", "effect": "NoSchedule"}]}
    assert fit.admits(ssd, pod("a", spec=tolerant)) is None  # PreferNoSchedule only scores
    assert fit.admits(ssd, pod("a")) == "taint team=x:NoSchedule not tolerated"
    assert fit.admits(ssd, pod("a", spec={**tolerant, "nodeSelector": {"disk": "hdd"}})) == (
        "nodeSelector disk=hdd does not match")
    required = {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]},
        {"matchExpressions": [{"key": "disk", "operator": "Exists"}]}]}}  # terms are ORed
    assert fit.admits(ssd, pod("a", spec={**tolerant, "affinity": {"nodeAffinity": required}})) is None
    only_b = {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]}]}}
    assert fit.admits(ssd, pod("a", spec={**tolerant, "affinity": {"nodeAffinity": only_b}})) == (
        "required node affinity does not match")
    preferred = {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 1, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]}}]}
    assert fit.admits(ssd, pod("a", spec={**tolerant, "affinity": {"nodeAffinity": preferred}})) is None
    assert fit.admits(node("n2", ready=False), pod("a")) == "not Ready"
    assert fit.admits(node("n2", cordoned=True), pod("a")) == "cordoned"


def test_placement_checks_requests_per_node_not_summed_over_the_cluster() -> None:
    # Two nodes with 1 CPU free each: 2 CPUs free in total, yet a 1.5-CPU pod fits on neither.
    ns = [node("n1", cpu="2"), node("n2", cpu="2")]
    held = [pod("x", on="n1", cpu="1"), pod("y", on="n2", cpu="1")]
    placed = fit.place([pod("big", cpu="1500m")], ns, fit.free(ns, held))
    assert placed.unplaced == {"shop/big": "n1: not enough cpu left; n2: not enough cpu left"}
    # The pods placed take their room: two 600m pods cannot both go to one node with 1 CPU free.
    two = fit.place([pod("p1", cpu="600m"), pod("p2", cpu="600m")], ns, fit.free(ns, held))
    assert two.complete and sorted(two.nodes.values()) == ["n1", "n2"]
    # Pod slots and resources a node does not offer count too.
    assert not fit.place([pod("p")], [node("n3", pods=1)], fit.free([node("n3", pods=1)], [pod("q", on="n3")])).complete
    gpu = pod("g")
    gpu["spec"]["containers"][0]["resources"]["requests"]["nvidia.com/gpu"] = "1"
    assert fit.place([gpu], ns, fit.free(ns, [])).unplaced == {
        "shop/g": "n1: not enough nvidia.com/gpu left; n2: not enough nvidia.com/gpu left"}
    # Finished pods hold nothing.
    assert fit.free(ns, [pod("done", on="n1", cpu="2", phase="Succeeded")])["n1"]["cpu"] == 2.0


def test_pods_bound_to_other_pods_are_not_placed_rather_than_guessed() -> None:
    anti = {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}]}}}
    spread = {"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "labelSelector": {}}]}
    out = fit.place([pod("a", spec=anti), pod("b", spec=spread)], [node("n1")], fit.free([node("n1")], []))
    assert out.unplaced == {"shop/a": "required podAntiAffinity (not evaluated here)",
                            "shop/b": "topologySpreadConstraints with DoNotSchedule (not evaluated here)"}


# -- instance advice ------------------------------------------------------------------------------------------


def test_two_underused_nodes_one_suggested_never_both() -> None:
    """The cluster-removing advice of issue 19: both nodes underused, each one's pods fit on the other."""
    found, skipped = advise([node("n1"), node("n2")], [pod("a", on="n1"), pod("b", on="n2", cpu="100m")])
    (s,) = found
    assert s["target"]["name"] == "n2" and s["details"]["pods_to_move"] == ["shop/b"]  # the least used first
    assert s["details"]["placement"] == {"shop/b": "n1"} and s["details"]["remaining_nodes"] == ["n1"]
    assert s["patch"] == {"spec": {"unschedulable": True}} and s["action"] == "cordon-and-drain"
    assert s["estimated_monthly_saving"] == pytest.approx((4 * 0.031611 + 8 * 0.004237) * 730, abs=0.01)
    assert skipped == {"n1": "removing it would leave 0 schedulable node(s); the minimum is 1 (min_nodes)"}
    none, skipped = advise([node("n1"), node("n2")], [pod("a", on="n1")], min_nodes=2)
    assert none == [] and set(skipped) == {"n1", "n2"} and "the minimum is 2" in skipped["n2"]


def test_nodes_suggested_together_must_fit_everything_they_move() -> None:
    # n2 and n3 each hold 1 CPU of pods; n1 has 1.5 CPUs free: it takes one node's pods, not both.
    ns = [node("n1", cpu="4"), node("n2", cpu="4"), node("n3", cpu="4")]
    ps = [pod("base", on="n1", cpu="2500m"), pod("b", on="n2", cpu="1"), pod("c", on="n3", cpu="1")]
    found, skipped = advise(ns, ps, threshold=70.0)
    assert [s["target"]["name"] for s in found] == ["n2"]
    assert skipped["n3"].startswith("the remaining nodes cannot take its pods: shop/")
    assert "not enough cpu left" in skipped["n3"]


def test_moved_pods_keep_their_selectors_and_tolerations() -> None:
    pinned = pod("pinned", on="n2", spec={"nodeSelector": {"kubernetes.io/hostname": "n2"}})
    found, skipped = advise([node("n1"), node("n2")], [pinned])
    assert [s["target"]["name"] for s in found] == ["n1"]  # the empty node, not the pinned pod's
    tainted = [node("n1", taints=[{"key": "dedicated", "value": "ml", "effect": "NoExecute"}]), node("n2")]
    found, skipped = advise(tainted, [pod("a", on="n2", cpu="100m"), pod("m", on="n1")])
    assert [s["target"]["name"] for s in found] == ["n1"]  # its pod goes to n2; n2's cannot go to n1
    assert skipped == {"n2": "the remaining nodes cannot take its pods: shop/a (n1: taint dedicated=ml:NoExecute not "
                             "tolerated)"}


def test_daemonset_and_mirror_pods_stay_and_bare_pods_block() -> None:
    ps = [pod("agent", on="n2", owner="DaemonSet"), pod("etcd", on="n2", owner="Node",
                                                        annotations={"kubernetes.io/config.mirror": "x"}),
          pod("web", on="n2"), pod("solo", on="n1", owner=None)]
    found, skipped = advise([node("n1"), node("n2")], ps)
    (s,) = found
    assert s["target"]["name"] == "n2" and s["details"]["pods_to_move"] == ["shop/web"]
    assert s["details"]["staying_with_node"] == ["shop/agent", "shop/etcd"]
    assert "shop/solo" not in str(s["details"])
    # The node with a bare pod: a drain would delete it, nothing would recreate it.
    alone, skipped = advise([node("n1"), node("n2"), node("n3")], [pod("solo", on="n1", owner=None)], min_nodes=1)
    assert "n1" not in [s["target"]["name"] for s in alone]
    assert skipped["n1"] == "pods without a controller would be deleted by a drain, not rescheduled: shop/solo"


def test_node_figures_name_the_hours_recorded_and_need_the_minimum() -> None:
    found, _ = advise([node("n1"), node("n2")], [pod("a", on="n1")], hours=6.0)
    (s,) = found
    assert s["reason"].startswith("requested share stays below 30 %: 0.0 % now, at most 5.0 % over the recorded "
                                  "6.0 hours")
    assert s["current"] == {"requested_share_percent_now": 0.0, "requested_share_percent_peak": 5.0,
                            "recorded_hours": 6.0}
    # Ten minutes recorded (two 5-minute samples), four hours needed: no node advice, and why.
    short, skipped = advise([node("n1"), node("n2")], [pod("a", on="n1")], hours=10 / 60, min_hours=4.0)
    assert short == [] and skipped["n2"] == "0.17 hours of node usage recorded, 4 needed"
    # A recorded peak above the threshold keeps the node, whatever its share now.
    hot = History(Subject("Node", "", "n2"), history("n2", 6.0, share=45.0).series, {}, "")
    found, _ = nodes.instance([node("n1"), node("n2")], [], [history("n1", 6.0), hot], PRICES, threshold=30.0,
                              min_hours=4.0, min_nodes=1)
    assert [s["target"]["name"] for s in found] == ["n1"]


def test_recorded_hours_tiers_and_the_withheld_reason() -> None:
    assert recorded.tier_for(4) == "24h" and recorded.tier_for(24) == "7d"  # the 24 h tier never holds 24 h
    assert recorded.tier_for(0.5) == "1h" and recorded.tier_for(1000) == "30d"
    series = history("n1", 10 / 60, step_minutes=5).series
    assert recorded.recorded_hours(series) == pytest.approx(1 / 6)
    assert recorded.hours_text(1 / 6) == "0.17" and recorded.hours_text(30.04) == "30.0"
    assert recorded.withheld(1 / 6, 24.0) == ("no suggestions until 24 hours of usage are recorded "
                                              "(CLOUDOPS_RIGHTSIZING_MIN_HOURS): 0.17 hours recorded so far")
    assert recorded.withheld(24.0, 24.0) is None
