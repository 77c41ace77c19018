"""Retry-After from an API server: a stand-in on loopback, since a real one sheds load only under real load."""

from __future__ import annotations

import time

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from kubernetes_asyncio import client
from kubernetes_asyncio.client import ApiClient
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.kube.raw import request
from cloudops.kube.retry import MAX_RETRIES, retry_after, retrying

BUSY = {"kind": "Status", "status": "Failure", "message": "storage is (re)initializing", "reason": "TooManyRequests",
        "code": 429}


@pytest.mark.parametrize(("status", "headers", "expected"), [
    (429, {"Retry-After": "1"}, 1.0),
    (503, {"Retry-After": "0"}, 0.0),
    (429, {"Retry-After": "3600"}, 2.0),
    (429, {}, None),
    (429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, None),
    (500, {"Retry-After": "1"}, None),
    (404, {"Retry-After": "1"}, None),
])
def test_retry_after(status: int, headers: dict[str, str], expected: float | None) -> None:
    assert retry_after(status, headers) == expected


async def _serve(busy_times: int) -> tuple[TestServer, list[str]]:
    seen: list[str] = []

    async def handler(req: web.Request) -> web.Response:
        seen.append(req.method)
        if len(seen) <= busy_times:
            return web.json_response(BUSY, status=429, headers={"Retry-After": "0"})
        return web.json_response({"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "x"}})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server, seen


def _api(server: TestServer) -> ApiClient:
    cfg = client.Configuration()
    cfg.host = str(server.make_url("")).rstrip("/")
    return retrying(ApiClient(configuration=cfg))


async def test_a_busy_answer_is_sent_again_for_generated_and_raw_calls() -> None:
    server, seen = await _serve(busy_times=2)
    api = _api(server)
    try:
        ns = await client.CoreV1Api(api).read_namespace("x")
        assert ns.metadata.name == "x" and seen == ["GET"] * 3
        server2, seen2 = await _serve(busy_times=1)
        api2 = _api(server2)
        try:
            resp = await request(api2, "POST", "/api/v1/namespaces", body={"metadata": {"name": "x"}})
            assert resp.status == 200 and seen2 == ["POST", "POST"]
        finally:
            await api2.close()
            await server2.close()
    finally:
        await api.close()
        await server.close()


async def test_a_server_that_stays_busy_gets_its_answer_passed_on() -> None:
    server, seen = await _serve(busy_times=100)
    api = _api(server)
    try:
        started = time.monotonic()
        with pytest.raises(ApiException) as caught:
            await client.CoreV1Api(api).read_namespace("x")
        assert caught.value.status == 429 and len(seen) == MAX_RETRIES + 1
        assert time.monotonic() - started < 5
        resp = await request(api, "GET", "/api/v1/namespaces/x")
        assert resp.status == 429 and "(re)initializing" in resp.text
    finally:
        await api.close()
        await server.close()


async def test_wrapping_twice_wraps_once() -> None:
    api = retrying(ApiClient(configuration=client.Configuration()))
    try:
        first = api.rest_client.request
        assert retrying(api).rest_client.request is first
    finally:
        await api.close()


async def test_member_clients_retry() -> None:
    from cloudops.kube.client import client_from_kubeconfig

    kubeconfig = {"apiVersion": "v1", "kind": "Config", "current-context": "c",
                  "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
                  "users": [{"name": "u", "user": {"token": "t"}}],
                  "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}
    api = await client_from_kubeconfig(kubeconfig, None)
    try:
        assert getattr(api.rest_client, "_cloudops_retrying", False)
    finally:
        await api.close()
