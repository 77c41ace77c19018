"""The cost engine (pure): usage samples, OpenCost allocation against a hand computation, pricing resolution,
KRR-style right-sizing and unused storage (underused nodes: test_cost_nodes.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cloudops.clusters.history import record
from cloudops.cost import allocation, optimize, pricing
from cloudops.history_store import History, Subject
from cloudops.usage_history import controller_of, samples

Json = dict[str, Any]
NOW = datetime(2026, 1, 2, tzinfo=UTC)
GI = 1024 ** 3
MI = 1024 ** 2


def pod(name: str, ns: str = "shop", node: str = "n1", containers: list[Json] | None = None,
        owner: tuple[str, str] | None = ("ReplicaSet", "web-5d4f"), labels: Json | None = None,
        volumes: list[Json] | None = None, phase: str = "Running") -> Json:
    meta: Json = {"name": name, "namespace": ns, "labels": labels if labels is not None else
                  {"app": "web", "team": "a", "pod-template-hash": "5d4f"}}
    if owner:
        meta["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "controller": True}]
    return {"metadata": meta, "spec": {"nodeName": node, "volumes": volumes or [], "containers": containers or [
        {"name": "app", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}}},
        {"name": "side", "resources": {"requests": {"memory": "256Mi"}}}]}, "status": {"phase": phase}}


def usage(name: str, ns: str = "shop", app: tuple[str, str] = ("250m", "1536Mi"),
          side: tuple[str, str] = ("100m", "128Mi")) -> Json:
    return {"metadata": {"name": name, "namespace": ns},
            "containers": [{"name": "app", "usage": {"cpu": app[0], "memory": app[1]}},
                           {"name": "side", "usage": {"cpu": side[0], "memory": side[1]}}]}


NODE = {"metadata": {"name": "n1"}, "status": {"allocatable": {"cpu": "4", "memory": "8Gi"}}}
PVC = {"metadata": {"name": "data", "namespace": "shop"}, "spec": {"resources": {"requests": {"storage": "10Gi"}}},
       "status": {"phase": "Bound"}}
VOLUME = [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]


def histories(hours: int, step_minutes: int = 60, **kw: Any) -> dict[str, list[History]]:
    """A day of recorded samples ending at NOW (one sample per step, each standing for its step)."""
    round_ = samples([pod("web-5d4f-a", volumes=VOLUME, **kw)], [usage("web-5d4f-a")], [NODE], [PVC],
                     step_minutes * 60.0, max_pods=10, max_nodes=10)
    out: dict[str, list[History]] = {"pods": [], "namespaces": [], "cluster": []}
    series: dict[tuple[str, str], Any] = {}
    start = NOW - timedelta(hours=hours)
    for k in range(hours * 60 // step_minutes):
        at = start + timedelta(minutes=k * step_minutes)
        for key, entries in (("pods", round_.pods), ("namespaces", round_.namespaces),
                             ("cluster", [(Subject("Cluster", "", "c1"), round_.cluster, {})])):
            for subject, sample, _ in entries:
                series[(key, subject.name)] = record(series.get((key, subject.name)), sample, at, tuple(sample))
    for key, entries in (("pods", round_.pods), ("namespaces", round_.namespaces),
                         ("cluster", [(Subject("Cluster", "", "c1"), round_.cluster, {})])):
        for subject, _, attrs in entries:
            out[key].append(History(subject, series[(key, subject.name)], attrs, ""))
    return out


def test_samples_allocate_max_of_request_and_usage_per_container() -> None:
    round_ = samples([pod("a", volumes=VOLUME), pod("b", volumes=VOLUME, phase="Succeeded")],
                     [usage("a")], [NODE], [PVC], 60.0, max_pods=10, max_nodes=10)
    (subject, s, attrs), = round_.pods
    assert subject == Subject("Pod", "shop", "a")
    # app: max(500m, 250m) + side: max(0, 100m); memory: max(1Gi, 1.5Gi) + max(256Mi, 128Mi)
    assert s["cpu_alloc_ms"] == pytest.approx(600 * 60) and s["memory_alloc_bs"] == pytest.approx(1.75 * GI * 60)
    assert s["cpu_request_m"] == 500 and s["cpu_usage_m"] == pytest.approx(350) and s["metered"] == 1.0
    assert s["storage"] == 10 * GI and s["c0_cpu_m"] == pytest.approx(250) and s["c1_memory_max"] == 128 * MI
    assert attrs["controller_kind"] == "Deployment" and attrs["controller"] == "web"
    assert attrs["containers"] == ["app", "side"] and attrs["node"] == "n1"
    assert round_.cluster["cpu_idle_ms"] == pytest.approx((4000 - 600) * 60)
    assert round_.namespaces[0][1]["pods"] == 1.0 and round_.pods_total == 1


def test_only_the_largest_pods_get_a_history_but_namespaces_count_all() -> None:
    small = {"name": "app", "resources": {"requests": {"cpu": "10m"}}}
    pods = [pod(f"p{i}", containers=[small]) for i in range(5)] + [pod("big")]
    round_ = samples(pods, [], [NODE], [], 60.0, max_pods=2, max_nodes=10)
    assert round_.pods[0][0].name == "big" and len(round_.pods) == 2
    assert round_.namespaces[0][1]["pods"] == 6.0
    assert round_.pods[0][1]["metered"] == 0.0  # no metrics: usage counts as 0, requests are allocated


def test_controller_of_pods() -> None:
    assert controller_of(pod("x")) == ("Deployment", "web")
    assert controller_of(pod("x", owner=("StatefulSet", "db"))) == ("StatefulSet", "db")
    assert controller_of(pod("x", owner=None)) == ("", "")


def test_a_namespace_report_matches_the_hand_computation_to_the_cent() -> None:
    h = histories(24)
    out = allocation.report(time_range="24h", now=NOW, group_by="namespace", prices=pricing.OPENCOST_DEFAULTS,
                            cluster=h["cluster"][0], namespaces=h["namespaces"], pods=h["pods"], namespace="shop")
    cpu = 0.6 * 24 * 0.031611  # 0.6 cores allocated for 24 h
    memory = 1.75 * 24 * 0.004237  # 1.75 GiB
    storage = 10 * 24 * 0.00005479452  # the 10Gi claim
    assert round(out["total_cost"], 2) == round(cpu + memory + storage, 2) == 0.65
    assert out["total_cost"] == pytest.approx(cpu + memory + storage, abs=1e-4)
    (line,) = out["breakdown"]
    assert line["name"] == "shop" and line["percentage"] == 100.0
    assert line["resources"]["cpu"] == pytest.approx(cpu, abs=1e-4)
    assert line["resources"]["storage"] == pytest.approx(storage, abs=1e-4)
    assert out["coverage"] == {"range_hours": 24.0, "covered_hours": 24.0, "ratio": 1.0, "extrapolated": False}
    assert out["trend"]["daily_average"] == pytest.approx(cpu + memory + storage, abs=1e-4)
    assert out["trend"]["growth_rate"] == 0.0
    assert out["pricing_source"]["source"] == "opencost-defaults" and out["currency"] == "USD"


def test_the_cluster_report_has_idle_as_its_own_line() -> None:
    h = histories(24)
    out = allocation.report(time_range="24h", now=NOW, group_by="namespace", prices=pricing.OPENCOST_DEFAULTS,
                            cluster=h["cluster"][0], namespaces=h["namespaces"], pods=h["pods"])
    idle = next(line for line in out["breakdown"] if line["kind"] == "idle")
    assert idle["name"] == "__idle__"
    assert idle["cost"] == pytest.approx(3.4 * 24 * 0.031611 + 6.25 * 24 * 0.004237, abs=1e-4)
    assert sum(line["percentage"] for line in out["breakdown"]) == pytest.approx(100.0, abs=0.05)


def test_partial_history_is_reported_as_coverage_not_extrapolated() -> None:
    h = histories(6)
    out = allocation.report(time_range="24h", now=NOW, group_by="namespace", prices=pricing.OPENCOST_DEFAULTS,
                            cluster=h["cluster"][0], namespaces=h["namespaces"], pods=h["pods"], namespace="shop")
    assert out["coverage"]["covered_hours"] == 6.0 and out["coverage"]["ratio"] == 0.25
    assert out["total_cost"] == pytest.approx((0.6 * 0.031611 + 1.75 * 0.004237 + 10 * 0.00005479452) * 6, abs=1e-4)


@pytest.mark.parametrize(("group_by", "name"), [("pod", "shop/web-5d4f-a"), ("node", "n1"),
                                                ("controller", "deployment:web"), ("label:team", "a"),
                                                ("label:missing", "__unallocated__")])
def test_groupings(group_by: str, name: str) -> None:
    h = histories(2)
    out = allocation.report(time_range="24h", now=NOW, group_by=group_by, prices=pricing.OPENCOST_DEFAULTS,
                            cluster=None, namespaces=h["namespaces"], pods=h["pods"], namespace="shop")
    assert [line["name"] for line in out["breakdown"]] == [name]


def test_pricing_most_specific_object_wins_per_price() -> None:
    objects = [{"metadata": {"name": "all"}, "spec": {"cpu": 0.05}},
               {"metadata": {"name": "aws"}, "spec": {"provider": "aws", "memory": 0.01}},
               {"metadata": {"name": "aws-east"}, "spec": {"provider": "aws", "region": "us-east-1", "cpu": 0.04}},
               {"metadata": {"name": "c2"}, "spec": {"clusterRef": {"name": "c2"}, "cpu": 0.02}},
               {"metadata": {"name": "gcp"}, "spec": {"provider": "gcp", "cpu": 9.0}}]
    p = pricing.resolve(objects, "c1", "aws", "us-east-1")
    assert (p.cpu, p.memory, p.storage) == (0.04, 0.01, 0.00005479452)
    assert p.objects == ("all", "aws", "aws-east") and p.view()["source"] == "costpricing"
    assert pricing.resolve(objects, "c2", "aws", "us-east-1").cpu == 0.02
    assert pricing.resolve([], "c1", "aws", "x") == pricing.OPENCOST_DEFAULTS


def workload(cpu: str = "1", memory: str = "1Gi", replicas: int = 2) -> Json:
    return {"kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [
                {"name": "app", "resources": {"requests": {"cpu": cpu, "memory": memory},
                                              "limits": {"memory": "150Mi"}}}]}}}}


def usage_history(cpu_values: list[float], memory_peak: float, hours_each: float = 1.0) -> History:
    series: Any = None
    for i, cpu in enumerate(cpu_values):
        sample = {"seconds": hours_each * 3600, "metered": 1.0, "c0_cpu_m": cpu, "c0_memory_max": memory_peak}
        series = record(series, sample, NOW - timedelta(minutes=15 * (len(cpu_values) - i)), tuple(sample))
    return History(Subject("Pod", "shop", "web-5d4f-a"), series,
                   {"controller_kind": "Deployment", "controller": "web", "containers": ["app"]}, "")


def test_right_sizing_takes_p95_cpu_and_peak_memory_plus_15_percent() -> None:
    cpu = [float(v) for v in range(1, 81)]  # 1..80 millicores in 15-minute buckets: p95 (nearest rank) = 76m
    (s,), skipped = optimize.resource([workload()], [usage_history(cpu, 200 * MI)], set(), pricing.OPENCOST_DEFAULTS,
                                      min_hours=24)
    assert skipped == []
    assert s["recommended"] == {"app": {"cpu": "76m", "memory": "230Mi"}}
    container = s["patch"]["spec"]["template"]["spec"]["containers"][0]
    assert container == {"name": "app", "resources": {"requests": {"cpu": "76m", "memory": "230Mi"},
                                                      "limits": {"memory": "230Mi"}}}
    mean = sum(cpu) / len(cpu)
    per_hour = (1000 - 76) / 1000 * 0.031611 + (1024 - 230) / 1024 * 0.004237
    assert mean < 76 and s["estimated_monthly_saving"] == pytest.approx(per_hour * 730 * 2, abs=0.01)
    assert s["patch_type"] == "strategic" and s["target"] == {"kind": "Deployment", "namespace": "shop", "name": "web"}
    # The wording names the hours measured: 80 one-hour samples in the 15-minute buckets of the last day.
    assert s["reason"].endswith("over the recorded 80.0 hours") and s["details"]["recorded_hours"] == 80.0


def test_right_sizing_minimums_hpa_targets_and_short_history() -> None:
    tiny = usage_history([1.0] * 30, 10 * MI)
    (s,), _ = optimize.resource([workload()], [tiny], set(), pricing.OPENCOST_DEFAULTS, min_hours=24)
    assert s["recommended"]["app"] == {"cpu": "10m", "memory": "100Mi"}
    none, skipped = optimize.resource([workload()], [tiny], {("Deployment", "shop", "web")},
                                      pricing.OPENCOST_DEFAULTS, min_hours=24)
    assert none == [] and "HorizontalPodAutoscaler" in skipped[0]["reason"]
    none, skipped = optimize.resource([workload()], [usage_history([5.0] * 4, MI)], set(),
                                      pricing.OPENCOST_DEFAULTS, min_hours=24)
    assert none == [] and "not enough history" in skipped[0]["reason"] and "4.0 h" in skipped[0]["reason"]
    right, _ = optimize.resource([workload(cpu="10m", memory="100Mi")], [tiny], set(), pricing.OPENCOST_DEFAULTS,
                                 min_hours=24)
    assert right == []  # already right


def test_storage_suggests_unbound_claims_and_released_volumes() -> None:
    pending = {"metadata": {"name": "orphan", "namespace": "shop"},
               "spec": {"resources": {"requests": {"storage": "100Gi"}}}, "status": {"phase": "Pending"}}
    released = {"metadata": {"name": "pv-1"}, "spec": {"capacity": {"storage": "50Gi"}},
                "status": {"phase": "Released"}}
    out = optimize.storage([PVC, pending], [released], pricing.OPENCOST_DEFAULTS)
    assert [(s["target"]["kind"], s["action"]) for s in out] == [("PersistentVolumeClaim", "delete"),
                                                                  ("PersistentVolume", "delete")]
    assert out[0]["estimated_monthly_saving"] == pytest.approx(100 * 0.00005479452 * 730, abs=0.01)


def test_peaks_survive_downsampling() -> None:
    series = record(None, {"memory_usage_max": 10.0, "cpu": 10.0}, NOW, ("memory_usage_max", "cpu"))
    series = record(series, {"memory_usage_max": 2.0, "cpu": 2.0}, NOW, ("memory_usage_max", "cpu"))
    assert series["1h"][-1]["memory_usage_max"] == 10.0 and series["1h"][-1]["cpu"] == 6.0
