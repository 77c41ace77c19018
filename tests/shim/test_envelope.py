"""Every response, errors included, wears the reference's envelope; a 500 leaks nothing."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from api_shim.app import create_app
from cloudops.settings import Settings
from devcluster.topology import Topology
from tests.shim.checked import CheckedClient

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def assert_error(body: dict, status: int) -> None:  # type: ignore[type-arg]
    assert set(body) == {"code", "message", "error", "timestamp"}
    assert body["code"] == status and ISO.match(body["timestamp"]) and body["error"]


async def test_probes_and_success_envelope(shim: TestClient) -> None:  # type: ignore[type-arg]
    for path in ("/healthz", "/readyz"):
        r = await shim.get(path)
        body = await r.json()
        assert r.status == 200 and set(body) == {"code", "message", "data", "timestamp"}
        assert body["code"] == 200 and body["message"] == "success" and ISO.match(body["timestamp"])
    assert (await (await shim.get("/readyz")).json())["data"]["hub_version"].startswith("v1.")


async def test_unknown_route_and_wrong_method(shim: TestClient) -> None:  # type: ignore[type-arg]
    r = await shim.get("/api/k8s/nope")
    assert r.status == 404
    assert_error(await r.json(), 404)
    r = await shim.post("/api/k8s/clusters/list")
    assert r.status == 405 and "GET" in r.headers.get("Allow", "")
    assert_error(await r.json(), 405)


@pytest.mark.parametrize(("query", "field"), [
    ("limit=abc", "query.limit"), ("limit=0", "query.limit"), ("offset=-1", "query.offset"),
    ("provider=gcp", "query.provider"), ("status=up", "query.status"), ("colour=red", "query.colour"),
])
async def test_bad_query_is_400_naming_the_field(shim: TestClient, query: str, field: str) -> None:  # type: ignore[type-arg]
    r = await shim.get(f"/api/k8s/clusters/list?{query}")
    body = await r.json()
    assert r.status == 400
    assert_error(body, 400)
    assert body["error"].startswith(field), body


async def test_unhandled_error_is_a_bare_500(topology: Topology, namespace: str,
                                             caplog: pytest.LogCaptureFixture) -> None:
    secret = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"

    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError(f"failed with {secret}")

    app = create_app(Settings(namespace=namespace, kubeconfig=str(topology.hub.kubeconfig)))
    app.router.add_get("/boom", boom)
    async with CheckedClient(TestServer(app)) as client:
        with caplog.at_level(logging.ERROR):
            r = await client.get("/boom")
            text = await r.text()
    assert r.status == 500
    assert "Traceback" not in text and "PRIVATE KEY" not in text and "RuntimeError" not in text
    assert_error(await r.json(), 500)
    # The log keeps the traceback for operators, through the redacting formatter.
    from cloudops.logs import JsonFormatter
    rendered = "\n".join(JsonFormatter().format(rec) for rec in caplog.records)
    assert "RuntimeError" in rendered and "MIIEvQ" not in rendered


async def test_readyz_is_503_when_the_hub_is_unreachable(topology: Topology, tmp_path: Path) -> None:
    cfg = yaml.safe_load(topology.hub.kubeconfig.read_text())
    cfg["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1"
    dead = tmp_path / "dead.kubeconfig"
    dead.write_text(yaml.safe_dump(cfg))
    async with CheckedClient(TestServer(create_app(Settings(kubeconfig=str(dead))))) as client:
        r = await client.get("/readyz")
        assert r.status == 503
        assert_error(await r.json(), 503)
        assert (await (await client.get("/healthz")).json())["code"] == 200


async def test_metrics_count_requests_by_route_template(shim: TestClient) -> None:  # type: ignore[type-arg]
    await shim.get("/api/k8s/clusters/list")
    await shim.get("/api/k8s/clusters/list?limit=bad")
    text = await (await shim.get("/metrics")).text()
    assert 'cloudops_shim_requests_total{method="GET",route="/api/k8s/clusters/list",status="200"} 1.0' in text
    assert 'cloudops_shim_requests_total{method="GET",route="/api/k8s/clusters/list",status="400"} 1.0' in text
    assert "cloudops_shim_request_duration_seconds_bucket" in text
    assert "cloudops_shim_requests_in_flight" in text


async def test_openapi_covers_every_served_route(shim: TestClient) -> None:  # type: ignore[type-arg]
    doc = await (await shim.get("/api/k8s/openapi.json")).json()
    # /mcp (and /mcp/) speaks the Model Context Protocol (JSON-RPC, documented by that specification), and /ui
    # serves the web console's files (README "The web console"): neither is the REST API.
    served = {(r.method.lower(), r.resource.canonical) for r in shim.app.router.routes()  # type: ignore[union-attr]
              if r.resource is not None and r.method != "HEAD" and r.resource.canonical not in ("/mcp", "/mcp/")
              and not (r.resource.canonical == "/ui" or r.resource.canonical.startswith("/ui/"))}
    assert ("get", "/ui/{tail}") in {(r.method.lower(), r.resource.canonical)  # type: ignore[union-attr]
                                     for r in shim.app.router.routes() if r.resource is not None}
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert served and served <= documented
    op = doc["paths"]["/api/k8s/clusters/list"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"provider", "status", "tag", "limit", "offset"}


async def test_oversized_bodies_and_bad_ids_get_the_error_envelope(shim: TestClient) -> None:  # type: ignore[type-arg]
    big = b'{"display_name": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    r = await shim.put("/api/k8s/clusters/anything", data=big, headers={"Content-Type": "application/json"})
    assert r.status == 413
    assert_error(await r.json(), 413)
    for ref in ("%C2%B20", "a%25b", "UPPER", "x" * 64):
        r = await shim.get(f"/api/k8s/clusters/{ref}")
        body = await r.json()
        assert r.status == 400 and body["error"].startswith("id:"), (ref, body)
    r = await shim.post("/api/k8s/clusters/health/check", json={"cluster_ids": [""]})
    assert r.status == 400 and "cluster_ids" in (await r.json())["error"]
