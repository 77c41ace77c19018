"""_ordered: literal routes are registered before templated ones so they are never shadowed."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from api_shim.app import _ordered
from api_shim.endpoints import Call, Endpoint


async def _handler(call: Call) -> web.StreamResponse:
    return web.Response()


def _ep(path: str, method: str = "GET") -> Endpoint:
    return Endpoint(method, path, path, "t", _handler, "managedclusters", "get")


def _paths(endpoints: list[Endpoint]) -> list[str]:
    return [e.path for e in endpoints]


def test_literal_path_comes_before_templated_sibling() -> None:
    out = _ordered([_ep("/api/k8s/clusters/{id}"), _ep("/api/k8s/clusters/list")])
    assert _paths(out) == ["/api/k8s/clusters/list", "/api/k8s/clusters/{id}"]


def test_already_ordered_input_is_kept() -> None:
    endpoints = [_ep("/api/k8s/clusters/list"), _ep("/api/k8s/clusters/{id}")]
    assert _paths(_ordered(endpoints)) == ["/api/k8s/clusters/list", "/api/k8s/clusters/{id}"]


def test_fewer_templates_come_first() -> None:
    out = _ordered([_ep("/api/k8s/clusters/{id}/nodes/{node}"), _ep("/api/k8s/clusters/{id}/nodes/summary"),
                    _ep("/api/k8s/clusters/overview")])
    assert _paths(out) == ["/api/k8s/clusters/overview", "/api/k8s/clusters/{id}/nodes/summary",
                           "/api/k8s/clusters/{id}/nodes/{node}"]


def test_every_endpoint_kept_once_and_methods_on_one_path_keep_their_order() -> None:
    endpoints = [_ep("/api/k8s/clusters/{id}", "PUT"), _ep("/api/k8s/clusters/list"),
                 _ep("/api/k8s/clusters/{id}", "DELETE"), _ep("/api/k8s/clusters", "POST")]
    out = _ordered(endpoints)
    assert sorted(map(id, out)) == sorted(map(id, endpoints))
    templated = [e.method for e in out if "{" in e.path]
    assert templated == ["PUT", "DELETE"]
    assert all("{" not in e.path for e in out[:2])


def test_input_list_is_not_reordered_in_place() -> None:
    endpoints = [_ep("/a/{id}"), _ep("/a/list")]
    _ordered(endpoints)
    assert _paths(endpoints) == ["/a/{id}", "/a/list"]


# app.py registers Endpoint instances (async __call__), which aiohttp wraps with a DeprecationWarning.
async def test_router_resolves_literal_path_to_literal_route() -> None:
    list_ep, item_ep = _ep("/api/k8s/clusters/list"), _ep("/api/k8s/clusters/{id}")
    app = web.Application()
    for ep in _ordered([item_ep, list_ep]):
        app.router.add_route(ep.method, ep.path, ep.handle)

    listed = await app.router.resolve(make_mocked_request("GET", "/api/k8s/clusters/list", app=app))
    item = await app.router.resolve(make_mocked_request("GET", "/api/k8s/clusters/member-1", app=app))
    assert listed.route.resource is not None and item.route.resource is not None
    assert listed.route.resource.canonical == "/api/k8s/clusters/list"
    assert item.route.resource.canonical == "/api/k8s/clusters/{id}"
    assert item["id"] == "member-1"
