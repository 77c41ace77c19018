"""cloudops.network.traffic against a stand-in Prometheus on 127.0.0.1: the queries it sends, what it reports."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from cloudops.network.traffic import none, service_traffic


@pytest.fixture
async def prometheus() -> AsyncIterator[tuple[str, list[str]]]:
    queries: list[str] = []

    async def query(request: web.Request) -> web.Response:
        q = request.query["query"]
        queries.append(q)
        value = "7200" if "http_requests_total" in q else "1048576"
        result = [] if 'service="idle"' in q else [{"metric": {}, "value": [0, value]}]
        return web.json_response({"status": "success", "data": {"resultType": "vector", "result": result}})

    app = web.Application()
    app.router.add_get("/api/v1/query", query)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")), queries
    await server.close()


async def test_figures_come_from_prometheus(prometheus: tuple[str, list[str]]) -> None:
    url, queries = prometheus
    got = await service_traffic(url, "shop", "web", "1h")
    assert got == {"source": "prometheus", "total_requests": 7200.0, "requests_per_second": 2.0,
                   "bytes_transferred": 1048576.0, "error": None}
    assert 'sum(increase(http_requests_total{namespace="shop",service="web"}[1h]))' in queries
    idle = await service_traffic(url, "shop", "idle", "24h")
    assert idle["total_requests"] is None and idle["requests_per_second"] is None


async def test_no_prometheus_no_figures() -> None:
    assert none()["source"] == "none" and none()["total_requests"] is None
    with pytest.raises(ConnectionError):
        await service_traffic("http://127.0.0.1:9", "shop", "web", "1h", seconds=2)
    with pytest.raises(ValueError):
        await service_traffic("http://127.0.0.1:9", "shop", 'web"}', "1h")
