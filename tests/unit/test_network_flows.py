"""Observed flows for network analysis: the flow source setting (loopback only) and Hubble exports folded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from cloudops.network.flows import (
    FlowSource,
    SourceError,
    flow_query,
    fold_flow_metrics,
    fold_hubble,
    parse_range,
    parse_source,
    read_flows,
)
from cloudops.prometheus import Prometheus, Sample

NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)


def flow(src: str, dst: str, port: int, verdict: str = "FORWARDED", at: datetime = NOW, reply: bool = False,
         wrapped: bool = True) -> str:
    sns, spod = src.split("/")
    dns, dpod = dst.split("/")
    f = {"time": at.strftime("%Y-%m-%dT%H:%M:%S.123456789Z"), "verdict": verdict, "is_reply": reply,
         "source": {"namespace": sns, "pod_name": spod}, "destination": {"namespace": dns, "pod_name": dpod},
         "l4": {"TCP": {"source_port": 40000, "destination_port": port}}}
    return json.dumps({"flow": f, "node_name": "n1"} if wrapped else f)


def test_flow_source_setting_allows_only_loopback_prometheus() -> None:
    assert parse_source("") is None
    assert parse_source("hubble:/var/run/flows.json") == FlowSource("hubble", "/var/run/flows.json")
    assert parse_source("prometheus:http://127.0.0.2:9090/") == FlowSource("prometheus", "http://127.0.0.2:9090")
    assert parse_source("prometheus:http://localhost:9090") is not None
    for refused in ("prometheus:http://10.0.0.5:9090", "prometheus:http://192.168.1.1", "prometheus:https://prom.example",
                    "prometheus:ftp://127.0.0.1", "elastic:http://127.0.0.1"):
        with pytest.raises(SourceError):
            parse_source(refused)


def test_range() -> None:
    assert parse_range("90m") == timedelta(minutes=90) and parse_range("7d") == timedelta(days=7)
    with pytest.raises(ValueError, match="time_range"):
        parse_range("forever")


def test_hubble_export_is_folded_into_edges_of_the_namespace_within_the_range() -> None:
    lines = [flow("shop/app", "shop/db", 3306), flow("shop/app", "shop/db", 3306, wrapped=False),
             flow("shop/app", "shop/db", 3306, "DROPPED"),
             flow("shop/db", "shop/app", 40000, reply=True),  # a reply: not a connection
             flow("shop/app", "shop/db", 3306, at=NOW - timedelta(hours=2)),  # outside the range
             flow("other/x", "other/y", 80),  # another namespace
             flow("web/front", "shop/app", 8080), "not json", ""]
    edges, counted = fold_hubble(lines, "shop", NOW - timedelta(hours=1), NOW + timedelta(minutes=1))
    assert counted == 4
    assert [(e["from"], e["to"], e["protocol"], e["port"], e["flows"], e["verdicts"]) for e in edges] == [
        ("shop/app", "shop/db", "TCP", 3306, 3, {"FORWARDED": 2, "DROPPED": 1}),
        ("web/front", "shop/app", "TCP", 8080, 1, {"FORWARDED": 1})]
    assert edges[0]["first_seen"] == edges[0]["last_seen"] == "2026-01-02T12:00:00Z"


def test_hubble_flow_metrics_are_folded_per_workload_pair_and_protocol() -> None:
    """The Prometheus source's rows (what `flow_query` asks for) into edges; the query itself is tested against
    the real Prometheus (tests/shim/test_prometheus_metrics.py)."""
    def row(src: str, dst: str, verdict: str, value: float, protocol: str = "TCP") -> Sample:
        (sns, sw), (dns, dw) = src.split("/"), dst.split("/")
        return Sample({"source_namespace": sns, "source_workload": sw, "destination_namespace": dns,
                       "destination_workload": dw, "verdict": verdict, "protocol": protocol}, value)
    edges = fold_flow_metrics([row("shop/app", "shop/db", "FORWARDED", 41.7), row("shop/app", "shop/db", "DROPPED", 2),
                               row("shop/app", "shop/db", "FORWARDED", 3, "UDP"),
                               row("web/front", "shop/app", "x", 0.2),  # rounds to no flow
                               row("web/front", "shop/app", "FORWARDED", float("nan"))])
    assert [(e["from"], e["to"], e["protocol"], e["flows"], e["verdicts"]) for e in edges] == [
        ("shop/app", "shop/db", "TCP", 44, {"FORWARDED": 42, "DROPPED": 2}),
        ("shop/app", "shop/db", "UDP", 3, {"FORWARDED": 3})]


def test_the_flow_query_names_the_cluster_and_the_range() -> None:
    query = flow_query(Prometheus("u"), "member-1", "shop", "30m")
    assert query == ("sum by (source_namespace, source_workload, destination_namespace, destination_workload, "
                     'protocol, verdict) (increase(hubble_flows_processed_total{cluster="member-1",'
                     'source_namespace="shop"}[30m]) or increase(hubble_flows_processed_total{cluster="member-1",'
                     'destination_namespace="shop"}[30m]))')
    assert "cluster=" not in flow_query(Prometheus("u", cluster_label=""), "member-1", "shop", "1h")
    with pytest.raises(SourceError):
        flow_query(Prometheus("u"), "member-1", 'shop"}', "1h")


async def test_an_unreachable_prometheus_source_is_a_source_error() -> None:
    source = parse_source("prometheus:http://127.0.0.1:9")
    assert source is not None
    with pytest.raises(SourceError, match="unreachable"):
        await read_flows(source, "shop", "30m", 2, "member-1", "cluster")
