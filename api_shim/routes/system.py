"""Probes, metrics and the OpenAPI document: served outside the /api/k8s contract."""

from __future__ import annotations

import asyncio

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api_shim.envelope import ApiError, ok
from api_shim.openapi_served import OPENAPI
from api_shim.state import CACHE, HUB, METRICS
from cloudops.kube.client import server_version

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return ok({"status": "ok"})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    try:
        version = await asyncio.wait_for(server_version(request.app[HUB]), timeout=3)
    except Exception:
        raise ApiError(503, "hub API server is not reachable") from None
    cache = request.app[CACHE]
    if not cache.synced:
        raise ApiError(503, "the cluster cache has not synced with the hub yet")
    return ok({"status": "ready", "hub_version": version,
               "cache": {"clusters": len(cache.clusters.items), "lists": cache.clusters.lists,
                         "events": cache.clusters.events}})


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    body = generate_latest(request.app[METRICS].registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


@routes.get("/api/k8s/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.Response(body=await request.app[OPENAPI].body(), content_type="application/json")
