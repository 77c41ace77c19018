"""Cross-cutting request handling: metrics outermost, then the error envelope."""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from api_shim.envelope import BusinessCode, error_body
from api_shim.state import METRICS, ROUTES
from cloudops.errors import CloudOpsError

__all__ = ["error_middleware", "metrics_middleware"]

log = logging.getLogger("cloudops.shim")


def route_label(request: web.Request) -> str:
    """The route template, not the concrete path, so metric cardinality stays bounded."""
    route = request.match_info.route
    resource = route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    metrics = request.app[METRICS]
    labels = (request.method, route_label(request))
    metrics.in_flight.labels(*labels).inc()
    start = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    finally:
        metrics.in_flight.labels(*labels).dec()
        metrics.latency.labels(*labels).observe(time.perf_counter() - start)
        metrics.requests.labels(*labels, str(status)).inc()
        if status >= 500:
            metrics.errors.labels(*labels).inc()


def _envelope(status: int, detail: str, code: int | None = None,
              headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(error_body(status, detail, code), status=status, headers=headers)


def _not_allowed(request: web.Request) -> web.Response | None:
    """405 when the request path's own declared template has no such method (see api_shim.routing)."""
    owner = request.app[ROUTES].owner(request.path)
    if owner is None or request.method in owner.methods or (request.method == "HEAD" and "GET" in owner.methods):
        return None
    return _envelope(405, f"method {request.method} not allowed for {request.path}",
                     headers={"Allow": ",".join(owner.methods)})


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    refused = _not_allowed(request)
    if refused is not None:
        return refused
    try:
        return await handler(request)
    except CloudOpsError as e:
        # Every domain error carries its status, business code and safe detail (cloudops.errors).
        return _envelope(e.status, e.detail, e.business_code, e.headers or None)
    except TimeoutError:
        return _envelope(504, "the operation timed out", BusinessCode.TIMEOUT)
    except web.HTTPException as e:
        if e.status < 400:
            raise
        detail = {404: f"no route for {request.method} {request.path}",
                  405: f"method {request.method} not allowed for {request.path}"}.get(e.status, e.reason)
        headers = {k: v for k, v in e.headers.items() if k.lower() == "allow"}
        return _envelope(e.status, detail, headers=headers)
    except asyncio.CancelledError:
        raise
    except Exception:
        # The response says nothing of internals; the log has the traceback (redacted by the log filter).
        log.exception("unhandled error on %s %s", request.method, route_label(request))
        return _envelope(500, "internal error")
