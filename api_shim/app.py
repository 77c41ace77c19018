"""The app factory: settings in, a ready aiohttp application out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from api_shim.console import mount_console
from api_shim.endpoints import Endpoint
from api_shim.mcp_server import mount as mount_mcp
from api_shim.metrics import ShimMetrics
from api_shim.middlewares import error_middleware, metrics_middleware
from api_shim.openapi_served import OPENAPI, ServedDocument
from api_shim.routes import SECTIONS
from api_shim.routes.system import routes as system_routes
from api_shim.routing import RouteTable
from api_shim.security.audit import AuditSink
from api_shim.security.authn import Authenticator
from api_shim.security.authz import Authorizer
from api_shim.security.bootstrap import watch as watch_bootstrap
from api_shim.security.client_ip import TrustedProxies
from api_shim.security.middleware import audit_middleware, security_middleware
from api_shim.security.oidc import open_providers
from api_shim.security.oidc_config import parse_issuers
from api_shim.security.sessions import SessionStore
from api_shim.state import (
    ACCESS,
    AUDIT,
    AUTHN,
    AUTHZ,
    CACHE,
    ENDPOINTS,
    HUB,
    LIMITS,
    MEMBERS,
    METRICS,
    PROXIES,
    REGISTRY,
    ROUTES,
    SETTINGS,
    Limits,
)
from cloudops.clusters.cache import ClusterCache
from cloudops.clusters.connect import MemberClients
from cloudops.clusters.registry import Registry
from cloudops.kube.client import hub_client
from cloudops.kube.secrets import Secrets
from cloudops.members.access import MemberAccess
from cloudops.settings import Settings

__all__ = ["create_app"]


def _ordered(endpoints: list[Endpoint]) -> list[Endpoint]:
    """Literal paths before templated ones, so /clusters/list never lands in /clusters/{id}."""
    return sorted(endpoints, key=lambda e: (e.path.count("{"), e.path.find("{") if "{" in e.path else 0))


async def _clients(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[HUB] = hub = await hub_client(settings.kubeconfig)
    issuers = await asyncio.to_thread(parse_issuers, settings.oidc_issuers)
    secrets = Secrets(hub, settings.namespace)

    async def read_secret(name: str, key: str) -> str | None:
        found = await secrets.read(name)
        return None if found is None else found.data.get(key)

    providers, oidc_http = await open_providers(issuers, read_secret)
    app[AUTHN] = Authenticator(hub, settings.namespace, settings.jwt_secret,
                               jwt_group_prefixes=settings.jwt_group_prefixes,
                               jwt_groups_allowed=settings.jwt_groups_allowed, oidc=providers,
                               sessions=SessionStore(hub, settings.namespace, settings.session_hours * 3600))
    app[AUTHZ] = Authorizer(hub, settings.authz_cache_seconds)
    app[AUDIT] = AuditSink(settings.audit_sink)
    app[CACHE] = cache = ClusterCache(hub, settings.namespace)
    cache.start()
    app[MEMBERS] = members = MemberClients(versions=cache.secret_version)
    app[REGISTRY] = Registry(hub, settings.namespace, settings.member_timeout_seconds, members, cache)
    app[ACCESS] = MemberAccess(hub, settings.namespace, members, settings.member_timeout_seconds,
                               settings.fanout_concurrency)
    stop = asyncio.Event()
    bootstrap = (asyncio.create_task(watch_bootstrap(hub, settings.namespace, settings.bootstrap_secret,
                                                     settings.bootstrap_poll_seconds, stop), name="bootstrap-key")
                 if settings.bootstrap_secret else None)
    yield
    stop.set()
    if bootstrap is not None:
        await bootstrap
    await cache.stop()
    await app[MEMBERS].close()
    app[AUDIT].close()
    if oidc_http is not None:
        await oidc_http.close()
    await hub.close()


def create_app(settings: Settings) -> web.Application:
    # Outermost first: metrics see every final status, audit records the rendered envelope,
    # errors become envelopes, and the security chain guards only the declared API routes.
    app = web.Application(
        middlewares=[metrics_middleware, audit_middleware, error_middleware, security_middleware],
        client_max_size=4 * 1024 * 1024)
    app[SETTINGS] = settings
    app[METRICS] = ShimMetrics()
    app[LIMITS] = Limits.from_settings(settings.rate_limits)
    app[PROXIES] = TrustedProxies(settings.trusted_proxies)
    endpoints = _ordered([ep for s in SECTIONS for ep in s.endpoints])
    app[ENDPOINTS] = endpoints
    app[OPENAPI] = ServedDocument(endpoints)
    app[ROUTES] = RouteTable(endpoints)
    app.cleanup_ctx.append(_clients)
    app.router.add_routes(system_routes)
    for ep in endpoints:
        app.router.add_route(ep.http_method, ep.path, ep.handle)
    mount_mcp(app)  # the MCP server (streamable HTTP) at /mcp, over the same tools as /api/k8s/mcp
    mount_console(app, settings.console_dir)  # the web console at /ui/
    return app
