"""The app factory: settings in, a ready aiohttp application out."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from api_shim.endpoints import Endpoint
from api_shim.metrics import ShimMetrics
from api_shim.middlewares import error_middleware, metrics_middleware
from api_shim.routes import SECTIONS
from api_shim.routes.system import routes as system_routes
from api_shim.state import ENDPOINTS, HUB, METRICS, SETTINGS
from cloudops.kube.client import hub_client
from cloudops.settings import Settings

__all__ = ["create_app"]


def _ordered(endpoints: list[Endpoint]) -> list[Endpoint]:
    """Literal paths before templated ones, so /clusters/list never lands in /clusters/{id}."""
    return sorted(endpoints, key=lambda e: (e.path.count("{"), e.path.find("{") if "{" in e.path else 0))


async def _hub_ctx(app: web.Application) -> AsyncIterator[None]:
    app[HUB] = await hub_client(app[SETTINGS].kubeconfig)
    yield
    await app[HUB].close()


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[metrics_middleware, error_middleware], client_max_size=4 * 1024 * 1024)
    app[SETTINGS] = settings
    app[METRICS] = ShimMetrics()
    endpoints = _ordered([ep for s in SECTIONS for ep in s.endpoints])
    app[ENDPOINTS] = endpoints
    app.cleanup_ctx.append(_hub_ctx)
    app.router.add_routes(system_routes)
    for ep in endpoints:
        app.router.add_route(ep.method, ep.path, ep.handle)
    return app
