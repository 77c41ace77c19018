"""The Prometheus client against a stand-in on 127.0.0.1, only for what a real Prometheus cannot be made to do
(an HTTP 500 without its JSON, garbage, silence); the figures themselves are tested against the real
Prometheus (tests/shim/test_prometheus_metrics.py). Pure parts (selectors, buckets, nearest step) here too."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from cloudops.network.traffic import StepRates, buckets, requests_per_step, traffic_queries
from cloudops.prometheus import Prometheus, PrometheusError, cluster_value, escape, selector
from cloudops.settings import Settings


@pytest.fixture
async def broken() -> AsyncIterator[str]:
    """/500: an HTTP 500 with an HTML page; /garbage: 200 with text that is not JSON; /shape: JSON that is not
    Prometheus's; /big: a large answer; /slow: no answer for 10 s."""
    async def handler(request: web.Request) -> web.Response:
        kind = request.path.split("/")[1]
        if kind == "500":
            return web.Response(status=500, text="<html>bearer abc.def internal error</html>")
        if kind == "garbage":
            return web.Response(text="{not json")
        if kind == "shape":
            return web.json_response({"status": "success", "data": {"resultType": "vector", "result": [{"value": 3}]}})
        if kind == "big":  # 5000 rows, about 1 MB: many chunks
            rows = [{"metric": {"pod": f"p-{i}", "pad": "x" * 150}, "value": [0, "1"]} for i in range(5000)]
            return web.json_response({"status": "success", "data": {"resultType": "vector", "result": rows}})
        await asyncio.sleep(10)
        return web.Response(text="late")

    app = web.Application()
    app.router.add_get("/{kind}/api/v1/{what}", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.mark.parametrize(("kind", "reason"), [("500", "HTTP 500"), ("garbage", "not Prometheus's JSON"),
                                              ("shape", "not Prometheus's shape"), ("slow", "no answer within 1 s")])
async def test_failures_are_one_error_with_a_scrubbed_reason(broken: str, kind: str, reason: str) -> None:
    prom = Prometheus(f"{broken}/{kind}", timeout=1)
    with pytest.raises(PrometheusError) as e:
        await prom.query("up", 0)
    assert reason in e.value.reason and "127.0.0.1" not in e.value.reason and e.value.status == 502
    with pytest.raises(PrometheusError):
        await requests_per_step(prom, "c", "shop", "web", "1h", [0.0], 3600.0)


async def test_a_large_answer_is_read_whole_up_to_the_limit(broken: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(await Prometheus(f"{broken}/big").query("up", 0)) == 5000
    monkeypatch.setattr("cloudops.prometheus.MAX_ANSWER_BYTES", 100_000)
    with pytest.raises(PrometheusError, match="exceeds"):
        await Prometheus(f"{broken}/big").query("up", 0)


async def test_nothing_listening_is_unreachable() -> None:
    with pytest.raises(PrometheusError, match="unreachable"):
        await Prometheus("http://127.0.0.1:9", timeout=2).query("up", 0)


def test_label_values_are_escaped_and_names_checked() -> None:
    assert escape('a"b\\c\nd') == 'a\\"b\\\\c\\nd'
    assert selector("m", {"service": 'x"}) or vector(1'}, ["pod"]) == 'm{service="x\\"}) or vector(1",pod!=""}'
    for bad in ({"bad-name": "x"}, {"0x": "y"}):
        with pytest.raises(ValueError):
            selector("m", bad)
    with pytest.raises(ValueError):
        selector("m{}", {})


def test_the_cluster_label() -> None:
    assert Prometheus("u").matchers("member-1", namespace="ns") == {"cluster": "member-1", "namespace": "ns"}
    assert Prometheus("u", cluster_label="").matchers("member-1", namespace="ns") == {"namespace": "ns"}
    with pytest.raises(PrometheusError, match="CLOUDOPS_PROMETHEUS_CLUSTER_LABEL"):
        Prometheus("u", cluster_label="k8s-cluster").matchers("member-1")
    queries = traffic_queries(Prometheus("u", cluster_label="k8s_cluster"), "prod", "shop", "web", "24h")
    assert queries["requests_per_second"] == (
        'sum(rate(http_requests_total{k8s_cluster="prod",namespace="shop",service="web"}[24h]))')
    cr = {"metadata": {"name": "prod", "labels": {"cloudops.io/prometheus-cluster": "eks-prod-1"}}}
    assert cluster_value("prod", cr) == "eks-prod-1" and cluster_value("prod", {"metadata": {}}) == "prod"


def test_prometheus_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Prometheus.of(Settings()) is None
    monkeypatch.setenv("CLOUDOPS_PROMETHEUS_URL", "http://127.0.0.1:9090")
    monkeypatch.setenv("CLOUDOPS_PROMETHEUS_CLUSTER_LABEL", "")
    prom = Prometheus.of(Settings.from_env())
    assert prom is not None and prom.url == "http://127.0.0.1:9090" and prom.cluster_label == ""
    monkeypatch.delenv("CLOUDOPS_PROMETHEUS_CLUSTER_LABEL")
    assert Settings.from_env().prometheus_cluster_label == "cluster"


def test_buckets_and_the_bucket_of_a_point() -> None:
    at = 7200.0 + 90
    assert buckets("1h", at) == [3720.0 + 60 * k for k in range(60)]  # the last is in progress
    rates = StepRates(60, "q", None, {3660.0: 1.0, 3780.0: 3.0})
    assert rates.at(3660.0) == 1.0 and rates.at(3719.0) == 1.0 and rates.at(3790.0) == 3.0
    assert rates.at(3720.0) is None  # its bucket has no rate: not the neighbour's
    assert rates.at(3840.0) is None and rates.at(3600.0) is None
