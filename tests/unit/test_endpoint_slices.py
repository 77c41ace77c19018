"""cloudops.network.slices and .monitor: EndpointSlices to the reference's subsets and back, probe figures."""

from __future__ import annotations

from typing import Any

import pytest

from cloudops.network.monitor import probe_targets, range_metrics, round_sample
from cloudops.network.probes import HttpCheck, ProbeResult
from cloudops.network.slices import (
    endpoint_counts,
    ready_by_service,
    slices_for,
    subsets_of,
    sync_status,
)


def es(service: str, endpoints: list[dict[str, Any]], ports: list[dict[str, Any]], name: str = "s") -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {"kubernetes.io/service-name": service}},
            "endpoints": endpoints, "ports": ports}


HTTP = [{"name": "http", "port": 80, "protocol": "TCP"}]


def test_subsets_group_by_ports_dedupe_and_split_ready() -> None:
    a = es("web", [{"addresses": ["10.0.0.2"], "conditions": {"ready": True}, "nodeName": "n1",
                    "targetRef": {"kind": "Pod", "name": "p2", "namespace": "d"}},
                   {"addresses": ["10.0.0.10"], "conditions": {"ready": False, "serving": True, "terminating": True}},
                   {"addresses": ["10.0.0.3"]}], HTTP)
    b = es("web", [{"addresses": ["10.0.0.2"], "conditions": {"ready": True}}], HTTP, "s2")
    c = es("web", [{"addresses": ["10.0.0.4"], "conditions": {"ready": True}}],
           [{"name": "grpc", "port": 9000, "protocol": "TCP"}], "s3")
    subsets = subsets_of([a, b, c])
    assert len(subsets) == 2
    web = next(s for s in subsets if s["ports"][0]["name"] == "http")
    assert [x["ip"] for x in web["addresses"]] == ["10.0.0.2", "10.0.0.3"]  # numeric order, nil ready is ready
    assert web["addresses"][0]["target_ref"] == {"kind": "Pod", "name": "p2", "namespace": "d"}
    terminating = web["not_ready_addresses"][0]
    assert terminating["ip"] == "10.0.0.10" and terminating["serving"] and terminating["terminating"]
    assert endpoint_counts(subsets) == {"total_endpoints": 4, "ready_endpoints": 3, "not_ready_endpoints": 1,
                                       "health_score": 75.0}
    assert endpoint_counts([]) == {"total_endpoints": 0, "ready_endpoints": 0, "not_ready_endpoints": 0,
                                   "health_score": 0.0}
    assert ready_by_service([a, b, c, {"metadata": {}}]) == {"web": 3}


def test_slices_for_splits_families_and_round_trips() -> None:
    subsets = [{"addresses": [{"ip": "192.0.2.1", "hostname": "a"}, {"ip": "2001:db8::1"}],
                "not_ready_addresses": [{"ip": "192.0.2.9"}], "ports": HTTP}]
    made = slices_for("ext", "ns", subsets, {"app": "x"})
    assert [(s["metadata"]["name"], s["addressType"]) for s in made] == [("ext-cloudops-0", "IPv4"),
                                                                        ("ext-cloudops-1", "IPv6")]
    assert made[0]["metadata"]["labels"] == {"app": "x", "kubernetes.io/service-name": "ext",
                                             "endpointslice.kubernetes.io/managed-by": "cloudops.io"}
    assert made[0]["endpoints"][1] == {"addresses": ["192.0.2.9"],
                                       "conditions": {"ready": False, "serving": False, "terminating": False}}
    back = subsets_of(made)
    assert [a["ip"] for a in back[0]["addresses"]] == ["192.0.2.1", "2001:db8::1"]
    assert back[0]["addresses"][0]["hostname"] == "a" and back[0]["not_ready_addresses"][0]["ip"] == "192.0.2.9"
    with pytest.raises(ValueError, match=r"subsets\[0\].addresses\[0\].ip"):
        slices_for("x", "ns", [{"addresses": [{"ip": "nope"}], "ports": HTTP}], {})


def test_sync_status() -> None:
    svc = {"spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80}]}}
    ready = es("web", [{"addresses": ["10.0.0.2"]}], HTTP)
    assert sync_status(svc, [ready]) == ("synced", [])
    assert sync_status(svc, [])[0] == "no_endpoints"
    assert sync_status(svc, [es("web", [{"addresses": ["10.0.0.2"], "conditions": {"ready": False}}], HTTP)])[0] \
        == "no_endpoints"
    state, why = sync_status(svc, [es("web", [{"addresses": ["10.0.0.2"]}], [{"name": "web", "port": 80}])])
    assert state == "out_of_sync" and "http/TCP" in why[0]
    assert sync_status(None, [ready])[0] == "orphaned"
    assert "create its endpoints" in sync_status({"spec": {"ports": []}}, [])[1][0]


def test_probe_targets_and_round_figures() -> None:
    subsets = [{"addresses": [{"ip": "192.0.2.1"}], "not_ready_addresses": [{"ip": "192.0.2.2"}],
                "ports": [*HTTP, {"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "db", "port": 5432,
                                                                                   "protocol": "TCP"}]}]
    targets = probe_targets(subsets)
    assert [(t.ip, t.port, len(t.checks)) for t in targets] == [("192.0.2.1", 80, 1), ("192.0.2.1", 5432, 0),
                                                                ("192.0.2.2", 80, 1), ("192.0.2.2", 5432, 0)]
    custom = probe_targets(subsets, [80], [(8080, HttpCheck("/health", custom=True))], include_not_ready=False)
    assert [(t.port, [c.path for c in t.checks]) for t in custom] == [(80, ["/"]), (8080, ["/health"])]

    results = [ProbeResult("a", 80, "healthy", 0.010), ProbeResult("b", 80, "healthy", 0.030),
               ProbeResult("c", 80, "unhealthy", error_type="connection_refused"),
               ProbeResult("d", 80, "timeout", error_type="timeout"), ProbeResult("e", 80, "unreachable_from_shim")]
    sample = round_sample(results)
    assert sample["checks"] == 4 and sample["healthy"] == 2 and sample["availability"] == 50.0
    assert sample["latency_ms"] == 20.0 and sample["latency_p99_ms"] == 30.0
    assert sample["connection_refused"] == 1 and sample["timeout"] == 1 and sample["http_status"] == 0
    points = [{"t": "x", "n": 1, **sample}, {"t": "y", "n": 3, **round_sample(results[:2])},
              {"t": "z", "n": 1, "checks": 0}]
    m = range_metrics(points)
    assert m["checks"] == 4 + 3 * 2 and m["errors"]["total_errors"] == 2 and m["errors"]["error_rate"] == 0.2
    assert m["availability"] == 87.5 and m["latency"]["average"] == 0.02 and m["latency"]["p99"] == 0.03
    assert range_metrics([])["latency"] == {"average": None, "p95": None, "p99": None}
