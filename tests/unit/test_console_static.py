"""The console's static serving: routes get index.html, hashed assets are immutable, nothing leaves the build."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from api_shim.console import CSP, IMMUTABLE, mount_console
from api_shim.middlewares import error_middleware
from api_shim.routing import RouteTable
from api_shim.state import ROUTES


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text('<!doctype html><script type="module" src="/ui/assets/index-abc123.js"></script>')
    (root / "assets" / "index-abc123.js").write_text("console.log(1)")
    (root / "swagger").mkdir()
    (root / "swagger" / "swagger-ui.css").write_text("body{}")
    (tmp_path / "secret.txt").write_text("outside")
    return root


async def _client(directory: str) -> TestClient:  # type: ignore[type-arg]
    app = web.Application(middlewares=[error_middleware])
    app[ROUTES] = RouteTable([])
    mount_console(app, directory)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_routes_get_the_page_and_assets_are_immutable(dist: Path) -> None:
    client = await _client(str(dist))
    try:
        for path in ("/ui/", "/ui/clusters", "/ui/resources/object/member-1:configmap:default:x"):
            r = await client.get(path)
            assert r.status == 200 and "index-abc123.js" in await r.text()
            assert r.headers["Cache-Control"] == "no-cache"
            assert r.headers["Content-Security-Policy"] == CSP and "'unsafe-inline'" not in CSP.split("style-src")[0]
            assert r.headers["X-Frame-Options"] == "DENY"
        r = await client.get("/ui/assets/index-abc123.js")
        assert r.status == 200 and r.headers["Cache-Control"] == IMMUTABLE
        r = await client.get("/ui/swagger/swagger-ui.css")
        assert r.status == 200 and r.headers["Cache-Control"] == "no-cache"
        r = await client.get("/ui", allow_redirects=False)
        assert r.status == 308 and r.headers["Location"] == "/ui/"
    finally:
        await client.close()


async def test_a_missing_asset_is_404_and_nothing_outside_the_build_is_served(dist: Path) -> None:
    client = await _client(str(dist))
    try:
        r = await client.get("/ui/assets/index-old.js")
        assert r.status == 404 and (await r.json())["code"] == 404
        for path in ("/ui/../secret.txt", "/ui/%2e%2e/secret.txt", "/ui/assets/%2e%2e/%2e%2e/secret.txt"):
            r = await client.get(path)
            assert "outside" not in await r.text(), path
    finally:
        await client.close()


async def test_an_unbuilt_console_says_how_to_build_it(tmp_path: Path) -> None:
    client = await _client(str(tmp_path / "nothing"))
    try:
        r = await client.get("/ui/clusters")
        body = await r.json()
        assert r.status == 503 and "make ui" in body["error"]
    finally:
        await client.close()
