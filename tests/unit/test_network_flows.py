"""Observed flows for network analysis: the flow source setting (loopback only) and Hubble exports folded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from cloudops.network.flows import FlowSource, SourceError, fold_hubble, parse_range, parse_source, read_flows

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


async def test_prometheus_source_sums_hubble_flow_metrics_per_workload_pair() -> None:
    """Against a stand-in Prometheus on 127.0.0.1 answering the instant-query API."""
    seen: list[str] = []

    async def query(request: web.Request) -> web.Response:
        seen.append(request.query["query"])
        row = {"metric": {"source_namespace": "shop", "source_workload": "app", "destination_namespace": "shop",
                          "destination_workload": "db", "verdict": "FORWARDED"}, "value": [0, "41.7"]}
        dropped = {**row, "metric": {**row["metric"], "verdict": "DROPPED"}, "value": [0, "2"]}
        return web.json_response({"status": "success", "data": {"resultType": "vector", "result": [row, dropped]}})

    app = web.Application()
    app.router.add_get("/api/v1/query", query)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        source = parse_source(f"prometheus:http://127.0.0.1:{port}")
        assert source is not None
        observed = await read_flows(source, "shop", "30m")
    finally:
        await runner.cleanup()
    assert any('source_namespace="shop"' in q and "[30m]" in q for q in seen)
    assert [(e["from"], e["to"], e["flows"], e["verdicts"]) for e in observed.edges] == [
        ("shop/app", "shop/db", 44, {"FORWARDED": 42, "DROPPED": 2})]
    assert observed.flows_read == 44
